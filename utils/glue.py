"""``glue``: record a computed value for the book's text, also where myst-nb is absent.

The book quotes numbers through ``{glue:text}`` roles, filled from ``myst_nb.glue`` calls
in the chapters. myst-nb belongs to the book's toolchain, not to the chapters' run time
(Binder and Colab do not install it): there, ``glue`` shows the value when asked to and
otherwise does nothing, so a chapter runs the same with or without the book's tools.
"""

from __future__ import annotations

__all__ = ["glue"]

try:
    from myst_nb import glue
except ImportError:  # pragma: no cover - exercised by the Colab emulation and Binder

    def glue(name: str, variable, display: bool = True) -> None:
        """Stand-in for ``myst_nb.glue``: display the value if asked, record nothing."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"glue needs a non-empty key, got {name!r}")
        if display:
            from IPython.display import display as show

            show(variable)
