"""The summary object's renderings, and clear errors for bad input."""

from __future__ import annotations

import io
from functools import cache

import keras
import numpy as np
import pytest
import zoo

import kerasteach


@cache
def picture() -> kerasteach.Summary:
    return kerasteach.summary(zoo.build("residual_cnn"), width=90)


def test_print_str_and_file_give_the_same_text(capsys: pytest.CaptureFixture) -> None:
    s = picture()
    s.print()
    assert capsys.readouterr().out == str(s) == repr(s) == s.to_text()
    buffer = io.StringIO()
    s.print(file=buffer)
    assert buffer.getvalue() == str(s)


def test_print_fn_gets_every_line_at_the_same_width() -> None:
    lines: list[str] = []
    picture().print(print_fn=lines.append)
    assert "\n".join(lines) + "\n" == str(picture())
    assert max(map(len, lines)) <= 90
    assert any("2,359,296" in line for line in lines)  # nothing dropped


def test_width_argument_overrides_the_default() -> None:
    s = picture()
    assert max(map(len, s.to_text(width=64).splitlines())) <= 64
    assert s.to_text(width=64) != s.to_text(width=120)


def test_unicode_style_draws_lanes_with_box_characters() -> None:
    text = picture().to_text(style="unicode")
    assert "├─╮" in text and "├─╯" in text and "●" in text
    assert picture().to_text().isascii()


def test_markdown_table_has_a_row_per_step() -> None:
    md = picture().to_markdown()
    table = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(picture().rows)
    assert "| Layer |" in table[0]
    assert "skip_add" in md and "stem, conv_b" in md
    assert "Weights: 5,258" in md


def test_html_for_jupyter_escapes_and_embeds_the_picture() -> None:
    page = picture()._repr_html_()
    assert page.count("<pre") == 1
    assert "<table" in page and "skip_add" in page
    assert "->" not in page  # escaped as -&gt;


def test_rows_carry_the_data_for_programs() -> None:
    row = picture().rows[1]
    assert (row.name, row.operation, row.activation) == ("stem", "Conv2D", "relu")
    assert row.output_shape == (None, 32, 32, 16)
    assert row.weights == row.trainable_weights == 448
    assert row.non_trainable_weights == 0
    assert row.as_dict()["share"] == pytest.approx(100 * 448 / 5258)


def test_non_trainable_weights_are_split_out() -> None:
    model = zoo.build("conv_family")
    s = kerasteach.summary(model)
    bn = next(r for r in s.rows if r.name == "bn")
    assert bn.non_trainable_weights == 2 * 8  # moving mean and variance
    assert s.non_trainable_weights == 16
    assert "non-trainable 16" in str(s)


def test_frozen_layers_count_as_non_trainable() -> None:
    model = zoo.build("mnist_cnn")
    model.layers[0].trainable = False
    s = kerasteach.summary(model)
    assert s.non_trainable_weights == 320
    assert s.trainable_weights == model.count_params() - 320


def test_keras2ascii_prints(capsys: pytest.CaptureFixture) -> None:
    model = zoo.build("mnist_cnn")
    kerasteach.keras2ascii(model, width=100)
    assert capsys.readouterr().out == kerasteach.summary(model, width=100).to_text()


