"""kerasteach's TensorBoard hooks against Keras' plain ``TensorBoard`` callback.

    python benchmarks/bench_tensorboard.py [--rounds 5] [--backends jax,jax-dp]
    python benchmarks/bench_tensorboard.py --quick      # a smoke run

A small CNN (two convolutions, 28x28x1 inputs, 10 classes) trains on random
data shaped like MNIST (6,000 training and 1,000 validation images, batch 64),
one subprocess per backend (``jax-dp``: JAX, the model data-parallel over two
host devices with ``keras.distribution.DataParallel``). Three set-ups,
interleaved round after round so a slow moment of a shared machine hits all
of them:

- ``keras TensorBoard``: ``keras.callbacks.TensorBoard`` at its defaults;
- ``kerasteach, no histograms``: ``tensorboard_callbacks`` with activation
  images of 4 samples, the confusion matrix and the misclassified grid every
  epoch, and ``histogram_freq=0`` like Keras' default;
- ``kerasteach defaults``: the same with its classroom default of weight
  histograms every epoch (Keras' own hook does that work).

Figures, over every epoch after each fit's first (which traces and compiles):

1. the time spent inside kerasteach's own hooks as a share of epoch time
   (the stable figure on a noisy machine; target under 10%);
2. the median epoch time of each set-up with its min and max, and the ratio
   of the medians to ``keras TensorBoard`` (single epochs swing a lot here).

The confusion table's per-step update inside the compiled steps is not a hook:
it shows only in the epoch times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

from timing import lay_out_data_parallel, run_backend

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SETUPS = ("keras TensorBoard", "kerasteach, no histograms", "kerasteach defaults")
HOOKS = ("on_epoch_begin", "on_epoch_end", "on_test_end")


def make_data(train: int, validation: int):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.random((train + validation, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, train + validation)
    return (x[:train], y[:train]), (x[train:], y[train:])


def make_model():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(16, 3, activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(name="pool1"),
            keras.layers.Conv2D(32, 3, activation="relu", name="conv2"),
            keras.layers.MaxPooling2D(name="pool2"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(10, activation="softmax", name="digit"),
        ],
        name="bench_cnn",
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class Clock:
    """Epoch times: started by a callback first in the list, stopped by one last."""

    def __init__(self):
        import keras

        clock = self
        self.epochs: list[float] = []

        class Start(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                clock.began = time.perf_counter()

        class Stop(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                clock.epochs.append(time.perf_counter() - clock.began)

        self.start, self.stop = Start(), Stop()


def timed_hooks(callbacks: list, spent: list[float]) -> None:
    """Wrap kerasteach's epoch hooks so the time inside them adds up in ``spent``."""
    from kerasteach.tensorboard import ClassroomTensorBoard

    for callback in callbacks:
        if isinstance(callback, ClassroomTensorBoard):
            continue  # Keras' own callback: not ours to count
        for name in HOOKS:
            hook = getattr(callback, name)

            def wrapper(*args, hook=hook, **kwargs):
                start = time.perf_counter()
                try:
                    return hook(*args, **kwargs)
                finally:
                    spent[-1] += time.perf_counter() - start

            setattr(callback, name, wrapper)


def one_fit(setup: str, data, epochs: int, logdir: str) -> dict:
    import keras

    import kerasteach

    (x, y), (x_val, y_val) = data
    model = make_model()
    clock, spent = Clock(), [0.0]
    if setup == "keras TensorBoard":
        callbacks = [keras.callbacks.TensorBoard(os.path.join(logdir, "keras"))]
    else:
        callbacks = kerasteach.tensorboard_callbacks(
            logdir,
            sample=x_val[:4],
            class_names=[str(d) for d in range(10)],
            validation_data=(x_val, y_val),
            histogram_freq=1 if setup == "kerasteach defaults" else 0,
        )
        timed_hooks(callbacks, spent)

    class NextEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            spent.append(0.0)

    model.fit(
        x,
        y,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=64,
        verbose=0,
        callbacks=[clock.start, *callbacks, clock.stop, NextEpoch()],
    )
    # the first epoch traces and compiles: left out of every figure
    return {"epochs": clock.epochs[1:], "hooks": spent[1:epochs]}


def worker(options) -> dict:
    lay_out_data_parallel()
    train, validation = (512, 128) if options.quick else (6000, 1000)
    data = make_data(train, validation)
    results = {setup: {"epochs": [], "hooks": []} for setup in SETUPS}
    with tempfile.TemporaryDirectory() as logdir:
        for _ in range(options.rounds):
            for setup in SETUPS:
                found = one_fit(setup, data, options.epochs, logdir)
                results[setup]["epochs"] += found["epochs"]
                results[setup]["hooks"] += found["hooks"]
    return results


def report(backend: str, results: dict) -> None:
    base = statistics.median(results["keras TensorBoard"]["epochs"])
    print(f"{backend}:")
    print(
        f"  {'set-up':<28}{'epoch median':>13}{'min':>8}{'max':>8}{'ratio':>8}"
        f"{'hooks':>9}"
    )
    for setup, numbers in results.items():
        epochs = numbers["epochs"]
        median = statistics.median(epochs)
        share = (
            f"{sum(numbers['hooks']) / sum(epochs):8.1%}"
            if any(numbers["hooks"])
            else ""
        )
        print(
            f"  {setup:<28}{median:>12.3f}s{min(epochs):>7.3f}s{max(epochs):>7.3f}s"
            f"{median / base:>7.2f}x {share}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="tensorflow,jax,jax-dp")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3, help="per fit, first left out")
    parser.add_argument("--quick", action="store_true", help="small data, a smoke run")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.epochs < 2:
        parser.error("--epochs must be 2 or more: the first one is left out")
    if options.worker:
        print(json.dumps(worker(options)))
        return 0
    size = "512/128" if options.quick else "6,000/1,000"
    print(
        f"small CNN, {size} images, {options.rounds} rounds of {options.epochs - 1} "
        "timed epochs; ratio: epoch median / keras TensorBoard; hooks: share of "
        "epoch time inside kerasteach's hooks"
    )
    command = [sys.executable, __file__, "--worker", "--rounds", str(options.rounds)]
    command += ["--epochs", str(options.epochs)] + (
        ["--quick"] if options.quick else []
    )
    for backend in options.backends.split(","):
        results = run_backend(command, backend)
        if results is None:
            return 1
        report(backend, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
