"""Progress bars for Keras training: ``TqdmProgress`` and keras-tqdm's names."""

from kerasteach.progress.callback import TqdmProgress
from kerasteach.progress.keras_tqdm import TQDMCallback, TQDMNotebookCallback
from kerasteach.progress.metrics_text import format_metrics

__all__ = ["TQDMCallback", "TQDMNotebookCallback", "TqdmProgress", "format_metrics"]
