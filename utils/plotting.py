"""The book's theme and the figures several chapters share.

Nothing here runs at import: call :func:`set_theme` once in a chapter's setup cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "COLORS",
    "OKABE_ITO",
    "plot_intervals",
    "plot_shrinkage",
    "set_theme",
]

#: Okabe & Ito (2008) colour-blind-safe palette, black first.
OKABE_ITO = [
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
]

#: One colour per idea, used the same way in every chapter.
COLORS = {
    "complete": "#E69F00",  # complete pooling
    "none": "#0072B2",  # no pooling
    "partial": "#009E73",  # partial pooling (hierarchical)
    "truth": "#000000",  # known true values in simulations
    "population": "#D55E00",  # population-level mean
    "highlight": "#CC79A7",  # divergences and other things to look at
    "neutral": "#7F7F7F",
}

_LABEL_COLORS = {
    "no pooling": COLORS["none"],
    "partial pooling": COLORS["partial"],
    "complete pooling": COLORS["complete"],
    "hierarchical": COLORS["partial"],
}

from utils.stats import CI_PROB  # noqa: E402  (re-exported: the book's interval convention)


def set_theme() -> None:
    """Apply the book's theme to matplotlib, seaborn and ArviZ.

    One colour-blind-safe palette (Okabe-Ito, without black in the cycle), a white
    grid, readable font sizes, and ArviZ's interval convention: 94% equal-tailed
    credible intervals with the posterior mean as point estimate.
    """
    import arviz as az
    import matplotlib as mpl
    import seaborn as sns

    az.style.use("arviz-variat")
    cycle = OKABE_ITO[1:] + OKABE_ITO[:1]
    sns.set_theme(context="notebook", style="whitegrid", palette=cycle)
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=cycle),
            "figure.figsize": (8.0, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "figure.constrained_layout.use": True,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": "medium",
            "legend.frameon": False,
            "image.cmap": "cividis",
        }
    )
    az.rcParams["stats.ci_prob"] = CI_PROB
    az.rcParams["stats.ci_kind"] = "eti"
    az.rcParams["stats.point_estimate"] = "mean"


def _as_1d(name: str, values, n: int | None = None) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if n is not None and arr.size != n:
        raise ValueError(f"{name} has {arr.size} values but there are {n} groups")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has missing or infinite values")
    return arr


def _as_intervals(name: str, values, n: int) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.shape != (n, 2):
        raise ValueError(
            f"{name} must have shape ({n}, 2) (lower, upper per group), got {arr.shape}"
        )
    if np.any(arr[:, 0] > arr[:, 1]):
        raise ValueError(f"{name}: a lower bound is above its upper bound")
    return arr


def plot_shrinkage(
    group_size,
    no_pooling,
    partial_pooling,
    population_mean: float,
    *,
    no_pooling_interval=None,
    partial_pooling_interval=None,
    log_x: bool = True,
    ylabel: str = "estimate",
    xlabel: str = "observations in the group",
    legend_loc: str = "best",
    labels: tuple[str, str] = ("no pooling", "partial pooling"),
    ax=None,
):
    """Per group: the no-pooling and partial-pooling estimates against group size.

    An arrow runs from each group's no-pooling estimate to its partial-pooling
    estimate; the dashed line is the population mean. Optional ``(n_groups, 2)``
    intervals are drawn as vertical bars, slightly offset so both stay visible.
    ``legend_loc`` is passed to ``ax.legend``; with many groups a fixed place (e.g.
    ``"upper right"``) draws faster than matplotlib's search for the ``"best"`` one.
    ``labels`` names the two kinds of estimate in the legend (open circles, dots).
    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    size = _as_1d("group_size", group_size)
    n = size.size
    if n == 0:
        raise ValueError("no groups to plot")
    if np.any(size <= 0):
        raise ValueError("group_size must be positive")
    if len(labels) != 2:
        raise ValueError("labels must name the two estimates: (no pooling, partial)")
    none = _as_1d("no_pooling", no_pooling, n)
    partial = _as_1d("partial_pooling", partial_pooling, n)
    if not np.isfinite(population_mean):
        raise ValueError("population_mean must be a finite number")
    if ax is None:
        _, ax = plt.subplots()

    # Offset the two estimates a little along x so their intervals do not overlap.
    shift = 1.06 if log_x else 0.15
    x_none = size / shift if log_x else size - shift
    x_partial = size * shift if log_x else size + shift
    if no_pooling_interval is not None:
        lo_hi = _as_intervals("no_pooling_interval", no_pooling_interval, n)
        ax.vlines(
            x_none, lo_hi[:, 0], lo_hi[:, 1], color=COLORS["none"], alpha=0.35, lw=1
        )
    if partial_pooling_interval is not None:
        lo_hi = _as_intervals("partial_pooling_interval", partial_pooling_interval, n)
        ax.vlines(
            x_partial,
            lo_hi[:, 0],
            lo_hi[:, 1],
            color=COLORS["partial"],
            alpha=0.35,
            lw=1,
        )
    for x0, y0, x1, y1 in zip(x_none, none, x_partial, partial, strict=True):
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={
                "arrowstyle": "->",
                "color": COLORS["neutral"],
                "lw": 0.8,
                "alpha": 0.8,
            },
        )
    ax.scatter(
        x_none,
        none,
        facecolor="white",
        edgecolor=COLORS["none"],
        zorder=3,
        label=labels[0],
    )
    ax.scatter(x_partial, partial, color=COLORS["partial"], zorder=3, label=labels[1])
    ax.axhline(
        population_mean,
        color=COLORS["population"],
        ls="--",
        lw=1.2,
        label="population mean",
    )
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc=legend_loc)
    return ax


