"""The add-ons on several devices and several processes: one display per job.

Real jobs (see tests/jobs.py): JAX with two host devices in one process, two
JAX processes on 127.0.0.1, and TensorFlow's MirroredStrategy on two logical
CPUs. Nothing is mocked; each job is bounded in time.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import require_backend
from jobs import (
    JAX_JOB_PRELUDE,
    TF_TWO_CPUS_PRELUDE,
    TWO_HOST_DEVICES,
    run_job,
    run_one,
)

# What every job trains: 64 examples in global batches of 16, two epochs.
TRAIN = """
import sys
import numpy as np
import tensorflow as tf
from kerasteach import LivePlot, TqdmProgress

FOLDER, ALL = sys.argv[4], sys.argv[5] == "all"
rng = np.random.default_rng(0)
x = rng.random((64, 4)).astype("float32")
y = rng.integers(0, 3, 64)
with SCOPE:
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="softmax")]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
data = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
process = PROCESS
callbacks = [
    TqdmProgress(file=sys.stdout, all_processes=ALL),
    LivePlot(f"{FOLDER}/curves-{process}.png", all_processes=ALL),
]
history = model.fit(data, epochs=2, verbose=0, callbacks=callbacks)
print("history", process, [round(v, 4) for v in history.history["loss"]])
"""

JAX_DATA_PARALLEL = """
import contextlib
keras.distribution.set_distribution(
    keras.distribution.DataParallel(devices=keras.distribution.list_devices())
)
SCOPE = contextlib.nullcontext()
"""


def epoch_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Epoch ")]


def with_arguments(script: str, *arguments: str) -> str:
    """The script, with sys.argv extended the way run_job's processes see it."""
    extra = ", ".join(repr(a) for a in arguments)
    return f"import sys\nsys.argv += [{extra}]\n" + script


def checked(results) -> None:
    for result in results:
        assert result.returncode == 0, (result.process, result.stderr[-3000:])


@pytest.mark.parametrize("who", ["chief", "all"])
def test_two_jax_processes_show_one_set_of_bars_and_plots(
    tmp_path: Path, who: str
) -> None:
    require_backend("jax")
    script = with_arguments(
        JAX_JOB_PRELUDE + JAX_DATA_PARALLEL + TRAIN, str(tmp_path), who
    )
    results = run_job(script, 2)
    checked(results)
    lines = [epoch_lines(result.stdout) for result in results]
    for process_lines in lines[: 1 if who == "chief" else 2]:
        assert [line.split(" · ")[:2] for line in process_lines] == [
            ["Epoch 1/2", "4/4 batches"],  # the job's global batches
            ["Epoch 2/2", "4/4 batches"],
        ]
    if who == "chief":
        assert lines[1] == []  # process 1 is silent
        assert sorted(p.name for p in tmp_path.glob("*.png")) == ["curves-0.png"]
    else:
        assert sorted(p.name for p in tmp_path.glob("*.png")) == [
            "curves-0.png",
            "curves-1.png",
        ]
    # the metrics shown are the job's: the same on every process
    histories = {re.sub(r"history \d", "", r.stdout.splitlines()[-1]) for r in results}
    assert len(histories) == 1


# One process, JAX with two host devices (run with TWO_HOST_DEVICES).
TWO_JAX_DEVICES_PRELUDE = """
PROCESS = 0
import os
os.environ["KERAS_BACKEND"] = "jax"
import keras
assert len(keras.distribution.list_devices()) == 2
"""


def test_two_jax_devices_in_one_process(tmp_path: Path) -> None:
    require_backend("jax")
    script = with_arguments(
        TWO_JAX_DEVICES_PRELUDE + JAX_DATA_PARALLEL + TRAIN, str(tmp_path), "chief"
    )
    result = run_one(script, env=TWO_HOST_DEVICES)
    checked([result])
    assert [line.split(" · ")[:2] for line in epoch_lines(result.stdout)] == [
        ["Epoch 1/2", "4/4 batches"],
        ["Epoch 2/2", "4/4 batches"],
    ]
    assert (tmp_path / "curves-0.png").stat().st_size > 0


def test_tensorflow_mirrored_strategy_on_two_cpus(tmp_path: Path) -> None:
    script = TF_TWO_CPUS_PRELUDE + (
        "PROCESS = 0\n"
        "strategy = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1'])\n"
        "assert strategy.num_replicas_in_sync == 2\n"
        "SCOPE = strategy.scope()\n"
    )
    script = with_arguments(script + TRAIN, str(tmp_path), "chief")
    result = run_one(script)
    checked([result])
    assert [line.split(" · ")[:2] for line in epoch_lines(result.stdout)] == [
        ["Epoch 1/2", "4/4 batches"],
        ["Epoch 2/2", "4/4 batches"],
    ]
    assert (tmp_path / "curves-0.png").stat().st_size > 0


