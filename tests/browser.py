"""A real headless browser: Debian's chromium, driven by Playwright."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator

from conftest import skip_unless


@contextlib.contextmanager
def headless_page() -> Iterator:
    """A page in headless chromium; skipped locally (failed in CI) without one."""
    chromium = shutil.which("chromium")
    skip_unless(
        chromium is not None, "chromium is not installed (apt-get install chromium)"
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_unless(False, "playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        # Playwright's own browser download is not needed: the system one is used.
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox"]
        )
        try:
            yield browser.new_page(viewport={"width": 1200, "height": 900})
        finally:
            browser.close()
