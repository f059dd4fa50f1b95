"""get_activations against Keras' own cut models, on every kind of model."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import require_backend

from kerasteach.activations import ActivationError, choose_layers, get_activations
from kerasteach.activations.extract import extraction_model
from kerasteach.activations.tiles import normalize

RNG = np.random.default_rng(0)


def cut(model: keras.Model, layer: str, x) -> np.ndarray:
    """What a model cut at ``layer`` computes: Keras' own answer."""
    return keras.Model(model.inputs, model.get_layer(layer).output).predict(
        x, verbose=0
    )


def cnn() -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.MaxPooling2D(name="pool"),
            keras.layers.BatchNormalization(name="norm"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(3, activation="softmax", name="out"),
        ]
    )


def images(count: int = 10) -> np.ndarray:
    return RNG.random((count, 8, 8, 1), dtype=np.float32)


@pytest.mark.quick
def test_sequential_layers_equal_keras_cuts_and_default_choice() -> None:
    model, x = cnn(), images()
    found = get_activations(model, x)
    assert list(found) == ["conv", "pool", "out"]  # not the plumbing
    for name, array in found.items():
        np.testing.assert_allclose(array, cut(model, name, x), rtol=1e-5, atol=1e-6)
    every = get_activations(model, x, "all")
    assert list(every) == ["conv", "pool", "norm", "flat", "out"]
    np.testing.assert_allclose(every["norm"], cut(model, "norm", x), atol=1e-6)


def test_default_shows_a_stage_after_its_normalization_and_activation() -> None:
    inputs = keras.Input((8, 8, 1))
    c1 = keras.layers.Conv2D(4, 3, padding="same", name="c1")(inputs)
    r1 = keras.layers.ReLU(name="r1")(keras.layers.BatchNormalization(name="b1")(c1))
    c2 = keras.layers.Conv2D(4, 3, padding="same", name="c2")(r1)
    added = keras.layers.Add(name="add")([c2, r1])
    block = keras.layers.Activation("relu", name="block_out")(added)
    pooled = keras.layers.GlobalAveragePooling2D(name="gap")(block)
    logits = keras.layers.Dense(3, name="d")(pooled)
    probs = keras.layers.Activation("softmax", name="probs")(logits)
    model = keras.Model(inputs, probs)
    # r1 feeds two layers and ends there; c2 feeds only the merge, whose
    # stage end (the block's output) shows it.
    assert choose_layers(model) == ["r1", "block_out", "gap", "probs"]
    assert "c2" in choose_layers(model, "all")
    x = images(3)
    found = get_activations(model, x)
    np.testing.assert_allclose(found["r1"], cut(model, "r1", x), atol=1e-6)


def test_layers_by_name_index_and_type_in_model_order() -> None:
    model = cnn()
    assert choose_layers(model, ["out", "conv"]) == ["out", "conv"]
    assert choose_layers(model, [0, -1]) == ["conv", "out"]
    assert choose_layers(model, keras.layers.Dense) == ["out"]
    assert choose_layers(model, [keras.layers.Conv2D, "flat"]) == ["conv", "flat"]


def test_batches_give_the_same_arrays_as_one_batch_and_the_model_is_built_once():
    model, x = cnn(), images(11)
    whole = get_activations(model, x, "all", batch_size=64)
    pieces = get_activations(model, x, "all", batch_size=3)
    for name in whole:
        np.testing.assert_allclose(pieces[name], whole[name], atol=1e-6)
    paths = choose_layers(model, "all")
    assert extraction_model(model, paths) is extraction_model(model, paths)
    half = get_activations(model, x, "all", batch_size=4, dtype="float16")
    assert half["conv"].dtype == np.float16
    # in one pass the cast happens inside the compiled pass: same numbers
    once = get_activations(model, x, "all", dtype="float16")
    for name in whole:
        assert once[name].dtype == np.float16
        np.testing.assert_allclose(once[name], whole[name], rtol=2e-3, atol=2e-3)


def test_the_model_and_the_inputs_are_left_as_they_were() -> None:
    model, x = cnn(), images()
    before = [w.copy() for w in model.get_weights()]
    kept = x.copy()
    get_activations(model, x, "all")
    assert not model.compiled
    assert len(model.layers) == 5
    for old, new in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)
    np.testing.assert_array_equal(x, kept)


