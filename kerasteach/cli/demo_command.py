"""``kerasteach demo``: train a small CNN and show every add-on, offline."""

from __future__ import annotations

import argparse
from typing import Any

from kerasteach.cli.errors import UsageError
from kerasteach.cli.native_noise import load_keras_quietly, native_stderr_filtered


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        help="train a small network and show every add-on (offline, ~1 minute)",
        description=(
            "Train a small convolutional network and show every kerasteach "
            "add-on at work: the data-flow summary, progress bars, a live loss "
            "plot, TensorBoard logs with feature maps, and an activation report. "
            "The default dataset needs no network."
        ),
        epilog=(
            "examples:\n"
            "  kerasteach demo\n"
            "  kerasteach demo --epochs 5 --output my-demo\n"
            "  kerasteach demo --dataset mnist      (downloads MNIST, 11.5 MB)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--dataset",
        default="digits",
        help="digits (default, offline), mnist, fashion_mnist, notmnist_small, "
        "cifar10, cifar100",
    )
    parser.add_argument(
        "--epochs", type=int, default=15, help="training epochs (default: 15)"
    )
    parser.add_argument(
        "--output",
        default="kerasteach-demo",
        metavar="DIR",
        help="folder for everything it makes (default: kerasteach-demo)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kerasteach import datasets

    if args.dataset not in datasets.names():
        from kerasteach.datasets.cards import unknown_name_message

        raise UsageError(unknown_name_message(args.dataset))
    if args.epochs < 1:
        raise UsageError(f"--epochs must be 1 or more; got {args.epochs}.")
    load_keras_quietly()
    with native_stderr_filtered():
        from kerasteach.demo import run_demo
    try:
        run_demo(args.dataset, args.epochs, args.output)
    except (datasets.DownloadError, datasets.NotAvailableError) as error:
        raise UsageError(
            f"{error}\nThe default dataset needs no network: kerasteach demo"
        ) from None
    except OSError as error:
        raise UsageError(f"cannot write into {args.output!r}: {error}") from None
    return 0
