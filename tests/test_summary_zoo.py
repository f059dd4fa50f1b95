"""Every zoo model checked against Keras itself: shapes, totals, and sums."""

from __future__ import annotations

import re
from functools import cache

import keras
import numpy as np
import pytest
import zoo

import kerasteach

SMALL = sorted(zoo.SMALL)
APPLICATIONS = [pytest.param(name, marks=pytest.mark.slow) for name in zoo.APPLICATIONS]
ALL = SMALL + APPLICATIONS


@cache
def built(name: str) -> keras.Model:
    return zoo.build(name)


def _unique_size(variables: list) -> int:
    seen = {id(v): v for v in variables}
    return sum(int(np.prod(v.shape)) for v in seen.values())


def _keras_shapes(model: keras.Model, name: str) -> list[tuple] | None:
    """What Keras reports as the output shapes of the layer at ``name`` (a/b/c)."""
    owner = model
    try:
        for part in name.split("/"):
            owner = owner.get_layer(part)
    except ValueError:
        return None  # a keras.ops call: not a layer Keras can look up
    outputs = keras.tree.flatten(owner.output)
    return [tuple(t.shape) for t in outputs]


@pytest.mark.parametrize("name", ALL)
def test_row_shapes_equal_what_keras_reports(name: str) -> None:
    model = built(name)
    rows = kerasteach.summary(model, expand_nested=name.startswith("nested")).rows
    if name == "subclassed":
        x = np.zeros((2, 20), "float32")
        for row in rows[1:]:
            x = model.get_layer(row.name)(x)
            assert row.output_shape == (None, *x.shape[1:])
        return
    inputs = [r for r in rows if r.is_input]
    assert [r.output_shape for r in inputs] == [tuple(t.shape) for t in model.inputs]
    checked = 0
    for row in rows:
        if row.is_input or row.call:
            continue
        expected = _keras_shapes(model, row.name)
        if expected is not None:
            assert list(row.output_shapes) == expected, row.name
            checked += 1
    assert checked >= len(rows) - len(inputs) - 2  # all but keras.ops calls
    for row in rows:
        for shape in row.output_shapes:
            assert shape[0] is None, f"{row.name}: the batch axis must print as ?"


@pytest.mark.parametrize("name", ALL)
def test_totals_equal_count_params(name: str) -> None:
    model = built(name)
    picture = kerasteach.summary(model)
    assert picture.total_weights == model.count_params()
    assert picture.trainable_weights == _unique_size(model.trainable_weights)
    assert picture.non_trainable_weights == _unique_size(model.non_trainable_weights)


@pytest.mark.parametrize("name", ALL)
def test_rows_add_up_to_the_totals(name: str) -> None:
    picture = kerasteach.summary(built(name))
    rows = picture.rows
    assert sum(r.weights for r in rows) == picture.total_weights
    assert sum(r.trainable_weights for r in rows) == picture.trainable_weights
    counted = [r.mult_adds for r in rows if r.mult_adds is not None]
    assert sum(counted) == picture.mult_adds
    shares = sum(r.share for r in rows)
    assert shares == pytest.approx(100.0 if picture.total_weights else 0.0)


_OP_LINE = re.compile(r"-{15,}\s+(?P<weights>[\d,]+|shared)\s+(?:(?P<share>[\d.]+)%)?")
_TOTAL = re.compile(r"^Weights: (?P<total>[\d,]+) .*trainable (?P<trainable>[\d,]+),")


@pytest.mark.parametrize("name", ALL)
def test_printed_rows_add_up_to_the_printed_totals(name: str) -> None:
    text = kerasteach.summary(built(name), width=400).to_text()
    weights = [m["weights"] for m in _OP_LINE.finditer(text)]
    steps = [line for line in text.splitlines() if re.search(r"\s-{15,}\s", line)]
    assert len(weights) == len(steps)
    printed = sum(int(w.replace(",", "")) for w in weights if w != "shared")
    total = re.search(_TOTAL.pattern, text, re.MULTILINE)
    assert total is not None
    assert printed == int(total["total"].replace(",", ""))
    shares = [float(m["share"]) for m in _OP_LINE.finditer(text) if m["share"]]
    # each share is rounded to 0.1%, so the printed ones add up to 100 within that
    if printed:
        assert abs(sum(shares) - 100) <= 0.05 * len(shares) + 1e-9


@pytest.mark.parametrize("name", SMALL + ["InceptionV3"])
@pytest.mark.parametrize("width", [40, 60, 72, 80, 100, 132])
def test_lines_fit_the_width_and_nothing_is_cut(name: str, width: int) -> None:
    picture = kerasteach.summary(built(name), expand_nested=True)
    text = picture.to_text(width=width)
    lines = text.splitlines()
    for line in lines:  # the width is a hard limit, whatever the model
        assert len(line) <= width, (width, line)
    header = lines[2]
    if "WEIGHTS(N)" in header:
        # Wide layout: the LAYER column, read top to bottom, holds every name.
        start = header.index("LAYER")
        body = lines[4 : lines.index("", 4)]
        column = "".join(line[start:] for line in body)
        expected = "".join(
            r.name + (f"(call{r.call + 1})" if r.call else "") for r in picture.rows
        )
        notes = re.sub(r"->output\d*|\(from[#\d,]+\)", "", column.replace(" ", ""))
        assert notes == expected.replace(" ", "")
    for row in picture.rows:
        if row.weights:
            assert f"{row.weights:,}" in text


