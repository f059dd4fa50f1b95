"""``kerasteach summary`` run as the real console script in a subprocess."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
import zoo
from conftest import console_script, run_command
from golden_cases import GOLDEN

import kerasteach

BUILDERS = textwrap.dedent(
    """
    import keras

    def build_cnn():
        return keras.Sequential(
            [keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten()],
            name="from_a_function",
        )

    def unbuilt():
        return keras.Sequential([keras.layers.Dense(3)])

    def not_a_model():
        return [1, 2, 3]

    def needs_arguments(size):
        return size
    """
)


def summary_command(*args: str, cwd: Path | None = None):
    return run_command(console_script(), "summary", *args, cwd=cwd)


def assert_user_error(result, *fragments: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_example_model_prints_the_golden_picture() -> None:
    result = summary_command("--example", "mnist-cnn", "--width", "100")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (GOLDEN / "mnist_cnn.txt").read_text(encoding="utf-8")
    assert result.stderr == ""  # TensorFlow's start-up chatter is filtered out


def test_saved_keras_file(tmp_path: Path) -> None:
    model = zoo.build("residual_cnn")
    path = tmp_path / "residual.keras"
    model.save(path)
    result = summary_command(str(path), "--width", "100", "--style", "unicode")
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout == kerasteach.summary(model, width=100, style="unicode").to_text()
    )


def test_module_function_and_file_function(tmp_path: Path) -> None:
    (tmp_path / "builders.py").write_text(BUILDERS)
    by_module = summary_command("builders:build_cnn", "--markdown", cwd=tmp_path)
    assert by_module.returncode == 0, by_module.stderr
    assert by_module.stdout.startswith('**Model: "from_a_function" (Sequential)**')
    by_file = summary_command(f"{tmp_path / 'builders.py'}:build_cnn", "--width", "80")
    assert by_file.returncode == 0, by_file.stderr
    assert "Weights: 20 (80 B)" in by_file.stdout
    assert max(map(len, by_file.stdout.splitlines())) <= 80


def test_user_mistakes_get_a_message_and_exit_code(tmp_path: Path) -> None:
    (tmp_path / "builders.py").write_text(BUILDERS)
    builders = tmp_path / "builders.py"
    cases = {
        f"{builders}:unbuilt": ("not built yet", "model.build("),
        f"{builders}:not_a_model": ("needs a keras.Model", "list"),
        f"{builders}:needs_arguments": ("without arguments",),
        f"{builders}:missing": ("has no function 'missing'",),
        "no_such_module_here:build": ("no module named",),
    }
    for spec, fragments in cases.items():
        assert_user_error(summary_command(spec, cwd=tmp_path), *fragments)


def test_missing_and_corrupt_files(tmp_path: Path) -> None:
    assert_user_error(summary_command(str(tmp_path / "gone.keras")), "no such file")
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"this is not a zip archive")
    assert_user_error(summary_command(str(corrupt)), "is not a complete .keras file")
    truncated = tmp_path / "truncated.keras"
    model = zoo.build("mnist_cnn")
    model.save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:2000])
    assert_user_error(summary_command(str(truncated)), "cut short or damaged")
    plain = tmp_path / "notes.txt"
    plain.write_text("hello")
    assert_user_error(summary_command(str(plain)), "not a saved Keras model")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--example", "alexnet"], "no example model 'alexnet'"),
        (["--example", "mnist_cnn"], "did you mean 'mnist-cnn'?"),
        (["--example", "mnist-cnn", "--width", "0"], "--width must be positive"),
        (["--example", "mnist-cnn", "--style", "fancy"], "invalid choice"),
        ([], "one of the arguments"),
    ],
)
def test_option_mistakes(args: list[str], fragment: str) -> None:
    assert_user_error(summary_command(*args), fragment)


def test_a_file_that_imports_its_neighbour(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "blocks.py").write_text(
        "import keras\n\ndef head():\n    return keras.layers.Dense(3, name='head')\n"
    )
    (project / "models.py").write_text(
        "import keras\nfrom blocks import head\n\n"
        "def build():\n"
        "    inputs = keras.Input((4,))\n"
        "    return keras.Model(inputs, head()(inputs), name='with_neighbour')\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = summary_command(str(project / "models.py") + ":build", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert 'Model: "with_neighbour"' in result.stdout and "head" in result.stdout


def test_errors_in_the_users_code_are_a_message_not_a_traceback(tmp_path) -> None:
    (tmp_path / "broken.py").write_text("import not_a_module_anywhere\n")
    (tmp_path / "fails.py").write_text("def build():\n    raise RuntimeError('oops')\n")
    result = summary_command(str(tmp_path / "broken.py") + ":build")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "No module named 'not_a_module_anywhere'" in result.stderr
    result = summary_command(str(tmp_path / "fails.py") + ":build")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "fails.py, line 2: RuntimeError: oops" in result.stderr


def test_names_with_terminal_escapes_are_printed_escaped(tmp_path: Path) -> None:
    import keras

    evil = "evil\x1b]0;owned\x07\x1b[2J\nfake row"
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, name=evil)], name="x\x1b[31m"
    )
    path = tmp_path / "evil.keras"
    model.save(path)
    for args in ([], ["--markdown"], ["--width", "40"]):
        result = summary_command(str(path), *args)
        assert result.returncode == 0, result.stderr
        output = result.stdout + result.stderr
        assert not any(ord(ch) < 32 and ch != "\n" for ch in output), args
        if "--width" not in args:  # narrower, the name wraps
            assert "\\x1b[2J" in result.stdout


def test_safe_mode_refusal_is_shown_whole_with_what_to_do(tmp_path: Path) -> None:
    import keras

    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Lambda(lambda x: x * 2, name="double")]
    )
    path = tmp_path / "lambda.keras"
    model.save(path)
    result = summary_command(str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "keras.config.enable_unsafe_deserialization()" in result.stderr  # whole
    assert "safe mode" in result.stderr and "models.py:build_model" in result.stderr


def test_a_file_with_unregistered_custom_layers_gets_a_short_refusal(
    tmp_path: Path,
) -> None:
    import keras

    @keras.saving.register_keras_serializable(package="learners_own")
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return x * 2

    layers = [keras.Input((3,))] + [Doubler(name=f"double_{i}") for i in range(12)]
    path = tmp_path / "custom.keras"
    keras.Sequential(layers, name="custom").save(path)
    short = summary_command(str(path))
    assert short.returncode == 2 and "Traceback" not in short.stderr
    assert "Doubler" in short.stderr and "module:function" in short.stderr
    assert "--full-error shows Keras' whole message" in short.stderr
    assert len(short.stderr) < 1000, len(short.stderr)
    full = summary_command(str(path), "--full-error")
    assert full.returncode == 2 and "Traceback" not in full.stderr
    assert len(full.stderr) > len(short.stderr) and "--full-error" not in full.stderr


def test_help_says_which_forms_run_code() -> None:
    result = run_command(console_script(), "summary", "--help")
    assert result.returncode == 0
    assert "safe mode" in result.stdout
    assert "IMPORT AND RUN" in result.stdout


PEAK_MEMORY = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(done.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)  # MiB
sys.exit(done.returncode)
"""


