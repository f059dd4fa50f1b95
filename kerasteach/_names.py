"""Near misses: the names a learner probably meant, wherever a name is chosen
(datasets, layers, example models)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def near_misses(name: str, known: Sequence[str], most: int = 3) -> list[str]:
    """The known names ``name`` most likely stands for: those it begins (a
    shortened name, "notmnist" for "notmnist_small"), then the closest
    spellings ("mnst" for "mnist").

    >>> near_misses("notmnist", ["mnist", "notmnist_large", "notmnist_small"])
    ['notmnist_large', 'notmnist_small']
    >>> near_misses("mnst", ["mnist", "cifar10"])
    ['mnist']
    """
    wanted = name.lower()
    begun = [k for k in known if k.lower().startswith(wanted) and k.lower() != wanted]
    if begun:
        return begun[:most]
    return difflib.get_close_matches(wanted, list(known), n=most, cutoff=0.6)


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """' did you mean 'a' or 'b'?' for the near misses, or '' when none.

    >>> did_you_mean("cifar", ["cifar10", "cifar100", "mnist"])
    " did you mean 'cifar10' or 'cifar100'?"
    """
    close = near_misses(name, known)
    return f" did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
