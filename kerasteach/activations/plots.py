"""Feature maps and first-layer filters as matplotlib Figures (never shown)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from kerasteach._figures import new_figure
from kerasteach.activations.extract import (
    ActivationError,
    LayerChoice,
    choose_layers,
    extraction_model,
    layer_names,
    picture_outputs,
)
from kerasteach.activations.tiles import normalize, picture, tile

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BAR_LIMIT = 64  # up to this many units, a dense output is a bar chart


def plot_activations(
    source: keras.Model | Mapping[str, np.ndarray],
    x: Any = None,
    layers: LayerChoice = None,
    *,
    samples: Sequence[int] = (0,),
    max_channels: int = 16,
    cmap: str = "gray",
    class_names: Sequence[str] | None = None,
) -> Figure:
    """What each chosen layer outputs: one panel per layer, a column per input.

    Convolutional feature maps are tiled into one image per panel, in grey as
    in the report and the explorer (dark: a map's lowest value, bright: its
    highest; each map is scaled on its own, as the colour bar says); dense and
    1-D outputs are a bar chart (up to 64 units) or a strip. Each panel is
    titled with the layer's name and output shape, and "16 of 32 maps" when
    ``max_channels`` leaves some out.

    Args:
        source: a model (then pass ``x``), or what ``get_activations`` returned.
        x: the inputs, when ``source`` is a model.
        layers: as in ``get_activations`` (default: the layers a student looks at).
        samples: which inputs to show, one column each.
        max_channels: feature maps shown per layer.
        cmap: the colour map of the pictures (grey, as everywhere in kerasteach).
        class_names: names under the bars of an output with one unit per class.

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((6, 6, 1)),
    ...                           keras.layers.Conv2D(4, 3, name="conv"),
    ...                           keras.layers.Flatten(name="flat"),
    ...                           keras.layers.Dense(2, name="out")])
    >>> figure = plot_activations(model, np.ones((3, 6, 6, 1)), samples=[0, 2])
    >>> for axes in figure.axes:
    ...     print(axes.get_title())
    conv (4, 4, 4) · input 0
    conv (4, 4, 4) · input 2
    out (2,) · input 0
    out (2,) · input 2
    """
    if isinstance(source, keras.Model):
        if x is None:
            raise ActivationError("pass the inputs: plot_activations(model, x)")
        chosen = list(samples)
        rows = keras.tree.map_structure(lambda a: np.asarray(a)[chosen], x)
        paths = choose_layers(source, layers)
        # bars need the numbers; every other panel only its 8-bit pixels
        outputs = extraction_model(source, paths).outputs  # built once, kept
        bars = [
            path
            for path, output in zip(paths, outputs, strict=True)
            if _drawn_as_bars(output.shape[1:])
        ]
        arrays, shapes = picture_outputs(source, rows, paths, max_channels, bars)
        activations = dict(zip(paths, arrays, strict=True))
        whole_shapes = dict(zip(paths, shapes, strict=True))
        picked = range(len(chosen))
    elif isinstance(source, Mapping) and source:
        activations, picked, chosen = dict(source), list(samples), list(samples)
        whole_shapes = {k: tuple(np.shape(v)[1:]) for k, v in activations.items()}
    else:
        raise ActivationError(
            "plot_activations takes a model and inputs, or get_activations' result"
        )
    several = len(chosen) > 1
    rows_count, columns = len(activations), len(chosen)
    figure = new_figure(3.2 * columns, 2.6 * rows_count)
    for row, (name, array) in enumerate(activations.items()):
        shape = whole_shapes[name]
        for column, (index, label) in enumerate(zip(picked, chosen, strict=True)):
            axes = figure.add_subplot(rows_count, columns, row * columns + column + 1)
            output = np.asarray(array[index])
            if _drawn_as_bars(output.shape):
                axes.bar(np.arange(output.size), output, color="C0")
                if class_names is not None and len(class_names) == output.size:
                    axes.set_xticks(
                        np.arange(output.size),
                        [str(n) for n in class_names],
                        rotation=90 if output.size > 10 else 0,
                        fontsize=8,
                    )
                    axes.set_xlabel("class")
                else:
                    axes.set_xlabel("unit")
            else:
                image = axes.imshow(
                    picture(output, max_channels),
                    cmap=cmap,
                    aspect="auto",
                    vmin=0,
                    vmax=1,
                )
                axes.set_axis_off()
                # an inset, so figure.axes stays one entry per panel
                bar = figure.colorbar(image, cax=axes.inset_axes([1.02, 0, 0.04, 1]))
                bar.set_ticks([0, 1], labels=["low", "high"])
                bar.ax.tick_params(labelsize=7)
            title = f"{name} {shape}"
            if len(shape) == 3 and shape[-1] > max_channels:
                title += f" · {max_channels} of {shape[-1]} maps"
            axes.set_title(title + (f" · input {label}" if several else ""), fontsize=9)
    return figure


def _drawn_as_bars(shape: tuple) -> bool:
    """One input's output of at most ``BAR_LIMIT`` units: a bar chart."""
    return len(shape) == 1 and (shape[0] or 0) <= BAR_LIMIT


def _first_convolution(model: keras.Model) -> str:
    for path in layer_names(model):
        layer = model
        for part in path.split("/"):
            layer = layer.get_layer(part)
        kernel = getattr(layer, "kernel", None)
        if kernel is not None and len(kernel.shape) == 4:
            return path
    raise ActivationError(f"{model.name} has no 2-D convolution to show filters of")


def plot_filters(
    model: keras.Model, layer: str | None = None, *, max_filters: int = 64
) -> Figure:
    """A convolution's kernels as small images (default: the first Conv2D).

    With three input channels each filter is a colour image, as it sees an RGB
    picture; otherwise the mean over input channels is shown in grey.

    >>> import keras
    >>> model = keras.Sequential([keras.Input((8, 8, 3)),
    ...                           keras.layers.Conv2D(6, 3, name="conv1")])
    >>> plot_filters(model).axes[0].get_title()
    'conv1: 6 filters, 3×3, as RGB'
    """
    path = layer or _first_convolution(model)
    target = model
    for part in path.split("/"):
        target = target.get_layer(part)
    kernel = getattr(target, "kernel", None)
    if kernel is None or len(kernel.shape) != 4:
        raise ActivationError(
            f"{path!r} is not a 2-D convolution (it has no 4-D kernel)"
        )
    weights = np.asarray(kernel.numpy())[..., :max_filters]
    height, width, channels, count = weights.shape
    figure = new_figure(6, 6)
    axes = figure.add_subplot(1, 1, 1)
    if channels == 3:
        scaled = normalize(weights, axis=(0, 1, 2))  # each filter on its own
        mosaic = np.stack(
            [tile(scaled[:, :, c, :], columns=None) for c in range(3)], axis=-1
        )
        axes.imshow(mosaic, interpolation="nearest")
        kind = "RGB"
    else:
        axes.imshow(tile(weights.mean(axis=2)), cmap="gray", interpolation="nearest")
        kind = "grey (mean over inputs)" if channels > 1 else "grey"
    axes.set_axis_off()
    axes.set_title(f"{path}: {count} filters, {height}×{width}, as {kind}")
    return figure
