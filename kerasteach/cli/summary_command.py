"""``kerasteach summary``: the data-flow picture of a saved or built model.

The model comes from a saved file (``model.keras``, or a legacy ``.h5``), from
a function that builds it (``module:function`` or ``file.py:function``), or
from the built-in examples (``--example mnist-cnn``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from kerasteach.cli.errors import UsageError
from kerasteach.cli.native_noise import native_stderr_filtered

MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "summary",
        help="print the ASCII data-flow summary of a model",
        description=(
            "Print how data flows through a Keras model: every step's operation, "
            "the data's shape after it, its weights and multiply-adds."
        ),
        epilog=(
            "examples:\n"
            "  kerasteach summary --example mnist-cnn\n"
            "  kerasteach summary my_model.keras --width 100\n"
            "  kerasteach summary mypackage.models:build_cnn --expand-nested"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_source(parser)
    parser.add_argument(
        "--width", type=int, metavar="COLUMNS", help="fit the picture in COLUMNS"
    )
    parser.add_argument(
        "--style", choices=("ascii", "unicode"), default="ascii", help="default: ascii"
    )
    parser.add_argument(
        "--expand-nested",
        nargs="?",
        const=-1,
        type=int,
        default=0,
        metavar="LEVELS",
        help="draw the layers of models nested inside the model "
        "(all levels, or only LEVELS)",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print a Markdown table instead"
    )
    parser.set_defaults(run=run)


def add_model_source(parser: argparse.ArgumentParser) -> None:
    """MODEL or --example NAME: one of them, as every model command takes it."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "model",
        nargs="?",
        metavar="MODEL",
        help="a saved .keras file, or module:function / file.py:function "
        "that returns a built model",
    )
    source.add_argument(
        "--example",
        metavar="NAME",
        help="a built-in example model; one of: "
        "mnist-cnn, mnist-mlp, residual-cnn, text-lstm",
    )


def run(args: argparse.Namespace) -> int:
    if args.width is not None and args.width < 1:
        raise UsageError(
            f"--width must be positive (a number of columns); got {args.width}."
        )
    if args.expand_nested < -1:
        raise UsageError("--expand-nested takes a number of levels, 0 or more.")
    with native_stderr_filtered():
        model = load_model_argument(args.model, args.example)

    import kerasteach

    expand = True if args.expand_nested == -1 else args.expand_nested
    try:
        picture = kerasteach.summary(
            model, width=args.width, style=args.style, expand_nested=expand
        )
    except (TypeError, ValueError) as error:
        raise UsageError(str(error)) from None
    text = picture.to_markdown() if args.markdown else picture.to_text()
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def load_model_argument(model: str | None, example: str | None) -> Any:
    """The model named on the command line, or a ``UsageError`` saying why not."""
    if example is not None:
        from kerasteach import model_zoo

        if example not in model_zoo.EXAMPLES:
            names = ", ".join(sorted(model_zoo.EXAMPLES))
            raise UsageError(f"no example model {example!r}; choose one of: {names}.")
        return model_zoo.build(example)
    assert model is not None
    if model.lower().endswith(MODEL_SUFFIXES):
        return _load_saved(Path(model))
    if ":" in model and not os.path.exists(model):
        return _call_builder(model)
    if os.path.exists(model):
        raise UsageError(
            f"{model} is not a saved Keras model; give a .keras file "
            "(saved with model.save('name.keras')) or module:function."
        )
    raise UsageError(
        f"{model}: no such file. Give a saved .keras model, or "
        "module:function / file.py:function that returns a built model."
    )


def _load_saved(path: Path) -> Any:
    if not path.is_file():
        raise UsageError(f"{path}: no such file.")
    import keras

    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as error:  # noqa: BLE001 - any load failure is the file's fault
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise UsageError(
            f"{path} could not be read as a Keras model "
            f"({type(error).__name__}: {reason[:300]}). If the file is complete "
            "but uses custom layers, point at the function that builds the model "
            "instead: kerasteach summary module:function."
        ) from None


def _call_builder(spec: str) -> Any:
    location, _, function_name = spec.rpartition(":")
    if not location or not function_name.isidentifier():
        raise UsageError(
            f"{spec!r} is not module:function; e.g. mypackage.models:build_cnn "
            "or models.py:build_cnn."
        )
    module = _import_location(location)
    builder = getattr(module, function_name, None)
    if builder is None or not callable(builder):
        raise UsageError(f"{location} has no function {function_name!r}.")
    try:
        return builder()
    except TypeError as error:
        raise UsageError(
            f"{spec}() could not be called without arguments ({error}); "
            "point at a function that needs none."
        ) from None


def _import_location(location: str) -> Any:
    if location.endswith(".py"):
        path = Path(location)
        if not path.is_file():
            raise UsageError(f"{location}: no such file.")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    # Like `python -m`, let modules in the working directory be found.
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(location)
    except ModuleNotFoundError as error:
        if error.name and location.startswith(error.name):
            raise UsageError(
                f"no module named {location!r} (run from the folder that holds it, "
                "or give file.py:function)."
            ) from None
        raise
