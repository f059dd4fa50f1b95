"""kerasteach.summary against Keras' own model.summary(), side by side.

    python benchmarks/bench_summary.py [--repeat 5] [--models DenseNet201,...]

Both produce the full text of a large keras.applications model (built with
weights=None, nothing downloaded); the times are medians over the repeats,
and the ratio is kerasteach's time over Keras'; the two sides take turns,
round after round. The target is 0.5 or less. It
also times `import kerasteach` and `kerasteach --help` in fresh processes,
against a bare `python -c pass`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from timing import interleaved_medians

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def bench_summaries(names: list[str], repeat: int) -> None:
    import keras

    import kerasteach

    print(
        f"{'model':<18}{'layers':>7}{'keras summary':>15}{'kerasteach':>12}{'ratio':>8}"
    )
    for name in names:
        model = getattr(keras.applications, name)(weights=None)
        lines: list[str] = []

        def keras_summary(model=model, lines=lines):
            lines.clear()
            model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))

        def teach_summary(model=model):
            kerasteach.summary(model, width=120).to_text()

        keras_summary(), teach_summary()  # warm both: first calls import modules
        medians = interleaved_medians(
            {"keras": keras_summary, "kerasteach": teach_summary}, repeat
        )
        keras_time, teach_time = medians["keras"], medians["kerasteach"]
        print(
            f"{name:<18}{len(model.layers):>7}{keras_time:>14.3f}s{teach_time:>11.3f}s"
            f"{teach_time / keras_time:>8.2f}"
        )


def bench_command_line(repeat: int) -> None:
    script = Path(sys.executable).with_name("kerasteach")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import kerasteach": [sys.executable, "-c", "import kerasteach"],
        "kerasteach --help": [str(script), "--help"],
    }
    results = interleaved_medians(
        {
            label: lambda command=command: subprocess.run(
                command, check=True, capture_output=True
            )
            for label, command in commands.items()
        },
        repeat,
    )
    base = results["python -c pass"]
    for label, seconds in results.items():
        extra = "" if label == "python -c pass" else f"  ({seconds - base:+.3f}s)"
        print(f"{label:<20}{seconds:>8.3f}s{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--models", default="DenseNet201,EfficientNetV2L")
    args = parser.parse_args()
    print("Command line, median of", 2 * args.repeat, "fresh processes:")
    bench_command_line(2 * args.repeat)
    print()
    print("Summary of the whole model, median of", args.repeat, "runs:")
    bench_summaries(args.models.split(","), args.repeat)


if __name__ == "__main__":
    main()
