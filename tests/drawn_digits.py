"""Digits drawn with the mouse, as a person draws them, for the drawing pad's tests.

Each digit is a few strokes in a unit square (a 1 in one stroke, a 4 in two),
drawn at three sizes and places on the pad, so a test sees big and small,
centred and off-centre drawings. Hand-made for these tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [[(0.5, 0.08), (0.28, 0.2), (0.2, 0.5), (0.28, 0.8), (0.5, 0.92),
         (0.72, 0.8), (0.8, 0.5), (0.72, 0.2), (0.5, 0.08)]],
    1: [[(0.55, 0.08), (0.5, 0.5), (0.45, 0.92)]],
    2: [[(0.22, 0.3), (0.3, 0.13), (0.52, 0.07), (0.74, 0.18), (0.75, 0.38),
         (0.5, 0.63), (0.2, 0.9), (0.82, 0.9)]],
    3: [[(0.22, 0.15), (0.5, 0.07), (0.75, 0.2), (0.7, 0.4), (0.45, 0.48),
         (0.75, 0.6), (0.78, 0.8), (0.5, 0.93), (0.2, 0.85)]],
    4: [[(0.3, 0.08), (0.22, 0.58), (0.8, 0.58)], [(0.66, 0.25), (0.64, 0.93)]],
    5: [[(0.75, 0.1), (0.32, 0.1)],
        [(0.32, 0.1), (0.28, 0.45), (0.55, 0.4), (0.75, 0.55), (0.72, 0.8),
         (0.5, 0.92), (0.22, 0.85)]],
    6: [[(0.7, 0.08), (0.45, 0.25), (0.28, 0.55), (0.3, 0.8), (0.5, 0.92),
         (0.72, 0.8), (0.7, 0.6), (0.5, 0.52), (0.3, 0.62)]],
    7: [[(0.2, 0.1), (0.8, 0.1), (0.42, 0.92)]],
    8: [[(0.7, 0.2), (0.5, 0.08), (0.3, 0.2), (0.35, 0.38), (0.65, 0.6),
         (0.7, 0.8), (0.5, 0.93), (0.3, 0.8), (0.35, 0.6), (0.65, 0.38),
         (0.7, 0.2)]],
    9: [[(0.72, 0.3), (0.5, 0.45), (0.3, 0.35), (0.33, 0.15), (0.55, 0.07),
         (0.72, 0.2), (0.72, 0.45), (0.66, 0.93)]],
}  # fmt: skip

# (size as a share of the pad, left, top, slant): big and centred, smaller
# towards a corner, small and slanted elsewhere
PLACES = [(0.8, 0.1, 0.1, 0.0), (0.55, 0.05, 0.08, 0.1), (0.45, 0.45, 0.4, -0.12)]


def drawings(side: int) -> Iterator[tuple[int, list[list[tuple[float, float]]]]]:
    """Every (digit, strokes in pad pixels) for a pad of ``side`` pixels."""
    for size, left, top, slant in PLACES:
        for digit, strokes in STROKES.items():
            yield (
                digit,
                [
                    [
                        (
                            side * (left + size * (x + slant * (0.5 - y))),
                            side * (top + size * y),
                        )
                        for x, y in stroke
                    ]
                    for stroke in strokes
                ],
            )


def draw_on_page(page, canvas_box: dict, strokes) -> None:
    """Draws the strokes with the mouse: pressed, moved in small steps, released."""
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(canvas_box["x"] + x, canvas_box["y"] + y)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(canvas_box["x"] + x, canvas_box["y"] + y, steps=6)
        page.mouse.up()


def mnist_way(canvas: np.ndarray) -> np.ndarray:
    """MNIST's own recipe, written for the tests with SciPy, apart from
    kerasteach's: bounding box to 20 pixels (longer side, anti-aliased by
    Lanczos resampling), pasted in 28x28, moved so its centre of mass is the
    centre."""
    from PIL import Image
    from scipy import ndimage

    ys, xs = np.nonzero(canvas > 50)
    if ys.size == 0:
        return np.zeros((28, 28), np.float32)
    box = canvas[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    factor = 20 / max(box.shape)
    size = (max(1, round(box.shape[1] * factor)), max(1, round(box.shape[0] * factor)))
    small = np.asarray(Image.fromarray(box).resize(size, Image.Resampling.LANCZOS))
    image = np.zeros((28, 28), np.float32)
    top, left = (28 - small.shape[0]) // 2, (28 - small.shape[1]) // 2
    image[top : top + small.shape[0], left : left + small.shape[1]] = small
    cy, cx = ndimage.center_of_mass(image)
    return ndimage.shift(image, (round(13.5 - cy), round(13.5 - cx)), order=0) / 255
