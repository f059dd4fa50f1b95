"""The documentation site: built strictly, every public name documented, and
searchable when opened from files, with no server and no network."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
from pathlib import Path

import pytest
from browser import headless_page
from conftest import ROOT, run_command, skip_unless

REFERENCE = ROOT / "docs" / "reference"
# The modules whose __all__ the API reference covers.
PUBLIC_MODULES = ("kerasteach", "kerasteach.datasets", "kerasteach.tensorboard")
# Members the reference leaves out (mkdocs.yml's filters): Keras' hooks, which
# a callback overrides and Keras calls, and private names.
HIDDEN_MEMBER = re.compile(r"^_|^on_|^set_model$|^begin$|^end$")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``mkdocs build --strict`` into a temporary folder, once for the module."""
    skip_unless(
        importlib.util.find_spec("mkdocs") is not None,
        "mkdocs is not installed: pip install -e '.[test]'",
    )
    folder = tmp_path_factory.mktemp("site")
    result = run_command(
        sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
        str(folder), cwd=ROOT, env={"NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    return folder


def public_names() -> list[str]:
    names = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names += [
            f"{module_name}.{name}"
            for name in module.__all__
            if name not in ("__version__", "datasets")
        ]
    return names


def documented() -> set[str]:
    """The names the reference pages render (``::: name`` lines)."""
    found = set()
    for page in REFERENCE.glob("*.md"):
        found |= set(re.findall(r"^::: (\S+)$", page.read_text(), flags=re.M))
    return found


def test_the_site_builds_strictly_with_every_page(site: Path) -> None:
    for page in (ROOT / "docs").rglob("*.md"):
        relative = page.relative_to(ROOT / "docs").with_suffix(".html")
        if relative.name == "README.html":
            relative = relative.with_name("index.html")
        assert (site / relative).is_file(), relative
    page = (site / "reference" / "progress.html").read_text()
    # the signature and an argument's description, from the docstring
    assert "kerasteach.TqdmProgress" in page
    assert "refresh_interval" in page
    assert "seconds between redraws" in page


@pytest.mark.parametrize("name", public_names())
def test_every_public_name_is_in_the_reference_with_a_docstring(name: str) -> None:
    module_name, _, attribute = name.rpartition(".")
    value = getattr(importlib.import_module(module_name), attribute)
    assert inspect.getdoc(value), f"{name} has no docstring"
    # kerasteach.tensorboard's names are kerasteach's, documented once there
    assert name in documented() or f"kerasteach.{attribute}" in documented(), name
    if inspect.isclass(value):
        for member, member_value in vars(value).items():
            if HIDDEN_MEMBER.search(member):
                continue
            if callable(member_value) or isinstance(member_value, property):
                assert (getattr(member_value, "__doc__", "") or "").strip(), (
                    f"{name}.{member} has no docstring"
                )


def test_search_works_from_the_files_alone(site: Path) -> None:
    with headless_page() as page:
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto((site / "index.html").as_uri())
        page.locator("input.md-search__input").wait_for(state="attached")
        page.keyboard.press("/")  # Material's shortcut: focus the search box
        page.keyboard.type("TqdmProgress")
        results = page.locator(".md-search-result__item a")
        results.first.wait_for(timeout=15_000)
        links = [results.nth(i).get_attribute("href") for i in range(results.count())]
        assert any("reference/progress.html" in (link or "") for link in links), links
        page.goto((site / "reference" / "progress.html").as_uri())
        page.wait_for_load_state("load")
    # a classroom may have no internet: nothing but the site's own files
    assert [
        url for url in requested if not url.startswith(("file:", "data:", "blob:"))
    ] == []


@pytest.mark.parametrize(
    "mistake",
    ["a link to a missing page", "a name the reference cannot find"],
)
def test_a_broken_link_or_a_missing_name_fails_the_build(
    tmp_path: Path, mistake: str
) -> None:
    skip_unless(importlib.util.find_spec("mkdocs") is not None, "mkdocs is missing")
    import shutil

    for part in ("docs", "kerasteach"):
        shutil.copytree(
            ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "mkdocs.yml", tmp_path)
    if mistake == "a link to a missing page":
        page, text = tmp_path / "docs" / "summary.md", "\nSee [the page](gone.md).\n"
    else:
        page, text = (
            tmp_path / "docs" / "reference" / "summary.md",
            "\n::: kerasteach.gone\n",
        )
    page.write_text(page.read_text() + text)
    result = run_command(
        sys.executable, "-m", "mkdocs", "build", "--strict", cwd=tmp_path,
        env={"NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert result.returncode != 0
    assert ("gone.md" if "link" in mistake else "kerasteach.gone") in result.stderr


def test_the_reference_shows_defaults_as_values(site: Path) -> None:
    """A signature in the reference shows ``max_cols: int = 3``, not the name
    of a module constant a reader cannot see."""
    import kerasteach
    from kerasteach.plots.history import MAX_COLUMNS
    from kerasteach.progress.metrics_text import DEFAULT_METRIC_FORMAT

    for page in (site / "reference").rglob("*.html"):
        text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
        constants = re.findall(r"=\s*([A-Z][A-Z0-9_]{3,})\b", text)
        assert not constants, (page.name, constants)
    # the values written out stay those of the constants used inside
    progress = inspect.signature(kerasteach.TqdmProgress).parameters
    assert progress["metric_format"].default == DEFAULT_METRIC_FORMAT
    for plot in (kerasteach.LivePlot, kerasteach.plot_history):
        assert inspect.signature(plot).parameters["max_cols"].default == MAX_COLUMNS


def test_no_block_is_wider_than_the_page_at_1280_pixels(site: Path) -> None:
    """Measured in Chromium: no code block or table of any page scrolls
    sideways (hiding its right edge) in a 1280-pixel-wide window."""
    pages = [p for p in sorted(site.rglob("*.html")) if "assets" not in p.parts]
    too_wide = {}
    with headless_page() as tab:
        tab.set_viewport_size({"width": 1280, "height": 900})
        for page in pages:
            tab.goto(page.as_uri())
            wide = tab.evaluate(
                """() => Array.from(document.querySelectorAll(
                     '.md-content pre > code, .md-content table'))
                   .filter(e => e.scrollWidth > e.clientWidth + 1)
                   .map(e => e.textContent.slice(0, 60))"""
            )
            if wide:
                too_wide[str(page.relative_to(site))] = wide
    assert len(pages) > 20 and not too_wide
