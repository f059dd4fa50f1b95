"""Models as other people write them: the shapes of the Keras examples.

Each builder follows a keras.io example's structure (an encoder-decoder with
LSTM states, a siamese network, wide-and-deep on structured data, a ViT, a
transformer block as a custom layer, a VAE, a GAN wrapper, a U-Net), small
enough to build in a second. ``BUILDERS`` maps a name to a builder;
``backends_for`` says where a model can be built.
"""

from __future__ import annotations

import keras
from keras import layers, ops

# --- an encoder-decoder whose encoder LSTM returns its states (lstm_seq2seq)


def seq2seq():
    encoder_inputs = keras.Input((None, 12), name="encoder_inputs")
    encoder = layers.LSTM(16, return_state=True, name="encoder_lstm")
    _, state_h, state_c = encoder(encoder_inputs)
    decoder_inputs = keras.Input((None, 14), name="decoder_inputs")
    decoder = layers.LSTM(16, return_sequences=True, name="decoder_lstm")
    decoded = decoder(decoder_inputs, initial_state=[state_h, state_c])
    outputs = layers.Dense(14, activation="softmax", name="next_char")(decoded)
    return keras.Model([encoder_inputs, decoder_inputs], outputs, name="seq2seq")


# --- a siamese network: one "tower" model called on two images


def siamese():
    image = keras.Input((16, 16, 1), name="image")
    x = layers.Conv2D(4, 3, activation="tanh", name="conv")(image)
    x = layers.AveragePooling2D(2, name="pool")(x)
    x = layers.Flatten(name="flat")(x)
    embedding = layers.Dense(8, activation="tanh", name="embedding")(x)
    tower = keras.Model(image, embedding, name="tower")
    left = keras.Input((16, 16, 1), name="left")
    right = keras.Input((16, 16, 1), name="right")
    a, b = tower(left), tower(right)
    squared = ops.sum(ops.square(a - b), axis=1, keepdims=True)
    distance = ops.sqrt(ops.maximum(squared, keras.backend.epsilon()))
    normed = layers.BatchNormalization(name="distance_norm")(distance)
    same = layers.Dense(1, activation="sigmoid", name="same")(normed)
    return keras.Model([left, right], same, name="siamese_tower")


# --- wide and deep on structured data: a dozen named inputs


CATEGORICAL = {
    "workclass": ["private", "self", "state"],
    "education": ["school", "college", "masters"],
    "marital_status": ["married", "single"],
    "occupation": ["tech", "sales", "craft", "admin"],
    "relationship": ["husband", "wife", "child"],
    "native_country": ["us", "other"],
}
NUMERIC = [
    "age",
    "fnlwgt",
    "education_num",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
]


def wide_and_deep():
    inputs, wide, deep = {}, [], []
    for name, vocabulary in CATEGORICAL.items():
        inputs[name] = keras.Input((1,), name=name, dtype="string")
        lookup = layers.StringLookup(
            vocabulary=vocabulary, output_mode="one_hot", name=f"{name}_lookup"
        )
        encoded = lookup(inputs[name])
        wide.append(encoded)
        deep.append(layers.Dense(2, name=f"{name}_embedding")(encoded))
    for name in NUMERIC:
        inputs[name] = keras.Input((1,), name=name)
        deep.append(ops.log1p(ops.abs(inputs[name])))
    wide_out = layers.Dense(1, name="wide")(layers.Concatenate(name="wide_in")(wide))
    x = layers.Concatenate(name="deep_in")(deep)
    x = layers.Dense(16, activation="relu", name="deep_1")(x)
    x = layers.Dense(8, activation="relu", name="deep_2")(x)
    deep_out = layers.Dense(1, name="deep")(x)
    logit = layers.Add(name="wide_plus_deep")([wide_out, deep_out])
    out = layers.Activation("sigmoid", name="income")(logit)
    return keras.Model(inputs, out, name="wide_and_deep")


