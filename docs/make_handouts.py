"""Print the workshop handouts (docs/handouts/NN_*.md) to PDF, one per handout.

    python docs/make_handouts.py                    # A4, into dist/handouts/
    python docs/make_handouts.py --paper Letter --out DIR

Each handout's Markdown becomes one HTML page styled for paper (code wraps
instead of running off the page, a code block or a picture is never split
between pages, page numbers in the footer), printed by headless Chromium
(Debian's ``chromium``, driven by Playwright). Needs the test extra.

>>> print_css("A4").startswith("@page { size: A4;")
True
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import sys
import tempfile
from pathlib import Path

HANDOUTS = Path(__file__).resolve().parent / "handouts"
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}
FOOTER = (
    '<div style="font: 8pt sans-serif; width: 100%; text-align: center; '
    'color: #555;">{title} · page <span class="pageNumber"></span> of '
    '<span class="totalPages"></span></div>'
)


def print_css(paper: str) -> str:
    """The page's style on paper: nothing runs past the margin or breaks a block."""
    return f"""@page {{ size: {paper}; }}
body {{ font: 10.5pt/1.45 "DejaVu Sans", sans-serif; color: #111; margin: 0; }}
h1 {{ font-size: 17pt; margin: 0 0 8pt; }}
h2 {{ font-size: 12.5pt; margin: 14pt 0 4pt; }}
h1, h2, h3 {{ break-after: avoid; }}
p, li {{ orphans: 2; widows: 2; }}
pre {{
  white-space: pre-wrap; overflow-wrap: anywhere; break-inside: avoid;
  font: 8.6pt/1.35 "DejaVu Sans Mono", monospace;
  background: #f3f3f3; border-left: 3px solid #888; padding: 5pt 7pt; margin: 6pt 0;
}}
code {{ font-family: "DejaVu Sans Mono", monospace; font-size: 0.92em; }}
img {{ max-width: 100%; max-height: 150mm; break-inside: avoid; display: block;
       margin: 6pt auto; }}
table {{ border-collapse: collapse; break-inside: avoid; }}
td, th {{ border: 1px solid #bbb; padding: 2pt 5pt; }}
a {{ color: inherit; text-decoration: none; }}
"""


def handout_page(markdown_path: Path, paper: str) -> tuple[str, str]:
    """The handout as a printable HTML page, and its title (its first heading)."""
    import markdown

    text = markdown_path.read_text(encoding="utf-8")
    title = next(
        (line[2:].strip() for line in text.splitlines() if line.startswith("# ")),
        markdown_path.stem,
    )
    body = markdown.markdown(text, extensions=["fenced_code", "tables"])
    # pictures and links resolve beside the Markdown file, as on the site
    base = markdown_path.parent.resolve().as_uri() + "/"
    page = (
        f'<!doctype html><html><head><meta charset="utf-8">'
        f'<base href="{base}"><title>{html.escape(title)}</title>'
        f"<style>{print_css(paper)}</style></head><body>{body}</body></html>"
    )
    return page, title


def make_pdfs(out: Path, paper: str = "A4") -> list[Path]:
    """Print every numbered handout into ``out``; returns the PDFs' paths."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("needs Debian's chromium: apt-get install chromium")
    out.mkdir(parents=True, exist_ok=True)
    made = []
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox"]
        )
        try:
            tab = browser.new_page()
            for markdown_path in sorted(HANDOUTS.glob("[0-9][0-9]_*.md")):
                page, title = handout_page(markdown_path, paper)
                source = Path(work) / f"{markdown_path.stem}.html"
                source.write_text(page, encoding="utf-8")
                tab.goto(source.as_uri())
                tab.wait_for_load_state("load")  # pictures drawn before printing
                target = out / f"{markdown_path.stem}.pdf"
                partial = target.with_name(target.name + ".part")
                tab.pdf(
                    path=str(partial),
                    format=paper,
                    margin=MARGIN,
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER.format(title=html.escape(title)),
                )
                os.replace(partial, target)  # never a half-written PDF
                made.append(target)
        finally:
            browser.close()
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("dist") / "handouts")
    parser.add_argument("--paper", choices=["A4", "Letter"], default="A4")
    options = parser.parse_args(argv)
    for path in make_pdfs(options.out, options.paper):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
