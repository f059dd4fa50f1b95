"""Read a run folder back with TensorBoard's own event reader."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import (
    TENSORS,
    EventAccumulator,
)
from tensorboard.util import tensor_util


@dataclass
class Series:
    """One tag of one folder: its plugin and each step's value."""

    plugin: str
    steps: list[int]
    values: list[np.ndarray]
    content: bytes = b""  # the plugin's own data (e.g. the hparams of a run)

    def images(self, step: int = -1) -> list[Image.Image]:
        """The PNG images of a step (an image summary is width, height, PNGs)."""
        data = self.values[step]
        width, height = int(data[0]), int(data[1])
        pictures = [Image.open(io.BytesIO(png)) for png in data[2:]]
        assert all(p.size == (width, height) for p in pictures)
        return pictures

    def text(self, step: int = -1) -> str:
        return self.values[step].item().decode()


def read_folder(folder: Path) -> dict[str, Series]:
    """Every tag written into ``folder`` (not its subfolders)."""
    reader = EventAccumulator(str(folder), size_guidance={TENSORS: 0})
    reader.Reload()
    found = {}
    for tag in reader.Tags()["tensors"]:
        events = reader.Tensors(tag)
        plugin_data = reader.SummaryMetadata(tag).plugin_data
        found[tag] = Series(
            plugin=plugin_data.plugin_name,
            steps=[event.step for event in events],
            values=[tensor_util.make_ndarray(event.tensor_proto) for event in events],
            content=plugin_data.content,
        )
    return found


def read_run(run: Path) -> dict[str, dict[str, Series]]:
    """``{"train": ..., "validation": ..., ".": ...}`` for a run folder."""
    return {
        name: read_folder(run / name)
        for name in (".", "train", "validation")
        if (run / name).is_dir()
    }
