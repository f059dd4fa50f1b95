"""Redraw the pictures of the site and the handouts (needs the test extra,
chromium and poppler-utils):

    python docs/images/make_site_images.py

api_reference.png: the API reference page of TqdmProgress in the built site;
progress_page.png: the Progress page at 1280 pixels, at its terminal picture;
handout_page.png: the printed page of handout 4 that holds its picture.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def main() -> None:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "docs"))
    from make_handouts import make_pdfs

    with tempfile.TemporaryDirectory() as work:
        site = Path(work) / "site"
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "--site-dir", str(site)],
            cwd=ROOT,
            check=True,
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox"]
            )
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.goto((site / "reference" / "progress.html").as_uri())
            tab.locator("h2#kerasteach.TqdmProgress, [id='kerasteach.TqdmProgress']")
            tab.screenshot(path=str(HERE / "api_reference.png"))
            tab.set_viewport_size({"width": 1280, "height": 900})
            tab.goto((site / "progress.html").as_uri())
            terminal = tab.locator("img[alt^='TqdmProgress in a terminal']")
            terminal.evaluate("i => i.decode()")  # drawn before the photograph
            tab.evaluate(
                "y => window.scrollTo(0, y - 260)", terminal.bounding_box()["y"]
            )
            tab.screenshot(path=str(HERE / "progress_page.png"))
            browser.close()
        (pdf,) = [p for p in make_pdfs(Path(work) / "pdf") if p.stem.startswith("04")]
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "2", "-l", "2", "-singlefile",
             str(pdf), str(HERE / "handout_page")],
            check=True,
        )  # fmt: skip
    print("wrote api_reference.png, progress_page.png and handout_page.png")


if __name__ == "__main__":
    main()
