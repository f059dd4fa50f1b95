"""Small models every course meets, built fresh (untrained) for demos and docs.

>>> from kerasteach import model_zoo
>>> sorted(model_zoo.EXAMPLES)[:2]
['mnist-cnn', 'mnist-mlp']
>>> model_zoo.build("mnist-mlp").count_params()
101770
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerasteach._names import did_you_mean


def mnist_cnn(num_classes: int = 10) -> Any:
    """The classic MNIST convolutional network (Keras' own example)."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="mnist_cnn",
    )


def mnist_mlp(num_classes: int = 10) -> Any:
    """A multilayer perceptron on flattened 28x28 images."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="mnist_mlp",
    )


def residual_cnn(num_classes: int = 10) -> Any:
    """A small functional CNN with a branch, a skip connection and a merge."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 3), name="image")
    x = layers.Conv2D(16, 3, padding="same", activation="relu", name="stem")(inputs)
    branch = layers.Conv2D(16, 3, padding="same", activation="relu", name="conv_a")(x)
    branch = layers.Conv2D(16, 3, padding="same", name="conv_b")(branch)
    x = layers.Add(name="skip_add")([x, branch])
    x = layers.Activation("relu", name="relu")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="residual_cnn")


def text_lstm(vocabulary: int = 5000, num_classes: int = 2) -> Any:
    """A text classifier: embedding, LSTM, dense; the sequence length is open."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int32"),
            layers.Embedding(vocabulary, 32),
            layers.LSTM(32),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="text_lstm",
    )


EXAMPLES: dict[str, Callable[[], Any]] = {
    "mnist-cnn": mnist_cnn,
    "mnist-mlp": mnist_mlp,
    "residual-cnn": residual_cnn,
    "text-lstm": text_lstm,
}


def unknown_example(example: str) -> str:
    """'no example model ...', with the near misses and every choice.

    >>> unknown_example("mnist_cnn")[:60]
    "no example model 'mnist_cnn'; did you mean 'mnist-cnn'? Choo"
    """
    names = sorted(EXAMPLES)
    hint = did_you_mean(example, names)
    return f"no example model {example!r};{hint} Choose one of: {', '.join(names)}."


def build(name: str) -> Any:
    """Build the example model called ``name`` (see ``EXAMPLES``)."""
    try:
        return EXAMPLES[name]()
    except KeyError:
        raise ValueError(
            f"unknown example model {name!r}; choose one of {', '.join(EXAMPLES)}"
        ) from None
