"""get_activations against the other ways to read a model's layers.

    python benchmarks/bench_activations.py [--backends tensorflow,jax,torch] [--quick]

On a ``weights=None`` ResNet50 and a batch of 32 random 224x224 images, each
way runs in its own subprocess (so its peak memory is its own), warm-up call
first, then ``--repeat`` timed calls (one for the sub-models). The ways run
``--rounds`` times, interleaved, and the medians are compared:

- ``predict``: one plain ``model.predict`` (the limit);
- ``kerasteach default``: ``get_activations(model, x)``, the layers a student
  looks at (convolutions, pooling, dense, block outputs);
- ``kerasteach all``: ``get_activations(model, x, "all")``;
- ``kerasteach all float16``: the same with ``dtype="float16"`` (cast inside
  the compiled pass);
- ``naive all``: one multi-output model over every layer, ``predict`` on all 32;
- ``sub-model per layer``: one ``Model(inputs, layer.output)`` per layer, each
  predicting the batch (what older tools did). It is timed on ``--sample``
  evenly spread layers and scaled to all of them, as the full run takes long.

Every kerasteach way reads every layer it returned, so a copy from a GPU is
paid inside the timing. Each backend's report starts with the device it ran on
and the copy limits for the bytes of ``"all"``'s results: a copy from the
device into ordinary (pageable) host memory, and into page-locked (pinned)
memory where the backend offers it (a GPU); on a CPU the pageable figure is a
host memory copy and there is no pinned one.

Peak memory is the subprocess's maximum resident set size minus what it held
after building the model (TensorFlow's own start-up is left out). Ratios are
time over ``predict``'s, and peak memory over the naive model's; with a pinned
copy limit, also time over (predict + the pinned copy of the results).
``--quick`` uses a small CNN instead, for a smoke run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys

from timing import median_seconds, run_worker

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

WAYS = (
    "predict",
    "kerasteach default",
    "kerasteach all",
    "kerasteach all float16",
    "naive all",
    "sub-model per layer",
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(quick: bool):
    import keras

    if quick:
        keras.utils.set_random_seed(0)
        return keras.Sequential(
            [
                keras.Input((64, 64, 3)),
                keras.layers.Conv2D(16, 3, activation="relu"),
                keras.layers.MaxPooling2D(),
                keras.layers.Conv2D(32, 3, activation="relu"),
                keras.layers.GlobalAveragePooling2D(),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
    return keras.applications.ResNet50(weights=None)


def worker(way: str, quick: bool, sample: int, repeat: int) -> dict:
    import keras
    import numpy as np

    from kerasteach import get_activations

    model = build(quick)
    size = model.inputs[0].shape[1:]
    x = np.random.default_rng(0).random((32, *size), dtype=np.float32)
    layers = [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]
    base = peak_mb()
    scale = 1.0
    if way == "predict":

        def run():
            return model.predict(x, batch_size=32, verbose=0)
    elif way == "kerasteach default":

        def run():
            found = get_activations(model, x)
            return [found[name] for name in found]  # every layer on the host
    elif way == "kerasteach all":

        def run():
            found = get_activations(model, x, "all")
            return [found[name] for name in found]
    elif way == "kerasteach all float16":

        def run():
            found = get_activations(model, x, "all", dtype="float16")
            return [found[name] for name in found]
    elif way == "copy limits":
        found = get_activations(model, x, "all")
        return copy_limits(sum(found[name].nbytes for name in found), repeat)
    elif way == "naive all":
        naive = keras.Model(model.inputs, [layer.output for layer in layers])

        def run():
            return naive.predict(x, batch_size=32, verbose=0)
    else:
        step = max(1, len(layers) // sample)
        chosen = layers[::step][:sample]
        scale = len(layers) / len(chosen)
        cuts = [keras.Model(model.inputs, layer.output) for layer in chosen]

        def run():
            return [cut.predict(x, batch_size=32, verbose=0) for cut in cuts]

    result = run()  # warm-up: tracing and compilation are not what is compared
    del result
    # One sub-model pass takes minutes; the others are repeated for a median.
    seconds = median_seconds(run, 1 if scale > 1 else repeat) * scale
    return {"seconds": seconds, "peak_mb": peak_mb() - base, "scaled": scale}


def copy_limits(size: int, repeat: int) -> dict:
    """Where this backend computes, and how fast ``size`` bytes come from there
    into pageable and (where the backend offers it) pinned host memory."""
    import keras
    import numpy as np

    backend = keras.backend.backend()
    count = size // 4
    pinned = None
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        source = jax.device_put(np.ones(count, np.float32), device)
        source.block_until_ready()
        pageable = median_seconds(lambda: np.array(source), repeat)
        if device.platform != "cpu":
            target = jax.sharding.SingleDeviceSharding(
                device, memory_kind="pinned_host"
            )
            pinned = median_seconds(
                lambda: jax.device_put(source, target).block_until_ready(), repeat
            )
        where = f"{device.platform}:{device.id} ({device.device_kind})"
    elif backend == "torch":
        import torch

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        source = torch.ones(count, device=device)
        pageable = median_seconds(lambda: source.to("cpu", copy=True), repeat)
        if device.type == "cuda":
            buffer = torch.empty(count, pin_memory=True)

            def to_pinned():
                buffer.copy_(source, non_blocking=True)
                torch.cuda.synchronize()

            to_pinned()
            pinned = median_seconds(to_pinned, repeat)
            where = f"cuda:0 ({torch.cuda.get_device_name(0)})"
        else:
            where = "cpu"
    else:
        import tensorflow as tf

        gpus = tf.config.list_logical_devices("GPU")
        name = gpus[0].name if gpus else "/device:CPU:0"
        with tf.device(name):
            source = tf.ones((count,), tf.float32)
        pageable = median_seconds(lambda: np.array(source), repeat)
        where = name
    return {"device": where, "bytes": size, "pageable_s": pageable, "pinned_s": pinned}


def measure(way: str, backend: str, options) -> dict | None:
    """One way, in a subprocess of its own so its peak memory is its own."""
    command = [sys.executable, __file__, "--worker", way]
    command += ["--sample", str(options.sample), "--repeat", str(options.repeat)]
    command += ["--quick"] if options.quick else []
    return run_worker(command, backend, f"{backend} {way}")


def report(backend: str, options) -> None:
    """Each way ``--rounds`` times, interleaved (the sub-models once): a slow
    moment of a shared machine hits every way, and the medians are compared."""
    copies = measure("copy limits", backend, options)
    runs: dict[str, list[dict]] = {way: [] for way in WAYS}
    for round_number in range(options.rounds):
        for way in WAYS:
            if way == "sub-model per layer" and round_number:
                continue  # minutes a round, and never close to the others
            numbers = measure(way, backend, options)
            if numbers is not None:
                runs[way].append(numbers)
    results = {
        way: {
            "seconds": statistics.median(r["seconds"] for r in found),
            "low": min(r["seconds"] for r in found),
            "high": max(r["seconds"] for r in found),
            "peak_mb": statistics.median(r["peak_mb"] for r in found),
            "scaled": found[0]["scaled"],
        }
        for way, found in runs.items()
        if found
    }
    print(f"{backend}:")
    pinned_limit = None
    if copies is not None:
        gigabytes = copies["bytes"] / 1e9
        pinned = copies["pinned_s"]
        print(
            f"  ran on {copies['device']}; copying {copies['bytes'] / 1e6:,.0f} MB "
            f'("all"\'s results) to the host: pageable '
            f"{gigabytes / copies['pageable_s']:.1f} GB/s, pinned "
            + (f"{gigabytes / pinned:.1f} GB/s" if pinned else "none here (no GPU)")
        )
        pinned_limit = pinned
    limit = results.get("predict", {}).get("seconds")
    naive = results.get("naive all", {}).get("peak_mb")
    for way, numbers in results.items():
        ratio = f"{numbers['seconds'] / limit:7.2f}x" if limit else ""
        memory = f"{numbers['peak_mb'] / naive:6.2f}" if naive else ""
        spread = f"({numbers['low']:.2f}-{numbers['high']:.2f})"
        note = (
            f"  (a sample of layers, scaled by {numbers['scaled']:.1f})"
            if numbers["scaled"] > 1
            else ""
        )
        bound = (
            f"  {numbers['seconds'] / (limit + pinned_limit):.2f}x predict+pinned"
            if limit and pinned_limit
            else ""
        )
        print(
            f"  {way:<24}{numbers['seconds']:>8.2f} s {spread:<14}{ratio}"
            f"{numbers['peak_mb']:>9.0f} MB {memory}{bound}{note}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--sample", type=int, default=8, help="sub-models timed")
    parser.add_argument("--repeat", type=int, default=1, help="timed calls a run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs")
    parser.add_argument("--quick", action="store_true", help="a small CNN")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.worker:
        print(
            json.dumps(
                worker(options.worker, options.quick, options.sample, options.repeat)
            )
        )
        return 0
    model = "small CNN" if options.quick else "ResNet50 (weights=None)"
    print(
        f"{model}, 32 images, {options.rounds} interleaved rounds; medians (min-max); "
        "ratios: time / predict, memory / naive"
    )
    for backend in options.backends.split(","):
        report(backend, options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
