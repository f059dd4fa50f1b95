"""Models a course meets, built for the tests: small, named, and deterministic."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers


def mnist_cnn():
    from kerasteach.model_zoo import mnist_cnn as build

    return build()


def residual_cnn():
    from kerasteach.model_zoo import residual_cnn as build

    return build()


def two_inputs_two_outputs():
    image = keras.Input((28, 28, 1), name="image")
    meta = keras.Input((5,), name="meta")
    x = layers.Conv2D(8, 3, activation="relu", name="conv")(image)
    x = layers.GlobalMaxPooling2D(name="pool")(x)
    m = layers.Dense(4, activation="relu", name="meta_dense")(meta)
    joined = layers.Concatenate(name="join")([x, m])
    label = layers.Dense(10, activation="softmax", name="label")(joined)
    score = layers.Dense(1, name="score")(joined)
    return keras.Model([image, meta], [label, score], name="two_in_two_out")


def shared_layer():
    left = keras.Input((16,), name="left")
    right = keras.Input((16,), name="right")
    shared = layers.Dense(8, activation="relu", name="shared")
    a, b = shared(left), shared(right)
    diff = layers.Subtract(name="diff")([a, b])
    prod = layers.Multiply(name="prod")([a, b])
    x = layers.Concatenate(name="join")([diff, prod])
    out = layers.Dense(1, activation="sigmoid", name="same")(x)
    return keras.Model([left, right], out, name="siamese")


def nested():
    encoder = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(4, 3, activation="relu", name="enc_conv"),
            layers.MaxPooling2D(name="enc_pool"),
            layers.Flatten(name="enc_flat"),
        ],
        name="encoder",
    )
    inputs = keras.Input((28, 28, 1), name="pixels")
    features = encoder(inputs)
    hidden = layers.Dense(16, activation="relu", name="hidden")(features)
    outputs = layers.Dense(10, activation="softmax", name="classes")(hidden)
    return keras.Model(inputs, outputs, name="nested")


def deeply_nested():
    inner_in = keras.Input((8,), name="inner_in")
    inner = keras.Model(
        inner_in, layers.Dense(4, name="inner_dense")(inner_in), name="inner"
    )
    middle_in = keras.Input((8,), name="middle_in")
    h = inner(middle_in)
    middle = keras.Model(
        middle_in, layers.Dense(3, name="middle_dense")(h), name="middle"
    )
    top_in = keras.Input((8,), name="top_in")
    out = layers.Dense(2, name="top_dense")(middle(top_in))
    return keras.Model(top_in, out, name="deeply_nested")


def lstm_text():
    return keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            layers.Embedding(1000, 16, name="embed"),
            layers.Bidirectional(layers.LSTM(8, return_sequences=True), name="bilstm"),
            layers.GRU(8, return_sequences=True, name="gru"),
            layers.TimeDistributed(layers.Dense(4), name="per_step"),
            layers.SimpleRNN(6, name="rnn"),
            layers.Dense(2, activation="softmax", name="classes"),
        ],
        name="lstm_text",
    )


def fixed_length_rnn():
    return keras.Sequential(
        [
            keras.Input((20, 3)),
            layers.LSTM(8, return_sequences=True, name="lstm"),
            layers.GRU(4, name="gru"),
            layers.Dense(1, name="out"),
        ],
        name="fixed_rnn",
    )


def attention_block():
    tokens = keras.Input((12, 16), name="tokens")
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=8, name="mha")(
        tokens, tokens
    )
    x = layers.Add(name="residual")([tokens, attended])
    x = layers.LayerNormalization(name="norm")(x)
    dot = layers.Attention(name="dot_attention")([x, tokens])
    pooled = layers.GlobalAveragePooling1D(name="pool")(dot)
    out = layers.Dense(3, activation="softmax", name="out")(pooled)
    return keras.Model(tokens, out, name="attention_block")


class TwoLayerNet(keras.Model):
    def __init__(self):
        super().__init__(name="two_layer_net")
        self.hidden = layers.Dense(32, activation="relu", name="hidden")
        self.out = layers.Dense(10, name="logits")

    def call(self, x):
        return self.out(self.hidden(x))


def subclassed():
    model = TwoLayerNet()
    model(np.zeros((7, 20), "float32"))
    return model


def no_weights():
    return keras.Sequential(
        [keras.Input((4, 4)), layers.Flatten(name="flat")], name="no_weights"
    )


def built_without_input():
    model = keras.Sequential(
        [layers.Dense(5, activation="tanh", name="d1"), layers.Dense(2, name="d2")],
        name="built_later",
    )
    model.build((None, 3))
    return model


def with_ops():
    inputs = keras.Input((6,), name="x")
    h = layers.Dense(6, name="dense")(inputs)
    total = keras.ops.add(inputs, h)
    return keras.Model(inputs, keras.ops.tanh(total), name="with_ops")


def conv_family():
    inputs = keras.Input((16, 16, 3), name="img")
    x = layers.ZeroPadding2D(1, name="pad")(inputs)
    x = layers.SeparableConv2D(8, 3, name="sep")(x)
    x = layers.DepthwiseConv2D(3, name="depthwise")(x)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Conv2DTranspose(4, 3, strides=2, name="up")(x)
    x = layers.UpSampling2D(name="upsample")(x)
    x = layers.Conv1D(2, 3, name="conv1d")(layers.Reshape((-1, 4), name="seq")(x))
    return keras.Model(inputs, x, name="conv_family")


SMALL = {
    "mnist_cnn": mnist_cnn,
    "residual_cnn": residual_cnn,
    "two_inputs_two_outputs": two_inputs_two_outputs,
    "shared_layer": shared_layer,
    "nested": nested,
    "deeply_nested": deeply_nested,
    "lstm_text": lstm_text,
    "fixed_length_rnn": fixed_length_rnn,
    "attention_block": attention_block,
    "subclassed": subclassed,
    "no_weights": no_weights,
    "built_without_input": built_without_input,
    "with_ops": with_ops,
    "conv_family": conv_family,
}

APPLICATIONS = {
    "ResNet50": lambda: keras.applications.ResNet50(weights=None),
    "MobileNetV2": lambda: keras.applications.MobileNetV2(weights=None),
    "DenseNet121": lambda: keras.applications.DenseNet121(weights=None),
    "EfficientNetB0": lambda: keras.applications.EfficientNetB0(weights=None),
    "InceptionV3": lambda: keras.applications.InceptionV3(weights=None),
}


def build(name):
    """Build a zoo model from a clean session, so auto-generated names repeat."""
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)
    return {**SMALL, **APPLICATIONS}[name]()
