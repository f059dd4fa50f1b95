"""Every example runs in --quick mode, on the real MNIST in ../shared/datasets,
and one runs as a real notebook in a Jupyter kernel."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import notebooks
import pytest
from conftest import ROOT, run_command, skip_unless

EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared" / "datasets"
# What each example writes besides results.json, and what its results hold.
EXPECTED = {
    "01_first_network": (["curves.png"], ["logistic regression"]),
    "02_multilayer_perceptron": (["compared.png"], ["logistic regression", "MLP"]),
    "03_convolutional_network": (
        ["curves.png", "activations.png", "filters.png", "report.html"],
        ["CNN"],
    ),
    "04_notmnist": (["report.html"], ["logistic regression", "CNN"]),
    "05_cifar10_tensorboard": (["logs"], ["CNN"]),
    "06_text_generation_lstm": (["sample.txt"], ["LSTM next character"]),
    "07_autoencoder": (["curves.png", "reconstructions.png"], ["reconstruction MSE"]),
    "08_baselines": ([], ["logistic regression", "random forest"]),
    "09_data_parallel": (["curves.png", "logs", "report.html"], ["CNN data-parallel"]),
}
USES_MNIST = {"01", "02", "03", "07", "08", "09"}


def test_every_example_is_listed_here() -> None:
    found = {p.stem for p in EXAMPLES.glob("[0-9][0-9]_*.py")}
    assert found == set(EXPECTED)


def environment(tmp_path: Path) -> dict[str, str]:
    return {
        "KERASTEACH_DATA": str(tmp_path / "cache"),
        "KERASTEACH_MIRROR": str(SHARED),
        "http_proxy": "http://127.0.0.1:9",  # no internet: mirror or stand-in
        "https_proxy": "http://127.0.0.1:9",
    }


def run_example(name: str, tmp_path: Path, *options: str):
    """``python examples/NAME.py --quick --output TMP/out``, as a learner runs it."""
    result = run_command(
        sys.executable,
        str(EXAMPLES / f"{name}.py"),
        "--quick",
        *options,
        "--output",
        str(tmp_path / "out"),
        env=environment(tmp_path),
        cwd=tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_quick(name: str, tmp_path: Path) -> None:
    if name[:2] in USES_MNIST:
        skip_unless((SHARED / "mnist").is_dir(), "no real MNIST in ../shared/datasets")
    output = tmp_path / "out"
    result = run_example(name, tmp_path)
    files, keys = EXPECTED[name]
    for file in files:
        assert (output / file).exists(), file
    results = json.loads((output / "results.json").read_text())
    assert sorted(results) == sorted(keys)
    assert all(isinstance(value, float) for value in results.values())
    if name[:2] in USES_MNIST and name != "07_autoencoder":
        # real digits, even 2,000 of them for one epoch, beat chance (10%)
        assert min(results.values()) > 0.3, results
    if name == "06_text_generation_lstm":
        assert "--- after epoch 1 ---" in result.stdout
    stand_in = {"04": "notmnist_small", "05": "cifar10"}.get(name[:2])
    if stand_in and not (SHARED / stand_in).is_dir():
        # the result line itself says the number means nothing
        lines = [line for line in result.stdout.splitlines() if "accuracy" in line]
        assert lines, result.stdout
        for line in lines:
            assert line.endswith("% on random stand-in images: not a real result")


def notebook_cells(script: Path) -> list[tuple[str, str]]:
    """The cells of a percent-format script (``# %%``), as jupytext splits them."""
    cells, kind, lines = [], None, []
    for line in script.read_text().splitlines():
        if line.startswith("# %%"):
            if kind is not None:
                cells.append((kind, "\n".join(lines).strip()))
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind == "markdown":
            lines.append(line.removeprefix("#").removeprefix(" "))
        else:
            lines.append(line)
    cells.append((kind, "\n".join(lines).strip()))
    return cells


def test_an_example_runs_as_a_real_notebook(tmp_path, monkeypatch) -> None:
    skip_unless((SHARED / "mnist").is_dir(), "no real MNIST in ../shared/datasets")
    for key, value in environment(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("KERASTEACH_QUICK", "1")
    monkeypatch.setenv("PYTHONPATH", str(EXAMPLES))
    cells = notebook_cells(EXAMPLES / "03_convolutional_network.py")
    assert [kind for kind, _ in cells].count("markdown") >= 2
    notebook = notebooks.execute(cells, tmp_path)
    assert "Test accuracy:" in notebooks.printed(notebook.cells)
    folder = tmp_path / "outputs" / "03_convolutional_network"
    assert (folder / "report.html").exists()
    assert json.loads((folder / "results.json").read_text())["CNN"] > 0.3


def test_the_data_parallel_example_as_a_two_process_job(tmp_path: Path) -> None:
    """examples/09 with --processes 2: two JAX processes on 127.0.0.1, as two
    machines would be; one set of bars, one TensorBoard run, one result."""
    skip_unless((SHARED / "mnist").is_dir(), "no real MNIST in ../shared/datasets")
    output = tmp_path / "out"
    result = run_example("09_data_parallel", tmp_path, "--processes", "2")
    printed = result.stdout + result.stderr
    assert (
        len([line for line in printed.splitlines() if line.startswith("Epoch 1/1")])
        == 1
    )
    assert "in a job of 2 processes." in printed
    assert len(list((output / "logs").iterdir())) == 1
    results = json.loads((output / "results.json").read_text())
    assert results["CNN data-parallel"] > 0.3
