"""TqdmProgress against tqdm's TqdmCallback, Keras' own bar and no bar at all.

    python benchmarks/bench_progress.py [--rounds 5] [--backends tensorflow,jax,jax-dp]
    python benchmarks/bench_progress.py --quick      # a smoke run

Part 1, the hook itself: microseconds per ``on_train_batch_end`` call with
realistic logs (loss and three metrics), for ``TqdmProgress`` (terminal bars),
``tqdm.keras.TqdmCallback`` and Keras' ``ProgbarLogger``, each drawing to
/dev/null. Median of the rounds.

Part 2, end to end, one subprocess per backend: steps per second of one
``fit`` epoch (timed from epoch hooks, so fit's setup is left out) with
``verbose=0`` (the limit), ``TqdmProgress``, Keras' ``verbose=1`` and
``TqdmCallback``, on a tiny model (batch 32) and on an MLP 784-256-10
(batch 128). The configurations are interleaved, round after round,
so a slow moment of a shared machine hits all of them; medians with min and
max, and each median's ratio to ``verbose=0``. ``jax-dp`` is JAX with the
model laid out data-parallel (``keras.distribution.DataParallel``) over two
host devices (``XLA_FLAGS=--xla_force_host_platform_device_count=2``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time

from timing import BACKENDS, lay_out_data_parallel, run_backend

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

LOGS = {"loss": 0.4132, "accuracy": 0.8725, "precision": 0.85, "recall": 0.79}
CONFIGS = ("verbose=0", "TqdmProgress", "keras verbose=1", "tqdm TqdmCallback")


def hook_callbacks(steps: int, devnull):
    import keras
    from tqdm.keras import TqdmCallback

    from kerasteach import TqdmProgress

    return {
        "TqdmProgress": TqdmProgress(file=devnull, mode="terminal"),
        "tqdm TqdmCallback": TqdmCallback(
            epochs=1, data_size=steps * 32, batch_size=32, file=devnull
        ),
        "keras ProgbarLogger": keras.callbacks.ProgbarLogger(),
    }


def bench_hooks(steps: int, rounds: int) -> None:
    print(f"Part 1: microseconds per on_train_batch_end ({steps:,} calls a round)")
    results: dict[str, list[float]] = {}
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        for _ in range(rounds):
            for name, callback in hook_callbacks(steps, devnull).items():
                verbose = int(name == "keras ProgbarLogger")  # it draws only then
                callback.set_params({"verbose": verbose, "epochs": 1, "steps": steps})
                callback.on_train_begin()
                callback.on_epoch_begin(0)
                hook = callback.on_train_batch_end
                start = time.perf_counter()
                for batch in range(steps):
                    hook(batch, LOGS)
                seconds = time.perf_counter() - start
                callback.on_epoch_end(0, LOGS)
                callback.on_train_end()
                results.setdefault(name, []).append(seconds / steps * 1e6)
    for name, values in results.items():
        print(
            f"  {name:<22}{statistics.median(values):>8.2f} µs"
            f"   (min {min(values):.2f}, max {max(values):.2f})"
        )


def epoch_clock():
    """A callback with epoch hooks only (it leaves Keras' dispatch as it is)."""
    import keras

    class EpochClock(keras.callbacks.Callback):
        seconds = 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds = time.perf_counter() - self.started

    return EpochClock


def fit_worker(backend: str, rounds: int, quick: bool) -> None:
    """Runs in a subprocess with KERAS_BACKEND set; prints JSON results."""
    import keras
    import numpy as np
    from tqdm.keras import TqdmCallback

    from kerasteach import TqdmProgress

    assert keras.backend.backend() == BACKENDS[backend][0]
    lay_out_data_parallel()
    EpochClock = epoch_clock()  # noqa: N806 - a class
    rng = np.random.default_rng(0)
    scale = 10 if quick else 1
    tasks = {
        "tiny, batch 32": (
            keras.Sequential(
                [keras.Input((4,)), keras.layers.Dense(3, activation="softmax")]
            ),
            rng.random((32000 // scale, 4), dtype=np.float32),
            rng.integers(0, 3, 32000 // scale),
            32,
        ),
        "MLP 784-256-10, batch 128": (
            keras.Sequential(
                [
                    keras.Input((784,)),
                    keras.layers.Dense(256, activation="relu"),
                    keras.layers.Dense(10, activation="softmax"),
                ]
            ),
            rng.random((25600 // scale, 784), dtype=np.float32),
            rng.integers(0, 10, 25600 // scale),
            128,
        ),
    }
    report = {}
    with open(os.devnull, "w") as devnull:

        def run(model, x, y, batch, config) -> float:
            callbacks, verbose = [EpochClock()], 0
            if config == "TqdmProgress":
                callbacks.append(TqdmProgress(file=devnull, mode="terminal"))
            elif config == "keras verbose=1":
                verbose = 1
            elif config == "tqdm TqdmCallback":
                callbacks.append(TqdmCallback(file=devnull))
            with contextlib.redirect_stdout(devnull):
                model.fit(
                    x, y, batch_size=batch, epochs=1, verbose=verbose,
                    callbacks=callbacks,
                )  # fmt: skip
            return callbacks[0].seconds

        for task, (model, x, y, batch) in tasks.items():
            model.compile(
                optimizer="adam",
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
            steps = -(-len(x) // batch)
            for config in CONFIGS:  # warm up: compile every code path once
                run(model, x, y, batch, config)
            rates: dict[str, list[float]] = {config: [] for config in CONFIGS}
            for _ in range(rounds):
                for config in CONFIGS:
                    rates[config].append(steps / run(model, x, y, batch, config))
            report[task] = {"steps": steps, "rates": rates}
    print(json.dumps(report))


def bench_fit(backends: list[str], rounds: int, quick: bool) -> None:
    print(f"Part 2: steps per second of one fit epoch, {rounds} interleaved rounds")
    for backend in backends:
        command = [
            sys.executable,
            __file__,
            "--worker",
            backend,
            "--rounds",
            str(rounds),
        ]
        if quick:
            command.append("--quick")
        report = run_backend(command, backend)
        if report is None:
            continue
        for task, numbers in report.items():
            print(f"  {backend}, {task} ({numbers['steps']} steps an epoch)")
            base = statistics.median(numbers["rates"]["verbose=0"])
            for config, rates in numbers["rates"].items():
                median = statistics.median(rates)
                print(
                    f"    {config:<20}{median:>9.0f} steps/s"
                    f"  (min {min(rates):.0f}, max {max(rates):.0f})"
                    f"  ratio {median / base:.3f}"
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--backends", default="tensorflow,jax,jax-dp")
    parser.add_argument("--quick", action="store_true", help="small runs")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.worker:
        fit_worker(options.worker, options.rounds, options.quick)
        return 0
    bench_hooks(2_000 if options.quick else 100_000, options.rounds)
    bench_fit(options.backends.split(","), options.rounds, options.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
