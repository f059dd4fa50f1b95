"""Regenerate the TensorBoard screenshots of docs/tensorboard.md (needs chromium
and playwright).

    python docs/images/make_tensorboard_images.py

Trains the page's digits CNN with ``tensorboard_callbacks``, starts a real
TensorBoard and photographs its tabs in headless chromium. Nothing is
downloaded.
"""

from __future__ import annotations

import shutil
import tempfile
import urllib.parse
from pathlib import Path

from make_images import digits_cnn

import kerasteach
from kerasteach.datasets import load

HERE = Path(__file__).resolve().parent


def train(logdir: Path) -> None:
    (x_train, y_train), (x_test, y_test) = load(
        "digits", normalize=True, channels="last"
    )
    model = digits_cnn()
    callbacks = kerasteach.tensorboard_callbacks(
        logdir,
        run="digits_cnn",
        sample=x_test[:4],
        class_names=[str(d) for d in range(10)],
        validation_data=(x_test, y_test),
        hparams={"optimizer": "adam", "filters": 8},
    )
    model.fit(
        x_train,
        y_train,
        validation_data=(x_test, y_test),
        epochs=15,
        callbacks=callbacks,
        verbose=0,
    )


def main() -> None:
    from playwright.sync_api import sync_playwright

    logdir = Path(tempfile.mkdtemp())
    train(logdir)
    with (
        kerasteach.launch_tensorboard(logdir, inline=False) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"]
        )
        tab = browser.new_page(viewport={"width": 1280, "height": 860})
        for name, fragment, tags, ready in (
            ("scalars", "#scalars", "", "text=epoch_loss"),
            ("activations", "#images", "activations/conv", "text=activations/conv1"),
            (
                "confusion",
                "#images",
                "confusion|misclassified",
                "text=confusion/matrix",
            ),
            ("text", "#text", "", "text=model/summary"),
        ):
            # TensorBoard keeps its tag filter in the address: only these tags
            query = f"&tagFilter={urllib.parse.quote(tags)}" if tags else ""
            tab.goto(server.url + fragment + query)
            tab.locator(ready).first.wait_for(timeout=60_000)
            tab.wait_for_timeout(2_500)  # let the charts and pictures draw
            tab.screenshot(path=str(HERE / f"tensorboard_{name}.png"))
        browser.close()
    shutil.rmtree(logdir)
    print("wrote", *sorted(p.name for p in HERE.glob("tensorboard_*.png")))


if __name__ == "__main__":
    main()