def test_sequential_without_input_once_called() -> None:
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [keras.layers.Dense(5, name="hidden"), keras.layers.Dense(2, name="out")]
    )
    model(np.zeros((1, 3), np.float32))
    x = RNG.random((7, 3), dtype=np.float32)
    found = get_activations(model, x, "all", batch_size=4)
    np.testing.assert_allclose(found["hidden"], cut(model, "hidden", x), atol=1e-6)
    assert found["out"].shape == (7, 2)


@pytest.mark.quick
def test_functional_with_branches_two_inputs_and_two_outputs() -> None:
    keras.utils.set_random_seed(2)
    picture = keras.Input((8, 8, 1), name="picture")
    numbers = keras.Input((3,), name="numbers")
    a = keras.layers.Conv2D(2, 3, name="left")(picture)
    b = keras.layers.Conv2D(2, 3, name="right")(picture)
    merged = keras.layers.Add(name="add")([a, b])
    flat = keras.layers.Flatten(name="flat")(merged)
    joined = keras.layers.Concatenate(name="join")([flat, numbers])
    kind = keras.layers.Dense(3, name="kind")(joined)
    size = keras.layers.Dense(1, name="size")(joined)
    model = keras.Model([picture, numbers], [kind, size])
    x = [images(6), RNG.random((6, 3), dtype=np.float32)]
    found = get_activations(model, x, "all", batch_size=4)
    assert list(found) == ["left", "right", "add", "flat", "join", "kind", "size"]
    for name in found:
        np.testing.assert_allclose(found[name], cut(model, name, x), atol=1e-5)


def nested_model() -> tuple[keras.Model, keras.Model]:
    keras.utils.set_random_seed(3)
    block = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, name="inner_conv"),
            keras.layers.GlobalAveragePooling2D(name="inner_pool"),
        ],
        name="block",
    )
    start = keras.Input((8, 8, 1))
    scaled = keras.layers.Rescaling(0.5, name="scale")(start)
    out = keras.layers.Dense(2, name="out")(block(scaled))
    return keras.Model(start, out), block


@pytest.mark.quick
def test_reaching_inside_a_nested_model_equals_a_direct_cut() -> None:
    model, block = nested_model()
    x = images(5)
    # The naive cut is not connected to the outer inputs: Keras 3.14 and later
    # refuse to build it, earlier versions build it and fail when it is called.
    try:
        naive = keras.Model(model.inputs, block.get_layer("inner_conv").output)
    except ValueError as error:
        assert "not connected" in str(error)
    else:
        with pytest.raises(Exception):  # noqa: B017 - each Keras fails its own way
            naive.predict(x, verbose=0)
    found = get_activations(model, x, ["block/inner_conv", "block", "out"])
    direct = keras.Model(block.inputs, block.get_layer("inner_conv").output)
    np.testing.assert_allclose(
        found["block/inner_conv"], direct.predict(x * 0.5, verbose=0), atol=1e-6
    )
    np.testing.assert_allclose(found["block"], cut(model, "block", x), atol=1e-6)
    assert choose_layers(model) == ["block", "out"]


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ("nope", "no layer named 'nope'.*its layers are: conv, pool"),
        (9, "layer index 9 is out of range"),
        (keras.layers.LSTM, "has no LSTM layer"),
        ("conv/x", "'conv' is a Conv2D, not a model"),
        ([1.5], "choose layers by name, index or type"),
    ],
)
def test_a_bad_layer_choice_names_what_exists(layers, message) -> None:
    with pytest.raises(ActivationError, match=message):
        get_activations(cnn(), images(2), layers)


def test_subclassed_models_get_a_clear_error_and_shared_layers_each_call() -> None:
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    custom = Custom()
    custom(np.zeros((1, 3)))
    with pytest.raises(ActivationError, match="subclassed model.*functional API"):
        get_activations(custom, np.zeros((2, 3)), "all")
    shared = keras.layers.Dense(3, name="shared")
    start = keras.Input((3,))
    model = keras.Model(start, shared(shared(start)))
    x = RNG.random((2, 3), dtype=np.float32)
    found = get_activations(model, x, "shared")  # one array per call
    assert list(found) == ["shared@0", "shared@1"]
    np.testing.assert_allclose(found["shared@1"], model.predict(x, verbose=0))


