"""Where a classifier looks: saliency maps and Grad-CAM, laid over the image.

Gradients need the backend's own autodiff: TensorFlow's tape, PyTorch's
autograd, or ``jax.grad``. Saliency works on all three. Grad-CAM needs the
gradient with respect to an inner layer's output, which TensorFlow and PyTorch
give directly; on JAX it raises an error that names them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from kerasteach._figures import new_figure
from kerasteach.activations.extract import (
    ActivationError,
    graph_inputs,
    output_of,
)
from kerasteach.activations.tiles import normalize

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _single_image_input(model: keras.Model, x: Any) -> np.ndarray:
    inputs = graph_inputs(model)
    if len(inputs) != 1 or len(inputs[0].shape) != 4:
        raise ActivationError(
            "heat maps are for image classifiers: one input of shape "
            "(batch, height, width, channels)"
        )
    x = np.asarray(x, dtype="float32")
    if x.ndim == 3:
        x = x[None]
    if x.shape[1:] != tuple(inputs[0].shape[1:]) and None not in inputs[0].shape[1:]:
        raise ActivationError(
            f"images of shape {x.shape[1:]} do not fit the model's input "
            f"{tuple(inputs[0].shape[1:])}"
        )
    return x


def _targets(scores: np.ndarray, class_index: int | list[int] | None) -> np.ndarray:
    if class_index is None:
        return np.argmax(scores, axis=-1)
    chosen = np.broadcast_to(np.asarray(class_index), (len(scores),))
    if chosen.min() < 0 or chosen.max() >= scores.shape[-1]:
        raise ActivationError(
            f"class_index must be in 0..{scores.shape[-1] - 1}; got {class_index!r}"
        )
    return chosen


def _picks(scores: np.ndarray, class_index) -> np.ndarray:
    return np.eye(scores.shape[-1], dtype="float32")[_targets(scores, class_index)]


def _input_gradients(model: keras.Model, x: np.ndarray, class_index) -> np.ndarray:
    # model(...) rather than predict: nothing is compiled or cached on the model
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        images = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(images)
            out = model(images, training=False)
            score = tf.reduce_sum(out * _picks(out.numpy(), class_index))
        return tape.gradient(score, images).numpy()
    if backend == "jax":
        import jax

        picks = _picks(np.asarray(model(x, training=False)), class_index)

        def score(images):
            return (model(images, training=False) * picks).sum()

        return np.asarray(jax.grad(score)(x))
    if backend == "torch":
        import torch

        images = torch.tensor(x, requires_grad=True)
        out = model(images, training=False)
        picks = _picks(out.detach().cpu().numpy(), class_index)
        (out * torch.tensor(picks)).sum().backward()
        return images.grad.detach().cpu().numpy()
    raise ActivationError(
        f"saliency needs the tensorflow, jax or torch backend; this is {backend}"
    )


def saliency(
    model: keras.Model, x: Any, class_index: int | list[int] | None = None
) -> np.ndarray:
    """How much each pixel moves the class score: ``(n, height, width)`` in [0, 1].

    The absolute gradient of the chosen class's score (default: the predicted
    class) with respect to the input, the largest over colour channels.

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(2, activation="softmax")])
    >>> saliency(model, np.ones((3, 6, 6, 1))).shape
    (3, 6, 6)
    """
    images = _single_image_input(model, x)
    gradients = _input_gradients(model, images, class_index)
    return normalize(np.abs(gradients).max(axis=-1), axis=(1, 2))


def last_convolution(model: keras.Model) -> str:
    """The last layer of ``model`` with a 4-D output: Grad-CAM's default.

    A nested model counts as one layer: for ``Sequential([base, pooling,
    dense])`` that is ``base``, whose output is its last feature maps.
    """
    found = None
    for layer in model.layers:
        try:
            shape = layer.output.shape
        except (AttributeError, ValueError):
            continue
        if len(shape) == 4 and (
            "Conv" in type(layer).__name__ or isinstance(layer, keras.Model)
        ):
            found = layer.name
    if found is None:
        raise ActivationError(f"{model.name} has no convolution for Grad-CAM")
    return found


def grad_cam(
    model: keras.Model,
    x: Any,
    class_index: int | list[int] | None = None,
    layer: str | None = None,
) -> np.ndarray:
    """Grad-CAM: which regions of the image the chosen class depends on.

    Returns ``(n, height, width)`` maps in [0, 1] at the input's size, from the
    last convolution or nested model with spatial output (or ``layer``).

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((8, 8, 3)),
    ...                           keras.layers.Conv2D(4, 3, name="conv"),
    ...                           keras.layers.GlobalAveragePooling2D(),
    ...                           keras.layers.Dense(2, activation="softmax")])
    >>> grad_cam(model, np.random.rand(2, 8, 8, 3)).shape
    (2, 8, 8)
    """
    backend = keras.backend.backend()
    if backend not in ("tensorflow", "torch"):
        raise ActivationError(
            "grad_cam needs the tensorflow or torch backend (the gradient with "
            f"respect to an inner layer); this is {backend}. saliency() works "
            "on jax."
        )
    images = _single_image_input(model, x)
    path = layer or last_convolution(model)
    if "/" in path:
        # Inside a nested model the class score's path does not pass through a
        # view of that layer, so the gradient there would not exist.
        raise ActivationError(
            f"grad_cam works on layers of the outer model; instead of {path!r} "
            f"use the nested model {path.split('/')[0]!r}, whose output is its "
            "last feature maps"
        )
    inputs = graph_inputs(model)
    both = keras.Model(inputs[0], [output_of(model, path), model.outputs[0]])
    maps, gradients = _maps_and_gradients(both, images, class_index, backend)
    weights = gradients.mean(axis=(1, 2), keepdims=True)
    cams = np.maximum((weights * maps).sum(axis=-1), 0)
    return normalize(_resize(cams, images.shape[1:3]), axis=(1, 2))


def _maps_and_gradients(both, images, class_index, backend):
    """The inner layer's output and the class score's gradient there, one pass."""
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            inner, out = both(tf.convert_to_tensor(images), training=False)
            score = tf.reduce_sum(out * _picks(out.numpy(), class_index))
        return inner.numpy(), tape.gradient(score, inner).numpy()
    import torch

    inner, out = both(torch.tensor(images), training=False)
    inner.retain_grad()
    picks = _picks(out.detach().cpu().numpy(), class_index)
    (out * torch.tensor(picks)).sum().backward()
    return inner.detach().cpu().numpy(), inner.grad.detach().cpu().numpy()


def _resize(maps: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    height, width = size
    return np.stack(
        [
            np.asarray(
                Image.fromarray(m.astype("float32"), mode="F").resize(
                    (width, height), Image.BILINEAR
                )
            )
            for m in maps
        ]
    )


def overlay(image: np.ndarray, heat: np.ndarray, alpha: float = 0.45) -> np.ndarray:
    """The image (grey or colour) with the heat map blended over it, RGB in [0, 1].

    >>> overlay(np.zeros((4, 4, 1)), np.ones((4, 4))).shape
    (4, 4, 3)
    """
    from matplotlib import colormaps

    picture = np.asarray(image, dtype="float32")
    if picture.ndim == 2:
        picture = picture[..., None]
    picture = normalize(picture, axis=None)
    if picture.shape[-1] == 1:
        picture = np.repeat(picture, 3, axis=-1)
    colours = colormaps["jet"](np.asarray(heat))[..., :3]
    return (1 - alpha) * picture[..., :3] + alpha * colours


def plot_heatmaps(
    x: Any, heat: np.ndarray, titles: list[str] | None = None, alpha: float = 0.45
) -> Figure:
    """Each image with its heat map laid over it, side by side."""
    images = np.asarray(x)
    if images.ndim == 3 and len(heat) == 1:
        images = images[None]
    figure = new_figure(2.6 * len(heat), 2.8)
    for index, (image, one) in enumerate(zip(images, heat, strict=True)):
        axes = figure.add_subplot(1, len(heat), index + 1)
        axes.imshow(overlay(image, one, alpha))
        axes.set_axis_off()
        if titles:
            axes.set_title(titles[index], fontsize=9)
    return figure