def wide_and_deep_inputs(count: int):
    """String columns as TensorFlow tensors: Keras' predict takes no NumPy
    string arrays (its structured-data examples feed a tf.data pipeline)."""
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = {
        name: tf.constant(rng.choice(vocabulary, (count, 1)))
        for name, vocabulary in CATEGORICAL.items()
    }
    x.update({name: rng.random((count, 1)).astype("float32") for name in NUMERIC})
    return x


# --- a ViT: custom patch layers, then transformer blocks from plain layers


class Patches(layers.Layer):
    """Cuts images into flattened patches (no weights)."""

    def __init__(self, patch_size, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = patch_size

    def call(self, images):
        size = self.patch_size
        height, width, channels = images.shape[1], images.shape[2], images.shape[3]
        rows, columns = height // size, width // size
        x = ops.reshape(images, (-1, rows, size, columns, size, channels))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (-1, rows * columns, size * size * channels))


class PatchEncoder(layers.Layer):
    """A projection of each patch plus a learned position embedding."""

    def __init__(self, num_patches, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_patches = num_patches
        self.projection = layers.Dense(projection_dim, name="projection")
        self.position_embedding = layers.Embedding(
            num_patches, projection_dim, name="position_embedding"
        )

    def call(self, patch):
        positions = ops.expand_dims(ops.arange(0, self.num_patches), axis=0)
        return self.projection(patch) + self.position_embedding(positions)


def vit():
    inputs = keras.Input((16, 16, 3), name="image")
    patches = Patches(4, name="patches")(inputs)
    encoded = PatchEncoder(16, 8, name="patch_encoder")(patches)
    for block in range(2):
        x1 = layers.LayerNormalization(epsilon=1e-6, name=f"norm_a{block}")(encoded)
        attention = layers.MultiHeadAttention(
            num_heads=2, key_dim=4, name=f"attention{block}"
        )(x1, x1)
        x2 = layers.Add(name=f"skip_a{block}")([attention, encoded])
        x3 = layers.LayerNormalization(epsilon=1e-6, name=f"norm_b{block}")(x2)
        x3 = layers.Dense(16, activation="gelu", name=f"mlp_a{block}")(x3)
        x3 = layers.Dense(8, activation="gelu", name=f"mlp_b{block}")(x3)
        encoded = layers.Add(name=f"skip_b{block}")([x3, x2])
    x = layers.LayerNormalization(epsilon=1e-6, name="norm_out")(encoded)
    x = layers.Flatten(name="flat")(x)
    logits = layers.Dense(10, name="logits")(x)
    return keras.Model(inputs, logits, name="vit")


# --- text classification with a transformer block as one custom layer


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential(
            [layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)]
        )
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=False):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = self.pos_emb(ops.arange(start=0, stop=maxlen, step=1))
        return self.token_emb(x) + positions


def text_transformer():
    inputs = keras.Input((20,), name="tokens", dtype="int32")
    x = TokenAndPositionEmbedding(20, 100, 8, name="embedding")(inputs)
    x = TransformerBlock(8, 2, 16, name="transformer_block")(x)
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    x = layers.Dropout(0.1, name="dropout")(x)
    x = layers.Dense(8, activation="relu", name="hidden")(x)
    outputs = layers.Dense(2, activation="softmax", name="sentiment")(x)
    return keras.Model(inputs, outputs, name="text_transformer")


# --- a VAE: an encoder with three outputs, a sampling layer, a decoder


