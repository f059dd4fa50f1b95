"""The TensorBoard images, drawn with NumPy and Pillow: a few milliseconds each,
where a matplotlib figure per epoch costs about 100 ms.

Every function returns a uint8 array: ``(height, width, 3)`` in colour,
``(height, width)`` in grey.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kerasteach.activations.tiles import enlarged, normalize

CELL = 36  # pixels per confusion-matrix cell: room for a four-digit count
_INK = (30, 30, 30)
_BLUE = np.array([8, 69, 148], dtype=np.float32)


def _font(size: int):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _fit(text: str, font, width: int) -> str:
    """``text`` shortened with an ellipsis until it is at most ``width`` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def confusion_picture(counts: np.ndarray, class_names: Sequence[str]) -> np.ndarray:
    """The confusion matrix as a picture: rows are the true classes, columns the
    predicted ones, each cell shaded by its share of the row, with its count.

    >>> confusion_picture(np.array([[5, 1], [0, 6]]), ["cat", "dog"]).shape[2]
    3
    """
    from PIL import Image, ImageDraw

    counts = np.asarray(counts, dtype=np.int64)
    size = len(counts)
    font, small = _font(12), _font(10)
    label = max(int(max(font.getlength(str(n)) for n in class_names)) + 12, 40)
    label = min(label, 140)
    top, left = label + 18, label + 18
    image = Image.new("RGB", (left + size * CELL + 8, top + size * CELL + 8), "white")
    draw = ImageDraw.Draw(image)
    middle = left + size * CELL / 2
    draw.text((middle, 2), "predicted", fill=_INK, font=font, anchor="mt")
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    for row in range(size):
        for col in range(size):
            x, y = left + col * CELL, top + row * CELL
            colour = 255 - shares[row, col] * (255 - _BLUE)
            draw.rectangle(
                (x, y, x + CELL - 1, y + CELL - 1),
                fill=tuple(int(c) for c in colour),
                outline=(220, 220, 220),
            )
            text = str(counts[row, col])
            ink = "white" if shares[row, col] > 0.5 else _INK
            draw.text(
                (x + CELL / 2, y + CELL / 2), text, fill=ink, font=small, anchor="mm"
            )
    for index, name in enumerate(class_names):
        name = _fit(str(name), font, label - 8)
        middle = top + index * CELL + CELL / 2
        draw.text((left - 6, middle), name, fill=_INK, font=font, anchor="rm")
        # column labels are written sideways, so long names still fit
        sideways = Image.new("RGB", (label, CELL), "white")
        ImageDraw.Draw(sideways).text(
            (4, CELL / 2), name, fill=_INK, font=font, anchor="lm"
        )
        image.paste(sideways.rotate(90, expand=True), (left + index * CELL, 18))
    # "true" written upwards beside the rows (rotating maps x to height - y)
    vertical = Image.new("RGB", (image.height, 16), "white")
    centre = image.height - (top + size * CELL / 2)
    ImageDraw.Draw(vertical).text(
        (centre, 1), "true", fill=_INK, font=font, anchor="mt"
    )
    image.paste(vertical.rotate(90, expand=True), (0, 0))
    return np.asarray(image)


def as_rgb(image: np.ndarray) -> np.ndarray:
    """An input image (grey ``(H, W)``/``(H, W, 1)`` or colour ``(H, W, 3)``, any
    range) as uint8 RGB, scaled to its own minimum and maximum."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    scaled = normalize(image, axis=None)
    if scaled.ndim == 2:
        scaled = np.repeat(scaled[..., None], 3, axis=2)
    return (scaled * 255 + 0.5).astype(np.uint8)


def is_picture(shape: Sequence[int | None]) -> bool:
    """Whether one input of this shape (without the batch) can be shown as an
    image: ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``.

    >>> is_picture((28, 28, 1)), is_picture((28, 28, 3)), is_picture((784,))
    (True, True, False)
    """
    shape = tuple(shape)
    return len(shape) == 2 or (len(shape) == 3 and shape[-1] in (1, 3))


def labelled_grid(
    images: Sequence[np.ndarray],
    captions: Sequence[tuple[str, str]],
    columns: int = 6,
    size: int = 84,
) -> np.ndarray:
    """Images in a grid, each enlarged to about ``size`` pixels, with two caption
    lines under it (the true label, then the prediction in red).

    >>> labelled_grid([np.zeros((8, 8))], [("true: 1", "predicted: 7")]).shape
    (118, 100, 3)
    """
    from PIL import Image, ImageDraw

    font = _font(11)
    columns = max(1, min(columns, len(images)))
    rows = -(-len(images) // columns)
    cell_w, cell_h = size + 16, size + 34
    sheet = Image.new("RGB", (columns * cell_w, rows * cell_h), "white")
    draw = ImageDraw.Draw(sheet)
    for index, (picture, (first, second)) in enumerate(
        zip(images, captions, strict=True)
    ):
        row, col = divmod(index, columns)
        x, y = col * cell_w + 8, row * cell_h + 4
        rgb = as_rgb(picture)
        scale = max(1, size // max(rgb.shape[:2]))
        rgb = rgb.repeat(scale, axis=0).repeat(scale, axis=1)
        tile = Image.fromarray(rgb)
        if max(tile.size) > size:
            tile.thumbnail((size, size))
        sheet.paste(tile, (x + (size - tile.width) // 2, y))
        draw.text(
            (x, y + size + 2), _fit(first, font, cell_w - 8), fill=_INK, font=font
        )
        draw.text(
            (x, y + size + 15),
            _fit(second, font, cell_w - 8),
            fill=(190, 20, 20),
            font=font,
        )
    return np.asarray(sheet)


def activation_picture(image: np.ndarray, width: int = 256) -> np.ndarray:
    """A layer's tiled feature maps (2-D, [0, 1], NaN gaps) as a uint8 grey
    image, enlarged by whole pixels so small maps stay crisp in TensorBoard.

    >>> activation_picture(np.array([[0.0, np.nan, 1.0]]), width=6).tolist()[0]
    [0, 0, 255, 255, 255, 255]
    """
    grey = np.nan_to_num(enlarged(image, width=width), nan=1.0)
    return np.clip(grey * 255 + 0.5, 0, 255).astype(np.uint8)
