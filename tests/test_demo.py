"""``kerasteach demo``: the README's main command, run for real, offline."""

from __future__ import annotations

import re

import pytest
from conftest import TENSORFLOW_NOISE, console_script, run_command
from tensorboard_events import read_run

# Any attempt to reach the network fails at once: the demo must not need it.
NO_NETWORK = {
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "KERASTEACH_MIRROR": "",
}


@pytest.mark.quick
def test_demo_makes_every_promised_file_offline(
    tmp_path, nvidia_driver_without_gpu: dict
) -> None:
    output = tmp_path / "demo"
    result = run_command(
        console_script(),
        "demo",
        "--epochs",
        "2",
        "--output",
        str(output),
        env={
            **NO_NETWORK,
            **nvidia_driver_without_gpu,  # TensorFlow's noisiest start
            "KERASTEACH_DATA": str(tmp_path / "cache"),
        },
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    for line in (result.stdout + result.stderr).splitlines():
        assert not TENSORFLOW_NOISE.search(line), line
    accuracy = re.search(r"Test accuracy: (\d+\.\d)%", result.stdout)
    # two epochs on the digits reach 88.5% here; chance is 10%
    assert accuracy and float(accuracy.group(1)) >= 70, result.stdout
    assert "Epoch 2/2" in result.stdout  # the progress bars' lines
    # the header adds up to the 1,797 digits the docs speak of
    assert "1,797 images: trains on 1,290, checks each epoch on 143, tests on 364" in (
        result.stdout
    )
    summary = (output / "summary.txt").read_text()
    assert "conv1" in summary and "Weights:" in summary
    assert (output / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (run,) = (output / "logs").iterdir()
    events = read_run(run)
    assert events["train"]["activations/conv1"].steps == [0, 1]
    assert events["validation"]["confusion/counts"].steps == [0, 1]
    report = (output / "report.html").read_text()
    assert "conv1" in report and "data:image/png;base64," in report
    for hint in ("kerasteach tensorboard", "report.html", "--dataset mnist"):
        assert hint in result.stdout
    assert (output / "activations.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # what the learner just trained, ready for the explorer, with labelled images
    explore = (
        f"kerasteach explore {output / 'model.keras'} --images {output / 'images'}"
    )
    assert explore in result.stdout
    assert sorted(p.name for p in (output / "images").iterdir()) == [
        str(d) for d in range(10)
    ]
    assert len(list((output / "images").glob("*/*.png"))) == 20
    # run outside a clone: no examples folder to send the learner to
    assert "examples/01_first_network.py" not in result.stdout
    import keras

    from kerasteach.activations.explorer import Explorer

    model = keras.saving.load_model(output / "model.keras")
    explorer = Explorer(model, output / "images")
    assert explorer.entries[0].label == "0" and explorer.drawing_style == "digits"
    right = [
        explorer._compute(k)[1][0][0] == entry.label
        for k, entry in enumerate(explorer.entries)
    ]
    assert sum(right) >= 12  # of 20: the trained model was saved, not a fresh one


def test_demo_refuses_bad_options_without_a_traceback(tmp_path) -> None:
    unknown = run_command(console_script(), "demo", "--dataset", "imagenet")
    assert unknown.returncode == 2
    assert "no dataset called 'imagenet'" in unknown.stderr
    no_epochs = run_command(console_script(), "demo", "--epochs", "0")
    assert no_epochs.returncode == 2
    assert "--epochs must be 1 or more" in no_epochs.stderr
    for result in (unknown, no_epochs):
        assert "Traceback" not in result.stderr


def test_demo_of_a_dataset_that_is_not_here_names_the_offline_default(tmp_path) -> None:
    result = run_command(
        console_script(),
        "demo",
        "--dataset",
        "cifar100",
        "--output",
        str(tmp_path / "demo"),
        env={**NO_NETWORK, "KERASTEACH_DATA": str(tmp_path / "cache")},
        timeout=120,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "The default dataset needs no network: kerasteach demo" in result.stderr
    assert "Traceback" not in result.stderr
