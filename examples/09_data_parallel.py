# %%
# In a fresh hosted notebook (Colab, Kaggle), remove the "#" before %pip and
# run this cell first: it installs kerasteach (or the wheel your teacher gives).
# # %pip install kerasteach

# %% [markdown]
# # 9. Data-parallel training: every device, then several processes
#
# The MNIST CNN of example 3, trained data-parallel: every device holds the
# whole model and a share of each batch, and the gradients are averaged.
# With JAX, Keras' distribution API spreads it over the devices there are (a
# laptop's one CPU gives a mesh of one: it still runs); with TensorFlow,
# `tf.distribute.MirroredStrategy` does the same on one machine.
# `--processes 2` starts two processes on this computer that train together
# over 127.0.0.1, as two machines would over a network (JAX only).
# Every add-on stays on, unchanged: process 0 shows the bars, draws the plot
# and writes the TensorBoard run and the report; the other processes compute
# their share and stay silent.
#
# Run it: `python examples/09_data_parallel.py` (add `--quick`, and
# `--processes 2`). Read docs/scaling.md next.

# %%
import kerasteach.quiet  # first, before Keras: no TensorFlow start-up messages
import argparse
import contextlib
import os
import socket
import subprocess
import sys


def more_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--processes", type=int, default=1, help="processes in the job (JAX)"
    )
    # set by the launcher below for each process it starts
    parser.add_argument("--process-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)


from kerasteach.course import load_images, options, output_folder, save_results, score  # noqa: E402

args = options("Data-parallel training of the MNIST CNN", epochs=5, more=more_options)

if args.processes > 1 and args.process_id is None:
    # The launcher: this script again, once per process, all on this computer.
    # On several machines each would run it with its own --process-id and the
    # first machine's address instead of 127.0.0.1.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # A proxy (a school's http_proxy) must not carry the processes' talk to
    # each other: JAX's coordination service would wait for ever.
    direct = ",".join(filter(None, ["127.0.0.1,localhost", os.environ.get("no_proxy")]))
    environment = {**os.environ, "KERAS_BACKEND": "jax"}
    environment.update(no_proxy=direct, NO_PROXY=direct, no_grpc_proxy=direct)
    command = [sys.executable, __file__, *sys.argv[1:]]
    launched = [
        subprocess.Popen(
            [*command, "--process-id", str(i), "--port", str(port)], env=environment
        )
        for i in range(args.processes)
    ]
    try:
        codes = [process.wait() for process in launched]
    finally:
        for process in launched:
            if process.poll() is None:
                process.kill()
    sys.exit(max(codes))

# %% [markdown]
# ## Joining the job, and choosing the layout
# Each process says who it is and where process 0 listens; then the model is
# laid out data-parallel over every device of every process.

# %%
import keras  # noqa: E402

import kerasteach  # noqa: E402

if args.process_id is not None:
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")  # CPU collectives
    keras.distribution.initialize(
        job_addresses=f"127.0.0.1:{args.port}",
        num_processes=args.processes,
        process_id=args.process_id,
    )
chief = args.process_id in (None, 0)
if keras.backend.backend() == "jax":
    devices = keras.distribution.list_devices()
    keras.distribution.set_distribution(
        keras.distribution.DataParallel(devices=devices)
    )
    scope = contextlib.nullcontext()
elif keras.backend.backend() == "tensorflow":
    import tensorflow as tf

    strategy = tf.distribute.MirroredStrategy()  # every GPU, else the CPU
    scope = strategy.scope()
else:
    print("Keras has no distribution API on PyTorch: training on one device.")
    scope = contextlib.nullcontext()

out = output_folder(args, "09_data_parallel")
data = load_images("mnist", args.quick, normalize=True, channels="last")
(x_train, y_train), (x_test, y_test) = data

# %% [markdown]
# ## The same model, the same callbacks
# The batch of 128 is the job's: each device gets its share.

# %%
import tensorflow as tf  # noqa: E402 - tf.data feeds every backend

keras.utils.set_random_seed(0)
with scope:
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(name="pool1"),
            keras.layers.Conv2D(64, 3, activation="relu", name="conv2"),
            keras.layers.MaxPooling2D(name="pool2"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax", name="digit"),
        ],
        name="mnist_cnn",
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
if chief:
    kerasteach.summary(model).print()  # its last line says how it is distributed

# drop_remainder: every process must take the same number of steps. A last,
# smaller batch would be split unevenly, and one process would wait for ever.
cut = len(x_train) * 9 // 10


def batches(x, y):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(128, drop_remainder=True)


train, validation = (
    batches(x_train[:cut], y_train[:cut]),
    batches(x_train[cut:], y_train[cut:]),
)
callbacks = [
    kerasteach.TqdmProgress(),
    kerasteach.LivePlot(out / "curves.png"),
    *kerasteach.tensorboard_callbacks(
        out / "logs",
        sample=x_test[:4],
        validation_data=(x_train[cut:][:256], y_train[cut:][:256]),
    ),
]
model.fit(
    train,
    epochs=args.epochs,
    validation_data=validation,
    verbose=0,
    callbacks=callbacks,
)
accuracy = model.evaluate(batches(x_test, y_test), verbose=0)[1]
names = [str(digit) for digit in range(10)]
kerasteach.activation_report(
    model, x_test[:6], out / "report.html", names, labels=y_test[:6]
)
if chief:
    print(f"Test accuracy: {score(data, accuracy)}")
    print(f"Curves, TensorBoard run and report in {out}/")
    save_results(out, {"CNN data-parallel": accuracy})
