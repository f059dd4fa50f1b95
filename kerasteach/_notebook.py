"""Where is this running: a Jupyter kernel, with or without widgets?"""

from __future__ import annotations

import importlib.util
import sys


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (notebook, lab, VS Code), not a plain IPython.

    >>> in_jupyter()
    False
    """
    if "IPython" not in sys.modules:  # never import IPython just to ask
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def have_widgets() -> bool:
    """True when ipywidgets is installed, so tqdm can draw notebook widgets."""
    return importlib.util.find_spec("ipywidgets") is not None
