"""Redraw the pictures of the site and the handouts (needs the test extra,
chromium and poppler-utils):

    python docs/images/make_site_images.py

api_reference.png: the API reference page of TqdmProgress in the built site;
handout_page.png: the first printed page of handout 4.
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
            browser.close()
        (pdf,) = [p for p in make_pdfs(Path(work) / "pdf") if p.stem.startswith("04")]
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
             str(pdf), str(HERE / "handout_page")],
            check=True,
        )  # fmt: skip
    print("wrote api_reference.png and handout_page.png")


if __name__ == "__main__":
    main()
