"""The object a loader returns: unpacks like ``keras.datasets``, and knows its classes.

>>> import numpy as np
>>> from kerasteach.datasets.dataset import Dataset
>>> data = Dataset("toy", np.zeros((4, 2, 2), "uint8"), np.arange(4) % 2,
...                np.zeros((2, 2, 2), "uint8"), np.arange(2), class_names=("a", "b"))
>>> (x_train, y_train), (x_test, y_test) = data
>>> x_train.shape, data.class_names
((4, 2, 2), ('a', 'b'))
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np


class Dataset:
    """Train and test arrays (and an optional validation split) with their card."""

    def __init__(
        self,
        name: str,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_test: np.ndarray,
        y_test: np.ndarray,
        *,
        class_names: tuple[str, ...] = (),
        card: Any = None,
        x_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        unreadable: tuple[str, ...] = (),
        source: str = "",
    ) -> None:
        self.name = name
        self.x_train, self.y_train = x_train, y_train
        self.x_test, self.y_test = x_test, y_test
        self.x_val, self.y_val = x_val, y_val
        self.class_names = tuple(class_names)
        self.card = card
        self.unreadable = tuple(unreadable)
        self.source = source

    # -- unpacking like keras.datasets: ((x_train, y_train), (x_test, y_test)) --
    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        yield self.train
        yield self.test

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        return (self.train, self.test)[index]

    @property
    def train(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x_train, y_train)``."""
        return self.x_train, self.y_train

    @property
    def test(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x_test, y_test)``."""
        return self.x_test, self.y_test

    @property
    def validation(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(x_val, y_val)`` when loaded with ``validation_split``, else None."""
        if self.x_val is None or self.y_val is None:
            return None
        return self.x_val, self.y_val

    @property
    def num_classes(self) -> int:
        """How many classes the labels name."""
        return len(self.class_names)

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Each array's shape, by name (``x_train``, ``y_train``, ...)."""
        shapes = {
            "x_train": self.x_train.shape,
            "y_train": self.y_train.shape,
            "x_test": self.x_test.shape,
            "y_test": self.y_test.shape,
        }
        if self.x_val is not None and self.y_val is not None:
            shapes.update(x_val=self.x_val.shape, y_val=self.y_val.shape)
        return shapes

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={v}" for k, v in self.shapes.items())
        return f"<Dataset {self.name}: {parts}; {self.num_classes} classes>"


def prepare(
    arrays: dict[str, np.ndarray],
    *,
    max_value: int,
    num_classes: int,
    normalize: bool,
    one_hot: bool,
    flatten: bool,
    channels: str | None,
    subset: int | None,
    validation_split: float,
    seed: int,
) -> dict[str, np.ndarray]:
    """Apply a teacher's options; never changes the arrays it was given."""
    out = dict(arrays)
    if subset is not None:
        fraction = subset / len(out["y_train"])
        train = stratified_choice(out["y_train"], subset, seed)
        test_size = max(1, round(fraction * len(out["y_test"])))
        test = stratified_choice(
            out["y_test"], min(test_size, len(out["y_test"])), seed
        )
        out["x_train"], out["y_train"] = out["x_train"][train], out["y_train"][train]
        out["x_test"], out["y_test"] = out["x_test"][test], out["y_test"][test]
    if validation_split:
        count = max(1, round(validation_split * len(out["y_train"])))
        val = stratified_choice(out["y_train"], count, seed + 1)
        keep = np.ones(len(out["y_train"]), bool)
        keep[val] = False
        out["x_val"], out["y_val"] = out["x_train"][val], out["y_train"][val]
        out["x_train"], out["y_train"] = out["x_train"][keep], out["y_train"][keep]
    for key in [k for k in out if k.startswith("x_")]:
        x = out[key]
        if channels and x.ndim == 3:  # grey images: add the channel axis
            x = x[..., np.newaxis] if channels == "last" else x[:, np.newaxis]
        elif channels == "first" and x.ndim == 4:
            x = np.moveaxis(x, -1, 1)
        if flatten:
            x = x.reshape(len(x), -1)
        if normalize:
            x = x.astype(np.float32) / np.float32(max_value)
        out[key] = x
    if one_hot:
        for key in [k for k in out if k.startswith("y_") and not k.endswith("coarse")]:
            out[key] = np.eye(num_classes, dtype=np.float32)[out[key]]
    return out


def stratified_choice(labels: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Indices of ``count`` examples, every class in its share, seeded; sorted."""
    rng = np.random.default_rng(seed)
    classes, sizes = np.unique(labels, return_counts=True)
    quota = np.floor(sizes / sizes.sum() * count).astype(int)
    # hand out what rounding left over, largest remainders first
    remainder = sizes / sizes.sum() * count - quota
    for i in np.argsort(-remainder)[: count - quota.sum()]:
        quota[i] += 1
    chosen = [
        rng.choice(np.flatnonzero(labels == c), q, replace=False)
        for c, q in zip(classes, quota, strict=True)
    ]
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, int)
