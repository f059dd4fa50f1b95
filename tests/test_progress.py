"""TqdmProgress and keras-tqdm's names on real fit/evaluate/predict runs."""

from __future__ import annotations

import io
import re
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest
from conftest import run_command, skip_unless

from kerasteach import TQDMCallback, TQDMNotebookCallback, TqdmProgress
from kerasteach.progress import format_metrics


class Terminal(io.StringIO):
    """A captured stream that says it is a terminal, as a real one would."""

    def isatty(self) -> bool:
        return True


def classifier(seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def data(count: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((count, 4), dtype=np.float32), rng.integers(0, 3, count)


def bars(text: str, label: str) -> list[str]:
    """Every drawing of the bar whose description starts with ``label``."""
    return [part for part in re.split(r"[\r\n]", text) if part.startswith(label)]


@pytest.mark.quick
def test_log_gets_one_line_per_epoch_with_the_history_values() -> None:
    x, y = data()
    log = io.StringIO()
    history = classifier().fit(
        x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0,
        callbacks=[TqdmProgress(file=log)],
    )  # fmt: skip
    lines = log.getvalue().splitlines()
    assert len(lines) == 3 and "\r" not in log.getvalue()
    for epoch, line in enumerate(lines):
        parts = line.split(" · ")
        assert parts[0] == f"Epoch {epoch + 1}/3"
        assert parts[1] == "10/10 batches"  # 160 training rows, 16 a batch
        logs = {name: values[epoch] for name, values in history.history.items()}
        assert line.endswith(format_metrics(logs))
        assert parts[-4:] == [
            f"loss {logs['loss']:.3f}",
            f"acc {logs['accuracy']:.3f}",
            f"val_loss {logs['val_loss']:.3f}",
            f"val_acc {logs['val_accuracy']:.3f}",
        ]


def test_terminal_bars_count_batches_and_epochs_and_show_metrics() -> None:
    x, y = data()
    screen = Terminal()
    history = classifier().fit(
        x, y, epochs=2, batch_size=16, validation_split=0.2, verbose=0,
        callbacks=[TqdmProgress(file=screen, batch_size=16)],
    )  # fmt: skip
    text = screen.getvalue()
    last = {name: values[-1] for name, values in history.history.items()}
    assert "10/10" in bars(text, "Epoch 2/2")[-1]
    assert "samples/s" in bars(text, "Epoch 2/2")[-1]
    outer = bars(text, "Training")[-1]
    assert "2/2" in outer and format_metrics(last) in outer
    # Validation has its own bar; its length is learned in epoch 1.
    validation = bars(text, "Validation")
    assert validation and any("/3" in bar for bar in validation)


def unknown_length(count: int, batch: int, seed: int = 0):
    import tensorflow as tf

    x, y = data(count, seed)

    def rows():
        yield from zip(x, y, strict=True)

    dataset = tf.data.Dataset.from_generator(
        rows,
        output_signature=(
            tf.TensorSpec((4,), tf.float32),
            tf.TensorSpec((), tf.int64),
        ),
    )
    assert dataset.cardinality() == tf.data.UNKNOWN_CARDINALITY
    return dataset.batch(batch)


def test_unknown_step_counts_are_counted_then_known() -> None:
    screen = Terminal()
    classifier().fit(
        unknown_length(180, 16), validation_data=unknown_length(40, 16, seed=1),
        epochs=2, verbose=0, callbacks=[TqdmProgress(file=screen)],
    )  # fmt: skip
    text = screen.getvalue()
    first, second = bars(text, "Epoch 1/2"), bars(text, "Epoch 2/2")
    # Epoch 1 counts with no total, and ends showing the total it found...
    assert all(re.search(r": \d+batch \[", bar) for bar in first[:-1])
    assert "12/12" in first[-1]
    # ...which epoch 2 knows from its start.
    assert len(second) >= 2  # drawn, and redrawn
    assert all("/12 " in bar for bar in second)
    validation = bars(text, "Validation")
    assert any("3/3" in bar for bar in validation)  # learned, then reused
    log = io.StringIO()
    classifier().fit(
        unknown_length(180, 16), epochs=2, verbose=0,
        callbacks=[TqdmProgress(file=log)],
    )  # fmt: skip
    counts = [line.split(" · ")[1] for line in log.getvalue().splitlines()]
    assert counts == ["12/12 batches", "12/12 batches"]


@pytest.mark.quick
def test_steps_per_execution_still_reaches_every_batch() -> None:
    x, y = data(230)
    model = classifier()
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy",
        metrics=["accuracy"], steps_per_execution=5,
    )  # fmt: skip
    screen, log = Terminal(), io.StringIO()
    both = [TqdmProgress(file=screen), TqdmProgress(file=log)]
    model.fit(x, y, epochs=1, batch_size=10, verbose=0, callbacks=both)
    assert "23/23" in bars(screen.getvalue(), "Epoch 1/1")[-1]
    assert log.getvalue().split(" · ")[1] == "23/23 batches"


def test_resumed_training_starts_at_initial_epoch() -> None:
    x, y = data()
    screen, log = Terminal(), io.StringIO()
    classifier().fit(
        x, y, epochs=4, initial_epoch=2, batch_size=50, verbose=0,
        callbacks=[TqdmProgress(file=screen), TqdmProgress(file=log)],
    )  # fmt: skip
    assert [line.split(" · ")[0] for line in log.getvalue().splitlines()] == [
        "Epoch 3/4",
        "Epoch 4/4",
    ]
    outer = " ".join(bars(screen.getvalue(), "Training"))
    assert "1/4" not in outer  # jumps from 0 to the initial epoch
    assert outer.index("2/4") < outer.index("3/4") < outer.index("4/4")


@pytest.mark.quick
def test_evaluate_and_predict_get_their_own_bars() -> None:
    x, y = data()
    model = classifier()
    progress = TqdmProgress(file=io.StringIO())
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[progress])
    log = io.StringIO()
    progress.file = log  # one object, reused for fit, evaluate and predict
    results = model.evaluate(
        x, y, batch_size=32, verbose=0, callbacks=[progress], return_dict=True
    )
    model.predict(x, batch_size=32, verbose=0, callbacks=[progress])
    evaluate, predict = log.getvalue().splitlines()
    assert evaluate.startswith("Evaluate · 7/7 batches · ")
    assert evaluate.endswith(format_metrics(results))
    assert predict.startswith("Predict · 7/7 batches · ")
    screen = Terminal()
    model.evaluate(
        x, y, batch_size=32, verbose=0, callbacks=[TqdmProgress(file=screen)]
    )
    assert "7/7" in bars(screen.getvalue(), "Evaluate")[-1]