def bomb(source: Path, target: Path, member: str, filler: bytes, size: int) -> None:
    """``source`` (a real .keras file) with ``member`` preceded by ``size``
    bytes of ``filler``, written by streaming: a small file that unpacks huge."""
    import zipfile

    with (
        zipfile.ZipFile(source) as real,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as forged,
    ):
        for info in real.infolist():
            new = forged.open(info.filename, "w", force_zip64=True)
            with real.open(info) as old, new:
                if info.filename == member:
                    chunk = filler * (2**24 // len(filler))
                    for _ in range(size // len(chunk)):
                        new.write(chunk)
                new.write(old.read())


def test_zip_bombs_and_cut_files_are_refused_before_keras_reads_them(
    tmp_path: Path,
) -> None:
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
    real = tmp_path / "real.keras"
    model.save(real)
    config_bomb, weights_bomb = tmp_path / "config.keras", tmp_path / "weights.keras"
    bomb(real, config_bomb, "config.json", b" ", 2**30)  # JSON may start with spaces
    bomb(real, weights_bomb, "model.weights.h5", b"\0", 2**28)
    assert config_bomb.stat().st_size < 2 * 2**20  # about a megabyte on disk
    for forged, member in (
        (config_bomb, "config.json"),
        (weights_bomb, "model.weights.h5"),
    ):
        measured = run_command(
            sys.executable, "-c", PEAK_MEMORY, console_script(), "summary", str(forged)
        )
        assert measured.returncode == 2, measured.stderr[-2000:]
        assert f"its {member} would unpack" in measured.stderr
        assert "a zip bomb, not a model" in measured.stderr
        assert "Traceback" not in measured.stderr
        peak = int(measured.stdout.strip())
        print(f"{forged.name}: refused, peak memory {peak} MiB")
        assert peak < 1024  # Keras unpacking the config took 2.9 GB
    cut = tmp_path / "cut.keras"
    cut.write_bytes(real.read_bytes()[: real.stat().st_size // 2])
    result = summary_command(str(cut))
    assert result.returncode == 2
    assert (
        "is not a complete .keras file" in result.stderr
        and "cut short" in result.stderr
    )
    bounded = run_command(console_script(), "summary", str(real),
                          env={"KERASTEACH_MAX_MODEL_BYTES": "1000"})  # fmt: skip
    assert bounded.returncode == 2 and "KERASTEACH_MAX_MODEL_BYTES=<bytes>" in (
        bounded.stderr
    )
    assert summary_command(str(real)).returncode == 0  # a real model still opens
