"""Every example runs in --quick mode, on the real MNIST in ../shared/datasets,
and as the notebook beside it (made from the script by jupytext, kept in
sync) in a real Jupyter kernel."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import notebooks
import pytest
from conftest import ROOT, TENSORFLOW_NOISE, run_command, skip_unless

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
            assert line.endswith(
                f"% on the demo digits standing in for {stand_in}: not a real result"
            )


def script_cells(script: Path) -> list[tuple[str, str]]:
    """The cells jupytext makes of a percent-format script (``# %%``)."""
    import importlib.util

    skip_unless(importlib.util.find_spec("jupytext") is not None, "no jupytext")
    import jupytext

    return [(cell.cell_type, cell.source) for cell in jupytext.read(script).cells]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_notebook_beside_each_example_is_made_from_it(name: str) -> None:
    import nbformat

    notebook = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
    cells = [(cell.cell_type, cell.source) for cell in notebook.cells]
    assert cells == script_cells(EXAMPLES / f"{name}.py"), (
        f"examples/{name}.ipynb differs from its script: run "
        "jupytext --to ipynb --set-kernel python3 examples/0*.py"
    )
    assert all(not cell.get("outputs") for cell in notebook.cells)  # no old outputs
    kind, first = cells[0]  # what a fresh hosted notebook runs first
    assert kind == "code" and "\n# %pip install kerasteach" in first
    assert cells[1][0] == "markdown" and cells[1][1].startswith("# ")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_notebook_runs_quick_in_a_kernel(
    name: str, tmp_path: Path, monkeypatch, nvidia_driver_without_gpu: dict
) -> None:
    if name[:2] in USES_MNIST:
        skip_unless((SHARED / "mnist").is_dir(), "no real MNIST in ../shared/datasets")
    # A learner's kernel: TensorFlow's own default log level (the variable
    # unset: every start-up line), and an NVIDIA driver whose cuInit fails
    noisiest = {**environment(tmp_path), **nvidia_driver_without_gpu}
    noisiest.pop("TF_CPP_MIN_LOG_LEVEL", None)
    for key, value in noisiest.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    monkeypatch.setenv("KERASTEACH_QUICK", "1")
    notebook = notebooks.run_file(EXAMPLES / f"{name}.ipynb", tmp_path)
    folder = tmp_path / "outputs" / name
    files, keys = EXPECTED[name]
    for file in files:
        assert (folder / file).exists(), file
    results = json.loads((folder / "results.json").read_text())
    assert sorted(results) == sorted(keys)
    printed = notebooks.printed(notebook.cells)
    if name[:2] in USES_MNIST and name != "07_autoencoder":
        assert min(results.values()) > 0.3, results
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kinds = [output.output_type for output in cell.outputs]
        assert "execute_result" not in kinds, cell.source  # no stray value
        if "show(" in cell.source or "LivePlot(" in cell.source:
            # a picture the cell makes is shown under it, not only saved
            assert any(
                "image/png" in output.get("data", {}) for output in cell.outputs
            ), cell.source
        for output in cell.outputs:
            if output.get("name") == "stderr":
                for line in output.text.splitlines():
                    assert not TENSORFLOW_NOISE.search(line), line
    stand_in = {"04": "notmnist_small", "05": "cifar10"}.get(name[:2])
    if stand_in and not (SHARED / stand_in).is_dir():
        # offline: the demo digits stand in, and every result line says so
        assert f"{stand_in} is not on this computer: the demo digits" in printed
        assert f"on the demo digits standing in for {stand_in}" in printed


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
    # the summary's sentence may wrap at any width, and two processes share
    # the terminal: compared with its spaces and line breaks made one
    assert "in a job of 2 processes." in " ".join(printed.split()), printed[-4000:]
    assert len(list((output / "logs").iterdir())) == 1
    results = json.loads((output / "results.json").read_text())
    assert results["CNN data-parallel"] > 0.3
