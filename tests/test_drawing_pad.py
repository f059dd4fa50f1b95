"""The drawing pad reads digits: mouse-drawn strokes in headless chromium,
prepared the way each model's training images were made."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
from browser import headless_page
from conftest import ROOT, skip_unless
from drawn_digits import draw_on_page, drawings, mnist_way

import kerasteach
from kerasteach.activations.drawing import prepare_drawing
from kerasteach.demo import small_cnn

SHARED = ROOT.parent / "shared" / "datasets"
ANSWERED = "document.body.dataset.answered === document.body.dataset.drawn"


def test_mnist_recipe_box_of_20_centred_by_mass() -> None:
    rows, cols = np.mgrid[:280, :280]
    # a wide oval, up and to the left
    oval = ((rows - 70) / 50) ** 2 + ((cols - 120) / 100) ** 2 <= 1
    canvas = np.where(oval, 255, 0).astype(np.uint8)
    seen = prepare_drawing(canvas, (28, 28), "mnist")
    ink = np.argwhere(seen > 0)
    assert np.ptp(ink[:, 1]) + 1 == 20  # the longer side: 20 pixels
    mass = (seen.astype(float) / seen.sum()).T
    centre = mass.sum(0) @ np.arange(28), mass.sum(1) @ np.arange(28)
    np.testing.assert_allclose(centre, (13.5, 13.5), atol=0.5)
    grey = seen[(seen > 0) & (seen < 255)]
    assert grey.size > 0  # anti-aliased edges, as MNIST's


def test_digits_recipe_fills_the_frame_in_block_counts() -> None:
    canvas = np.zeros((280, 280), np.uint8)
    canvas[100:200, 130:150] = 255  # a short "1" in the middle
    seen = prepare_drawing(canvas, (8, 8), "digits")
    rows = np.flatnonzero(seen.any(axis=1))
    assert (rows[0], rows[-1]) == (0, 7)  # fitted to the whole height, as optdigits
    counts = seen.astype(float) * 16 / 255
    np.testing.assert_allclose(counts, np.round(counts), atol=0.02)  # 0-16 blocks
    assert seen.max() >= 12 * 255 // 16  # the stroke fills most of its blocks


def test_fit_recipe_and_bad_recipes() -> None:
    canvas = np.zeros((280, 280), np.uint8)
    canvas[50:60, 50:250] = 255
    seen = prepare_drawing(canvas, (16, 16), "fit")
    assert np.flatnonzero(seen.any(axis=0)).tolist() == list(range(16))
    assert not prepare_drawing(np.zeros((280, 280)), (28, 28)).any()
    with pytest.raises(ValueError, match="one of mnist, digits, fit"):
        prepare_drawing(canvas, (28, 28), "emnist")
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten()])
    with pytest.raises(kerasteach.ActivationError, match="drawing_like must be"):
        kerasteach.explore(model, None, drawing_like="letters", block=False)


def read_drawings(server, model: keras.Model, side: int) -> tuple[int, int, int]:
    """Draws every test digit on the pad; counts the pad's right answers, the
    right answers of MNIST's own recipe on the same canvas, and the drawings."""
    pad_right = reference_right = count = 0
    with headless_page() as page:
        page.goto(server.url)
        page.locator("#canvas").wait_for()
        box = page.locator("#canvas").bounding_box()
        for digit, strokes in drawings(280):
            page.locator("#clear").click()
            draw_on_page(page, box, strokes)
            page.wait_for_function(ANSWERED)
            seen = np.frombuffer(server.explorer.last_drawing, np.uint8)
            scores = model.predict(seen.reshape(1, side, side, 1) / 255, verbose=0)
            # the page shows the answer to what the model was given
            shown = page.locator("#pad-scores .name.best").inner_text()
            assert shown == str(int(scores.argmax()))
            canvas = page.evaluate("Array.from(canvasInk())")
            canvas = np.array(canvas, np.uint8).reshape(280, 280)
            if side == 28:
                reference = model.predict(mnist_way(canvas)[None, ..., None], verbose=0)
                reference_right += int(reference.argmax() == digit)
            pad_right += int(scores.argmax() == digit)
            count += 1
        seen_size = page.evaluate("document.getElementById('seen').clientWidth")
        assert seen_size >= 150  # "what the model sees", large enough to read
        recipe = "like MNIST" if side == 28 else "like scikit-learn's digits"
        assert recipe in page.locator("#prepared").inner_text()
    return pad_right, reference_right, count


def trained_pad_readings(x, y, epochs: int, batch_size: int) -> tuple[int, int, int]:
    """The demo's CNN trained on ``(x, y)``, served in the explorer, and every
    test digit drawn on its pad: ``read_drawings``' counts."""
    keras.utils.set_random_seed(0)
    model = small_cnn(x.shape[1:], 10)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    server = kerasteach.explore(model, None, block=False)
    try:
        return read_drawings(server, model, x.shape[1])
    finally:
        server.close()


def test_the_pad_reads_drawn_digits_as_well_as_mnists_own_recipe(tmp_path) -> None:
    skip_unless((SHARED / "mnist").is_dir(), "no real MNIST in ../shared/datasets")
    (x, y), _ = kerasteach.datasets.load(
        "mnist", normalize=True, channels="last", cache_dir=tmp_path, mirror=SHARED
    )
    pad, reference, count = trained_pad_readings(x[:30000], y[:30000], 2, 128)
    print(f"MNIST CNN: pad {pad}/{count}, MNIST's recipe in NumPy {reference}/{count}")
    assert pad >= reference - 1  # at most one drawing worse than MNIST's own way
    assert pad >= 0.9 * count


def test_the_demo_digits_model_reads_drawn_digits() -> None:
    (x, y), _ = kerasteach.datasets.load("digits", normalize=True, channels="last")
    pad, _, count = trained_pad_readings(x, y, 15, 32)
    print(f"digits CNN: pad {pad}/{count}")
    assert pad >= 0.8 * count


def test_the_page_says_which_recipe_it_uses(tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten()])
    server = kerasteach.explore(model, None, drawing_like="fit", block=False)
    try:
        with headless_page() as page:
            page.goto(server.url)
            page.locator("#canvas").wait_for()
            text = page.locator("#prepared").inner_text()
            assert text.startswith("Prepared by fitting: the ink's box scaled to fill")
    finally:
        server.close()
