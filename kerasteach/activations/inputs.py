"""Check the inputs given for a model before they reach Keras, whose own
errors about a wrong shape are many lines of traceback "in user code"."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np


def _describe(shape: tuple) -> str:
    return "(" + ", ".join("batch" if i == 0 else ("any" if d is None else str(d))
                           for i, d in enumerate(shape)) + ")"  # fmt: skip


def _name(tensor: Any) -> str:
    history = getattr(tensor, "_keras_history", None)
    return getattr(getattr(history, "operation", None), "name", None) or tensor.name


def check_inputs(model: keras.Model, inputs: list, x: Any, error: type) -> int:
    """How many examples ``x`` holds, once it matches the model's ``inputs``
    in count, names and shape; otherwise ``error`` naming what was expected."""
    names = [_name(t) for t in inputs]
    expected = ", ".join(f"{n} {_describe(tuple(t.shape))}" for n, t in
                         zip(names, inputs, strict=True))  # fmt: skip
    if x is None:
        raise error(f"pass the inputs x: {model.name} takes {expected}")
    if isinstance(x, dict):
        missing = [n for n in names if n not in x]
        unknown = [k for k in x if k not in names]
        if missing or unknown:
            raise error(
                f"x is a dict whose keys do not match {model.name}'s inputs"
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + (f"; unknown: {', '.join(map(str, unknown))}" if unknown else "")
                + f". The model takes {expected}."
            )
        arrays = [x[n] for n in names]
    elif isinstance(x, list | tuple) and not (
        len(inputs) == 1 and len(x) and np.ndim(x[0]) == 0
    ):
        arrays = list(x)
    else:
        arrays = [x]
    if len(arrays) != len(inputs):
        raise error(
            f"{model.name} takes {len(inputs)} input(s), {expected}; x gives "
            f"{len(arrays)}. Pass a list (or a dict by input name) of "
            f"{len(inputs)} arrays."
        )
    counts = set()
    for name, tensor, array in zip(names, inputs, arrays, strict=True):
        shape = tuple(np.shape(array))
        wanted = tuple(tensor.shape)
        fits = len(shape) == len(wanted) and all(
            w is None or w == s for w, s in zip(wanted[1:], shape[1:], strict=True)
        )
        if not fits:
            hint = ""
            if (
                len(shape) == len(wanted) - 1
                and wanted[-1] == 1
                and all(
                    w in (None, s) for w, s in zip(wanted[1:-1], shape[1:], strict=True)
                )
            ):
                hint = " Add the channel axis: x[..., None]."
            elif len(shape) == len(wanted) - 1 and shape == wanted[1:]:
                hint = " Add the batch axis for one example: x[None]."
            raise error(
                f"input {name!r} of {model.name} takes arrays of shape "
                f"{_describe(wanted)}; got {shape}.{hint}"
            )
        counts.add(shape[0] if shape else 0)
    if len(counts) != 1:
        raise error(
            f"the input arrays hold different numbers of examples ({sorted(counts)}); "
            "give each input the same number"
        )
    (count,) = counts
    if count == 0:
        raise error("x holds no examples: pass at least one")
    return count
