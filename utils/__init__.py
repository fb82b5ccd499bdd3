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

__all__ = ["DEFAULT_SEED", "book_seed", "sampler_cores"]

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


def sampler_cores() -> int:
    """How many chains to run at once: every CPU this process may use.

    ``pm.sample`` runs ``min(4, cpu_count // 2)`` chains at a time by default (it takes
    half of the CPUs to be hyper-threads), which is one at a time on the two-CPU
    machines of Binder and Colab. Pass ``cores=sampler_cores()`` to run them in parallel.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        return max(1, os.cpu_count() or 1)