@pytest.mark.quick
def test_plot_activations_has_one_panel_per_layer_showing_its_output() -> None:
    from kerasteach import plot_activations
    from kerasteach.activations.tiles import picture

    model, x = cnn(), images(4)
    names = ["cat", "dog", "owl"]
    figure = plot_activations(
        model, x, ["conv", "flat", "out"], max_channels=3, labels=[2, 0, 1, 1],
        class_names=names,
    )  # fmt: skip
    found = get_activations(model, x[:1], ["conv", "flat", "out"])
    predicted = names[int(found["out"][0].argmax())]
    right = "right" if predicted == "owl" else "wrong"
    titles = [axes.get_title() for axes in figure.axes]
    assert titles == [
        f"input · true owl, predicted {predicted} ({right})",
        "conv (6, 6, 4) · 3 of 4 maps",
        "flat (36,)",
        "out (3,)",
    ]
    # the input beside what it produced, as the model got it
    (shown_input,) = figure.axes[0].get_images()
    np.testing.assert_allclose(
        shown_input.get_array(), normalize(x[0, ..., 0], axis=None), atol=1e-6
    )
    panels = figure.axes[1:]  # the layers' panels
    # each tiled map numbered, from 1
    assert [t.get_text() for t in panels[0].texts] == ["1", "2", "3"]
    (image,) = panels[0].get_images()
    assert image.get_cmap().name == "gray"  # as in the report and the explorer
    (colour_bar,) = panels[0].child_axes
    assert [t.get_text() for t in colour_bar.get_yticklabels()] == ["low", "high"]
    shown = image.get_array()
    # made 8-bit where the model ran: within half a grey level of the floats
    np.testing.assert_allclose(shown, picture(found["conv"][0], 3), atol=0.5 / 255)
    assert len(np.unique(shown.compressed())) <= 256
    bars = [patch.get_height() for patch in panels[2].patches]
    np.testing.assert_allclose(bars, found["out"][0], rtol=1e-5)
    best = int(found["out"][0].argmax())  # the predicted class's bar stands out
    colours = [patch.get_facecolor() for patch in panels[2].patches]
    assert [c == colours[best] for c in colours].count(True) == 1
    ticks = [t.get_text() for t in panels[1].get_xticklabels()]
    assert all(t.lstrip("−-").isdigit() for t in ticks)  # unit numbers, whole
    rows = plot_activations(found, samples=[0])  # from get_activations' result
    assert len(rows.axes) == 3
    named = plot_activations(found, class_names=["cat", "dog", "owl"])
    assert [t.get_text() for t in named.axes[2].get_xticklabels()] == [
        "cat",
        "dog",
        "owl",
    ]


def test_plot_activations_gives_a_column_per_input() -> None:
    from kerasteach import plot_activations

    figure = plot_activations(cnn(), images(5), samples=[1, 4])
    assert len(figure.axes) == 8  # input, conv, pool, out x two inputs
    assert figure.axes[1].get_title().startswith("input 4 · predicted ")
    assert figure.axes[3].get_title() == "conv (6, 6, 4) · input 4"
    with pytest.raises(ActivationError, match="2 labels for input 4"):
        plot_activations(cnn(), images(5), samples=[1, 4], labels=[0, 1])


def test_plot_convolution_adds_up_to_the_layers_own_output() -> None:
    from kerasteach import plot_convolution

    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [
            keras.Input((7, 7, 2)),
            keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="c"),
            keras.layers.Conv2D(2, 3, strides=2, name="strided"),
        ]
    )
    x = RNG.random((1, 7, 7, 2), dtype=np.float32)
    made = get_activations(model, x, ["c"])["c"][0]
    figure = plot_convolution(model, x, "c", filter=1)
    row, column = np.unravel_index(made[..., 1].argmax(), made.shape[:2])
    title = figure.axes[3].get_title()
    assert title == (
        f"feature map 1 of c\n{made[row, column, 1]:.2f} at row {row}, column {column}"
    )  # where the map answers most, by default
    the_sum = figure.axes[2].texts[0].get_text().splitlines()
    assert (
        the_sum[-1] == f"relu({made[row, column, 1]:.3f}) = {made[row, column, 1]:.3f}"
    )
    chosen = plot_convolution(model, x, "c", filter=0, at=(0, 6))  # a corner: padding
    assert (
        chosen.axes[3].get_title().endswith(f"{made[0, 6, 0]:.2f} at row 0, column 6")
    )
    assert chosen.axes[0].get_title() == "input of c\n(1 pixel of zeros around it)"
    with pytest.raises(ActivationError, match="stride 1; strided has strides"):
        plot_convolution(model, x, "strided")
    with pytest.raises(ActivationError, match="filters 0 to 2"):
        plot_convolution(model, x, "c", filter=3)
    with pytest.raises(ActivationError, match="outside the 7x7 feature map"):
        plot_convolution(model, x, "c", at=(7, 0))


