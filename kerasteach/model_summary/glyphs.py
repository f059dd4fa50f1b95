"""The small picture beside each kind of operation, as keras-sequential-ascii drew.

Glyphs are looked up by class name along the class's method resolution order,
so a user's subclass of Conv2D is drawn as a convolution. Every glyph is five
characters wide.
"""

from __future__ import annotations

from typing import Any

DATA = "#####"
DEFAULT = "====="
MODEL = "[mdl]"
FUNCTION = "( f )"

_CONVOLUTION = " \\|/ "
_ACTIVATION = " __/ "  # a ReLU curve
_RESHAPE = "|||||"
_NOISE = " | ||"
_NORMALIZATION = " m|s "
_RECURRENT = "(rnn)"
_ATTENTION = "(att)"
_PREPROCESSING = "(pre)"

_BY_CLASS_NAME = {
    # convolutions, base classes first so subclasses inherit them
    "BaseConv": _CONVOLUTION,
    "BaseConvTranspose": " /|\\ ",
    "BaseDepthwiseConv": " \\:/ ",
    "BaseSeparableConv": " \\:/ ",
    "BaseConvLSTM": _RECURRENT,
    # pooling
    "BasePooling": "YYYYY",
    "BaseGlobalPooling": "VVVVV",
    "UpSampling1D": "AAAAA",
    "UpSampling2D": "AAAAA",
    "UpSampling3D": "AAAAA",
    # dense
    "Dense": "XXXXX",
    "EinsumDense": "XXXXX",
    # reshaping
    "Flatten": _RESHAPE,
    "Reshape": _RESHAPE,
    "Permute": _RESHAPE,
    "RepeatVector": _RESHAPE,
    "ZeroPadding1D": "\\|||/",
    "ZeroPadding2D": "\\|||/",
    "ZeroPadding3D": "\\|||/",
    "Cropping1D": "/|||\\",
    "Cropping2D": "/|||\\",
    "Cropping3D": "/|||\\",
    # activations as layers
    "Activation": _ACTIVATION,
    "ReLU": _ACTIVATION,
    "LeakyReLU": _ACTIVATION,
    "PReLU": _ACTIVATION,
    "ELU": _ACTIVATION,
    "Softmax": _ACTIVATION,
    # regularisation
    "Dropout": _NOISE,
    "SpatialDropout1D": _NOISE,
    "SpatialDropout2D": _NOISE,
    "SpatialDropout3D": _NOISE,
    "GaussianDropout": _NOISE,
    "GaussianNoise": _NOISE,
    "AlphaDropout": _NOISE,
    "ActivityRegularization": _NOISE,
    # normalisation
    "BatchNormalization": _NORMALIZATION,
    "LayerNormalization": _NORMALIZATION,
    "GroupNormalization": _NORMALIZATION,
    "UnitNormalization": _NORMALIZATION,
    "RMSNormalization": _NORMALIZATION,
    "Normalization": _NORMALIZATION,
    # sequences
    "Embedding": "(emb)",
    "RNN": _RECURRENT,
    "Bidirectional": "<rnn>",
    "TimeDistributed": "[t.d]",
    "MultiHeadAttention": _ATTENTION,
    "GroupedQueryAttention": _ATTENTION,
    "GroupQueryAttention": _ATTENTION,
    "Attention": _ATTENTION,
    "AdditiveAttention": _ATTENTION,
    # merges
    "Add": "( + )",
    "Subtract": "( - )",
    "Multiply": "( * )",
    "Average": "(avg)",
    "Maximum": "(max)",
    "Minimum": "(min)",
    "Concatenate": "(cat)",
    "Dot": "(dot)",
    # preprocessing
    "Rescaling": _PREPROCESSING,
    "Resizing": _PREPROCESSING,
    "CenterCrop": _PREPROCESSING,
    "TextVectorization": _PREPROCESSING,
    "StringLookup": _PREPROCESSING,
    "IntegerLookup": _PREPROCESSING,
    "CategoryEncoding": _PREPROCESSING,
    "Hashing": _PREPROCESSING,
    "Discretization": _PREPROCESSING,
    "Lambda": FUNCTION,
}

_UNICODE = {_NORMALIZATION: " μ|σ "}

ACTIVATION_LAYERS = {"Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax"}


def glyph_for(operation: Any, unicode: bool = False) -> str:
    """The five-character glyph of an operation (a Keras layer, op or model)."""
    import keras

    if operation is None:
        return DATA
    if isinstance(operation, keras.Model):
        return MODEL
    for cls in type(operation).__mro__:
        glyph = _BY_CLASS_NAME.get(cls.__name__)
        if glyph is not None:
            return _UNICODE.get(glyph, glyph) if unicode else glyph
        if cls.__name__.startswith("Random") and cls.__module__.startswith("keras"):
            return "(aug)"
    if not isinstance(operation, keras.layers.Layer):
        return FUNCTION  # a keras.ops call inside a functional model
    return DEFAULT
