"""Check the summary and get_activations on the real models, on one backend.

Run as a script it prints one JSON line of problems per model (empty lists
when all is well); the tests run it in-process on TensorFlow and in a
subprocess under JAX and PyTorch:

    KERAS_BACKEND=jax python tests/real_models_check.py
"""

from __future__ import annotations

import json
import sys

import keras
import numpy as np
import real_models

import kerasteach
from kerasteach.activations.choice import tensor_of

WIDTHS = (40, 60, 80, 100, 132)


def unique_weights(model: keras.Model) -> int:
    variables = {id(v): v for v in model.weights}.values()
    return sum(int(np.prod(v.shape)) for v in variables)


def keras_cut(model: keras.Model, key: str, x) -> np.ndarray:
    """What Keras' own cut models compute for ``key``: a cut of the outer
    model, or, inside a nested model, the nested model's own cut applied to
    what the outer cut feeds that very call."""
    step, index = tensor_of(model, key)
    if not step.enclosing:
        return keras.Model(model.inputs, step.outputs[index]).predict(x, verbose=0)
    (nested, node), = step.enclosing  # fmt: skip
    feeds = keras.Model(model.inputs, list(node.input_tensors)).predict(x, verbose=0)
    inner = keras.Model(nested.inputs, step.outputs[index])
    return inner.predict(feeds, verbose=0)


def check(name: str) -> list[str]:
    problems: list[str] = []
    model = real_models.build(name)
    picture = kerasteach.summary(model, expand_nested=True)
    expected = model.count_params() if model.built else unique_weights(model)
    if picture.total_weights != expected:
        problems.append(f"total {picture.total_weights} != {expected}")
    if sum(row.weights for row in picture.rows) != expected:
        problems.append("the rows' weights do not add up to the total")
    for width in WIDTHS:
        longest = max(map(len, picture.to_text(width=width).splitlines()))
        if longest > width:
            problems.append(f"a line of {longest} columns at width {width}")
    if name == "gan":
        return problems  # no call(): nothing flows through it as a whole
    x = real_models.inputs_for(model, 3)
    for choice in (None, "all"):
        found = kerasteach.get_activations(model, x, choice)
        if not found:
            problems.append(f"nothing found for {choice}")
        for key, array in found.items():
            reference = keras_cut(model, key, x)
            if array.shape != reference.shape or not np.allclose(
                array, reference, rtol=1e-4, atol=1e-5
            ):
                problems.append(f"{choice}: {key} differs from Keras' cut")
    return problems


def main() -> None:
    names = sys.argv[1:] or list(real_models.BUILDERS)
    backend = keras.backend.backend()
    report = {
        name: check(name)
        for name in names
        if backend == "tensorflow" or name not in real_models.TENSORFLOW_ONLY
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