def plot_intervals(
    estimates: dict[str, tuple[Sequence[float], Sequence[Sequence[float]]]],
    labels: Sequence[str],
    *,
    reference: float | None = None,
    reference_label: str = "population mean",
    truth: Sequence[float] | None = None,
    xlabel: str = "estimate",
    colors: dict[str, str] | None = None,
    ax=None,
):
    """Point estimates and intervals per group, one row per group, several models side by side.

    ``estimates`` maps a model name to ``(means, intervals)`` with ``means`` of length
    ``len(labels)`` and ``intervals`` of shape ``(len(labels), 2)``. Model names that
    are keys of :data:`COLORS` (``"none"``, ``"partial"``, ``"complete"``) get the book's
    colours, and so do ``"no pooling"``, ``"partial pooling"``, ``"complete pooling"`` and
    ``"hierarchical"``; ``colors`` overrides them. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    labels = [str(label) for label in labels]
    n = len(labels)
    if n == 0:
        raise ValueError("no groups to plot")
    if not estimates:
        raise ValueError("estimates is empty: pass at least one model")
    colors = {**_LABEL_COLORS, **COLORS, **(colors or {})}
    if ax is None:
        _, ax = plt.subplots(
            figsize=(8.0, max(2.5, 0.32 * n * max(1, len(estimates)) ** 0.5 + 1))
        )
    y = np.arange(n)
    k = len(estimates)
    offsets = (np.arange(k) - (k - 1) / 2) * (0.7 / max(k, 1))
    cycle = iter(OKABE_ITO[1:])
    for offset, (name, (means, intervals)) in zip(
        offsets, estimates.items(), strict=True
    ):
        mean = _as_1d(f"means of '{name}'", means, n)
        lo_hi = _as_intervals(f"intervals of '{name}'", intervals, n)
        color = colors.get(name) or next(cycle)
        ax.hlines(y + offset, lo_hi[:, 0], lo_hi[:, 1], color=color, lw=1.5)
        ax.plot(mean, y + offset, "o", color=color, ms=4, label=name)
    if truth is not None:
        ax.plot(
            _as_1d("truth", truth, n), y, "x", color=COLORS["truth"], label="true value"
        )
    if reference is not None:
        ax.axvline(
            reference,
            color=COLORS["population"],
            ls="--",
            lw=1.2,
            label=reference_label,
        )
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="best")
    return ax
