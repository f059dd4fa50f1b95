"""Regenerate the pictures of docs/activations.md (needs chromium and playwright).

    python docs/images/make_images.py

Uses the same digits CNN as the page; nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import keras
from PIL import Image

import kerasteach
from kerasteach.datasets import load

HERE = Path(__file__).resolve().parent


def digits_cnn() -> keras.Model:
    """The small CNN of the pages, compiled, with seeded weights."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(8, 3, activation="relu", padding="same", name="conv1"),
            keras.layers.MaxPooling2D(name="pool1"),
            keras.layers.Conv2D(16, 3, activation="relu", padding="same", name="conv2"),
            keras.layers.GlobalAveragePooling2D(name="gap"),
            keras.layers.Dense(10, activation="softmax", name="digit"),
        ],
        name="digits_cnn",
    )
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def trained_model():
    (x_train, y_train), (x_test, y_test) = load(
        "digits", normalize=True, channels="last"
    )
    model = digits_cnn()
    model.fit(x_train, y_train, epochs=20, batch_size=32, verbose=0)
    return model, x_test, y_test


def demo_cnn(x_test) -> keras.Model:
    """The network `kerasteach demo` trains, trained the same way."""
    from kerasteach.demo import small_cnn

    (x_train, y_train), _ = load("digits", normalize=True, channels="last")
    keras.utils.set_random_seed(0)
    model = small_cnn(x_test.shape[1:], 10)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=15, batch_size=32, verbose=0)
    return model


def main() -> None:
    from playwright.sync_api import sync_playwright

    model, x_test, y_test = trained_model()
    names = [str(d) for d in range(10)]
    # a test digit the model reads right: the picture is of how it works
    right = int((model.predict(x_test, verbose=0).argmax(1) == y_test).argmax())
    figure = kerasteach.plot_activations(
        model,
        x_test,
        ["conv1", "conv2", "digit"],
        class_names=names,
        labels=y_test,
        samples=[right],
    )
    figure.savefig(HERE / "activations.png", dpi=80)
    work = Path(tempfile.mkdtemp())
    page = kerasteach.activation_report(
        model, x_test[:6], work / "r.html", names, labels=y_test[:6]
    )
    # the explorer shows the demo's network, as `kerasteach demo` leaves it,
    # with test images sorted into one folder per class (true labels)
    demo = demo_cnn(x_test)
    for index in range(6):
        pixels = (x_test[index, :, :, 0] * 255).astype("uint8")
        (work / "images" / names[y_test[index]]).mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(
            work / "images" / names[y_test[index]] / f"{index}.png"
        )
    about = "The demo's CNN, trained on scikit-learn's 8x8 digits."
    server = kerasteach.explore(
        demo, work / "images", class_names=names, block=False, about=about
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"]
        )
        tab = browser.new_page(viewport={"width": 1100, "height": 760})
        tab.goto(page.as_uri())
        tab.screenshot(path=str(HERE / "report.png"))
        tab.goto(server.url)
        tab.locator("#images li").nth(5).wait_for()
        tab.locator("#images li button").nth(2).click()
        tab.wait_for_function("document.getElementById('layer-map').naturalWidth > 0")
        tab.screenshot(path=str(HERE / "explorer.png"))
        tab.goto(server.url)  # the drawing pad, at the top of a fresh page
        tab.locator("#canvas").wait_for()
        box = tab.locator("#canvas").bounding_box()
        x, y = box["x"], box["y"]
        tab.mouse.move(x + 70, y + 50)  # a 7: across the top, then down
        tab.mouse.down()
        for to_x, to_y in ((215, 50), (175, 140), (130, 240)):
            tab.mouse.move(x + to_x, y + to_y, steps=8)
        tab.mouse.up()
        tab.wait_for_function(
            "document.body.dataset.answered === document.body.dataset.drawn"
        )
        tab.screenshot(path=str(HERE / "drawing_pad.png"))
        browser.close()
    server.close()
    shutil.rmtree(work)
    print("wrote", *sorted(os.listdir(HERE)))


if __name__ == "__main__":
    main()