def test_keras_progress_bar_left_on_warns_once_at_the_fit_line_and_stays_quiet():
    x, y = data(20)
    screen = Terminal()
    progress = TqdmProgress(file=screen)
    model = classifier()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_line = sys._getframe().f_lineno + 1
        model.fit(x, y, epochs=1, verbose=2, callbacks=[progress])
        model.fit(x, y, epochs=1, verbose=2, callbacks=[progress])
    ours = [w for w in caught if "kerasteach" in str(w.message)]
    assert len(ours) == 1  # said once
    assert "verbose=0" in str(ours[0].message)
    assert (ours[0].filename, ours[0].lineno) == (__file__, fit_line)
    assert screen.getvalue() == ""  # only Keras' bar: nothing interleaved
    model.fit(x, y, epochs=1, verbose=0, callbacks=[progress])
    assert "Epoch 1/1" in screen.getvalue()


def test_bars_nest_under_an_open_tqdm_loop_of_the_user() -> None:
    from tqdm.std import tqdm

    x, y = data(64)
    screen = Terminal()
    progress = TqdmProgress(file=screen)
    rows: list[tuple[int, int]] = []

    class Probe(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            display = progress._display
            rows.append((abs(display.outer.pos), abs(display.inner.pos)))

    with tqdm(range(2), desc="Runs", file=screen) as runs:
        for _ in runs:
            classifier().fit(x, y, epochs=1, verbose=0, callbacks=[progress, Probe()])
        user_row = abs(runs.pos)
    assert user_row == 0
    assert rows == [(1, 2), (1, 2)]  # below the user's bar, never over it


CLOSED = io.StringIO()  # a stream closed before fit, as a `with` block leaves it
CLOSED.close()


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"metric_format": 5}, TypeError, "metric_format is a format string"),
        ({"separator": 5}, TypeError, "separator is a string"),
        ({"file": 5}, TypeError, "file is a stream with write()"),
        ({"file": "/no/such/folder/log.txt"}, ValueError, "there is no folder"),
        ({"file": CLOSED}, ValueError, "is closed: pass an open stream"),
        ({"position": -1}, ValueError, "position is a terminal line"),
        ({"show_inner": "no"}, TypeError, "show_inner is True or False"),
        ({"refresh_interval": -1}, ValueError, "refresh_interval is seconds"),
        ({"inner_description": "Epoch {epok}"}, ValueError, "use {epoch}"),
    ],
)
def test_every_argument_is_checked_when_made(options, error, message) -> None:
    with pytest.raises(error, match=re.escape(message)):
        TqdmProgress(**options)


