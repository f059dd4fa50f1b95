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
    output_keys,
    picture_outputs,
)
from kerasteach.activations.report import label_name
from kerasteach.activations.tiles import (
    drawn_as_bars,
    grid_shape,
    normalize,
    picture,
    tile,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_activations(
    source: keras.Model | Mapping[str, np.ndarray],
    x: Any = None,
    layers: LayerChoice = None,
    *,
    samples: Sequence[int] = (0,),
    max_channels: int = 16,
    cmap: str = "gray",
    class_names: Sequence[str] | None = None,
    labels: Any = None,
) -> Figure:
    """What each chosen layer outputs: one panel per layer, a column per input.

    With a model, the first panel of each column is the input image, titled
    with the model's prediction (and the true label when ``labels`` are
    given, and whether the model got it right). Convolutional feature maps are
    tiled into one numbered image per panel, in grey as in the report and the
    explorer (dark: a map's lowest value, bright: its highest; each map is
    scaled on its own, as the colour bar says); dense and 1-D outputs are a
    bar chart (up to 64 units; the highest bar of class scores in dark blue)
    or a strip. Each panel is titled with the layer's name and output shape,
    and "16 of 32 maps" when ``max_channels`` leaves some out.

    Args:
        source: a model (then pass ``x``), or what ``get_activations`` returned.
        x: the inputs, when ``source`` is a model.
        layers: as in ``get_activations`` (default: the layers a student looks at).
        samples: which inputs to show, one column each.
        max_channels: feature maps shown per layer.
        cmap: the colour map of the pictures (grey, as everywhere in kerasteach).
        class_names: names under the bars of an output with one unit per class,
            and in the input's title.
        labels: the true labels of ``x`` (class numbers or one-hot rows).

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((6, 6, 1)),
    ...                           keras.layers.Conv2D(4, 3, name="conv"),
    ...                           keras.layers.Flatten(name="flat"),
    ...                           keras.layers.Dense(2, name="out")])
    >>> x = np.ones((3, 6, 6, 1))
    >>> figure = plot_activations(model, x, samples=[0, 2], labels=[0, 1, 1])
    >>> for axes in figure.axes:
    ...     print(axes.get_title())  # doctest: +ELLIPSIS
    input 0 · true 0, predicted ... (...)
    input 2 · true 1, predicted ... (...)
    conv (4, 4, 4) · input 0
    conv (4, 4, 4) · input 2
    out (2,) · input 0
    out (2,) · input 2
    """
    inputs: list[tuple[np.ndarray, str]] = []
    scores = None
    if isinstance(source, keras.Model):
        if x is None:
            raise ActivationError("pass the inputs: plot_activations(model, x)")
        chosen = list(samples)
        if labels is not None and len(labels) <= max(chosen):
            raise ActivationError(
                f"{len(labels)} labels for input {max(chosen)}: give one label "
                "per input of x"
            )
        rows = keras.tree.map_structure(lambda a: np.asarray(a)[chosen], x)
        paths = choose_layers(source, layers)
        # the output too, for the prediction in the input's title
        output_name = output_keys(source)[0]
        extra = [output_name] if output_name not in paths else []
        # bars need the numbers; every other panel only its 8-bit pixels
        outputs = extraction_model(source, paths + extra).outputs  # built once
        exact = [
            path
            for path, output in zip(paths + extra, outputs, strict=True)
            if drawn_as_bars(output.shape[1:]) or path in extra
        ]
        arrays, shapes = picture_outputs(
            source, rows, paths + extra, max_channels, exact
        )
        activations = dict(zip(paths + extra, arrays, strict=True))
        whole_shapes = dict(zip(paths + extra, shapes, strict=True))
        scores = activations.pop(output_name) if extra else activations[output_name]
        picked = range(len(chosen))
        first = np.asarray(keras.tree.flatten(rows)[0])
        if _is_image(first.shape[1:]):
            for column, sample in enumerate(chosen):
                true = None if labels is None else labels[sample]
                inputs.append(
                    (first[column], _verdict(scores[column], true, class_names))
                )
    elif isinstance(source, Mapping) and source:
        activations, picked, chosen = dict(source), list(samples), list(samples)
        whole_shapes = {k: tuple(np.shape(v)[1:]) for k, v in activations.items()}
    else:
        raise ActivationError(
            "plot_activations takes a model and inputs, or get_activations' result"
        )
    several = len(chosen) > 1
    columns = len(chosen)
    rows_count = len(activations) + bool(inputs)
    figure = new_figure(3.2 * columns, 2.6 * rows_count)
    for column, (image, verdict) in enumerate(inputs):
        axes = figure.add_subplot(rows_count, columns, column + 1)
        _draw_input(axes, image)
        name = f"input {chosen[column]}" if several else "input"
        axes.set_title(f"{name} · {verdict}" if verdict else name, fontsize=9)
    for row, (name, array) in enumerate(activations.items(), start=bool(inputs)):
        shape = whole_shapes[name]
        for column, (index, label) in enumerate(zip(picked, chosen, strict=True)):
            axes = figure.add_subplot(rows_count, columns, row * columns + column + 1)
            output = np.asarray(array[index])
            if drawn_as_bars(output.shape):
                _draw_bars(axes, output, class_names, is_scores=scores is not None
                           and output.shape == np.shape(scores)[1:])  # fmt: skip
            else:
                image = axes.imshow(
                    picture(output, max_channels),
                    cmap=cmap,
                    aspect="auto",
                    vmin=0,
                    vmax=1,
                )
                axes.set_axis_off()
                if output.ndim == 3:
                    _number_maps(axes, output.shape, max_channels)
                # an inset, so figure.axes stays one entry per panel
                bar = figure.colorbar(image, cax=axes.inset_axes([1.02, 0, 0.04, 1]))
                bar.set_ticks([0, 1], labels=["low", "high"])
                bar.ax.tick_params(labelsize=7)
            title = f"{name} {shape}"
            if len(shape) == 3 and shape[-1] > max_channels:
                title += f" · {max_channels} of {shape[-1]} maps"
            axes.set_title(title + (f" · input {label}" if several else ""), fontsize=9)
    return figure


def _is_image(shape: tuple) -> bool:
    """One input of this shape can be drawn as a picture: grey or colour."""
    return len(shape) == 2 or (len(shape) == 3 and shape[-1] in (1, 3))


def _draw_input(axes: Any, image: np.ndarray) -> None:
    """The input as the model got it, scaled to its own range, pixels square."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    scaled = normalize(image, axis=None)
    axes.imshow(scaled, cmap="gray" if scaled.ndim == 2 else None, vmin=0, vmax=1)
    axes.set_axis_off()


def _verdict(scores: np.ndarray, true: Any, class_names: Sequence[str] | None) -> str:
    """'true 7, predicted 2 (wrong)', or 'predicted 7 (94.1%)' without a label;
    empty for an output that is not one vector of class scores (a sequence of
    them, as a seq2seq model gives, or a single number)."""
    scores = np.asarray(scores)
    if scores.ndim != 1 or scores.size < 2:
        return ""
    best = int(scores.argmax())
    predicted = label_name(best, class_names)
    if true is None:
        probabilities = scores.min() >= 0 and scores.sum() <= 1.01
        return f"predicted {predicted}" + (
            f" ({scores[best]:.1%})" if probabilities else ""
        )
    truth = label_name(true, class_names)
    right = "right" if truth == predicted else "wrong"
    return f"true {truth}, predicted {predicted} ({right})"


def _draw_bars(
    axes: Any, values: np.ndarray, class_names: Sequence[str] | None, is_scores: bool
) -> None:
    """A vector as bars: named by class where names fit, else unit numbers on
    whole-number ticks; the highest class score in dark blue."""
    from matplotlib.ticker import MaxNLocator

    colours = ["#60a5fa"] * values.size
    if is_scores:
        colours[int(values.argmax())] = "#1d4ed8"
    axes.bar(np.arange(values.size), values, color=colours)
    if class_names is not None and len(class_names) == values.size:
        axes.set_xticks(
            np.arange(values.size),
            [str(n) for n in class_names],
            rotation=90 if values.size > 10 else 0,
            fontsize=8,
        )
        axes.set_xlabel("class")
    else:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("class" if is_scores else "unit")


def _number_maps(axes: Any, shape: tuple[int, ...], max_channels: int) -> None:
    """Each tiled map's number (from 1) in its top left corner."""
    height, width, count = shape[0], shape[1], min(shape[2], max_channels)
    _, columns = grid_shape(count)
    for index in range(count):
        row, column = divmod(index, columns)
        axes.text(
            column * (width + 1) - 0.4,
            row * (height + 1) - 0.4,
            str(index + 1),
            color="#facc15",
            fontsize=6,
            va="top",
            ha="left",
        )


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
