"""The picture at the top of the README and of docs/index.md, from real runs
(needs tmux, chromium and playwright).

    python docs/images/make_readme_images.py

Runs ``kerasteach demo`` in a real terminal (tmux) and photographs the screen,
takes the curves LivePlot drew during that run, opens the model the demo
saved in ``kerasteach explore`` and draws a 7 on its pad in headless
chromium; then lays the three side by side, each with a caption. Nothing is
downloaded.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from make_progress_images import photograph_terminal, terminal_screen
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
SEVEN = ((70, 50), (215, 50), (175, 140), (130, 240))  # across the top, then down


def demo_in_a_terminal(work: Path) -> Path:
    done = work / "done"
    command = (
        f"cd {work} && {Path(sys.executable).with_name('kerasteach')} demo "
        f"--epochs 8 --output demo; touch {done}"
    )
    screen = terminal_screen(command, done, columns=118, rows=44)
    target = work / "terminal.png"
    photograph_terminal(screen, "Terminal: kerasteach demo", target)
    return target


def pad_with_a_seven(work: Path) -> Path:
    import keras
    from playwright.sync_api import sync_playwright

    import kerasteach

    model = keras.saving.load_model(work / "demo" / "model.keras")
    server = kerasteach.explore(
        model,
        work / "demo" / "images",
        class_names=[str(d) for d in range(10)],
        about="The network kerasteach demo just trained.",
        block=False,
    )
    target = work / "pad.png"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox"]
            )
            tab = browser.new_page(viewport={"width": 1100, "height": 760})
            tab.goto(server.url)
            tab.locator("#canvas").wait_for()  # shown once the page has started
            box = tab.locator("#canvas").bounding_box()
            tab.mouse.move(box["x"] + SEVEN[0][0], box["y"] + SEVEN[0][1])
            tab.mouse.down()
            for x, y in SEVEN[1:]:
                tab.mouse.move(box["x"] + x, box["y"] + y, steps=8)
            tab.mouse.up()
            tab.wait_for_function(
                "document.body.dataset.answered === document.body.dataset.drawn"
            )
            row = tab.locator("#pad .row").bounding_box()
            tab.screenshot(
                path=str(target),
                clip={"x": row["x"] - 8, "y": row["y"] - 56, "width": 790,
                      "height": row["height"] + 64},
            )  # fmt: skip
            browser.close()
    finally:
        server.close()
    return target


def captioned(image: Image.Image, caption: str, width: int) -> Image.Image:
    """``image`` scaled to ``width`` under a one-line caption."""
    font = ImageFont.truetype("DejaVuSans.ttf", 20)
    scaled = image.convert("RGB").resize(
        (width, round(image.height * width / image.width)), Image.Resampling.LANCZOS
    )
    panel = Image.new("RGB", (width, scaled.height + 34), "white")
    ImageDraw.Draw(panel).text((4, 4), caption, fill=(17, 24, 39), font=font)
    panel.paste(scaled, (0, 34))
    return panel


def main() -> None:
    # a plain name, as a learner's folder: the demo prints its path
    work = Path(tempfile.gettempdir()) / "workshop"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        terminal = Image.open(demo_in_a_terminal(work))
        curves = Image.open(work / "demo" / "loss.png")
        pad = Image.open(pad_with_a_seven(work))
        left = captioned(terminal, "kerasteach demo: the summary and the bars", 760)
        right = [
            captioned(curves, "LivePlot: the curves, redrawn every epoch", 640),
            captioned(pad, "kerasteach explore: draw a digit, the model answers", 640),
        ]
        height = max(left.height, sum(p.height for p in right) + 16)
        sheet = Image.new("RGB", (760 + 24 + 640, height), "white")
        sheet.paste(left, (0, 0))
        sheet.paste(right[0], (784, 0))
        sheet.paste(right[1], (784, right[0].height + 16))
        target = HERE / "kerasteach_at_work.png"
        sheet.save(target, optimize=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("wrote", target)


if __name__ == "__main__":
    main()