class Sampling(layers.Layer):
    """z = mean + exp(log_var / 2) * noise while training; the mean otherwise,
    so an inference pass is repeatable."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs, training=False):
        z_mean, z_log_var = inputs
        if not training:
            return z_mean
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def vae():
    latent = 2
    encoder_inputs = keras.Input((12, 12, 1), name="digit")
    x = layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(
        encoder_inputs
    )
    x = layers.Flatten()(x)
    x = layers.Dense(8, activation="relu")(x)
    z_mean = layers.Dense(latent, name="z_mean")(x)
    z_log_var = layers.Dense(latent, name="z_log_var")(x)
    z = Sampling(name="z")([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
    latent_inputs = keras.Input((latent,), name="z_sampling")
    x = layers.Dense(6 * 6 * 4, activation="relu")(latent_inputs)
    x = layers.Reshape((6, 6, 4))(x)
    x = layers.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu")(x)
    decoded = layers.Conv2DTranspose(1, 3, padding="same", activation="sigmoid")(x)
    decoder = keras.Model(latent_inputs, decoded, name="decoder")
    inputs = keras.Input((12, 12, 1), name="image")
    _, _, code = encoder(inputs)
    return keras.Model(inputs, decoder(code), name="vae")


# --- a GAN as in the keras.io example: a wrapper without call()


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__(name="gan")
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim

    def train_step(self, data):  # the example's; never run here
        raise NotImplementedError


def gan():
    discriminator = keras.Sequential(
        [
            keras.Input((12, 12, 1)),
            layers.Conv2D(8, 3, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.GlobalMaxPooling2D(),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    generator = keras.Sequential(
        [
            keras.Input((4,)),
            layers.Dense(6 * 6 * 8),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((6, 6, 8)),
            layers.Conv2DTranspose(8, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(1, 3, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    return GAN(discriminator, generator, latent_dim=4)


# --- a U-Net: skip connections across the whole network


def unet():
    inputs = keras.Input((16, 16, 3), name="image")
    skips, x = [], inputs
    for level, filters in enumerate((4, 8)):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu",
                          name=f"down{level}_conv")(x)  # fmt: skip
        skips.append(x)
        x = layers.MaxPooling2D(name=f"down{level}_pool")(x)
    x = layers.Conv2D(16, 3, padding="same", activation="relu", name="bottom")(x)
    for level, filters in reversed(list(enumerate((4, 8)))):
        x = layers.Conv2DTranspose(filters, 2, strides=2, name=f"up{level}")(x)
        x = layers.Concatenate(name=f"skip{level}")([x, skips[level]])
        x = layers.Conv2D(filters, 3, padding="same", activation="relu",
                          name=f"up{level}_conv")(x)  # fmt: skip
    outputs = layers.Conv2D(2, 1, activation="softmax", name="mask")(x)
    return keras.Model(inputs, outputs, name="unet")


# --- a subclassed layer that holds layers, inside a functional model


class NestedLayer(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fc1 = layers.Dense(8, activation="relu", name="fc1")
        self.fc2 = layers.Dense(4, name="fc2")

    def call(self, x):
        return self.fc2(self.fc1(x))


def nested_layer():
    inputs = keras.Input((6,), name="numbers")
    x = NestedLayer(name="block")(inputs)
    return keras.Model(inputs, layers.Dense(2, name="out")(x), name="nested_layer")


BUILDERS = {
    "seq2seq": seq2seq,
    "siamese": siamese,
    "wide_and_deep": wide_and_deep,
    "vit": vit,
    "text_transformer": text_transformer,
    "vae": vae,
    "gan": gan,
    "unet": unet,
    "nested_layer": nested_layer,
}

# Keras runs string lookups on TensorFlow only (elsewhere inside tf.data).
TENSORFLOW_ONLY = {"wide_and_deep"}


def build(name: str) -> keras.Model:
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)
    return BUILDERS[name]()


def inputs_for(model: keras.Model, count: int = 3):
    """Random inputs the model accepts, shaped like its inputs."""
    import numpy as np

    if model.name == "wide_and_deep":
        return wide_and_deep_inputs(count)
    rng = np.random.default_rng(0)
    arrays = []
    for tensor in model.inputs:
        shape = [count] + [5 if d is None else d for d in tensor.shape[1:]]
        if "int" in str(tensor.dtype):
            arrays.append(rng.integers(0, 20, shape).astype(tensor.dtype))
        else:
            arrays.append(rng.random(shape).astype("float32"))
    return arrays[0] if len(arrays) == 1 else arrays