def test_plot_filters_shows_first_layer_kernels() -> None:
    from kerasteach import plot_filters

    keras.utils.set_random_seed(4)
    colour = keras.Sequential(
        [keras.Input((8, 8, 3)), keras.layers.Conv2D(5, 3, name="first")]
    )
    figure = plot_filters(colour)
    assert figure.axes[0].get_title() == "first: 5 filters, 3×3, as RGB"
    assert figure.axes[0].get_images()[0].get_array().shape[-1] == 3
    model, _ = nested_model()  # the first convolution is inside "block"
    assert plot_filters(model).axes[0].get_title().startswith("block/inner_conv: 4")
    with pytest.raises(ActivationError, match="not a 2-D convolution"):
        plot_filters(cnn(), "out")


OTHER_BACKEND = """
import json
import keras
import numpy as np
from kerasteach import get_activations
from kerasteach.activations.extract import (
    compiled_forward, extraction_model, picture_outputs)

keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.Input((8, 8, 1)),
    keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
    keras.layers.Flatten(name="flat"),
    keras.layers.Dense(3, name="out"),
])
x = np.random.default_rng(0).random((40, 8, 8, 1), dtype=np.float32)
one = get_activations(model, x[:10], "all")
untouched = one.copied  # nothing has crossed to the host yet
cuts = {n: keras.Model(model.inputs, model.get_layer(n).output).predict(x, verbose=0)
        for n in one}
first = np.allclose(one["conv"], cuts["conv"][:10], atol=1e-5)
after_one = list(one.copied)
batched = get_activations(model, x, "all")
kept = [get_activations(model, x[:10], "all", to_host=False),
        get_activations(model, x, "all", to_host=False, batch_size=16)]
half = [get_activations(model, x[:10], "all", dtype="float16"),
        get_activations(model, x, "all", dtype="float16", batch_size=16)]
arrays, shapes = picture_outputs(model, x[:3], ["conv", "out"], 2, exact=["out"])
maps = cuts["conv"][:3, ..., :2]
low = maps.min(axis=(1, 2), keepdims=True)
span = maps.max(axis=(1, 2), keepdims=True) - low
scaled = np.where(span > 0, (maps - low) / np.where(span > 0, span, 1), 0)
grey = np.floor(scaled * 255 + 0.5)
landed = compiled_forward(extraction_model(model, ["conv"]), to_host=False, pinned=True)
landing = landed(x[:2])[0]
print(json.dumps({
    "one": all(np.allclose(one[n], cuts[n][:10], atol=1e-5) for n in one),
    "lazy": [list(untouched), first, after_one],
    "batched": all(np.allclose(batched[n], cuts[n], atol=1e-5) for n in one),
    "kept on the device": [
        not isinstance(k[n], np.ndarray) and keras.ops.is_tensor(k[n])
        for k in kept for n in k
    ],
    "kept equal": all(
        np.allclose(keras.ops.convert_to_numpy(k[n]), cuts[n][: len(k[n])], atol=1e-5)
        for k in kept for n in k
    ),
    "float16": all(
        h[n].dtype == np.float16 and np.allclose(h[n], cuts[n][: len(h[n])], atol=2e-2)
        for h in half for n in h
    ),
    "pictures": [
        arrays[0].dtype.name, arrays[1].dtype.name, shapes,
        int(np.abs(arrays[0].astype(int) - grey).max()) <= 1,
        bool(np.allclose(arrays[1], cuts["out"][:3], atol=1e-5)),
    ],
    "landing": getattr(getattr(landing, "sharding", None), "memory_kind", None),
}))
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_every_backend_gives_what_keras_cuts_give(backend: str) -> None:
    require_backend(backend)
    import json
    import sys

    from conftest import run_command

    result = run_command(
        sys.executable, "-c", OTHER_BACKEND, env={"KERAS_BACKEND": backend}
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "one": True,
        "lazy": [[], True, ["conv"]],  # one layer read: one layer copied
        "batched": True,
        "kept on the device": [True] * 6,
        "kept equal": True,
        "float16": True,
        # the maps as 8-bit pixels (2 of 4 channels), the scores whole
        "pictures": ["uint8", "float32", [[6, 6, 4], [3]], True, True],
        # JAX writes results for the host into page-locked memory itself
        "landing": "pinned_host" if backend == "jax" else None,
    }


JAX_PINNED = """
import json
import jax
import numpy as np
from kerasteach.activations.transfer import (
    HostResults, in_device_memory, pinned_outputs, pinned_sharding)