TENSORBOARD = """
import sys
import numpy as np
import tensorflow as tf
import kerasteach

LOGS = sys.argv[4]
rng = np.random.default_rng(0)
x = rng.random((64, 8, 8, 1)).astype("float32")
y = rng.integers(0, 3, 64)
x_val = rng.random((40, 8, 8, 1)).astype("float32")
y_val = rng.integers(0, 3, 40)
with SCOPE:
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(2, 3, name="conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax", name="out"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
train = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
validation = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(8)
callbacks = kerasteach.tensorboard_callbacks(
    LOGS, sample=x_val[:4], validation_data=(x_val, y_val)
)
model.fit(train, epochs=2, verbose=0, validation_data=validation, callbacks=callbacks)
confusion = next(c for c in callbacks if type(c).__name__ == "ConfusionMatrix")
# the final weights, on one device: what a single-device predict counts
weights = [np.asarray(w) for w in model.get_weights()]
if hasattr(keras, "distribution"):
    keras.distribution.set_distribution(None)
alone = keras.models.clone_model(model)
alone.set_weights(weights)
predicted = alone.predict(x_val, verbose=0).argmax(axis=1)
expected = np.zeros((3, 3), int)
np.add.at(expected, (y_val, predicted), 1)
import json
print("counts", json.dumps([confusion.counts.tolist(), expected.tolist()]))
"""


def event_files(logs: Path) -> dict[str, list[str]]:
    """Each writer's folder in the one run, with its event files."""
    (run,) = [p for p in logs.iterdir() if p.is_dir()]
    return {
        folder.name: sorted(f.name for f in folder.glob("events.out.tfevents.*"))
        for folder in sorted(run.iterdir())
        if folder.is_dir()
    }


def counts(result) -> tuple[list, list]:
    """The job's confusion counts and a single-device predict's, as printed."""
    import json

    line = next(x for x in result.stdout.splitlines() if x.startswith("counts "))
    found, expected = json.loads(line.removeprefix("counts "))
    return found, expected


@pytest.mark.parametrize(
    "job", ["two JAX processes", "two JAX devices", "MirroredStrategy"]
)
def test_tensorboard_writes_one_run_from_the_chief_and_counts_every_example(
    tmp_path: Path, job: str
) -> None:
    if "JAX" in job:
        require_backend("jax")
    logs = tmp_path / "logs"
    if job == "two JAX processes":
        script = with_arguments(
            JAX_JOB_PRELUDE + JAX_DATA_PARALLEL + TENSORBOARD, str(logs)
        )
        results = run_job(script, 2)
    elif job == "two JAX devices":
        script = with_arguments(
            TWO_JAX_DEVICES_PRELUDE + JAX_DATA_PARALLEL + TENSORBOARD, str(logs)
        )
        results = [run_one(script, env=TWO_HOST_DEVICES)]
    else:
        prelude = TF_TWO_CPUS_PRELUDE + (
            "PROCESS = 0\n"
            "SCOPE = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1']).scope()\n"
        )
        results = [run_one(with_arguments(prelude + TENSORBOARD, str(logs)))]
    checked(results)
    writers = event_files(logs)  # exactly one run folder
    assert sorted(writers) == ["train", "validation"]
    for files in writers.values():
        pids = {name.split(".")[4] for name in files}
        assert len(pids) == 1  # written by one process only
    for result in results:
        found, expected = counts(result)
        assert sum(map(sum, found)) == 40  # every validation example, once
        assert found == expected


LOOK_INSIDE = """
import json
import numpy as np
import kerasteach

rng = np.random.default_rng(0)
x = rng.random((4, 8, 8, 1)).astype("float32")
with SCOPE:
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(2, 3, name="conv"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(3, activation="softmax", name="out"),
        ]
    )
found = kerasteach.get_activations(model, x, ["conv", "flat", "out"])
text = kerasteach.summary(model).to_text(width=200)
weights = [np.asarray(w) for w in model.get_weights()]
keras.distribution.set_distribution(None)
alone = keras.models.clone_model(model)
alone.set_weights(weights)
single = kerasteach.get_activations(alone, x, ["conv", "flat", "out"])
same = all(np.allclose(np.asarray(found[k]), single[k], atol=1e-6) for k in single)
note = [line for line in text.splitlines() if "Distributed:" in line]
total = kerasteach.summary(alone).total_weights
spread = kerasteach.summary(model).total_weights
print("look", json.dumps(
    {"same": same, "note": note, "total": total, "distributed_total": spread}
))
"""


def looked(result) -> dict:
    import json

    line = next(x for x in result.stdout.splitlines() if x.startswith("look "))
    return json.loads(line.removeprefix("look "))


