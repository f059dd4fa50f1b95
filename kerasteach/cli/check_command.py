"""``kerasteach check``: is this computer ready for the workshop?"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
from typing import Any

from kerasteach.cli.native_noise import native_stderr_filtered


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="is this computer ready for the workshop? (versions, backends, "
        "datasets, TensorBoard, a training smoke test)",
        description=(
            "The readiness test a teacher runs on each laptop the day before, "
            "and a student on arrival: Python and package versions, each Keras "
            "backend, which datasets are here (verified) and which would need a "
            "download, TensorBoard and a browser, and a few seconds of training "
            "with the add-ons. It says whether the computer is ready for the "
            "demo and the handouts (no download needed) and for the worked "
            "examples (MNIST, notMNIST, CIFAR-10), and how to fetch what is "
            "missing. Exit code 0 when ready, 1 when a line FAILED (or, with "
            "--examples, when an example's dataset is missing). No network "
            "unless --network."
        ),
        epilog=(
            "examples:\n"
            "  kerasteach check\n"
            "  kerasteach check --json > $(hostname).json  (a report per laptop)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--network",
        action="store_true",
        help="also ask each missing dataset's first source whether it answers",
    )
    parser.add_argument(
        "--no-training", action="store_true", help="skip the training smoke test"
    )
    parser.add_argument(
        "--examples",
        action="store_true",
        help="exit 1 unless the worked examples' datasets are here too",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kerasteach import readiness

    def progress(text: str) -> None:
        if not args.json:
            print(f"kerasteach check: {text}...", file=sys.stderr, flush=True)

    checks = readiness.run_checks(network=args.network, progress=progress)
    if not args.no_training:
        progress("training a small network with the add-ons")
        with native_stderr_filtered():  # TensorFlow's start-up chatter
            checks.append(readiness.smoke_test())
    ready = readiness.passed(checks)
    missing = readiness.missing_for_examples(checks)
    if args.json:
        report = {
            "ready": ready,
            "ready_for_examples": ready and not missing,
            "examples_need": missing,
            "verdicts": readiness.verdicts(checks),
            "computer": platform.node(),
            "system": platform.platform(),
            "checks": [check.as_dict() for check in checks],
        }
        print(json.dumps(report, indent=2))
    else:
        width = min(shutil.get_terminal_size((100, 24)).columns, 120)
        print(readiness.as_table(checks, width))
    return 0 if ready and not (args.examples and missing) else 1
