"""Shared helpers of the course *Multilevel Modeling with PyMC*.

Submodules (import what you use; importing them changes nothing):

- :mod:`utils.data`: validated loaders for the course datasets.
- :mod:`utils.plotting`: the book's theme and shared figures.
- :mod:`utils.diagnostics`: the fit check every model passes.
- :mod:`utils.stats`: posterior means and the book's 94% intervals; normal-normal shrinkage.
- :mod:`utils.models`: the varying-intercepts-and-slopes model several chapters fit.
"""

import os
import sys

if sys.version_info < (3, 12):  # noqa: UP036  (an old Python must get a clear error)
    raise ImportError(
        "The course needs Python 3.12 or 3.13 (PyMC 6); this is Python "
        f"{sys.version.split()[0]}. Create an environment with Python 3.12 "
        "(see README.md) and install requirements.txt there."
    )

__all__ = ["DEFAULT_SEED", "book_seed"]

#: The seed the book is built with.
DEFAULT_SEED = 20261123


def book_seed() -> int:
    """The chapter's random seed: ``DEFAULT_SEED``, or ``$COURSE_SEED`` when set.

    Every claim a chapter makes must hold for any seed; set ``COURSE_SEED`` to rerun a
    chapter with another one (``make seeds`` does this for several).
    """
    value = os.environ.get("COURSE_SEED", "").strip()
    if not value:
        return DEFAULT_SEED
    try:
        seed = int(value)
    except ValueError:
        raise ValueError(f"COURSE_SEED must be a whole number, got {value!r}") from None
    if seed < 0:
        raise ValueError(f"COURSE_SEED must be non-negative, got {seed}")
    return seed
