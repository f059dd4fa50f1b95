"""Feature maps as pictures, with NumPy only: one tiled image per layer.

Used by the plots, the HTML report, the explorer and the TensorBoard images,
so every place shows a layer the same way and none needs a figure per map.
"""

from __future__ import annotations

import io
import math

import numpy as np

BAR_LIMIT = 64  # up to this many units, a vector is drawn as bars with its numbers


def drawn_as_bars(shape: tuple) -> bool:
    """Whether one input's output of this shape is drawn as bars (a vector of
    at most ``BAR_LIMIT`` units) rather than as a picture, on every page.

    >>> drawn_as_bars((10,)), drawn_as_bars((100,)), drawn_as_bars((4, 4, 8))
    (True, False, False)
    """
    return len(shape) == 1 and (shape[0] or 0) <= BAR_LIMIT


def normalize(maps: np.ndarray, axis: tuple[int, ...] | None = (0, 1)) -> np.ndarray:
    """Scaled to [0, 1] over ``axis``: by default each channel on its own;
    ``None`` scales the whole array together. A flat part becomes 0.

    >>> normalize(np.array([[[0.0, 5.0]], [[2.0, 5.0]]]))[:, 0, :].tolist()
    [[0.0, 0.0], [1.0, 0.0]]
    """
    maps = np.asarray(maps, dtype=np.float32)
    low = maps.min(axis=axis, keepdims=True)
    span = maps.max(axis=axis, keepdims=True) - low
    return np.where(span > 0, (maps - low) / np.where(span > 0, span, 1), 0.0)


def grid_shape(count: int, columns: int | None = None) -> tuple[int, int]:
    """Rows and columns for ``count`` tiles, about square unless told.

    >>> grid_shape(16), grid_shape(10), grid_shape(5, columns=8)
    ((4, 4), (3, 4), (1, 5))
    """
    columns = min(columns or math.ceil(math.sqrt(count)), count)
    return math.ceil(count / columns), columns


def tile(
    maps: np.ndarray, max_channels: int | None = None, columns: int | None = None
) -> np.ndarray:
    """An ``(H, W, C)`` block of feature maps as one 2-D image in [0, 1].

    Channels are laid out left to right, top to bottom, one pixel apart; the
    gaps are NaN, which a plot leaves blank and ``to_png`` paints white.
    ``max_channels`` keeps the first ones.

    >>> tile(np.zeros((2, 3, 5)), max_channels=4).shape
    (5, 7)
    """
    maps = np.asarray(maps)
    if maps.ndim == 2:
        maps = maps[..., None]
    if maps.ndim != 3:
        raise ValueError(f"expected (height, width, channels); got shape {maps.shape}")
    if max_channels is not None:
        maps = maps[..., :max_channels]
    height, width, count = maps.shape
    rows, cols = grid_shape(count, columns)
    image = np.full(
        (rows * (height + 1) - 1, cols * (width + 1) - 1), np.nan, np.float32
    )
    scaled = normalize(maps)
    for index in range(count):
        row, col = divmod(index, cols)
        top, left = row * (height + 1), col * (width + 1)
        image[top : top + height, left : left + width] = scaled[..., index]
    return image


def picture(activation: np.ndarray, max_channels: int | None = None) -> np.ndarray:
    """One input's output of a layer as a 2-D image in [0, 1], whatever its rank.

    Feature maps are tiled; a sequence ``(steps, features)`` becomes features
    by steps; a vector becomes a one-row strip.

    >>> picture(np.arange(4.0)).tolist()
    [[0.0, 0.3333333432674408, 0.6666666865348816, 1.0]]
    """
    activation = np.asarray(activation, dtype=np.float32)
    if activation.ndim == 3:
        return tile(activation, max_channels)
    if activation.ndim == 2:
        return normalize(activation.T, axis=(0, 1))
    if activation.ndim <= 1:
        return normalize(activation.reshape(1, -1), axis=(0, 1))
    # (depth, height, width, channels) and beyond: show the middle slice
    return picture(activation[activation.shape[0] // 2], max_channels)


def enlarged(image: np.ndarray, width: int = 320, strip_height: int = 12) -> np.ndarray:
    """The image scaled up by whole pixels to about ``width``; a one-row strip
    also gets ``strip_height`` rows, so a dense layer is visible on a page.

    >>> enlarged(np.zeros((1, 10)), width=40).shape
    (12, 40)
    """
    image = np.asarray(image)
    scale = max(1, width // image.shape[1])
    image = image.repeat(scale, axis=0).repeat(scale, axis=1)
    if image.shape[0] < strip_height:
        image = image.repeat(-(-strip_height // image.shape[0]), axis=0)[:strip_height]
    return image


def to_png(image: np.ndarray, scale: int = 1) -> bytes:
    """A [0, 1] grey (2-D) or colour (H, W, 3) image as PNG bytes, enlarged."""
    from PIL import Image

    pixels = np.nan_to_num(np.asarray(image, dtype=np.float32), nan=1.0)
    pixels = np.clip(pixels * 255 + 0.5, 0, 255).astype(np.uint8)
    if scale > 1:
        pixels = pixels.repeat(scale, axis=0).repeat(scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def maps_png(
    activation: np.ndarray, max_channels: int | None, width: int = 320
) -> bytes:
    """One input's output of a layer as the PNG every page shows: ``picture``
    enlarged to about ``width``, and for feature maps each map's number (from
    1) in its top left corner, so a learner can say "map 7" and be understood.

    >>> maps_png(np.ones((4, 4, 3)), None)[:4]
    b'\\x89PNG'
    """
    from PIL import Image, ImageDraw, ImageFont

    activation = np.asarray(activation)
    image = picture(activation, max_channels)
    large = enlarged(image, width=width)
    if activation.ndim != 3:
        return to_png(large)
    scale = large.shape[1] // image.shape[1]
    height, map_width = activation.shape[0] * scale, activation.shape[1] * scale
    count = (
        activation.shape[2]
        if max_channels is None
        else min(activation.shape[2], max_channels)
    )
    _, columns = grid_shape(count)
    grey = np.clip(np.nan_to_num(large, nan=1.0) * 255 + 0.5, 0, 255).astype(np.uint8)
    drawn = Image.fromarray(grey).convert("RGB")
    pen = ImageDraw.Draw(drawn)
    size = int(np.clip(min(height, map_width) // 4, 7, 14))
    font = ImageFont.load_default(size=size)
    if min(height, map_width) < 2 * size:  # too small to carry a number
        return to_png(large)
    for index in range(count):
        row, column = divmod(index, columns)
        corner = (column * (map_width + scale) + 2, row * (height + scale) + 1)
        pen.text(corner, str(index + 1), fill=(250, 204, 21), font=font,
                 stroke_width=1, stroke_fill=(0, 0, 0))  # fmt: skip
    buffer = io.BytesIO()
    drawn.save(buffer, format="PNG")
    return buffer.getvalue()
