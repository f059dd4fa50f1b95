"""Run the examples and record their test accuracy and time in docs/examples.md.

    python benchmarks/run_examples.py --full     # real data: minutes per example
    python benchmarks/run_examples.py            # --quick mode, a smoke run
    python benchmarks/run_examples.py --full --only 02,03

Each example runs in a subprocess of its own, as a learner would start it;
its results.json holds what it reached. An example whose dataset is neither
cached nor in the mirror is reported as not run, with the reason. With
--full the rows of the examples run are rewritten in the table between the
markers in docs/examples.md (the other rows are kept). The
datasets come from $KERASTEACH_MIRROR, or ../shared/datasets when it exists.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PAGE = ROOT / "docs" / "examples.md"
START, END = "<!-- results: start -->", "<!-- results: end -->"


def title(script: Path) -> str:
    """The example's heading, without its number: what it teaches."""
    for line in script.read_text().splitlines():
        if line.startswith("# # ") and line[4:5].isdigit():  # "# # 3. A CNN..."
            return line[4:].split(". ", 1)[-1]
    return script.stem


def run(script: Path, full: bool, output: Path) -> dict:
    command = [sys.executable, str(script), "--output", str(output)]
    command += [] if full else ["--quick"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=output.parent)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return {"seconds": seconds, "error": reason}
    results = json.loads((output / "results.json").read_text())
    return {"seconds": seconds, "results": results}


def describe(found: dict) -> str:
    if "error" in found:
        return f"not run: {found['error'].split(' (--quick')[0][:100]}"
    return ", ".join(
        f"{name} {value:.4f}" if "MSE" in name else f"{name} {value:.2%}"
        for name, value in found["results"].items()
    )


HEADER = [
    "| example | what it teaches | time | test result (full run) |",
    "|---|---|---:|---|",
]


def row(script: Path, found: dict) -> str:
    minutes = f"{found['seconds'] / 60:.1f} min" if "error" not in found else "-"
    return f"| `{script.name}` | {title(script)} | {minutes} | {describe(found)} |"


def table(rows: list[tuple[Path, dict]], earlier: str) -> str:
    """The table with these rows, and the rows of ``earlier`` not run now."""
    lines = {
        line.split("`")[1]: line
        for line in earlier.splitlines()
        if line.startswith("| `")
    }
    lines.update({script.name: row(script, found) for script, found in rows})
    footer = (
        f"Measured with `python benchmarks/run_examples.py --full` on "
        f"{time.strftime('%Y-%m-%d')}: {os.cpu_count()} CPU cores, no GPU, "
        f"Python {platform.python_version()}, Keras' TensorFlow backend."
    )
    return "\n".join([*HEADER, *(lines[name] for name in sorted(lines)), "", footer])


def write_page(rows: list[tuple[Path, dict]]) -> None:
    page = PAGE.read_text()
    before, rest = page.split(START, 1)
    earlier, after = rest.split(END, 1)
    temporary = PAGE.with_suffix(".md.tmp")
    text = table(rows, earlier)
    temporary.write_text(f"{before}{START}\n{text}\n{END}{after}")
    temporary.replace(PAGE)  # whole or not at all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="full data and epochs")
    parser.add_argument("--only", help="example numbers, e.g. 01,03")
    options = parser.parse_args(argv)
    shared = ROOT.parent / "shared" / "datasets"
    if "KERASTEACH_MIRROR" not in os.environ and shared.is_dir():
        os.environ["KERASTEACH_MIRROR"] = str(shared)
    scripts = sorted(EXAMPLES.glob("[0-9][0-9]_*.py"))
    if options.only:
        wanted = set(options.only.split(","))
        scripts = [s for s in scripts if s.name[:2] in wanted]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for script in scripts:
            found = run(script, options.full, Path(work) / script.stem)
            rows.append((script, found))
            print(f"{script.name:<32} {found['seconds']:7.1f} s  {describe(found)}")
    if options.full:
        write_page(rows)
        print(f"wrote the table into {PAGE.relative_to(ROOT)}")
    return 0 if all("error" not in f for _, f in rows) or options.full else 1


if __name__ == "__main__":
    sys.exit(main())
