"""The summary and the activations on models written as the Keras examples
write them: an encoder-decoder with LSTM states, a siamese tower, wide and
deep with a dozen named inputs, a ViT, a transformer block as a custom layer,
a VAE, a GAN wrapper without call() and a U-Net."""

from __future__ import annotations

import json
import sys

import keras
import numpy as np
import pytest
import real_models
from conftest import ROOT, require_backend, run_command
from real_models_check import check

import kerasteach
from kerasteach.activations import ActivationError, LayerNotFoundError


@pytest.mark.parametrize("name", sorted(real_models.BUILDERS))
def test_totals_widths_and_activations_equal_keras_on_tensorflow(name: str) -> None:
    assert check(name) == []


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_the_same_holds_on_another_backend(backend: str) -> None:
    require_backend(backend)
    result = run_command(
        sys.executable,
        str(ROOT / "tests" / "real_models_check.py"),
        env={"KERAS_BACKEND": backend},
        cwd=ROOT / "tests",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    expected = set(real_models.BUILDERS) - real_models.TENSORFLOW_ONLY
    assert set(report) == expected
    assert report == {name: [] for name in expected}


def test_a_layer_with_several_outputs_gives_each_output() -> None:
    model = real_models.build("seq2seq")
    x = real_models.inputs_for(model, 2)
    found = kerasteach.get_activations(model, x, "encoder_lstm")
    assert list(found) == ["encoder_lstm", "encoder_lstm:1", "encoder_lstm:2"]
    assert [a.shape for a in found.values()] == [(2, 16)] * 3
    # without return_sequences the first output is the last state h
    np.testing.assert_allclose(found["encoder_lstm"], found["encoder_lstm:1"])
    only = kerasteach.get_activations(model, x, "encoder_lstm:2")
    np.testing.assert_allclose(only["encoder_lstm:2"], found["encoder_lstm:2"])
    assert "encoder_lstm:2" in kerasteach.get_activations(model, x)
    with pytest.raises(ActivationError, match="has 3 output"):
        kerasteach.get_activations(model, x, "encoder_lstm:3")


def test_each_call_of_a_shared_tower_and_any_layer_inside_it() -> None:
    model = real_models.build("siamese")
    left, right = real_models.inputs_for(model, 4)
    found = kerasteach.get_activations(model, [left, right])
    assert list(found)[:2] == ["tower@0", "tower@1"]
    inside = kerasteach.get_activations(model, [left, right], "tower/conv")
    assert list(inside) == ["tower/conv@0", "tower/conv@1"]
    tower = model.get_layer("tower")
    conv = keras.Model(tower.inputs, tower.get_layer("conv").output)
    np.testing.assert_allclose(
        inside["tower/conv@1"], conv.predict(right, verbose=0), atol=1e-5
    )
    second = kerasteach.get_activations(model, [left, right], "tower/conv@1")
    np.testing.assert_allclose(second["tower/conv@1"], inside["tower/conv@1"])
    with pytest.raises(ActivationError, match="no call 2.*tower/conv@0"):
        kerasteach.get_activations(model, [left, right], "tower/conv@2")


def test_a_sublayer_of_a_custom_layer_gets_a_reason_and_what_to_ask_for() -> None:
    model = real_models.build("nested_layer")
    x = real_models.inputs_for(model, 2)
    with pytest.raises(ActivationError, match=r"NestedLayer.*Ask for 'block'"):
        kerasteach.get_activations(model, x, "block/fc1")
    assert "block" in kerasteach.get_activations(model, x)  # custom: shown


def test_an_unknown_name_is_also_a_key_error_with_close_names() -> None:
    model = real_models.build("unet")
    x = real_models.inputs_for(model, 1)
    with pytest.raises(KeyError) as caught:
        kerasteach.get_activations(model, x, "botom")
    assert isinstance(caught.value, LayerNotFoundError)
    assert isinstance(caught.value, ActivationError)
    assert "did you mean 'bottom'" in str(caught.value)
    assert not str(caught.value).startswith("'")  # not KeyError's quoting


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([], "layers is empty"),
        (3.5, "layers must be None.*got float"),
        ({"conv": 1}, "layers must be None.*got dict"),
        ([None], "choose layers by name, index or type"),
    ],
)
def test_a_bad_layer_choice_is_one_clear_error(layers, message) -> None:
    model = real_models.build("unet")
    with pytest.raises(ActivationError, match=message):
        kerasteach.get_activations(model, real_models.inputs_for(model, 1), layers)


@pytest.mark.parametrize("count", [3, 40])  # one pass, and batches
def test_inputs_of_the_wrong_shape_or_count_name_what_was_expected(count) -> None:
    model = real_models.build("siamese")
    left, right = real_models.inputs_for(model, count)
    with pytest.raises(ActivationError, match=r"takes 2 input.*left.*right"):
        kerasteach.get_activations(model, left)
    with pytest.raises(ActivationError, match=r"'right'.*\(batch, 16, 16, 1\)"):
        kerasteach.get_activations(model, [left, right[:, :8]])
    with pytest.raises(ActivationError, match=r"channel axis: x\[\.\.\., None\]"):
        kerasteach.get_activations(model, [left, right[..., 0]])
    with pytest.raises(ActivationError, match="different numbers of examples"):
        kerasteach.get_activations(model, [left, right[:1]])


