"""``glue``: record a computed value for the book's text, also where myst-nb is absent.

The book quotes numbers through ``{glue:text}`` roles, filled from values that the chapters
record with :func:`glue`. myst-nb reads such a record from a code cell's display output:
the value's display data (its MIME bundle, each type prefixed with
``application/papermill.record/`` unless the value is also shown) and the metadata
``{"scrapbook": {"name": ..., "mime_prefix": ...}}``. ``glue`` writes that record itself
with IPython, the record ``myst_nb.glue`` writes: calling ``myst_nb.glue`` would import
nbformat in every chapter's kernel, whose schema validator takes seconds to import.

myst-nb belongs to the book's toolchain, not to the chapters' run time (Binder and Colab
do not install it): there, ``glue`` shows the value when asked to and otherwise does
nothing, so a chapter runs the same with or without the book's tools.

A numpy scalar is glued as the Python number it holds: myst-nb formats a glued value
from its text form, and numpy 2 writes ``np.float64(0.5)``, which ``{glue:text}`name:.2f```
cannot format (the book build then fails with a warning).
"""

from __future__ import annotations

from importlib.util import find_spec

import numpy as np

__all__ = ["glue"]

#: The prefix of the MIME types under which myst-nb finds a value that is not shown.
RECORD_PREFIX = "application/papermill.record/"

# Whether the book's toolchain (myst-nb) is installed, found without importing it.
_BOOK_TOOLS = find_spec("myst_nb") is not None


def _plain(variable):
    """A numpy scalar (or 0-d array) as a Python scalar; anything else unchanged."""
    if isinstance(variable, np.generic) or (
        isinstance(variable, np.ndarray) and variable.ndim == 0
    ):
        return variable.item()
    return variable


def _record(name: str, variable, display: bool) -> None:
    """Publish the display output myst-nb reads ``name``'s value from."""
    from IPython.core.formatters import format_display_data
    from IPython.display import display as publish

    bundle, metadata = format_display_data(variable)
    prefix = "" if display else RECORD_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    publish(
        {prefix + kind: data for kind, data in bundle.items()},
        raw=True,
        metadata=metadata,
    )


def glue(name: str, variable, display: bool = True) -> None:
    """Record ``variable`` under ``name`` for the book's ``{glue:...}`` roles."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue needs a non-empty key, got {name!r}")
    variable = _plain(variable)
    if _BOOK_TOOLS:
        _record(name, variable, display)
    elif display:
        from IPython.display import display as show

        show(variable)
