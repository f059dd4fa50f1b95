"""Keep TensorFlow's start-up chatter out of a learner's terminal.

TensorFlow's C++ side writes a dozen lines to file descriptor 2 while it loads
(oneDNN notes, "could not find cuda drivers", CPU instruction hints), some of
them before ``TF_CPP_MIN_LOG_LEVEL`` takes effect, and one more when it first
looks for devices (on a machine with an NVIDIA driver but no usable GPU:
"failed call to cuInit"). Those lines bury the answer, so the CLI (and
``import kerasteach.quiet`` in a script) captures descriptor 2 while Keras loads
and its devices are found, then passes on every line except that known chatter:
real warnings and errors still show.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Iterator

_NOISE = re.compile(
    r"^(?:[IWE]\d{4} [\d:. ]+\s*\d+ \w+\.cc:\d+\]"  # absl-formatted C++ log lines
    # TensorFlow before 2.20: "2025-03-01 10:00:00.123456: E external/...cc:51]"
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] [\w/.-]+\.cc:\d+\]"
    r"|WARNING: All log messages before absl::InitializeLog\(\)"
    r"|To enable the following instructions:"
    r")"
)


def quiet_environment() -> None:
    """Ask TensorFlow for warnings and errors only, unless the user chose a level."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def load_keras_quietly() -> None:
    """Import Keras, and let TensorFlow find its devices, with the chatter filtered.

    Device discovery is done here rather than at the first model, so that its
    lines (the cuInit error among them) fall inside the filter.
    """
    quiet_environment()
    with native_stderr_filtered():
        import keras

        # TensorFlow also feeds the other backends (tf.data): where it is
        # installed, let it start here, inside the filter, whatever the backend.
        if keras.backend.backend() == "tensorflow" or importlib.util.find_spec(
            "tensorflow"
        ):
            import tensorflow as tf

            tf.config.list_physical_devices()


def filter_noise(text: str) -> str:
    """``text`` without TensorFlow's start-up chatter.

    >>> filter_noise("I0000 00:00:17.1  39 port.cc:153] oneDNN ...\\nreal problem\\n")
    'real problem\\n'
    >>> filter_noise("2025-03-01 10:00:00.1: E external/xla/cuda_platform.cc:51] "
    ...              "failed call to cuInit\\n")
    ''
    >>> filter_noise("E0000 00:00:1796407490.005787   16868 cuda_platform.cc:52] "
    ...              "failed call to cuInit: UNKNOWN ERROR (303)\\n")
    ''
    """
    kept = [line for line in text.splitlines(True) if not _NOISE.match(line)]
    return "".join(kept)


@contextlib.contextmanager
def native_stderr_filtered() -> Iterator[None]:
    """Capture descriptor 2 for the block, then replay all but the known chatter.

    Descriptor 2 itself, whatever ``sys.stderr`` is: TensorFlow's C++ writes
    there. In Jupyter ``sys.stderr`` is the kernel's stream, whose
    ``fileno()`` is a copy of the kernel's own original descriptor, while
    descriptor 2 is a pipe that ipykernel forwards to the notebook; what is
    kept is written to ``sys.stderr``, so it lands under the cell as before.
    """
    stderr_fd = 2
    try:
        os.fstat(stderr_fd)
    except OSError:  # no descriptor 2 at all (a windowless program)
        yield
        return
    sys.stderr.flush()
    saved_fd = os.dup(stderr_fd)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), stderr_fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved_fd, stderr_fd)
            os.close(saved_fd)
            captured.seek(0)
            kept = filter_noise(captured.read().decode("utf-8", "replace"))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()
