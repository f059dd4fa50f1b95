"""``kerasteach explore MODEL --images DIR``: the local explorer web app."""

from __future__ import annotations

import argparse
import os
from typing import Any

from kerasteach.cli.address import add_address_options, check_port
from kerasteach.cli.errors import UsageError
from kerasteach.cli.native_noise import load_keras_quietly, native_stderr_filtered
from kerasteach.cli.summary_command import add_model_source, load_model_argument

# kerasteach.activations.drawing.DRAWING_STYLES, spelt out: importing it here
# would bring Keras into every command's start (a test keeps the two equal)
DRAWING_STYLES = ("mnist", "digits", "fit")


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "explore",
        help="look inside an image model in your browser",
        description=(
            "Start a small web app on this computer: it lists the images of a "
            "folder, shows the model's top predictions for each, and every "
            "layer's feature maps. A built-in --example is trained first, on "
            "the data this computer has. Stop it with Ctrl-C."
        ),
        epilog=(
            "examples:\n"
            "  kerasteach explore my_cnn.keras --images photos/\n"
            "  kerasteach explore kerasteach-demo/model.keras "
            "--images kerasteach-demo/images\n"
            "  kerasteach explore --example mnist-cnn      (trains it first)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_source(parser)
    parser.add_argument(
        "--images",
        metavar="DIR",
        help="a folder of images (may be left out for a model that reads small "
        "grey images, such as MNIST's: then the page has only its drawing pad)",
    )
    parser.add_argument(
        "--class-names", metavar="A,B,...", help="labels of the outputs, in order"
    )
    parser.add_argument(
        "--top", type=int, default=5, help="predictions shown (default: 5)"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1 / 255,
        help="multiplies the 0-255 pixels before the model sees them "
        "(default: 1/255, to [0, 1])",
    )
    parser.add_argument(
        "--drawing-like",
        choices=DRAWING_STYLES,
        help="how the drawing pad prepares a drawing: like MNIST's digits "
        "(28x28 models' default), like scikit-learn's 8x8 digits (8x8 models' "
        "default), or fitted to the frame (every other size)",
    )
    add_address_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise UsageError(f"--top must be 1 or more; got {args.top}.")
    check_port(args.port)
    if args.images is not None and not os.path.isdir(args.images):
        raise UsageError(f"{args.images} is not a folder of images")  # before training
    load_keras_quietly()
    names = args.class_names.split(",") if args.class_names else None
    about = None
    with native_stderr_filtered():
        from kerasteach.activations import ActivationError
        from kerasteach.activations.explorer import explore

        if args.example is not None:
            from kerasteach.trained_examples import ExampleError, trained_example

            try:
                trained = trained_example(args.example)
            except ExampleError as error:
                raise UsageError(str(error)) from None
            model, about = trained.model, trained.about
            names = names or trained.class_names
        else:
            model = load_model_argument(args.model, None, args.full_error)
    try:
        explore(
            model,
            args.images,
            class_names=names,
            top=args.top,
            scale=args.scale,
            host=args.host,
            port=args.port,
            drawing_like=args.drawing_like,
            about=about,
        )
    except ActivationError as error:
        raise UsageError(str(error)) from None
    except OSError as error:  # e.g. the port is taken
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error}") from None
    return 0
