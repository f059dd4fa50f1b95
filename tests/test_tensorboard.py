"""TensorBoard hooks: real training, event files read back with TensorBoard's
own reader, and a real TensorBoard server asked over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import keras
import numpy as np
import pytest
from conftest import console_script, require_backend, run_command
from tensorboard_events import read_run

import kerasteach
from kerasteach.tensorboard import (
    ActivationImages,
    ConfusionMatrix,
    MisclassifiedImages,
    ModelSummaryText,
    TensorBoardError,
    launch_tensorboard,
    tensorboard_callbacks,
)
from kerasteach.tensorboard.pictures import (
    CARD_WIDTH,
    LINE,
    bars_picture,
    confusion_picture,
)

NAMES = ["ring", "bar", "dot"]


def data(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Small 8x8 pictures of three easy classes, so a tiny CNN learns them."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, count)
    images = rng.random((count, 8, 8, 1), dtype=np.float32) * 0.3
    images[labels == 0, 1:7, 1] += 0.7
    images[labels == 1, 3:5, :] += 0.7
    images[labels == 2, 3:5, 3:5] += 0.7
    return images, labels


def cnn(name: str = "tiny_cnn") -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.MaxPooling2D(name="pool"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(3, activation="softmax", name="probs"),
        ],
        name=name,
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def confusion(model: keras.Model, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    predicted = model.predict(x, verbose=0).argmax(axis=1)
    counts = np.zeros((3, 3), dtype=int)
    np.add.at(counts, (y, predicted), 1)
    return counts


def parse_table(markdown: str) -> np.ndarray:
    rows = [line.strip("|").split("|") for line in markdown.splitlines()[2:]]
    return np.array([[int(c) for c in row[1:]] for row in rows])


def only_run(logdir: Path) -> Path:
    (run,) = [p for p in logdir.iterdir() if p.is_dir()]
    return run


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict:
    """One fit with every hook: the event files are read by several tests."""
    logdir = tmp_path_factory.mktemp("logs")
    x, y = data(240)
    x_val, y_val = data(90, seed=1)
    model = cnn()
    callbacks = tensorboard_callbacks(
        logdir,
        sample=x_val[:3],
        class_names=NAMES,
        validation_data=(x_val, y_val),
        hparams={"learning_rate": 0.001, "filters": 4},
    )
    history = model.fit(
        x,
        y,
        validation_data=(x_val, y_val),
        epochs=3,
        batch_size=32,
        callbacks=callbacks,
        verbose=0,
    )
    run = only_run(logdir)
    return {
        "run": run,
        "events": read_run(run),
        "history": history.history,
        "model": model,
        "x_val": x_val,
        "y_val": y_val,
        "callbacks": callbacks,
        "logdir": logdir,
    }


def test_the_run_folder_is_readable_and_timestamped(trained) -> None:
    name = trained["run"].name
    assert name.endswith("_tiny_cnn")
    assert name[:4].isdigit() and name[4] == "-"


@pytest.mark.quick
def test_keras_curves_and_no_flat_learning_rate(trained) -> None:
    train, validation = trained["events"]["train"], trained["events"]["validation"]
    for tag in ("epoch_loss", "epoch_accuracy"):
        assert train[tag].plugin == "scalars"
        assert train[tag].steps == [0, 1, 2]
    assert validation["epoch_loss"].steps == [0, 1, 2]
    # Adam's rate never changed: no flat chart between the accuracy and the loss
    assert not [tag for tag in train if "learning_rate" in tag]
    assert any(tag.endswith("kernel/histogram") for tag in train)


def test_a_learning_rate_that_moves_is_written_from_its_first_move(tmp_path) -> None:
    x, y = data(64)
    halving = keras.callbacks.LearningRateScheduler(lambda epoch: 0.001 / 2**epoch)
    cnn().fit(
        x, y, epochs=3, verbose=0,
        callbacks=[halving, *tensorboard_callbacks(tmp_path, confusion=False)],
    )  # fmt: skip
    rate = read_run(only_run(tmp_path))["train"]["epoch_learning_rate"]
    assert rate.steps == [1, 2]
    np.testing.assert_allclose(rate.values, [0.0005, 0.00025], rtol=1e-5)


def test_history_and_logs_are_not_changed_by_the_hooks(trained) -> None:
    # the same seeded model and data, fitted without kerasteach's callbacks
    x, y = data(240)
    x_val, y_val = data(90, seed=1)
    alone = cnn().fit(
        x, y, validation_data=(x_val, y_val), epochs=3, batch_size=32, verbose=0
    )
    assert sorted(trained["history"]) == sorted(alone.history)
    for key, values in alone.history.items():
        np.testing.assert_allclose(trained["history"][key], values, rtol=1e-5)
    model = trained["model"]
    assert "CountingMetrics" not in type(model._compile_metrics).__name__


def test_the_model_summary_is_in_the_text_tab_once(trained) -> None:
    series = trained["events"]["train"]["model/summary"]
    assert series.plugin == "text" and series.steps == [0]
    expected = kerasteach.summary(trained["model"], width=100).to_text()
    shown = "\n".join(line[4:] for line in series.text().splitlines())
    assert shown.strip() == expected.strip()


def test_activation_images_every_epoch_for_each_layer_and_sample(trained) -> None:
    train = trained["events"]["train"]
    from kerasteach.activations import choose_layers

    layers = choose_layers(trained["model"])
    for layer in layers:
        series = train[f"activations/{layer}"]
        assert series.plugin == "images" and series.steps == [0, 1, 2]
        pictures = series.images()
        assert len(pictures) == 3  # one per sample input
        assert min(pictures[0].size) >= 32
    # conv: 4 maps of 6x6 in a 2x2 grid (13x13 pixels), enlarged 19 times
    assert train["activations/conv"].images()[0].size == (247, 247)
    assert train["activations/0_input"].steps == [0]


def test_activation_pictures_show_the_model_at_that_epoch(trained) -> None:
    from kerasteach.activations import get_activations
    from kerasteach.activations.tiles import picture
    from kerasteach.tensorboard.pictures import activation_picture

    model, sample = trained["model"], trained["x_val"][:3]
    conv = get_activations(model, sample, ["conv"])["conv"]
    expected = activation_picture(picture(conv[1]))
    shown = np.asarray(trained["events"]["train"]["activations/conv"].images()[1])
    assert np.abs(shown.astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.quick
def test_confusion_counts_equal_those_computed_directly(trained) -> None:
    validation = trained["events"]["validation"]
    table = validation["confusion/counts"]
    assert table.plugin == "text" and table.steps == [0, 1, 2]
    assert table.text().splitlines()[0] == "| true ↓ predicted → | ring | bar | dot |"
    counts = parse_table(table.text())
    expected = confusion(trained["model"], trained["x_val"], trained["y_val"])
    np.testing.assert_array_equal(counts, expected)
    assert counts.sum() == len(trained["y_val"])
    picture = validation["confusion/matrix"]
    assert picture.plugin == "images" and picture.steps == [0, 1, 2]
    assert picture.images()[0].size[0] <= CARD_WIDTH  # shown unshrunk


def test_the_confusion_picture_reads_at_tensorboards_card_size() -> None:
    """Ten classes fit TensorBoard's card, so it shows the picture at its own
    size; its digits are as tall as TensorBoard's 12-pixel labels, and the
    column labels are written straight, not sideways."""
    counts = np.arange(100).reshape(10, 10) * 9  # up to 891: MNIST's 6,000 fit
    names = [str(d) for d in range(10)]
    image = confusion_picture(counts, names, epoch=4)
    assert image.shape[1] <= CARD_WIDTH
    ink = image.min(axis=2) < 128
    # two title lines, then the column labels' line, then the grid
    band_rows = np.flatnonzero(ink[2 * LINE : 3 * LINE, 40:].any(axis=1))
    assert 7 <= band_rows.size <= 14  # one line of 12-pixel type, not rotated
    # one cell's count: "0" in the top left cell, as tall as a 12-pixel digit
    first_cell = ink[3 * LINE : 3 * LINE + 28, 30:58]
    assert np.flatnonzero(first_cell.any(axis=1)).size >= 8
    without_epoch = confusion_picture(counts, names)
    assert without_epoch.shape[0] == image.shape[0] - LINE


def test_the_output_layer_is_drawn_as_bars_named_by_class(trained) -> None:
    bars = trained["events"]["train"]["activations/probs"].images()
    picture = np.asarray(bars[0])
    assert picture.shape[1] == CARD_WIDTH  # one row per class, fitted to the card
    scores = trained["model"].predict(trained["x_val"][:1], verbose=0)[0]
    expected = bars_picture(scores, NAMES)
    assert np.abs(picture.astype(int) - expected.astype(int)).max() <= 1


def test_misclassified_grid_shows_the_wrong_ones(tmp_path) -> None:
    from kerasteach.tensorboard.pictures import labelled_grid

    x, y = data(600)
    x_val, y_val = data(60, seed=1)
    y_val = y_val.copy()
    y_val[:8] = (y_val[:8] + 1) % 3  # mislabelled: a model that learned disagrees
    model = cnn()
    model.fit(x, y, epochs=12, batch_size=32, verbose=0)
    grid_callback = MisclassifiedImages((x_val, y_val), NAMES, logdir=tmp_path)
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[grid_callback])
    predicted = model.predict(x_val, verbose=0).argmax(1)
    wrong = np.flatnonzero(predicted != y_val)
    assert 8 <= len(wrong) <= 12  # it gets most right: the grid is a real choice
    expected = labelled_grid(
        [x_val[i] for i in wrong],
        [(f"true: {NAMES[y_val[i]]}", f"pred: {NAMES[predicted[i]]}") for i in wrong],
    )
    events = read_run(only_run(tmp_path))
    (shown,) = events["validation"]["misclassified/examples"].images()
    shown = np.asarray(shown)
    assert shown.shape == np.asarray(expected).shape
    assert np.abs(shown.astype(int) - np.asarray(expected).astype(int)).max() <= 1


def test_hparams_are_written_for_the_run(trained) -> None:
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData

    start = trained["events"]["."]["_hparams_/session_start_info"]
    assert start.plugin == "hparams"
    written = HParamsPluginData.FromString(start.content).session_start_info.hparams
    assert {name: value.number_value for name, value in written.items()} == {
        "learning_rate": pytest.approx(0.001),
        "filters": 4,
    }


def test_each_fit_gets_a_new_run_and_names_never_collide(tmp_path) -> None:
    x, y = data(64)
    model = cnn()
    callbacks = tensorboard_callbacks(tmp_path, run="baseline", confusion=False)
    (tmp_path / "baseline").mkdir()
    (tmp_path / "baseline" / "keep.txt").write_text("an earlier run")
    for _ in range(2):
        model.fit(x, y, epochs=2, callbacks=callbacks, verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "baseline",
        "baseline-2",
        "baseline-3",
    ]
    assert os.listdir(tmp_path / "baseline") == ["keep.txt"]
    for run in ("baseline-2", "baseline-3"):
        steps = read_run(tmp_path / run)["train"]["epoch_loss"].steps
        assert steps == [0, 1]  # no zig-zag: each fit starts its own curve


def test_confusion_after_an_earlier_evaluate_and_alone(tmp_path) -> None:
    """A test step compiled before the hook was installed must not hide it."""
    x, y = data(96)
    x_val, y_val = data(45, seed=2)
    model = cnn()
    model.evaluate(x_val, y_val, verbose=0)
    before = [m.name for m in model.metrics]
    callback = ConfusionMatrix(NAMES, logdir=tmp_path)
    model.fit(
        x, y, validation_data=(x_val, y_val), epochs=2, callbacks=[callback], verbose=0
    )
    np.testing.assert_array_equal(callback.counts, confusion(model, x_val, y_val))
    assert [m.name for m in model.metrics] == before
    run = only_run(tmp_path)
    assert sorted(os.listdir(run)) == ["validation"]
    # a later evaluate still gives Keras' own numbers
    loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
    expected = (model.predict(x_val, verbose=0).argmax(1) == y_val).mean()
    assert accuracy == pytest.approx(expected, abs=1e-6)


def test_one_hot_labels_and_a_sigmoid_output(tmp_path) -> None:
    x, y = data(60)
    x_val, y_val = data(30, seed=3)
    model = cnn()
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    callback = ConfusionMatrix(logdir=tmp_path)
    model.fit(
        x,
        keras.utils.to_categorical(y, 3),
        validation_data=(x_val, keras.utils.to_categorical(y_val, 3)),
        epochs=1,
        callbacks=[callback],
        verbose=0,
    )
    np.testing.assert_array_equal(callback.counts, confusion(model, x_val, y_val))

    binary = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(1, "sigmoid"),
        ]
    )
    binary.compile("adam", "binary_crossentropy")
    callback = ConfusionMatrix(["no", "yes"], logdir=tmp_path)
    labels = (y == 1).astype("float32")
    binary.fit(x, labels, validation_data=(x, labels), callbacks=[callback], verbose=0)
    predicted = (binary.predict(x, verbose=0)[:, 0] > 0.5).astype(int)
    expected = np.zeros((2, 2), dtype=int)
    np.add.at(expected, (labels.astype(int), predicted), 1)
    np.testing.assert_array_equal(callback.counts, expected)


def test_a_regression_model_gets_no_confusion_matrix(tmp_path) -> None:
    x, _ = data(32)
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    model.compile("adam", "mse")
    callbacks = tensorboard_callbacks(tmp_path)
    model.fit(
        x, np.zeros((32, 2)), validation_split=0.25, callbacks=callbacks, verbose=0
    )
    events = read_run(only_run(tmp_path))
    assert "confusion/counts" not in events["validation"]
    assert "epoch_loss" in events["validation"]


class EpochCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs += 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda tmp: tensorboard_callbacks(tmp, sample=np.zeros((3, 8, 8))),
            "sample has shape (3, 8, 8), but tiny_cnn takes (None, 8, 8, 1) "
            "(add the channel axis: x[..., None])",
        ),
        (
            lambda tmp: tensorboard_callbacks(tmp, class_names=["a", "b"]),
            "2 class names for 3 classes of tiny_cnn",
        ),
        (
            lambda tmp: tensorboard_callbacks(tmp / "file.txt" / "logs"),
            "cannot write TensorBoard logs into",
        ),
        (
            lambda tmp: [
                MisclassifiedImages((np.zeros((4, 8, 8, 1)), [0, 1]), logdir=tmp)
            ],
            "validation_data has 4 inputs but 2 labels",
        ),
    ],
)
def test_bad_input_is_refused_when_fit_starts(tmp_path, make, message) -> None:
    (tmp_path / "file.txt").write_text("not a folder")
    x, y = data(32)
    counter = EpochCounter()
    with pytest.raises(TensorBoardError) as raised:
        model = cnn()
        model.fit(x, y, epochs=2, callbacks=[*make(tmp_path), counter], verbose=0)
    assert message in str(raised.value)
    assert counter.epochs == 0
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]  # no half run


def test_bad_arguments_are_refused_at_once() -> None:
    with pytest.raises(TensorBoardError, match="pass a few"):
        ActivationImages(np.zeros((100, 8, 8, 1)))
    with pytest.raises(TensorBoardError, match="every must be"):
        ConfusionMatrix(every=0)
    with pytest.raises(TensorBoardError, match="numbers, strings or booleans"):
        tensorboard_callbacks(hparams={"layers": [1, 2]})


def test_summary_text_alone(tmp_path) -> None:
    x, y = data(16)
    model = cnn()
    model.fit(x, y, callbacks=[ModelSummaryText(tmp_path)], verbose=0)
    events = read_run(only_run(tmp_path))
    assert list(events["train"]) == ["model/summary"]


OTHER_BACKEND = r"""
import json, sys
import numpy as np, keras
sys.path.insert(0, sys.argv[1])
from test_tensorboard import cnn, confusion, data, NAMES
import kerasteach
x, y = data(120); x_val, y_val = data(45, seed=1)
model = cnn()
callbacks = kerasteach.tensorboard_callbacks(
    sys.argv[2], sample=x_val[:2], class_names=NAMES, validation_data=(x_val, y_val))
