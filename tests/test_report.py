"""activation_report: one self-contained HTML page, opened in a real browser."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
from browser import headless_page

from kerasteach.activations import ActivationError
from kerasteach.activations.report import activation_report, top_predictions


def classifier() -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.MaxPooling2D(name="pool"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(3, activation="softmax", name="out"),
        ]
    )


def test_report_is_one_file_with_everything_inside(tmp_path) -> None:
    model = classifier()
    x = np.random.default_rng(0).random((5, 8, 8, 1), dtype=np.float32)
    path = activation_report(
        model, x, tmp_path / "report.html", ["cat", "dog", "owl"], max_inputs=4
    )
    page = path.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    # No network needed: no http(s) links, no external scripts or styles.
    assert not re.search(r"(src|href)=\"https?:", page)
    assert page.count("data:image/png;base64,") >= 4 * 4  # 3 layers + image each
    scores = model.predict(x[:4], verbose=0)
    for row in scores:
        best = ["cat", "dog", "owl"][int(row.argmax())]
        assert f'["{best}", {round(float(row.max()), 4)}]' in page

    with headless_page() as browser:
        browser.goto(path.as_uri())
        titles = browser.locator(".layer h2").all_inner_texts()
        assert titles == ["conv (6, 6, 4)", "pool (3, 3, 4)", "out (3,)"]
        assert browser.locator("nav button").count() == 4
        browser.locator("nav button").nth(3).click()
        assert browser.locator("#chosen h2").first.inner_text() == "Input 3"
        best = ["cat", "dog", "owl"][int(scores[3].argmax())]
        assert browser.locator("ol.predictions li").first.inner_text().startswith(best)
        loaded = "Array.from(document.images).every(i => i.complete && i.naturalWidth)"
        assert browser.evaluate(loaded)
        browser.screenshot(path=str(tmp_path / "report.png"))


def test_report_checks_class_names_and_keeps_old_file_on_error(tmp_path) -> None:
    path = tmp_path / "report.html"
    path.write_text("old")
    with pytest.raises(ActivationError, match="2 class names for 3 outputs"):
        activation_report(classifier(), np.ones((1, 8, 8, 1)), path, ["a", "b"])
    assert path.read_text() == "old"


def test_top_predictions_without_names() -> None:
    assert top_predictions(np.array([0.2, 0.5, 0.3]), None, top=2) == [
        ("1", 0.5),
        ("2", 0.3),
    ]


def test_report_of_chosen_layers_still_ranks_the_classes(tmp_path) -> None:
    import json

    model = classifier()
    x = np.random.default_rng(1).random((2, 8, 8, 1), dtype=np.float32)
    page = activation_report(
        model, x, tmp_path / "r.html", ["cat", "dog", "owl"], layers=["conv"]
    ).read_text()
    data = page.split('type="application/json">', 1)[1].split("</script>", 1)[0]
    report = json.loads(data)
    assert [layer["name"] for layer in report["layers"]] == ["conv"]
    scores = model.predict(x, verbose=0)
    best = [["cat", "dog", "owl"][int(row.argmax())] for row in scores]
    assert [entry["predictions"][0][0] for entry in report["inputs"]] == best


def test_report_shows_labels_class_bars_legend_cuts_and_what_it_left_out(
    tmp_path,
) -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(6, 3, activation="relu", name="conv"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dropout(0.2, name="drop"),
            keras.layers.Dense(3, activation="softmax", name="out"),
        ]
    )
    x = np.random.default_rng(2).random((2, 8, 8, 1), dtype=np.float32)
    scores = model.predict(x, verbose=0)
    labels = [int(scores[0].argmax()), (int(scores[1].argmax()) + 1) % 3]
    names = ["cat", "dog", "owl"]
    path = activation_report(
        model, x, tmp_path / "r.html", names, labels=labels, max_channels=4
    )
    with headless_page() as browser:
        browser.goto(path.as_uri())
        assert browser.locator(".label").inner_text() == (
            f"True label: {names[labels[0]]} (predicted right)"
        )
        titles = browser.locator(".layer h2").all_inner_texts()
        assert titles == ["conv (6, 6, 6) · 4 of 6 maps", "out (3,)"]
        rows = browser.locator("table.bars tr").all_inner_texts()
        assert [row.split("\t")[0] for row in rows] == names  # named bars
        assert (
            "Each map is scaled on its own" in browser.locator(".legend").inner_text()
        )
        note = browser.locator(".left-out").inner_text()
        assert "flat (only rearranges the numbers)" in note
        assert "drop (does nothing when predicting)" in note
        large = browser.locator(".input img.large")
        assert large.evaluate("i => i.naturalWidth") >= 192 - 8
        captions = browser.locator("nav button span").all_inner_texts()
        wrong = names[int(scores[1].argmax())]
        assert captions == [
            f"✓ true {names[labels[0]]}",
            f"✗ true {names[labels[1]]}, predicted {wrong}",
        ]
        assert browser.locator("#summary").inner_text() == (
            "The model got 1 of these 2 inputs right; the one it got wrong is "
            "marked ✗ in the list on the left: click one to see where it went astray."
        )
        browser.locator("nav button").nth(1).click()
        assert browser.locator(".label").inner_text().endswith("(predicted wrong)")
    # a mistake first in the list: the page still opens on a right answer
    swapped = activation_report(
        model, x[::-1], tmp_path / "swapped.html", names, labels=labels[::-1]
    )
    with headless_page() as browser:
        browser.goto(swapped.as_uri())
        assert browser.locator("#chosen h2").first.inner_text() == "Input 1"
        assert browser.locator(".label").inner_text().endswith("(predicted right)")
    with pytest.raises(ActivationError, match="1 labels for 2 inputs"):
        activation_report(model, x, tmp_path / "s.html", names, labels=[0])


def test_feature_maps_are_numbered_in_their_pictures() -> None:
    import io

    from PIL import Image

    from kerasteach.activations.tiles import maps_png, picture

    maps = np.zeros((16, 16, 4), np.float32)  # black maps: only numbers are yellow
    drawn = np.asarray(Image.open(io.BytesIO(maps_png(maps, None, width=200))))
    yellow = (drawn[..., 0] > 200) & (drawn[..., 2] < 100)
    tile = drawn.shape[0] // 2
    for row in (0, 1):  # a number in each map's top left corner, none elsewhere
        for column in (0, 1):
            corner = yellow[row * tile : row * tile + tile // 2,
                            column * tile : column * tile + tile // 2]  # fmt: skip
            assert corner.sum() > 5
    assert yellow[tile // 2 : tile, tile // 2 : tile].sum() == 0
    strip = np.asarray(Image.open(io.BytesIO(maps_png(np.arange(5.0), None))))
    assert strip.ndim == 2  # a vector: the plain grey strip, no numbers
    assert strip.shape[1] == picture(np.arange(5.0)).shape[1] * (320 // 5)