def test_named_inputs_by_dict_are_checked_by_name() -> None:
    model = real_models.build("wide_and_deep")
    x = real_models.inputs_for(model, 2)
    found = kerasteach.get_activations(model, x, "deep_1")
    assert found["deep_1"].shape == (2, 16)
    del x["age"]
    with pytest.raises(ActivationError, match="missing: age"):
        kerasteach.get_activations(model, x)


def test_a_model_without_call_points_to_the_models_it_holds() -> None:
    model = real_models.build("gan")
    with pytest.raises(ActivationError, match=r"no call\(\).*model.discriminator"):
        kerasteach.get_activations(model, np.zeros((1, 4)))


def test_plots_and_the_report_work_on_seq2seq_and_siamese(tmp_path) -> None:
    for name in ("seq2seq", "siamese"):
        model = real_models.build(name)
        x = real_models.inputs_for(model, 2)
        figure = kerasteach.plot_activations(model, x)
        titles = [axes.get_title() for axes in figure.axes]
        layers = [title for title in titles if not title.startswith("input")]
        assert len(layers) == len(kerasteach.get_activations(model, x))
        # neither a sequence of scores nor a distance is one class to predict
        assert not any("predicted" in title for title in titles), titles
        page = kerasteach.activation_report(model, x, tmp_path / f"{name}.html")
        assert "tower@1" in page.read_text() or name == "seq2seq"


def test_custom_layers_count_what_their_sublayers_compute() -> None:
    model = real_models.build("text_transformer")
    block = model.get_layer("transformer_block")
    nodes = [len(layer._inbound_nodes) for layer in block._flatten_layers()]
    rows = {row.name: row for row in kerasteach.summary(model).rows}
    # attention: 2 heads of 8 over 20 steps of 8 features; then the ffn
    steps, features, heads, key = 20, 8, 2, 8
    attention = heads * (3 * steps * features * key + steps * steps * 2 * key)
    attention += steps * heads * key * features
    ffn = steps * features * 16 + steps * 16 * features
    assert rows["transformer_block"].mult_adds == attention + ffn
    # the sublayers' recorded calls were removed again
    assert [len(layer._inbound_nodes) for layer in block._flatten_layers()] == nodes


class Scale(keras.layers.Layer):
    """Its own weight and math: nothing kerasteach can count."""

    def build(self, input_shape):
        self.factor = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.factor


def test_what_is_not_counted_shows_a_question_mark_and_the_total_says_at_least():
    inputs = keras.Input((4,))
    x = Scale(name="scale")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, name="out")(x))
    picture = kerasteach.summary(model, width=100)
    row = {r.name: r for r in picture.rows}["scale"]
    assert row.mult_adds_unknown
    assert "at least 8" in str(picture)
    assert "at least 8" in picture.to_markdown()


def test_a_model_without_call_shows_each_model_it_holds() -> None:
    model = real_models.build("gan")
    picture = kerasteach.summary(model, width=100)
    text = str(picture)
    assert 'Model: "discriminator"' in text and 'Model: "generator"' in text
    held = model.discriminator.count_params() + model.generator.count_params()
    assert picture.total_weights == held
    assert f"Weights: {held:,}" in text.split("All of them together:")[1]
    markdown = picture.to_markdown()
    assert '**Model: "discriminator" (Sequential)**' in markdown
    assert f"Weights: {held:,}" in markdown.rsplit("**", 1)[1]


def test_two_lines_per_step_at_80_columns_for_an_ordinary_model() -> None:
    import zoo

    text = kerasteach.summary(zoo.build("mnist_cnn"), width=80).to_text()
    body = text.split("\n\n")[2].splitlines()
    assert len(body) == 2 * 8 - 1  # 8 steps; the input has one line
    assert max(map(len, text.splitlines())) <= 80


def test_names_wrap_only_when_needed_and_at_natural_breaks() -> None:
    model = real_models.build("wide_and_deep")
    text = kerasteach.summary(model, width=100).to_text()
    for name in ("native_country_embedding", "hours_per_week", "wide_plus_deep"):
        assert any(line.rstrip().endswith(name) for line in text.splitlines())
    narrow = kerasteach.summary(model, width=60).to_text()
    ends = [line.split()[-1] for line in narrow.splitlines() if line.strip()]
    assert "native_country_embedding" in ends  # still room: not wrapped
    inputs = keras.Input((54,), name="cover")
    long = "Horizontal_Distance_To_Fire_Points"
    tiny = keras.Model(inputs, keras.layers.Dense(7, name=long)(inputs))
    text = kerasteach.summary(tiny, width=40).to_text()
    pieces = [line.strip() for line in text.splitlines()]
    assert {"Horizontal_", "Distance_To_", "Fire_Points"} <= {
        p.split()[-1] for p in pieces if p
    }


def test_control_characters_in_names_are_escaped_everywhere() -> None:
    inputs = keras.Input((3,), name="x")
    evil = "evil\x1b]0;owned\x07\x1b[2J\nfake\u202e"
    model = keras.Model(inputs, keras.layers.Dense(2, name=evil)(inputs), name=evil)
    picture = kerasteach.summary(model, width=100)
    for text in (str(picture), picture.to_markdown(), picture._repr_html_()):
        assert not any(ch in text for ch in "\x1b\x07\u202e")
        assert "evil\\x1b]0;owned\\x07\\x1b[2J\\x0afake\\u202e" in text
