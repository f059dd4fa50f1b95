"""``kerasteach summary``: the data-flow picture of a saved or built model.

The model comes from a saved file (``model.keras``, or a legacy ``.h5``), from
a function that builds it (``module:function`` or ``file.py:function``), or
from the built-in examples (``--example mnist-cnn``).

A saved file is loaded in Keras' safe mode, which runs no code from the file;
``module:function`` and ``file.py:function`` import and run the user's own
code, as ``python file.py`` would.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import inspect
import os
import re
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kerasteach._printable import printable
from kerasteach.cli.errors import UsageError
from kerasteach.cli.native_noise import load_keras_quietly, native_stderr_filtered

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
            "  kerasteach summary mypackage.models:build_cnn --expand-nested\n"
            "\n"
            "A .keras file is loaded in Keras' safe mode: nothing in the file is\n"
            "run (a Lambda layer's code is refused). Before that its zip\n"
            "directory is checked: a file cut short, or one that would unpack\n"
            "past 4 GiB (KERASTEACH_MAX_MODEL_BYTES) or 100 times a member's\n"
            "size (a zip bomb), is refused. module:function and\n"
            "file.py:function IMPORT AND RUN that Python code, as python would:\n"
            "give only code you trust. file.py:function imports with the file's\n"
            "folder first on the module path, so its own imports are found."
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
        help="a saved .keras file (loaded in safe mode), or module:function / "
        "file.py:function that returns a built model (runs that code)",
    )
    source.add_argument(
        "--example",
        metavar="NAME",
        help="a built-in example model; one of: "
        "mnist-cnn, mnist-mlp, residual-cnn, text-lstm",
    )
    parser.add_argument(
        "--full-error",
        action="store_true",
        help="when a model cannot be loaded, show Keras' whole message "
        "(shortened to what is needed by default)",
    )


def run(args: argparse.Namespace) -> int:
    if args.width is not None and args.width < 1:
        raise UsageError(
            f"--width must be positive (a number of columns); got {args.width}."
        )
    if args.expand_nested < -1:
        raise UsageError("--expand-nested takes a number of levels, 0 or more.")
    load_keras_quietly()
    with native_stderr_filtered():
        model = load_model_argument(args.model, args.example, args.full_error)

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


def load_model_argument(
    model: str | None, example: str | None, full_error: bool = False
) -> Any:
    """The model named on the command line, or a ``UsageError`` saying why not
    (Keras' own message shortened unless ``full_error``)."""
    if example is not None:
        from kerasteach import model_zoo

        if example not in model_zoo.EXAMPLES:
            raise UsageError(model_zoo.unknown_example(example))
        return model_zoo.build(example)
    assert model is not None
    if model.lower().endswith(MODEL_SUFFIXES):
        return _load_saved(Path(model), full_error)
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


def _load_saved(path: Path, full_error: bool = False) -> Any:
    if not path.is_file():
        raise UsageError(f"{path}: no such file.")
    from kerasteach.model_files import ModelFileError, check_model_file

    try:
        check_model_file(path)  # complete, and no bomb, before Keras reads it
    except ModelFileError as error:
        raise UsageError(printable(str(error))) from None
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # noqa: BLE001 - any load failure is the file's fault
        reason = " ".join(str(error).split())  # on one line
        if not full_error:
            reason = shortened(reason)
        advice = (
            "If the file is complete but uses custom layers, point at the "
            "function that builds the model instead: kerasteach summary "
            "module:function."
        )
        if "safe_mode" in reason:
            advice = (
                "kerasteach always loads a .keras file in Keras' safe mode, so no "
                "code from a file is ever run. If you trust where the model comes "
                "from, point at the Python function that builds it instead: "
                "kerasteach summary models.py:build_model."
            )
        if not full_error and reason != " ".join(str(error).split()):
            advice += " (--full-error shows Keras' whole message.)"
        raise UsageError(
            f"{printable(str(path))} could not be read as a Keras model "
            f"({type(error).__name__}: {printable(reason)}) {advice}"
        ) from None


REASON_LENGTH = 600


def shortened(reason: str) -> str:
    """Keras' message without the object config it appends (often thousands
    of characters), and at most ``REASON_LENGTH`` characters.

    >>> shortened("Could not locate class 'Mine'. Full object config: {'a': 1}")
    "Could not locate class 'Mine'."
    >>> shortened("Bad. config={'class_name': 'D', 'registered_name': 'mine>D'}")
    'Bad. It uses classes of its own: mine>D.'
    """
    custom = sorted(set(re.findall(r"'registered_name': '([^']+)'", reason)))
    for marker in (" Full object config:", " Config: {", " config={"):
        reason = reason.split(marker)[0]
    if len(reason) > REASON_LENGTH:
        reason = reason[: REASON_LENGTH - 3].rstrip() + "..."
    if custom:
        reason += f" It uses classes of its own: {', '.join(custom)}."
    return reason


def _call_builder(spec: str) -> Any:
    location, _, function_name = spec.rpartition(":")
    if not location or not function_name.isidentifier():
        raise UsageError(
            f"{spec!r} is not module:function; e.g. mypackage.models:build_cnn "
            "or models.py:build_cnn."
        )
    folder = Path(location).resolve().parent if location.endswith(".py") else None
    with _first_on_path(folder):
        module = _import_location(location)
        builder = getattr(module, function_name, None)
        if builder is None or not callable(builder):
            raise UsageError(f"{location} has no function {function_name!r}.")
        try:
            inspect.signature(builder).bind()
        except TypeError as error:
            raise UsageError(
                f"{spec}() could not be called without arguments ({error}); "
                "point at a function that needs none."
            ) from None
        except ValueError:
            pass  # a builtin without a signature: just call it
        try:
            return builder()
        except Exception as error:  # noqa: BLE001 - the user's code failed
            raise UsageError(_failure(f"{spec}()", error)) from None


@contextlib.contextmanager
def _first_on_path(folder: Path | None) -> Iterator[None]:
    """While the user's file is imported and run, its folder comes first on
    sys.path, as ``python file.py`` puts it, so its sibling modules are found."""
    if folder is None:
        yield
        return
    entry = str(folder)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(entry)


def _failure(what: str, error: BaseException) -> str:
    """Where the user's code failed, in one line: no traceback for a mistake."""
    frames = traceback.extract_tb(error.__traceback__)
    user = [f for f in frames if "kerasteach" not in Path(f.filename).parts]
    where = f" at {user[-1].filename}, line {user[-1].lineno}" if user else ""
    message = " ".join(str(error).split())
    return printable(f"{what} failed{where}: {type(error).__name__}: {message}")


def _import_location(location: str) -> Any:
    if location.endswith(".py"):
        path = Path(location)
        if not path.is_file():
            raise UsageError(f"{location}: no such file.")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as error:  # noqa: BLE001 - the user's code failed
            raise UsageError(_failure(f"importing {location}", error)) from None
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
        raise UsageError(_failure(f"importing {location}", error)) from None
    except Exception as error:  # noqa: BLE001 - the user's code failed
        raise UsageError(_failure(f"importing {location}", error)) from None