model.fit(x, y, validation_data=(x_val, y_val), epochs=2, callbacks=callbacks,
          verbose=0)
print(json.dumps({"backend": keras.backend.backend(),
                  "counts": confusion(model, x_val, y_val).tolist()}))
"""


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_backends_write_the_same_tabs(tmp_path, backend: str) -> None:
    require_backend(backend)
    tests = str(Path(__file__).parent)
    result = run_command(
        sys.executable,
        "-c",
        OTHER_BACKEND,
        tests,
        str(tmp_path),
        env={"KERAS_BACKEND": backend},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == backend
    events = read_run(only_run(tmp_path))
    assert events["train"]["activations/conv"].steps == [0, 1]
    assert "epoch_learning_rate" not in events["train"]  # it never moved
    assert events["validation"]["confusion/counts"].steps == [0, 1]
    counts = parse_table(events["validation"]["confusion/counts"].text())
    np.testing.assert_array_equal(counts, report["counts"])


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def test_a_real_tensorboard_serves_the_tabs(trained) -> None:
    server = launch_tensorboard(trained["logdir"], inline=False)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        run = trained["run"].name
        runs = get_json(server.url + "data/runs")
        assert {f"{run}/train", f"{run}/validation"} <= set(runs)
        scalars = get_json(server.url + "data/plugin/scalars/tags")
        assert "epoch_loss" in scalars[f"{run}/train"]
        assert "epoch_accuracy" in scalars[f"{run}/train"]
        images = get_json(server.url + "data/plugin/images/tags")
        assert "activations/conv" in images[f"{run}/train"]
        assert "confusion/matrix" in images[f"{run}/validation"]
        query = urllib.parse.urlencode(
            {"run": f"{run}/validation", "tag": "confusion/matrix", "sample": 0}
        )
        entries = get_json(server.url + "data/plugin/images/images?" + query)
        assert [e["step"] for e in entries] == [0, 1, 2]
        query = entries[-1]["query"]
        picture = f"{server.url}data/plugin/images/individualImage?{query}"
        with urllib.request.urlopen(picture, timeout=30) as response:
            assert response.read(8) == b"\x89PNG\r\n\x1a\n"
        texts = get_json(server.url + "data/plugin/text/tags")
        assert "model/summary" in texts[f"{run}/train"]
        assert "<iframe" in server._repr_html_()
    finally:
        server.stop()
        pid = server.pid
    assert server.process.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_the_command_starts_tensorboard_and_stops_on_a_signal(trained) -> None:
    process = subprocess.Popen(
        [console_script(), "tensorboard", str(trained["logdir"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("TensorBoard is at http://127.0.0.1:"), line
        url = line.split()[-1]
        assert f"{trained['run'].name}/train" in get_json(url + "data/runs")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    assert process.returncode == 128 + signal.SIGTERM
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "data/runs", timeout=5)


def test_the_command_refuses_a_missing_folder(tmp_path) -> None:
    result = run_command(console_script(), "tensorboard", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "no folder" in result.stderr and "Traceback" not in result.stderr


def test_in_jupyter_tensorboard_shows_inline(tmp_path) -> None:
    import notebooks

    launched, stopped = notebooks.execute(
        [
            "import kerasteach\nserver = kerasteach.launch_tensorboard('logs')",
            "server.stop(); server.process.poll() is not None",
        ],
        tmp_path,
        timeout=300,
    ).cells
    printed = notebooks.printed([launched])
    assert printed.startswith("TensorBoard is at http://127.0.0.1:")
    url = printed.split()[-1]
    html = [o["data"]["text/html"] for o in launched.outputs if "data" in o]
    assert html and f'<iframe src="{url}"' in html[0]
    assert stopped.outputs[0]["data"]["text/plain"] == "True"


def test_a_fit_without_validation_is_told_why_no_matrix_came(tmp_path) -> None:
    x, y = data(32)
    model = cnn()
    with pytest.warns(UserWarning, match="Pass validation_data= or validation_split="):
        model.fit(x, y, callbacks=[ConfusionMatrix(logdir=tmp_path)], verbose=0)


def test_evaluate_alone_writes_a_run_of_its_own(tmp_path) -> None:
    from kerasteach.tensorboard import ClassroomTensorBoard

    x, y = data(32)
    model = cnn()
    model.evaluate(x, y, callbacks=[ClassroomTensorBoard(tmp_path)], verbose=0)
    events = read_run(only_run(tmp_path))
    assert "evaluation_loss_vs_iterations" in events["validation"]


def test_kerasteach_hooks_keep_keras_background_dispatch() -> None:
    """No batch hooks: Keras keeps dispatching steps in the background
    (on JAX and PyTorch) when only kerasteach's callbacks are given."""
    from keras.src.utils.python_utils import is_default

    callbacks = tensorboard_callbacks(
        "logs", sample=np.zeros((2, 8, 8, 1)), validation_data=data(8)
    )[:-1]  # Keras' own TensorBoard has batch hooks, as documented
    for callback in callbacks:
        for hook in ("on_batch_end", "on_train_batch_end", "on_test_batch_end"):
            assert is_default(getattr(callback, hook)), (type(callback), hook)
    # Keras dispatches in the background only on a thread-safe backend (JAX,
    # PyTorch): ask one, in a process of its own.
    script = (
        "import numpy as np, keras\n"
        "from keras.src.callbacks.callback_list import CallbackList\n"
        "from kerasteach import tensorboard_callbacks\n"
        "model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),\n"
        "                          keras.layers.Dense(3, activation='softmax')])\n"
        "callbacks = tensorboard_callbacks('logs', sample=np.zeros((2, 8, 8, 1)),\n"
        "    validation_data=(np.zeros((8, 8, 8, 1)), np.zeros(8, int)))[:-1]\n"
        "dispatch = CallbackList(callbacks, model=model)\n"
        "print('background', dispatch._async_train, dispatch._async_test)\n"
    )
    result = run_command(sys.executable, "-c", script, env={"KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == "background True True"


# -- subclassed models ------------------------------------------------------------

SUBCLASSED = ("gan", "perceiver", "gat", "diffusion")


@pytest.mark.quick
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_subclassed_models_fit_with_the_default_hooks(tmp_path, backend) -> None:
    """A GAN-style wrapper, a Perceiver-like model, a graph attention network
    and a diffusion wrapper holding a U-Net (tests/subclassed_models.py) fit
    with the default tensorboard_callbacks: curves and the summary written,
    the confusion matrix left out with one notice each."""
    require_backend(backend)
    result = run_command(
        sys.executable,
        str(Path(__file__).parent / "subclassed_models.py"),
        str(tmp_path),
        env={"KERAS_BACKEND": backend},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line[:1] == "{"]
    assert [row["model"] for row in rows] == list(SUBCLASSED)
    for row in rows:
        events = read_run(only_run(tmp_path / row["model"]))
        assert "epoch_loss" in events["train"], (row, sorted(events["train"]))
        summary = events["train"]["model/summary"].text()
        assert f"Model: {row['model']}" in summary or row["model"] in summary
        assert len(row["notices"]) == 1, row
        assert row["notices"][0].startswith("kerasteach: no confusion matrix for ")


@pytest.mark.quick
def test_pictures_asked_of_a_subclassed_model_are_refused_with_the_fix(
    tmp_path,
) -> None:
    class Subclassed(keras.Model):
        def __init__(self) -> None:
            super().__init__(name="mine")
            self.dense = keras.layers.Dense(3, activation="softmax")

        def call(self, x):
            return self.dense(keras.ops.reshape(x, (keras.ops.shape(x)[0], -1)))

    x, y = np.zeros((8, 4, 4, 1), "float32"), np.zeros(8, "int32")
    model = Subclassed()
    model.compile("adam", "sparse_categorical_crossentropy")
    for options, what in (
        ({"sample": x[:2]}, "sample= (feature maps of its layers)"),
        ({"validation_data": (x, y)}, "validation_data= (a grid of misclassified"),
        ({"confusion": True}, "a confusion matrix needs"),
    ):
        callbacks = kerasteach.tensorboard_callbacks(tmp_path, **options)
        with pytest.raises(TensorBoardError) as error:
            model.fit(x, y, epochs=1, verbose=0, callbacks=callbacks)
        assert str(error.value).startswith(what), error.value
        assert "mine is a subclassed Subclassed" in str(error.value)
        assert "keras.Model(inputs, outputs)" in str(error.value)