array = jax.numpy.arange(6.0).reshape(3, 2)
moved = jax.device_put(array, pinned_sharding(array.sharding))
results = HostResults(count=5)
results.add([array]); results.add([moved[:2]])
print(json.dumps([
    moved.sharding.memory_kind, np.asarray(moved).tolist(),
    in_device_memory(array), in_device_memory(moved), pinned_outputs().memory_kind,
    results.finish()[0].tolist(),
]))
"""


def test_jax_moves_results_through_page_locked_memory() -> None:
    """The JAX calls a GPU takes (JAX's CPU has page-locked memory too)."""
    require_backend("jax")
    import json
    import sys

    from conftest import run_command

    result = run_command(sys.executable, "-c", JAX_PINNED, env={"KERAS_BACKEND": "jax"})
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    assert (
        json.loads(result.stdout.strip().splitlines()[-1])
        == [
            "pinned_host",
            rows,
            False,  # on the CPU already
            False,  # in host memory
            "pinned_host",
            rows + rows[:2],  # batches written in order, one batch late
        ]
    )


def test_pictures_are_made_on_the_device_and_only_their_pixels_come_back() -> None:
    from kerasteach.activations.extract import compiled_forward
    from kerasteach.activations.tiles import picture

    model, x = cnn(), images(3)
    paths = ["conv", "flat", "out"]
    extractor = extraction_model(model, paths)
    shown = compiled_forward(extractor, pictures=(2, None))(x)
    floats = compiled_forward(extractor)(x)
    conv, flat, out = shown
    assert conv.dtype == np.uint8 and conv.shape == (3, 6, 6, 2)  # 2 of 4 maps
    assert flat.dtype == np.uint8 and out.dtype == np.uint8
    assert conv.nbytes * 8 == floats[0].nbytes  # a quarter of the bytes, half the maps
    for pixels, values in zip(shown, floats, strict=True):
        for index in range(3):
            device = picture(pixels[index], max_channels=2)
            host = picture(values[index], max_channels=2)
            # the same picture, to the 8-bit step a PNG has anyway
            np.testing.assert_allclose(device, host, atol=0.5 / 255 + 1e-6)


def test_the_result_is_used_as_a_dict() -> None:
    found = get_activations(cnn(), images(2), "all")
    scores = found.pop("out")  # as the report and keract users do
    del found["norm"]
    found["mine"] = np.zeros(2)
    assert scores.shape == (2, 3) and list(found) == ["conv", "pool", "flat", "mine"]
    assert dict(found)["conv"].shape == (2, 6, 6, 4)


def test_a_dtype_keras_does_not_know_is_refused_by_name() -> None:
    with pytest.raises(ActivationError, match="dtype 'bogus' is not a Keras dtype"):
        get_activations(cnn(), images(2), dtype="bogus")
    found = get_activations(cnn(), images(2), "conv", dtype="float16")
    assert found["conv"].dtype == np.float16


def test_where_keract_differs_each_one_line_equivalent_holds() -> None:
    """docs/activations.md's table of differences from keract, each checked."""
    model = cnn()
    x = images(2)
    shown = get_activations(model, x)
    every = get_activations(model, x, "all")
    assert set(shown) < set(every)  # the default leaves some layers out
    assert [layer.name for layer in model.layers] == list(every)  # "all": each
    with_inputs = {"input": x, **every}
    assert list(with_inputs)[0] == "input" and with_inputs["input"] is x
    sequence = keras.Input((5, 3), name="sequence")
    output, state_h, state_c = keras.layers.LSTM(4, return_state=True, name="lstm")(
        sequence
    )
    recurrent = keras.Model(sequence, [keras.layers.Dense(2, name="out")(output)])
    found = get_activations(recurrent, np.zeros((2, 5, 3), "float32"), "all")
    assert list(found) == ["lstm", "lstm:1", "lstm:2", "out"]
    together = [found[k] for k in ("lstm", "lstm:1", "lstm:2")]
    assert [a.shape for a in together] == [(2, 4)] * 3

    class Subclassed(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    subclassed = Subclassed()
    subclassed(np.zeros((1, 3), "float32"))
    with pytest.raises(ActivationError, match="rebuild it with the functional API"):
        get_activations(subclassed, np.zeros((1, 3), "float32"))
