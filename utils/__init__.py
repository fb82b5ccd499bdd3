"""Shared helpers of the course *Multilevel Modeling with PyMC*.

Submodules (import what you use; importing them changes nothing):

- :mod:`utils.data`: validated loaders for the course datasets.
- :mod:`utils.plotting`: the book's theme and shared figures.
- :mod:`utils.diagnostics`: the fit check every model passes.
"""

import os

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
