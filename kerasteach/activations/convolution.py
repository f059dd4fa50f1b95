"""One step of a convolution, drawn: the window on the input, the filter, the
sum they make, and the pixel of the feature map it becomes.

A handout's first picture of a convolution: the numbers are the model's own
(its learned filter, the layer's real input and output), so the picture
answers "where does this pixel of the feature map come from?".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from kerasteach._figures import new_figure
from kerasteach.activations.extract import ActivationError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WINDOW = "#f97316"  # the window and the pixel it makes, in one colour
TITLE = 10  # panel titles: readable when printed across a page


def plot_convolution(
    model: keras.Model,
    image: Any,
    layer: str | None = None,
    *,
    filter: int = 0,  # noqa: A002 - the word a learner knows
    at: tuple[int, int] | None = None,
) -> Figure:
    """Draw how a convolution makes one pixel of a feature map.

    Four panels: the layer's input with the filter's window at one place (the
    numbers under it written in), the filter's weights, the sum of the window
    times the weights plus the bias (then the layer's activation), and the
    feature map with the pixel that sum becomes. The window sits where the
    map answers most strongly, unless ``at`` (the output's row and column)
    says where.

    Args:
        model: a model with a ``Conv2D`` layer of stride 1 (the default).
        image: one input, ``(height, width, channels)``, or a batch (the first
            is drawn).
        layer: the ``Conv2D`` layer's name (default: the first one).
        filter: which of its filters.
        at: the feature map's pixel (row, column) to explain.

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((6, 6, 1)),
    ...                           keras.layers.Conv2D(2, 3, name="conv")])
    >>> figure = plot_convolution(model, np.ones((6, 6, 1)), at=(1, 2))
    >>> [axes.get_title().splitlines()[0] for axes in figure.axes]
    ['input of conv', 'filter 0 of conv', 'the sum', 'feature map 0 of conv']
    """
    conv = _convolution(model, layer)
    kernel = np.asarray(keras.ops.convert_to_numpy(conv.kernel), np.float32)
    size, _, channels, filters = kernel.shape
    if not 0 <= filter < filters:
        raise ActivationError(f"{conv.name} has filters 0 to {filters - 1}")
    bias = (
        float(keras.ops.convert_to_numpy(conv.bias)[filter]) if conv.use_bias else 0.0
    )
    batch = np.asarray(image, np.float32)
    batch = batch[None] if batch.ndim == 3 else batch[:1]
    probe = keras.Model(model.inputs, [conv.input, conv.output])
    seen, made = (np.asarray(a)[0] for a in probe.predict(batch, verbose=0))
    pad = (size - 1) // 2 if conv.padding == "same" else 0
    padded = np.pad(seen, ((pad, pad), (pad, pad), (0, 0)))
    feature_map = made[..., filter]
    if at is None:
        at = tuple(
            int(i) for i in np.unravel_index(feature_map.argmax(), feature_map.shape)
        )
    row, column = at
    if not (0 <= row < feature_map.shape[0] and 0 <= column < feature_map.shape[1]):
        raise ActivationError(
            f"at={at} is outside the {feature_map.shape[0]}x{feature_map.shape[1]} "
            "feature map"
        )
    window = padded[row : row + size, column : column + size]
    weights = kernel[..., filter]
    total = float((window * weights).sum()) + bias
    figure = new_figure(11, 3.4)
    panels = [figure.add_subplot(1, 4, k + 1) for k in range(4)]
    shown = padded.mean(axis=-1)  # an RGB or many-channel input: its mean
    _grid(panels[0], shown, "gray")
    _outline(panels[0], row, column, size)
    if channels == 1 and size <= 5:
        _numbers(panels[0], shown, row, column, size)
    padding_note = f"\n({pad} pixel of zeros around it)" if pad else ""
    panels[0].set_title(f"input of {conv.name}{padding_note}", fontsize=TITLE)
    limit = float(np.abs(weights).max()) or 1.0
    shown_weights = weights.mean(axis=-1)
    _grid(panels[1], shown_weights, "RdBu", -limit, limit)
    _numbers(panels[1], shown_weights, 0, 0, size, fontsize=11)
    mean_note = f" (mean of {channels} channels)" if channels > 1 else ""
    panels[1].set_title(
        f"filter {filter} of {conv.name}\n{size}×{size} weights{mean_note}",
        fontsize=TITLE,
    )
    activation = getattr(conv.activation, "__name__", "linear")
    value = float(feature_map[row, column])
    lines = [
        f"{size}×{size}{'×' + str(channels) if channels > 1 else ''} numbers",
        "under the window,",
        "times the weights,",
        f"added up: {total - bias:+.3f}",
        f"plus the bias: {bias:+.3f}",
        f"= {total:.3f}",
    ]
    if activation != "linear":
        lines.append(f"{activation}({total:.3f}) = {value:.3f}")
    panels[2].text(0.0, 0.55, "\n".join(lines), fontsize=12, va="center",
                   family="monospace")  # fmt: skip
    panels[2].set_axis_off()
    panels[2].set_title("the sum\none pixel of the map", fontsize=TITLE)
    _grid(panels[3], feature_map, "gray")
    _outline(panels[3], row, column, 1)
    panels[3].set_title(
        f"feature map {filter} of {conv.name}\n{value:.2f} at row {row}, "
        f"column {column}",
        fontsize=TITLE,
    )
    figure.suptitle(
        "The filter slides over the input one pixel at a time; each place gives "
        "one pixel of the feature map",
        fontsize=12,
    )
    return figure


def _convolution(model: keras.Model, name: str | None) -> Any:
    """The named Conv2D layer, or the first; stride and dilation 1 only."""
    candidates = [
        layer
        for layer in model.layers
        if isinstance(layer, keras.layers.Conv2D)
        and (name is None or layer.name == name)
    ]
    if not candidates:
        what = f"no Conv2D layer called {name!r}" if name else "no Conv2D layer"
        raise ActivationError(f"{model.name} has {what} (its top-level layers)")
    conv = candidates[0]
    if tuple(conv.strides) != (1, 1) or tuple(conv.dilation_rate) != (1, 1):
        raise ActivationError(
            f"plot_convolution draws convolutions of stride 1; {conv.name} has "
            f"strides {tuple(conv.strides)}"
        )
    if conv.data_format != "channels_last":
        raise ActivationError("plot_convolution draws channels_last convolutions")
    return conv


def _grid(axes: Any, values: np.ndarray, cmap: str, low=None, high=None) -> None:
    axes.imshow(values, cmap=cmap, vmin=low, vmax=high)
    axes.set_xticks(np.arange(-0.5, values.shape[1], 1), minor=True)
    axes.set_yticks(np.arange(-0.5, values.shape[0], 1), minor=True)
    axes.grid(which="minor", color="#9ca3af", linewidth=0.4)
    axes.tick_params(which="both", length=0, labelbottom=False, labelleft=False)


def _outline(axes: Any, row: int, column: int, size: int) -> None:
    from matplotlib.patches import Rectangle

    axes.add_patch(
        Rectangle((column - 0.5, row - 0.5), size, size, fill=False,
                  edgecolor=WINDOW, linewidth=2.5)
    )  # fmt: skip


def _numbers(
    axes: Any, values: np.ndarray, row: int, column: int, size: int, fontsize: float = 7
) -> None:
    """The values of a size x size block written in its cells, black on a
    white halo so they read on dark and light cells alike."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for r in range(row, row + size):
        for c in range(column, column + size):
            axes.text(c, r, f"{values[r, c]:.2f}", ha="center", va="center",
                      fontsize=fontsize, color="black", path_effects=halo)  # fmt: skip