@pytest.mark.quick
def test_keras2ascii_takes_keras_sequential_asciis_options(capsys) -> None:
    """sparser, simplify and header, as keras-sequential-ascii had them (and its
    defaults: simplify on): an Activation layer folds into the step before."""
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(2, 3, name="conv"),
            keras.layers.Activation("relu", name="relu_layer"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(3, name="out"),
            keras.layers.Activation("softmax", name="softmax_layer"),
        ]
    )
    kerasteach.keras2ascii(model, width=80)
    simple = capsys.readouterr().out
    lines = simple.splitlines()
    assert "relu_layer" not in simple and "Activation" not in simple
    conv = next(i for i, line in enumerate(lines) if line.rstrip().endswith("conv"))
    assert lines[conv + 1].split()[:2] == ["relu", "#####"]  # under the conv step
    assert "OPERATION" in simple
    # the rows still add up, the weights unchanged
    assert "Weights: 239" in simple
    kerasteach.keras2ascii(model, False, False, False, width=80)  # their order
    whole = capsys.readouterr().out
    assert "relu_layer" in whole and "OPERATION" not in whole
    kerasteach.keras2ascii(model, sparser=True, simplify=False, width=80)
    sparse = capsys.readouterr().out
    steps = whole.count("---------------")
    assert sparse.count("\n\n") >= whole.count("\n\n") + steps - 1
    # lanes go on through the blank lines of a branching network
    inputs = keras.Input((4,))
    merged = keras.layers.Add()(
        [keras.layers.Dense(3)(inputs), keras.layers.Dense(3)(inputs)]
    )
    kerasteach.keras2ascii(keras.Model(inputs, merged), sparser=True, width=80)
    branched = capsys.readouterr().out.splitlines()
    first = next(i for i, line in enumerate(branched) if line.startswith("*"))
    assert branched[first + 1] == "|"


def test_a_holders_own_layers_have_rows_so_the_rows_add_up() -> None:
    """The diffusion example's shape: no call(), a Normalization of its own
    beside the U-Net and its moving-average twin."""

    def unet() -> keras.Model:
        inputs = keras.Input((8, 8, 3))
        return keras.Model(inputs, keras.layers.Conv2D(3, 3, padding="same")(inputs))

    class Diffusion(keras.Model):
        def __init__(self) -> None:
            super().__init__(name="diffusion")
            self.normalizer = keras.layers.Normalization(name="normalizer")
            self.network = unet()
            self.ema_network = keras.models.clone_model(self.network)

    model = Diffusion()
    model.normalizer.adapt(np.random.default_rng(0).random((4, 8, 8, 3)))
    found = kerasteach.summary(model)
    assert sum(row.weights for row in found.rows) == found.total_weights
    assert found.total_weights == 2 * 84 + 7
    own = [row for row in found.rows if row.name == "normalizer"]
    assert [(r.operation, r.weights, r.trainable_weights) for r in own] == [
        ("Normalization", 7, 0)
    ]
    text = " ".join(found.to_text(width=80).split())
    assert (
        "Its own weights, outside those models: normalizer (Normalization, 7 " in text
    )
    assert "weights, not trained)." in text


def test_an_unbuilt_model_gets_told_how_to_build_it() -> None:
    model = keras.Sequential([keras.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"model\.build\(") as error:
        kerasteach.summary(model)
    assert "call it once" in str(error.value)


@pytest.mark.parametrize(
    ("thing", "named"),
    [
        (np.zeros(3), "ndarray"),
        ("model.keras", "str"),
        (keras.layers.Dense(2), "Dense"),
        (None, "NoneType"),
    ],
)
def test_something_that_is_not_a_model_is_a_type_error(thing, named: str) -> None:
    with pytest.raises(TypeError, match=named):
        kerasteach.summary(thing)


def test_a_layer_gets_a_hint_to_wrap_it() -> None:
    with pytest.raises(TypeError, match="Sequential"):
        kerasteach.summary(keras.layers.Dense(2))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"width": 0}, "width"),
        ({"width": "wide"}, "width"),
        ({"style": "fancy"}, "style must be one of ascii, unicode"),
        ({"expand_nested": -1}, "expand_nested"),
        ({"expand_nested": "all"}, "expand_nested"),
    ],
)
def test_bad_options_are_value_errors(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        kerasteach.summary(zoo.build("mnist_cnn"), **options)


def test_rows_write_their_shapes_as_the_picture_does() -> None:
    s = picture()
    for row in s.rows:
        assert "None" not in row.shape_text
        assert row.shape_text in s.to_text(width=200)  # the same words as the table
    assert s.rows[0].shape_text == "(?, 32, 32, 3)"
