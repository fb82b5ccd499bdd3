"""``glue``: record a computed value for the book's text, also where myst-nb is absent.

The book quotes numbers through ``{glue:text}`` roles, filled from ``myst_nb.glue`` calls
in the chapters. myst-nb belongs to the book's toolchain, not to the chapters' run time
(Binder and Colab do not install it): there, ``glue`` shows the value when asked to and
otherwise does nothing, so a chapter runs the same with or without the book's tools.

A numpy scalar is glued as the Python number it holds: myst-nb formats a glued value
from its text form, and numpy 2 writes ``np.float64(0.5)``, which ``{glue:text}`name:.2f```
cannot format (the book build then fails with a warning).
"""

from __future__ import annotations

import numpy as np

__all__ = ["glue"]

try:
    from myst_nb import glue as _myst_glue
except ImportError:  # pragma: no cover - exercised by the Colab emulation and Binder
    _myst_glue = None


def _plain(variable):
    """A numpy scalar (or 0-d array) as a Python scalar; anything else unchanged."""
    if isinstance(variable, np.generic) or (
        isinstance(variable, np.ndarray) and variable.ndim == 0
    ):
        return variable.item()
    return variable


def glue(name: str, variable, display: bool = True) -> None:
    """Record ``variable`` under ``name`` for the book's ``{glue:...}`` roles."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue needs a non-empty key, got {name!r}")
    variable = _plain(variable)
    if _myst_glue is not None:
        _myst_glue(name, variable, display=display)
    elif display:
        from IPython.display import display as show

        show(variable)
