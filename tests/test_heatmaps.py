"""Saliency and Grad-CAM on models whose answer is known, on every backend."""

from __future__ import annotations

import json
import sys

import keras
import numpy as np
import pytest
from conftest import require_backend, run_command

from kerasteach.activations import ActivationError
from kerasteach.activations.heatmaps import grad_cam, overlay, plot_heatmaps, saliency

# Models whose heat maps can be worked out by hand; also run on other backends.
BUILDERS = """
import keras
import numpy as np

def one_pixel_classifier(kind):
    # Class 0's score depends on pixel (2, 3) only.
    kernel = np.zeros((36, 2), "float32")
    kernel[2 * 6 + 3, 0] = 5.0
    kernel[:, 1] = 0.01
    dense = keras.layers.Dense(2, activation="softmax", name="out")
    if kind == "sequential":
        model = keras.Sequential(
            [keras.Input((6, 6, 1)), keras.layers.Flatten(), dense]
        )
    else:
        start = keras.Input((6, 6, 1))
        model = keras.Model(start, dense(keras.layers.Flatten()(start)))
    dense.set_weights([kernel, np.zeros(2, "float32")])
    return model

def copy_then_vote(nested):
    # A 1x1 convolution that copies the image, then class 0 = mean brightness.
    conv = keras.layers.Conv2D(1, 1, name="copy")
    body = [conv]
    if nested:  # as in transfer learning: a convolutional base, then a head
        body = [keras.Sequential([keras.Input((8, 8, 1)), conv], name="block")]
    body.append(keras.layers.GlobalAveragePooling2D())
    vote = keras.layers.Dense(2, activation="softmax", name="vote")
    model = keras.Sequential([keras.Input((8, 8, 1)), *body, vote])
    conv.set_weights([np.ones((1, 1, 1, 1), "float32"), np.zeros(1, "float32")])
    vote.set_weights([np.array([[1.0, -1.0]], "float32"), np.zeros(2, "float32")])
    return model

def bright_spot():
    image = np.zeros((1, 8, 8, 1), "float32")
    image[0, 5, 2, 0] = 1.0
    return image
"""
namespace: dict = {}
exec(BUILDERS, namespace)
one_pixel_classifier = namespace["one_pixel_classifier"]
copy_then_vote = namespace["copy_then_vote"]
bright_spot = namespace["bright_spot"]


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_saliency_finds_the_one_pixel_that_matters(kind: str) -> None:
    model = one_pixel_classifier(kind)
    heat = saliency(model, np.full((2, 6, 6, 1), 0.5, "float32"), class_index=0)
    assert heat.shape == (2, 6, 6) and heat.min() == 0 and heat.max() == 1
    assert np.unravel_index(heat[0].argmax(), (6, 6)) == (2, 3)
    assert np.count_nonzero(heat[0] > 0.5) == 1


@pytest.mark.parametrize("nested", [False, True])
def test_grad_cam_lights_up_the_bright_spot(nested: bool) -> None:
    model = copy_then_vote(nested)
    layer = "block" if nested else None  # the default finds it too
    heat = grad_cam(model, bright_spot(), class_index=0, layer=layer)
    assert heat.shape == (1, 8, 8)
    assert np.unravel_index(heat[0].argmax(), (8, 8)) == (5, 2)
    np.testing.assert_allclose(
        heat, grad_cam(copy_then_vote(not nested), bright_spot(), 0), atol=1e-6
    )
    # Class 1 votes against brightness: nothing in the image supports it.
    assert grad_cam(model, bright_spot(), class_index=1).max() == 0


def test_the_model_is_not_compiled_or_changed() -> None:
    model = copy_then_vote(False)
    before = [w.copy() for w in model.get_weights()]
    saliency(model, bright_spot())
    grad_cam(model, bright_spot())
    assert not model.compiled
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_overlay_and_plot() -> None:
    image = bright_spot()[0]
    heat = grad_cam(copy_then_vote(False), bright_spot(), 0)
    blended = overlay(image, heat[0])
    assert blended.shape == (8, 8, 3) and 0 <= blended.min() <= blended.max() <= 1
    figure = plot_heatmaps(bright_spot(), heat, titles=["class 0"])
    assert [axes.get_title() for axes in figure.axes] == ["class 0"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: saliency(copy_then_vote(False), bright_spot(), 7), "0..1"),
        (
            lambda: saliency(
                keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]),
                np.ones((1, 3)),
            ),
            "image classifiers",
        ),
        (lambda: saliency(copy_then_vote(False), np.ones((1, 5, 5, 1))), "do not fit"),
        (
            lambda: grad_cam(copy_then_vote(True), bright_spot(), 0, "block/copy"),
            "use the nested model 'block'",
        ),
    ],
)
def test_bad_input_is_explained(call, message: str) -> None:
    with pytest.raises(ActivationError, match=message):
        call()


OTHER_BACKEND = (
    BUILDERS
    + """
import json
from kerasteach.activations import ActivationError
from kerasteach.activations.heatmaps import grad_cam, saliency

report = {"saliency": saliency(one_pixel_classifier("sequential"),
                               np.full((1, 6, 6, 1), 0.5, "float32"), 0).tolist()}
try:
    report["grad_cam"] = grad_cam(copy_then_vote(True), bright_spot(), 0).tolist()
except ActivationError as error:
    report["grad_cam_error"] = str(error)
print(json.dumps(report))
"""
)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_backends_give_the_same_maps_or_name_the_backend(backend: str) -> None:
    require_backend(backend)
    result = run_command(
        sys.executable, "-c", OTHER_BACKEND, env={"KERAS_BACKEND": backend}
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    expected = saliency(
        one_pixel_classifier("sequential"), np.full((1, 6, 6, 1), 0.5, "float32"), 0
    )
    np.testing.assert_allclose(report["saliency"], expected, atol=1e-5)
    if backend == "torch":
        np.testing.assert_allclose(
            report["grad_cam"], grad_cam(copy_then_vote(True), bright_spot(), 0),
            atol=1e-5,
        )  # fmt: skip
    else:
        assert "tensorflow or torch backend" in report["grad_cam_error"]
