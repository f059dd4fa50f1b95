"""``import kerasteach.quiet`` first, and TensorFlow starts without its chatter.

TensorFlow prints a dozen lines from C++ while it loads and finds its devices
(oneDNN notes, "Could not find cuda drivers", the cuInit error on a machine
with an NVIDIA driver but no usable GPU), some of them before
``TF_CPP_MIN_LOG_LEVEL`` can hide them. This module, imported before Keras,
loads Keras and lets TensorFlow find its devices with those lines filtered out;
every other line, real warnings and errors included, still shows. It does
nothing harmful on the JAX or PyTorch backends, or when Keras is already loaded.

The one line, at the top of a script or the first cell of a notebook::

    import kerasteach.quiet  # first: no TensorFlow start-up messages
    import keras
"""

from __future__ import annotations

from kerasteach.cli.native_noise import load_keras_quietly

load_keras_quietly()
