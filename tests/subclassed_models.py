"""Four subclassed models of the shapes the Keras examples teach, written anew,
each fitted for one epoch with the default ``tensorboard_callbacks``.

Run as a script under any backend (``KERAS_BACKEND``): prints one JSON line
per model with what was written and what was said. Used by
tests/test_tensorboard.py.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import keras
import numpy as np
from keras import layers, ops

from kerasteach import tensorboard_callbacks


class GANStyle(keras.Model):
    """A generator and a discriminator in one wrapper, trained on its own
    loss: the discriminator's on real and generated images plus the
    generator's (the shape of the Keras examples' GANs)."""

    def __init__(self, latent: int = 8) -> None:
        super().__init__(name="gan")
        self.latent = latent
        self.generator = keras.Sequential(
            [
                keras.Input((latent,)),
                layers.Dense(7 * 7 * 4, activation="relu"),
                layers.Reshape((7, 7, 4)),
                layers.Conv2DTranspose(1, 3, strides=2, padding="same"),
            ],
            name="generator",
        )
        self.discriminator = keras.Sequential(
            [
                keras.Input((14, 14, 1)),
                layers.Conv2D(4, 3, strides=2, activation="relu"),
                layers.Flatten(),
                layers.Dense(1),
            ],
            name="discriminator",
        )
        self.seed = keras.random.SeedGenerator(0)

    def call(self, images, training=False):
        noise = keras.random.normal((ops.shape(images)[0], self.latent), seed=self.seed)
        fake = self.generator(noise, training=training)
        return self.discriminator(images, training=training), self.discriminator(
            fake, training=training
        )

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, **kw):
        real, fake = y_pred
        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        discriminator = bce(ops.ones_like(real), real) + bce(ops.zeros_like(fake), fake)
        generator = bce(ops.ones_like(fake), fake)
        return discriminator + generator


class GANWithTrainStep(GANStyle):
    """As the Keras examples write a GAN: its own train_step, two optimizers
    (TensorFlow's GradientTape: the examples write one per backend)."""

    def compile(self, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = keras.optimizers.Adam(1e-3)
        self.g_optimizer = keras.optimizers.Adam(1e-3)

    def train_step(self, data):
        import tensorflow as tf

        images = data[0] if isinstance(data, tuple) else data
        noise = keras.random.normal((ops.shape(images)[0], self.latent))
        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        with tf.GradientTape() as tape:
            real = self.discriminator(images, training=True)
            fake = self.discriminator(self.generator(noise), training=True)
            d_loss = bce(ops.ones_like(real), real) + bce(ops.zeros_like(fake), fake)
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply(tape.gradient(d_loss, weights), weights)
        with tf.GradientTape() as tape:
            fake = self.discriminator(self.generator(noise, training=True))
            g_loss = bce(ops.ones_like(fake), fake)
        weights = self.generator.trainable_weights
        self.g_optimizer.apply(tape.gradient(g_loss, weights), weights)
        return {"loss": d_loss + g_loss, "d_loss": d_loss, "g_loss": g_loss}


class PerceiverStyle(keras.Model):
    """A learned latent array reads the input's patches by cross-attention,
    then attends to itself; its mean is classified."""

    def __init__(self, classes: int = 3) -> None:
        super().__init__(name="perceiver")
        self.patches = layers.Conv2D(8, 4, strides=4, name="patches")
        self.latents = self.add_weight(
            shape=(4, 8), initializer="normal", name="latents"
        )
        self.cross = layers.MultiHeadAttention(2, 4, name="cross_attention")
        self.own = layers.MultiHeadAttention(2, 4, name="self_attention")
        self.head = layers.Dense(classes, activation="softmax", name="classes")

    def call(self, images):
        patches = self.patches(images)
        batch = ops.shape(patches)[0]
        patches = ops.reshape(patches, (batch, -1, 8))
        latents = ops.broadcast_to(self.latents, (batch, 4, 8))
        latents = latents + self.cross(latents, patches)
        latents = latents + self.own(latents, latents)
        return self.head(ops.mean(latents, axis=1))


class GraphAttention(layers.Layer):
    """One graph attention layer: each node attends to the nodes its edges
    come from (segment softmax over each node's incoming edges)."""

    def __init__(self, units: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.units = units

    def build(self, shapes):
        nodes_shape, _ = shapes
        self.kernel = self.add_weight(shape=(nodes_shape[-1], self.units))
        self.attention = self.add_weight(shape=(2 * self.units, 1))

    def call(self, inputs):
        nodes, edges = inputs
        count = ops.shape(nodes)[0]
        moved = ops.matmul(nodes, self.kernel)
        pairs = ops.concatenate(
            [
                ops.take(moved, edges[:, 0], axis=0),
                ops.take(moved, edges[:, 1], axis=0),
            ],
            axis=-1,
        )
        scores = ops.exp(
            ops.leaky_relu(ops.squeeze(ops.matmul(pairs, self.attention), -1))
        )
        totals = ops.segment_sum(scores, edges[:, 0], num_segments=count)
        weights = scores / ops.take(totals, edges[:, 0], axis=0)
        messages = ops.take(moved, edges[:, 1], axis=0) * weights[:, None]
        return ops.segment_sum(messages, edges[:, 0], num_segments=count)


class GraphAttentionNetwork(keras.Model):
    """Node classification on one graph held by the model (node features and
    edges), fed the indices of the nodes to classify, as the Keras example."""

    def __init__(self, nodes: np.ndarray, edges: np.ndarray, classes: int) -> None:
        super().__init__(name="gat")
        self.nodes = ops.convert_to_tensor(nodes)
        self.edges = ops.convert_to_tensor(edges)
        self.first = GraphAttention(8, name="attention_1")
        self.second = GraphAttention(classes, name="attention_2")

    def call(self, indices):
        hidden = ops.elu(self.first((self.nodes, self.edges)))
        scores = self.second((hidden, self.edges))
        return ops.softmax(ops.take(scores, ops.reshape(indices, (-1,)), axis=0))


def small_unet() -> keras.Model:
    noisy = keras.Input((16, 16, 1), name="noisy")
    rate = keras.Input((1, 1, 1), name="noise_rate")
    x = layers.Concatenate()([noisy, layers.UpSampling2D(16)(rate)])
    down = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    pooled = layers.AveragePooling2D(2)(down)
    middle = layers.Conv2D(8, 3, padding="same", activation="relu")(pooled)
    up = layers.UpSampling2D()(middle)
    joined = layers.Concatenate()([up, down])
    out = layers.Conv2D(1, 3, padding="same")(joined)
    return keras.Model([noisy, rate], out, name="unet")


class DiffusionStyle(keras.Model):
    """A denoising diffusion wrapper: normalises the images (a layer of its
    own), mixes in noise at random rates, and trains the U-Net it holds to
    predict that noise."""

    def __init__(self) -> None:
        super().__init__(name="diffusion")
        self.normalizer = layers.Normalization(name="normalizer")
        self.network = small_unet()
        self.seed = keras.random.SeedGenerator(1)

    def call(self, images, training=False):
        images = self.normalizer(images)
        batch = ops.shape(images)[0]
        rates = keras.random.uniform((batch, 1, 1, 1), seed=self.seed)
        noise = keras.random.normal(ops.shape(images), seed=self.seed)
        noisy = ops.sqrt(1 - rates) * images + ops.sqrt(rates) * noise
        return noise, self.network([noisy, rates], training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, **kw):
        noise, predicted = y_pred
        return ops.mean(ops.abs(noise - predicted))


def fit(model: keras.Model, x, y, logs: Path, loss=None) -> dict:
    model.compile(optimizer="adam", loss=loss)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        model.fit(
            x, y, epochs=1, batch_size=8, verbose=0,
            validation_split=0.25 if y is not None else 0.0,
            callbacks=tensorboard_callbacks(logs / model.name),
        )  # fmt: skip
    run = next((logs / model.name).iterdir())
    notices = [str(w.message) for w in said if "kerasteach" in str(w.message)]
    return {
        "model": model.name,
        "tabs": sorted(p.name for p in run.iterdir() if p.is_dir()),
        "events": sum(1 for _ in run.rglob("events.out.tfevents.*")),
        "notices": notices,
    }


def main(logs: Path) -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    images = rng.random((32, 16, 16, 1), dtype=np.float32)
    labels = rng.integers(0, 3, 32)
    small = rng.random((32, 14, 14, 1), dtype=np.float32)
    nodes = rng.random((20, 5), dtype=np.float32)
    edges = np.stack([np.arange(40) % 20, rng.integers(0, 20, 40)], axis=1)
    edges = np.concatenate([edges, np.stack([np.arange(20)] * 2, axis=1)])
    diffusion = DiffusionStyle()
    diffusion.normalizer.adapt(images)
    # its own train_step where the examples have one (TensorFlow), else
    # the same wrapper trained through compute_loss
    gan = GANWithTrainStep() if keras.backend.backend() == "tensorflow" else GANStyle()
    rows = [
        fit(gan, small, None, logs),
        fit(PerceiverStyle(), images, labels, logs, "sparse_categorical_crossentropy"),
        fit(
            GraphAttentionNetwork(nodes, edges.astype("int32"), 3),
            np.arange(20).reshape(-1, 1).astype("int32").repeat(2, axis=0)[:32],
            rng.integers(0, 3, 32),
            logs,
            "sparse_categorical_crossentropy",
        ),
        fit(diffusion, images, None, logs),
    ]
    for row in rows:
        print(json.dumps(row))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