@pytest.mark.parametrize(
    "job", ["two JAX processes", "two JAX devices", "MirroredStrategy"]
)
def test_activations_and_summary_of_a_distributed_model(job: str) -> None:
    if "JAX" in job:
        require_backend("jax")
    if job == "two JAX processes":
        results = run_job(JAX_JOB_PRELUDE + JAX_DATA_PARALLEL + LOOK_INSIDE, 2)
        expected = (
            "Distributed: data-parallel over 2 devices (keras.distribution."
            "DataParallel): each holds all the weights and a share of every batch, "
            "in a job of 2 processes."
        )
    elif job == "two JAX devices":
        script = TWO_JAX_DEVICES_PRELUDE + JAX_DATA_PARALLEL + LOOK_INSIDE
        results = [run_one(script, env=TWO_HOST_DEVICES)]
        expected = (
            "Distributed: data-parallel over 2 devices (keras.distribution."
            "DataParallel): each holds all the weights and a share of every batch."
        )
    else:
        prelude = TF_TWO_CPUS_PRELUDE + (
            "PROCESS = 0\n"
            "SCOPE = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1']).scope()\n"
        )
        results = [run_one(prelude + LOOK_INSIDE)]
        expected = (
            "Distributed: tf.distribute.MirroredStrategy over 2 devices (device:CPU:0, "
            "device:CPU:1): each holds all the weights and a share of every batch."
        )
    checked(results)
    for result in results:
        found = looked(result)
        assert found["same"]  # the same numbers as on one device
        assert found["total"] == found["distributed_total"] == 239
        assert [line.strip() for line in found["note"]] == [expected]


def test_summary_says_how_a_sharded_model_is_laid_out() -> None:
    require_backend("jax")
    script = TWO_JAX_DEVICES_PRELUDE + """
import contextlib
import json
mesh = keras.distribution.DeviceMesh((1, 2), ["batch", "model"])
layouts = keras.distribution.LayoutMap(mesh)
layouts[".*hidden/kernel"] = (None, "model")  # a full match of the path
keras.distribution.set_distribution(
    keras.distribution.ModelParallel(layout_map=layouts, batch_dim_name="batch")
)
SCOPE = contextlib.nullcontext()
""" + LOOK_INSIDE.replace('layers.Flatten(name="flat")', (
        'layers.Flatten(name="flat"), keras.layers.Dense(6, name="hidden")'
    ))  # fmt: skip
    (result,) = [run_one(script, env=TWO_HOST_DEVICES)]
    checked([result])
    found = looked(result)
    assert found["same"]
    assert found["total"] == found["distributed_total"]
    assert [line.strip() for line in found["note"]] == [
        "Distributed: sharded over a 1x2 mesh of 2 devices (batch, model; "
        "keras.distribution.ModelParallel): 1 of 6 weight tensors are split "
        "across devices, the others copied on each."
    ]


@pytest.mark.parametrize("callback", ["ActivationImages", "MisclassifiedImages"])
def test_pictures_from_different_inputs_on_each_process_are_refused(
    tmp_path: Path, callback: str
) -> None:
    require_backend("jax")
    # Each process passes its own share of the validation set: the pictures
    # would not be the job's, so fit stops at its start on every process.
    script = (
        JAX_JOB_PRELUDE
        + JAX_DATA_PARALLEL
        + f"""
import numpy as np
import kerasteach
rng = np.random.default_rng(PROCESS)
x = rng.random((8, 8, 8, 1)).astype("float32")
y = rng.integers(0, 3, 8)
model = keras.Sequential([
    keras.Input((8, 8, 1)), keras.layers.Flatten(),
    keras.layers.Dense(3, activation="softmax"),
])
model.compile("adam", "sparse_categorical_crossentropy")
if "{callback}" == "ActivationImages":
    picture = kerasteach.ActivationImages(x[:4], logdir=sys.argv[4])
else:
    picture = kerasteach.MisclassifiedImages((x, y), logdir=sys.argv[4])
try:
    import tensorflow as tf
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    model.fit(data, epochs=1, verbose=0, callbacks=[picture])
except kerasteach.TensorBoardError as error:
    print("refused:", error)
"""
    )
    results = run_job(with_arguments(script, str(tmp_path / "logs")), 2)
    checked(results)
    for result in results:
        assert (
            f"refused: {callback}'s " in result.stdout
            and "differs between the processes of this job (process 1 against "
            "process 0): pass the same arrays on every process"
            in result.stdout
        ), result.stdout[-2000:]


def test_torchrun_style_processes_on_pytorch_get_a_clear_warning() -> None:
    from conftest import run_command

    require_backend("torch")
    script = (
        "import io, numpy as np, keras\n"
        "from kerasteach import TqdmProgress\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "model.compile(loss='mse')\n"
        "model.fit(np.ones((8, 4)), np.ones(8), epochs=1, verbose=0,\n"
        "          callbacks=[TqdmProgress(file=io.StringIO())])\n"
    )
    result = run_command(
        sys.executable, "-c", script,
        env={"KERAS_BACKEND": "torch", "WORLD_SIZE": "2", "RANK": "0"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "2 processes (WORLD_SIZE) on Keras' PyTorch backend" in result.stderr
    assert "use the JAX backend" in result.stderr


def test_the_scaling_page_runs_on_two_jax_devices(tmp_path: Path) -> None:
    """docs/scaling.md's code, run as tests/test_docs.py runs the other pages,
    on JAX with two host devices: every block runs and prints what it shows."""
    require_backend("jax")
    from conftest import ROOT, run_command

    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
        "from pathlib import Path\n"
        "from test_docs import check_page\n"
        f"check_page(Path({str(ROOT / 'docs' / 'scaling.md')!r}))\n"
    )
    env = {**TWO_HOST_DEVICES, "KERAS_BACKEND": "jax"}
    result = run_command(sys.executable, "-c", script, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