def test_shapes_print_unknown_dimensions_as_question_marks() -> None:
    text = kerasteach.summary(built("lstm_text"), width=100).to_text()
    assert "(?, ?, 16)" in text
    assert "None" not in text


def test_subclassed_model_shows_unknown_batch_not_the_build_batch() -> None:
    picture = kerasteach.summary(built("subclassed"))
    assert picture.rows[0].output_shape == (None, 20)
    assert "(?, 32)" in str(picture)
    assert "(7," not in str(picture)
    assert "Subclassed model" in str(picture)


def test_activations_are_drawn_as_steps() -> None:
    rows = kerasteach.summary(built("mnist_cnn")).rows
    assert [r.activation for r in rows if r.operation == "Conv2D"] == ["relu", "relu"]
    text = kerasteach.summary(built("mnist_cnn"), width=100).to_text()
    dense = text.index("Dense  XXXXX")
    assert text[dense:].splitlines()[1].split() == [
        "softmax",
        "#####",
        "(?,",
        "10)",
        "->",
        "output",
    ]


def test_unknown_layer_kinds_get_a_default_glyph_never_question_marks() -> None:
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return x * 2

    inputs = keras.Input((3,))
    model = keras.Model(inputs, Doubler(name="twice")(inputs))
    text = kerasteach.summary(model, width=100).to_text()
    assert "Doubler  =====" in text
    assert "?????" not in text


def test_nested_models_collapse_by_default_and_expand_on_request() -> None:
    model = built("nested")
    collapsed = kerasteach.summary(model).rows
    assert [r.name for r in collapsed] == ["pixels", "encoder", "hidden", "classes"]
    assert collapsed[1].operation == "Sequential"
    assert collapsed[1].weights == model.get_layer("encoder").count_params()
    expanded = kerasteach.summary(model, expand_nested=True).rows
    assert [r.name for r in expanded][1:4] == [
        "encoder/enc_conv",
        "encoder/enc_pool",
        "encoder/enc_flat",
    ]
    assert {r.depth for r in expanded} == {0, 1}


def test_expand_nested_to_a_chosen_depth() -> None:
    model = built("deeply_nested")
    names = {
        depth: [r.name for r in kerasteach.summary(model, expand_nested=depth).rows]
        for depth in (0, 1, 2)
    }
    assert names[0] == ["top_in", "middle", "top_dense"]
    assert names[1] == ["top_in", "middle/inner", "middle/middle_dense", "top_dense"]
    assert names[2] == [
        "top_in",
        "middle/inner/inner_dense",
        "middle/middle_dense",
        "top_dense",
    ]
    assert kerasteach.summary(model, expand_nested=True).rows[1].depth == 2


def test_branches_and_merges_are_drawn_as_lanes() -> None:
    picture = kerasteach.summary(built("residual_cnn"), width=100)
    rows = {r.name: r for r in picture.rows}
    index = {r.index: r.name for r in picture.rows}
    assert sorted(index[i] for i in rows["skip_add"].sources) == ["conv_b", "stem"]
    lines = str(picture).splitlines()
    split = next(i for i, line in enumerate(lines) if line.startswith("+-."))
    merge = next(i for i, line in enumerate(lines) if line.startswith("+-'"))
    assert "stem" in lines[split - 2]
    assert "conv_a" in lines[split + 1]
    assert "skip_add" in lines[merge + 1]


def test_shared_layer_counts_its_weights_once() -> None:
    model = built("shared_layer")
    rows = [r for r in kerasteach.summary(model).rows if r.name == "shared"]
    assert [r.call for r in rows] == [0, 1]
    assert rows[0].weights == model.get_layer("shared").count_params()
    assert rows[1].weights == 0
    assert "shared (call 2)" in kerasteach.summary(model, width=100).to_text()


def test_mult_adds_of_known_layers() -> None:
    rows = {r.name: r for r in kerasteach.summary(built("mnist_cnn")).rows}
    assert rows["conv2d"].mult_adds == 26 * 26 * 32 * 3 * 3 * 1
    assert rows["conv2d_1"].mult_adds == 11 * 11 * 64 * 3 * 3 * 32
    assert rows["dense"].mult_adds == 1600 * 10
    assert rows["max_pooling2d"].mult_adds is None
    rnn = {r.name: r for r in kerasteach.summary(built("fixed_length_rnn")).rows}
    assert rnn["lstm"].mult_adds == 20 * 4 * (3 * 8 + 8 * 8)
    assert rnn["gru"].mult_adds == 20 * 3 * (8 * 4 + 4 * 4)
    variable = {r.name: r for r in kerasteach.summary(built("lstm_text")).rows}
    assert variable["bilstm"].mult_adds_unknown
    assert "at least" in str(kerasteach.summary(built("lstm_text")))


def test_a_model_without_weights_prints() -> None:
    picture = kerasteach.summary(built("no_weights"))
    assert picture.total_weights == 0
    assert all(r.share == 0 for r in picture.rows)
    assert "Weights: 0 (0 B)" in str(picture)


def test_totals_after_fit_leave_out_the_optimizer_slots() -> None:
    model = zoo.build("mnist_cnn")
    before = kerasteach.summary(model, width=100).to_text()
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.default_rng(0).random((8, 28, 28, 1), dtype="float32")
    model.fit(x, np.arange(8) % 10, epochs=1, verbose=0)
    after = kerasteach.summary(model, width=100)
    assert after.total_weights == model.count_params()
    assert after.to_text() == before