def test_file_may_be_a_path_opened_and_closed_by_the_callback(tmp_path) -> None:
    x, y = data(64)
    path = tmp_path / "log.txt"
    progress = TqdmProgress(file=str(path))
    model = classifier()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[progress])
    assert progress._opened is None  # closed after the run
    model.evaluate(x, y, verbose=0, callbacks=[progress])
    lines = path.read_text().splitlines()
    assert [line.split(" · ")[0] for line in lines] == [
        "Epoch 1/2",
        "Epoch 2/2",
        "Evaluate",
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "widgets"}, "mode must be one of"),
        ({"metric_format": "{nme}"}, "use {name} and {value}"),
        ({"batch_size": 0}, "batch_size must be a positive int"),
    ],
)
def test_bad_options_say_what_works(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        TqdmProgress(**options)


@pytest.mark.quick
def test_keras_tqdm_arguments_are_accepted() -> None:
    x, y = data(64)
    log = io.StringIO()
    callback = TQDMCallback(
        outer_description="Training", leave_inner=False, leave_outer=True,
        show_inner=True, metric_format="{name}: {value:0.4f}", separator=", ",
        output_file=log,
    )  # fmt: skip
    history = classifier().fit(x, y, epochs=2, verbose=0, callbacks=[callback])
    last = log.getvalue().splitlines()[-1]
    # in a log, each epoch is one line written with inner_description_update
    assert last.startswith(f"Epoch: 2 - loss: {history.history['loss'][-1]:0.4f}, "
                           f"accuracy: {history.history['accuracy'][-1]:0.4f}, "
                           "2/2 batches, ")  # fmt: skip
    screen = Terminal()
    classifier().fit(x, y, epochs=1, verbose=0,
                     callbacks=[TQDMNotebookCallback(output_file=screen)])  # fmt: skip
    # keras-tqdm's notebook default puts the metrics in the batch bar's title.
    assert "[loss: " in screen.getvalue()


class CustomBars(TQDMCallback):
    """Customised the way keras-tqdm's README and docstrings say to."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.made: list[tuple[str, int | None]] = []
        self.appended = 0

    def tqdm(self, desc, total, leave, initial=0):
        self.made.append((desc, total))
        return super().tqdm(
            desc, total, leave, initial, bar_format="{desc}|{n_fmt}/{total_fmt}|"
        )

    def build_tqdm_outer(self, desc, total):
        return super().build_tqdm_outer(desc="Whole run", total=total)

    def append_logs(self, logs):
        self.appended += 1
        super().append_logs(logs)

    def format_metrics(self, logs):
        loss = logs.get("loss")
        value = loss[-1] if isinstance(loss, list) else loss
        return f"custom loss={value:.2f}" if value is not None else ""


def test_keras_tqdm_customisation_points_are_honoured() -> None:
    x, y = data(64)
    screen = Terminal()
    callback = CustomBars(output_file=screen, initial=2)
    classifier().fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[callback])
    drawn = screen.getvalue()
    assert callback.made[0] == ("Whole run", 4)  # initial + epochs
    assert ("Epoch: 1", 4) in callback.made  # the batch bar, through tqdm()
    assert callback.appended == 8  # every batch of both epochs
    assert "Epoch: 2 - custom loss=" in drawn
    outer = bars(drawn, "Whole run")
    assert outer[0].startswith("Whole run|2/4|") and outer[-1].startswith(
        "Whole run|4/4|"
    )  # starts at initial, counts this run's epochs on top
    log = io.StringIO()
    classifier().fit(x, y, epochs=1, verbose=0,
                     callbacks=[CustomBars(output_file=log)])  # fmt: skip
    assert log.getvalue().startswith("Epoch: 1 - custom loss=")  # in a log too


KERAS_TQDM_SCRIPT = """
import numpy as np
import keras
# The only change: this import was `from keras_tqdm import ...`
from kerasteach import TQDMCallback, TQDMNotebookCallback

model = keras.Sequential(
    [keras.Input((4,)), keras.layers.Dense(3, activation="softmax")]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
x = np.random.rand(100, 4)
y = np.random.randint(0, 3, 100)
model.fit(x, y, epochs=2, batch_size=20, verbose=0, callbacks=[TQDMCallback()])
model.fit(x, y, epochs=1, verbose=0,
          callbacks=[TQDMNotebookCallback(leave_inner=True, leave_outer=False)])
print("done")
"""


def test_a_keras_tqdm_script_runs_with_only_the_import_changed(tmp_path) -> None:
    script = tmp_path / "old_workshop.py"
    script.write_text(KERAS_TQDM_SCRIPT)
    result = run_command(sys.executable, str(script))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "done"
    lines = [line for line in result.stderr.splitlines() if " batches, " in line]
    # each epoch one line, in keras-tqdm's own descriptions
    assert [re.sub(r"[\d.]+", "N", line.split(", ")[0]) for line in lines[:2]] == [
        "Epoch: N - loss: N",
        "Epoch: N - loss: N",
    ], result.stderr
    assert [re.search(r"\d+/\d+ batches", line)[0] for line in lines] == [
        "5/5 batches",
        "5/5 batches",
        "4/4 batches",  # Keras' default batch of 32
    ], result.stderr
    assert lines[2].startswith("[loss: "), result.stderr


BACKEND_SCRIPT = textwrap.dedent(
    """
    import io, json
    import numpy as np
    import keras
    from kerasteach import TqdmProgress

    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"],
                  # PyTorch runs one step at a time
                  steps_per_execution=1 if keras.backend.backend() == "torch" else 5)
    x = np.random.rand(230, 4).astype("float32")
    y = np.random.randint(0, 3, 230)
    log = io.StringIO()
    progress = TqdmProgress(file=log)
    history = model.fit(x, y, epochs=3, initial_epoch=1, batch_size=10,
                        validation_split=0.2, verbose=0, callbacks=[progress])
    results = model.evaluate(x, y, batch_size=10, verbose=0, callbacks=[progress],
                             return_dict=True)
    model.predict(x, batch_size=10, verbose=0, callbacks=[progress])
    dispatch = keras.callbacks.CallbackList([progress], model=model)
    print(json.dumps({"backend": keras.backend.backend(), "log": log.getvalue(),
                      "history": history.history, "results": results,
                      "async": dispatch._async_train}))
    """
)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_the_same_counts_on_other_backends_with_background_dispatch_kept_on(
    backend: str,
) -> None:
    import importlib.util
    import json

    skip_unless(importlib.util.find_spec(backend) is not None, f"{backend} missing")
    result = run_command(
        sys.executable, "-c", BACKEND_SCRIPT, env={"KERAS_BACKEND": backend}
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == backend
    assert report["async"] is True  # async_safe: Keras keeps batch hooks off-thread
    lines = report["log"].splitlines()
    assert [line.split(" · ")[:2] for line in lines] == [
        ["Epoch 2/3", "19/19 batches"],  # 184 training rows, 10 a batch
        ["Epoch 3/3", "19/19 batches"],
        ["Evaluate", "23/23 batches"],
        ["Predict", "23/23 batches"],
    ]
    last = {name: values[-1] for name, values in report["history"].items()}
    assert lines[1].endswith(format_metrics(last))
    assert lines[2].endswith(format_metrics(report["results"]))
