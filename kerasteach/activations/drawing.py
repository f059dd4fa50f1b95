"""A drawing prepared the way a model's training images were made.

A digit drawn on the explorer's pad is a large, thick, off-centre stroke; the
images a model learned from were made by a fixed recipe, and a drawing reads
well only when it goes through the same one:

- ``"mnist"``: MNIST's recipe (LeCun et al.): the ink's bounding box scaled,
  aspect kept, so that its longer side is 20 of 28 pixels, anti-aliased into
  grey levels, then placed so that its centre of mass is at the centre;
- ``"digits"``: scikit-learn's 8x8 digits (UCI optdigits): the ink fitted to a
  32x32 bitmap (longer side filling it), then the "on" pixels of each 4x4
  block counted, so every pixel is a grey level from 0 to 16 blocks' worth;
- ``"fit"``: the ink's bounding box scaled to fill the frame, aspect kept,
  centred, anti-aliased: for any other small grey model.

>>> import numpy as np
>>> canvas = np.zeros((280, 280), np.uint8)
>>> canvas[40:240, 130:150] = 255  # a "1": one tall stroke
>>> seen = prepare_drawing(canvas, (28, 28), "mnist")
>>> seen.shape, seen.dtype, int((seen > 0).any(axis=1).sum())  # 20 rows of ink
((28, 28), dtype('uint8'), 20)
"""

from __future__ import annotations

import numpy as np

DRAWING_STYLES = ("mnist", "digits", "fit")
INK_LEVEL = 32  # of 255: fainter pixels (a smoothed edge) do not widen the box

_DESCRIPTIONS = {
    "mnist": "Prepared like MNIST: the ink's box scaled to {box} of {side} pixels "
    "and centred by its centre of mass.",
    "digits": "Prepared like scikit-learn's digits: the ink fitted to the frame "
    "and counted in 4x4 blocks.",
    "fit": "Prepared by fitting: the ink's box scaled to fill the frame and centred.",
}


def drawing_style_for(shape: tuple[int, ...]) -> str:
    """The recipe a model of this input shape most likely learned from:
    28x28 grey is MNIST's, 8x8 grey the scikit-learn digits', else ``"fit"``.

    >>> drawing_style_for((28, 28, 1)), drawing_style_for((8, 8, 1))
    ('mnist', 'digits')
    """
    height, width = shape[:2]
    if (height, width) == (28, 28):
        return "mnist"
    if (height, width) == (8, 8):
        return "digits"
    return "fit"


def describe_style(style: str, shape: tuple[int, ...]) -> str:
    """One sentence for the page: how a drawing is prepared for this model.

    >>> describe_style("mnist", (28, 28, 1))[:57]
    "Prepared like MNIST: the ink's box scaled to 20 of 28 pix"
    """
    side = min(shape[:2])
    return _DESCRIPTIONS[style].format(box=_mnist_box(side), side=side)


def check_style(style: str | None) -> None:
    """Refuse an unknown recipe, naming the known ones."""
    if style is not None and style not in DRAWING_STYLES:
        raise ValueError(
            f"drawing_like must be one of {', '.join(DRAWING_STYLES)}; got {style!r}"
        )


def prepare_drawing(
    canvas: np.ndarray, size: tuple[int, int], style: str = "mnist"
) -> np.ndarray:
    """A drawing (2-D, 0 the background, 255 the ink) as a ``size`` grey image
    made by ``style``'s recipe (see the module); uint8, ink bright on black.
    An empty canvas gives an all-black image."""
    check_style(style)
    canvas = np.asarray(canvas, dtype=np.uint8)
    if canvas.ndim != 2:
        raise ValueError(f"a drawing is a 2-D grey array; got shape {canvas.shape}")
    height, width = size
    rows = np.flatnonzero((canvas >= INK_LEVEL).any(axis=1))
    cols = np.flatnonzero((canvas >= INK_LEVEL).any(axis=0))
    if rows.size == 0:
        return np.zeros(size, np.uint8)
    ink = canvas[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    if style == "digits":
        return _block_counts(ink, height, width)
    side = min(height, width)
    longest = _mnist_box(side) if style == "mnist" else side
    placed = _centred(_scaled(ink, longest / max(ink.shape)), height, width)
    return _centre_of_mass_centred(placed) if style == "mnist" else placed


def _mnist_box(side: int) -> int:
    return max(1, round(side * 20 / 28))


def _scaled(ink: np.ndarray, factor: float) -> np.ndarray:
    """Resized by area averaging: each new pixel is the mean of the ink it
    covers, the anti-aliasing that gives MNIST its grey edges."""
    from PIL import Image

    new_size = (
        max(1, round(ink.shape[1] * factor)),
        max(1, round(ink.shape[0] * factor)),
    )
    return np.asarray(Image.fromarray(ink).resize(new_size, Image.Resampling.BOX))


def _centred(image: np.ndarray, height: int, width: int) -> np.ndarray:
    frame = np.zeros((height, width), np.uint8)
    top, left = (height - image.shape[0]) // 2, (width - image.shape[1]) // 2
    frame[top : top + image.shape[0], left : left + image.shape[1]] = image
    return frame


def _centre_of_mass_centred(image: np.ndarray) -> np.ndarray:
    """Moved by whole pixels so that the ink's centre of mass is the centre."""
    weights = image.astype(np.float64)
    total = weights.sum()
    height, width = image.shape
    down = round((height - 1) / 2 - (weights.sum(1) @ np.arange(height)) / total)
    right = round((width - 1) / 2 - (weights.sum(0) @ np.arange(width)) / total)
    moved = np.zeros_like(image)
    source = image[
        max(0, -down) : height - max(0, down), max(0, -right) : width - max(0, right)
    ]
    moved[
        max(0, down) : max(0, down) + source.shape[0],
        max(0, right) : max(0, right) + source.shape[1],
    ] = source
    return moved


def _block_counts(ink: np.ndarray, height: int, width: int) -> np.ndarray:
    """optdigits' recipe: a black-and-white bitmap 4x the size, its 4x4 blocks'
    "on" pixels counted (0 to 16), as 0-255 grey levels."""
    bitmap_side = 4 * min(height, width)
    scaled = _scaled(ink, bitmap_side / max(ink.shape))
    bitmap = _centred((scaled >= 128).astype(np.uint8), 4 * height, 4 * width)
    counts = bitmap.reshape(height, 4, width, 4).sum(axis=(1, 3))
    return np.round(counts * (255 / 16)).astype(np.uint8)
