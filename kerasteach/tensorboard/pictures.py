"""The TensorBoard images, drawn with NumPy and Pillow: a few milliseconds each,
where a matplotlib figure per epoch costs about 100 ms.

Every function returns a uint8 array: ``(height, width, 3)`` in colour,
``(height, width)`` in grey.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kerasteach.activations.tiles import enlarged, normalize

# TensorBoard's image cards are about 350 pixels wide and shrink wider images
# (until their numbers blur): pictures that fit are shown at their own size.
CARD_WIDTH = 340
FONT = 12  # pixels: the size of TensorBoard's own labels
LINE = FONT + 6  # a line of text, with its spacing
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


def confusion_picture(
    counts: np.ndarray, class_names: Sequence[str], epoch: int | None = None
) -> np.ndarray:
    """The confusion matrix as a picture: rows are the true classes, columns the
    predicted ones, each cell shaded by its share of the row, with its count.

    Drawn at most ``CARD_WIDTH`` pixels wide where the classes fit (ten do,
    with counts up to 999: a validation set of 10,000 or fewer),
    so TensorBoard shows it at its own size, never shrunk: its type is
    ``FONT`` pixels, as large as TensorBoard's own labels, and every label is
    written straight. ``epoch`` (Keras' count from 0) is written as the
    progress bars count it, with TensorBoard's step beside it.

    >>> confusion_picture(np.array([[5, 1], [0, 6]]), ["cat", "dog"]).shape[2]
    3
    """
    from PIL import Image, ImageDraw

    counts = np.asarray(counts, dtype=np.int64)
    size = len(counts)
    font = _font(FONT)
    names = [str(n) for n in class_names]
    widest_count = max(font.getlength(str(int(counts.max(initial=0)))), 1)
    label = int(min(max(font.getlength(n) for n in names) + 10, 90))
    left = label + 4
    cell = max(int(widest_count) + 6, FONT + 10, (CARD_WIDTH - left - 4) // size)
    cell = min(cell, 80)
    titles = ["rows: the true class, columns: predicted"]
    if epoch is not None:
        titles.append(f"after epoch {epoch + 1} (TensorBoard's step {epoch})")
    header = (len(titles) + 1) * LINE  # the titles, then the column labels
    image = Image.new(
        "RGB", (left + size * cell + 4, header + size * cell + 4), "white"
    )
    draw = ImageDraw.Draw(image)
    for number, title in enumerate(titles):
        draw.text((2, 2 + number * LINE), _fit(title, font, image.width - 4),
                  fill=_INK, font=font)  # fmt: skip
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    for row in range(size):
        for col in range(size):
            x, y = left + col * cell, header + row * cell
            colour = 255 - shares[row, col] * (255 - _BLUE)
            draw.rectangle(
                (x, y, x + cell - 1, y + cell - 1),
                fill=tuple(int(c) for c in colour),
                outline=(220, 220, 220),
            )
            ink = "white" if shares[row, col] > 0.5 else _INK
            draw.text(
                (x + cell / 2, y + cell / 2),
                _fit(str(counts[row, col]), font, cell - 2),
                fill=ink,
                font=font,
                anchor="mm",
            )
    for index, name in enumerate(names):
        middle = header + index * cell + cell / 2
        draw.text((left - 6, middle), _fit(name, font, label - 6), fill=_INK,
                  font=font, anchor="rm")  # fmt: skip
        # column labels straight, shortened to the cell (the rows name them whole)
        centre = left + index * cell + cell / 2
        draw.text((centre, header - 3), _fit(name, font, cell - 2), fill=_INK,
                  font=font, anchor="mb")  # fmt: skip
    return np.asarray(image)


def bars_picture(values: np.ndarray, names: Sequence[str] | None) -> np.ndarray:
    """A vector (a dense layer, the class scores) as labelled bars, one row per
    unit: its name (a class name, else its number), a bar, its value; the
    highest in dark blue. At most ``CARD_WIDTH`` pixels wide.

    >>> bars_picture(np.array([0.1, 0.9]), ["cat", "dog"]).shape
    (44, 340, 3)
    """
    from PIL import Image, ImageDraw

    values = np.asarray(values, dtype=np.float32).ravel()
    labels = [str(n) for n in names] if names is not None else [
        str(i) for i in range(values.size)
    ]  # fmt: skip
    font = _font(FONT)
    label = int(min(max(font.getlength(n) for n in labels) + 8, 120))
    row = FONT + 8
    image = Image.new("RGB", (CARD_WIDTH, values.size * row + 4), "white")
    draw = ImageDraw.Draw(image)
    track = CARD_WIDTH - label - 70
    largest = float(np.abs(values).max()) or 1.0
    best = int(values.argmax())
    for index, (name, value) in enumerate(zip(labels, values, strict=True)):
        y = 2 + index * row
        ink = (29, 78, 216) if index == best else _INK
        draw.text((label - 4, y + row / 2), _fit(name, font, label - 6), fill=ink,
                  font=font, anchor="rm")  # fmt: skip
        draw.rectangle((label, y + 3, label + track, y + row - 3), fill=(229, 231, 235))
        length = int(track * abs(float(value)) / largest)
        colour = (29, 78, 216) if index == best else (96, 165, 250)
        if value < 0:
            colour = (245, 158, 11)
        draw.rectangle((label, y + 3, label + length, y + row - 3), fill=colour)
        draw.text((CARD_WIDTH - 4, y + row / 2), f"{float(value):.3g}", fill=ink,
                  font=font, anchor="rm")  # fmt: skip
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
    columns: int | None = None,
    size: int = 84,
) -> np.ndarray:
    """Images in a grid, each enlarged to about ``size`` pixels, with two caption
    lines under it (the true label, then the prediction in red). By default as
    many columns as fit ``CARD_WIDTH``, so TensorBoard shows the captions at
    their own 12-pixel size.

    >>> labelled_grid([np.zeros((8, 8))], [("true: 1", "predicted: 7")]).shape
    (124, 100, 3)
    """
    from PIL import Image, ImageDraw

    font = _font(FONT)
    cell_w, cell_h = size + 16, size + 2 * LINE + 4
    columns = columns or max(1, CARD_WIDTH // cell_w)
    columns = max(1, min(columns, len(images)))
    rows = -(-len(images) // columns)
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
            (x, y + size + 2 + LINE),
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
