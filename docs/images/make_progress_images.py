"""Photograph TqdmProgress in a real terminal for docs/progress.md (needs tmux,
chromium and playwright).

    python docs/images/make_progress_images.py

Runs the page's model and ``fit`` in a tmux terminal of 118 x 12 characters,
reads the screen when training has ended (``tmux capture-pane``), and draws
it as a terminal window in headless chromium: the bars exactly as a learner's
terminal shows them. Nothing is downloaded.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS, ROWS = 118, 12
TRAINING = """
import kerasteach.quiet  # first: no TensorFlow start-up messages
import numpy as np
import keras
from kerasteach import TqdmProgress

keras.utils.set_random_seed(0)
x = np.random.rand(1000, 20).astype("float32")
y = (x[:, :10].sum(axis=1) > x[:, 10:].sum(axis=1)).astype("int32")
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
print("$ python train.py")
model.fit(x, y, epochs=3, batch_size=32, validation_split=0.2, verbose=0,
          callbacks=[TqdmProgress(batch_size=32, leave_inner=True)])
open(DONE, "w").close()
"""


def terminal_screen(
    command: str, done: Path, columns: int = COLUMNS, rows: int = ROWS
) -> str:
    """Runs ``command`` in a tmux terminal of ``columns`` x ``rows``; the
    screen's text once the file ``done`` exists (the command makes it)."""
    session = f"kerasteach-{done.parent.name}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", str(columns),
         "-y", str(rows), f"{command}; sleep 60"],
        check=True,
    )  # fmt: skip
    try:
        for _ in range(1800):
            if done.exists():
                break
            time.sleep(0.1)
        time.sleep(0.5)  # the last redraw
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", session],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def photograph_terminal(screen: str, title: str, target: Path) -> None:
    """The screen's text drawn as a terminal window, saved as a PNG."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "terminal.html"
        page.write_text(terminal_page(screen, title), encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox"]
            )
            tab = browser.new_page(viewport={"width": 1400, "height": 1200})
            tab.goto(page.as_uri())
            tab.locator("#window").screenshot(path=str(target))
            browser.close()


def terminal_page(screen: str, title: str) -> str:
    lines = screen.rstrip("\n").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return f"""<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; background: white; }}
#window {{ display: inline-block; margin: 8px; border-radius: 8px; overflow: hidden;
           box-shadow: 0 2px 10px rgba(0,0,0,.35); }}
#bar {{ background: #3c3c3c; color: #ddd; font: 13px sans-serif; padding: 6px 12px; }}
pre {{ margin: 0; padding: 10px 14px; background: #1e1e1e; color: #e6e6e6;
       font: 14px/1.35 "DejaVu Sans Mono", monospace; }}
</style><div id="window"><div id="bar">{html.escape(title)}</div>
<pre>{html.escape(chr(10).join(lines))}</pre></div>"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        done = Path(folder) / "done"
        script = Path(folder) / "train.py"
        script.write_text(f"DONE = {str(done)!r}\n" + TRAINING)
        screen = terminal_screen(f"{sys.executable} {script}", done)
    target = HERE / "progress_terminal.png"
    photograph_terminal(screen, "Terminal: python train.py", target)
    print(screen)
    print("wrote", target)


if __name__ == "__main__":
    main()
