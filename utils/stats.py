"""Posterior summaries in the book's one convention, and the normal-normal formulas.

Every interval in the book is an equal-tailed credible interval of probability
:data:`CI_PROB` (94%): it runs from the 3% to the 97% quantile of the draws. Chapters
compute intervals with :func:`interval` and :func:`summarize`; ArviZ's own summaries and
plots use the same probability once :func:`utils.plotting.set_theme` has run.

The normal-normal formulas describe a group mean with ``n`` observations of noise sd
``sigma``, drawn from a population with sd ``tau``: :func:`shrinkage_weight` is the weight
of the group's own sample mean in its posterior mean, and :func:`conditional_posterior_sd`
the sd of that posterior (both conditional on ``sigma``, ``tau`` and the population mean).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

__all__ = [
    "CI_PROB",
    "SAMPLE_DIMS",
    "conditional_posterior_sd",
    "grid_quantile",
    "interval",
    "normal_quadrature",
    "shifted_correlation",
    "shrinkage_weight",
    "summarize",
]

#: Credible-interval convention of the book: 94% equal-tailed intervals.
CI_PROB = 0.94

#: Dimensions that index posterior draws (``az.extract`` stacks chain and draw as sample).
SAMPLE_DIMS = ("chain", "draw", "sample")


def _check_prob(prob) -> float:
    if isinstance(prob, bool) or not isinstance(prob, (int, float, np.floating)):
        raise TypeError(f"prob must be a number in (0, 1), got {prob!r}")
    if not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
    return float(prob)


def _sample_dims(da: xr.DataArray, sample_dims) -> list[str]:
    if sample_dims is None:
        dims = [d for d in da.dims if d in SAMPLE_DIMS]
        if not dims:
            raise ValueError(
                f"no draw dimension among {list(da.dims)}: pass sample_dims= "
                f"(expected one of {list(SAMPLE_DIMS)})"
            )
        return dims
    dims = [sample_dims] if isinstance(sample_dims, str) else list(sample_dims)
    missing = [d for d in dims if d not in da.dims]
    if missing:
        raise ValueError(f"sample_dims {missing} are not dimensions of {list(da.dims)}")
    return dims


def _as_draws(draws, name: str = "draws"):
    """A DataArray as is; a DataTree or Dataset is refused with a hint; else a numpy array."""
    if isinstance(draws, xr.DataArray):
        return draws
    if isinstance(draws, (xr.Dataset, xr.DataTree)):
        raise TypeError(
            f"{name} must be one variable (a DataArray such as idata.posterior['mu']) or an "
            "array of draws; for several variables call summarize(idata, var_names=[...])"
        )
    arr = np.asarray(draws, dtype=float)
    if arr.ndim == 0 or arr.shape[0] < 2:
        raise ValueError(
            f"{name} needs at least 2 draws along axis 0, got shape {arr.shape}"
        )
    return arr


def interval(
    draws, prob: float = CI_PROB, *, sample_dims: str | Sequence[str] | None = None
):
    """Equal-tailed ``prob`` interval of posterior (or predictive) draws.

    Parameters
    ----------
    draws : xarray.DataArray or array-like
        A DataArray is reduced over its draw dimensions (``chain``/``draw`` or ``sample``,
        or ``sample_dims``); the result is a DataArray with the remaining dimensions and a
        last dimension ``bound`` = ``["lower", "upper"]``. An array is reduced over axis 0
        and the result has shape ``(*rest, 2)`` (lower, upper).
    prob : float
        Probability inside the interval; the book's convention is :data:`CI_PROB`.
    """
    prob = _check_prob(prob)
    q = [(1 - prob) / 2, (1 + prob) / 2]
    draws = _as_draws(draws)
    if isinstance(draws, xr.DataArray):
        dims = _sample_dims(draws, sample_dims)
        if not bool(np.isfinite(draws).all()):
            raise ValueError(
                f"draws of {draws.name or 'the variable'} contain NaN or infinity"
            )
        if int(np.prod([draws.sizes[d] for d in dims])) < 2:
            raise ValueError(f"interval needs at least 2 draws over {dims}")
        out = draws.quantile(q, dim=dims).rename(quantile="bound")
        out = out.assign_coords(bound=["lower", "upper"])
        return out.transpose(..., "bound")
    if sample_dims is not None:
        raise ValueError(
            "sample_dims applies to a DataArray; arrays are reduced over axis 0"
        )
    if not np.isfinite(draws).all():
        raise ValueError("draws contain NaN or infinity")
    return np.moveaxis(np.quantile(draws, q, axis=0), 0, -1)


def _summary_rows(
    da: xr.DataArray, prob: float, sample_dims, label: str | None
) -> pd.DataFrame:
    dims = _sample_dims(da, sample_dims)
    bounds = interval(da, prob, sample_dims=dims)
    table = xr.Dataset(
        {
            "mean": da.mean(dims),
            "lower": bounds.sel(bound="lower", drop=True),
            "upper": bounds.sel(bound="upper", drop=True),
        }
    )
    extra = [d for d in table["mean"].dims]
    if not extra:
        frame = pd.DataFrame({k: [float(v)] for k, v in table.data_vars.items()})
        frame.index = [label if label is not None else (da.name or "value")]
        return frame
    frame = table.to_dataframe()[["mean", "lower", "upper"]]
    if label is not None:
        frame.index = [
            f"{label}[{', '.join(map(str, k if isinstance(k, tuple) else (k,)))}]"
            for k in frame.index
        ]
    return frame


def summarize(
    draws,
    var_names: str | Sequence[str] | None = None,
    prob: float = CI_PROB,
    *,
    sample_dims: str | Sequence[str] | None = None,
    group: str = "posterior",
) -> pd.DataFrame:
    """Posterior mean and the book's interval as a table with columns mean, lower, upper.

    Parameters
    ----------
    draws : xarray.DataTree, xarray.Dataset, xarray.DataArray or array-like
        - a DataTree (the result of ``pm.sample``) or a Dataset: one row per variable and
          coordinate, labelled like ``alpha[AITKIN]``; ``var_names`` picks the variables
          (default: all of them) and ``group`` the DataTree group (default ``posterior``);
        - a DataArray: one row per coordinate of its non-draw dimensions, indexed by them
          (so ``summarize(post["alpha"]).loc["AITKIN"]`` works);
        - an array: draws along axis 0, one row per remaining entry.
    prob : float
        Probability inside the interval (the book's :data:`CI_PROB` by default).
    sample_dims : str or list of str, optional
        The draw dimensions, when they are not ``chain``/``draw`` or ``sample``.
    """
    prob = _check_prob(prob)
    if isinstance(draws, xr.DataTree):
        if group not in draws.children:
            raise KeyError(
                f"the DataTree has no group {group!r}; it has {list(draws.children)}"
            )
        draws = draws[group].to_dataset()
    if isinstance(draws, xr.Dataset):
        names = list(draws.data_vars) if var_names is None else var_names
        names = [names] if isinstance(names, str) else list(names)
        unknown = [v for v in names if v not in draws.data_vars]
        if unknown:
            raise KeyError(
                f"unknown variable(s) {unknown}; there are {sorted(draws.data_vars)}"
            )
        if not names:
            raise ValueError("no variables to summarize")
        return pd.concat([_summary_rows(draws[v], prob, sample_dims, v) for v in names])
    if var_names is not None:
        raise ValueError(
            "var_names applies to a DataTree or Dataset, not to one variable"
        )
    draws = _as_draws(draws)
    if isinstance(draws, xr.DataArray):
        return _summary_rows(draws, prob, sample_dims, None)
    if sample_dims is not None:
        raise ValueError(
            "sample_dims applies to a DataArray; arrays are reduced over axis 0"
        )
    bounds = interval(draws, prob)
    mean = draws.mean(axis=0)
    return pd.DataFrame(
        {
            "mean": np.ravel(mean),
            "lower": np.ravel(bounds[..., 0]),
            "upper": np.ravel(bounds[..., 1]),
        }
    )


def _positive(name: str, value, allow_zero: bool = False):
    if value is None or isinstance(value, str | bytes):
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {value!r}"
        )
    arr = np.asarray(value)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    arr = arr.astype(float)
    if np.isnan(arr).any():
        raise ValueError(f"{name} has missing values")
    if np.isinf(arr).any():
        raise ValueError(f"{name} must be finite")
    bad = arr < 0 if allow_zero else arr <= 0
    if bad.any():
        raise ValueError(
            f"{name} must be {'non-negative' if allow_zero else 'positive'}"
        )
    # a DataArray keeps its labels (posterior draws broadcast by dimension name);
    # anything else becomes a float array, so that lists work too
    return value if isinstance(value, xr.DataArray) else arr


def _precisions(n, sigma, tau):
    n = _positive("n", n, allow_zero=True)
    sigma = _positive("sigma", sigma)
    tau = _positive("tau", tau)
    return n / sigma**2, 1 / tau**2


def shrinkage_weight(n, sigma, tau):
    """Weight of a group's own sample mean in its posterior mean (normal-normal model).

    With ``n`` observations of noise sd ``sigma`` and a population sd ``tau`` of the group
    means, the posterior mean of the group's mean is ``w * ybar + (1 - w) * mu`` with

        w = (n / sigma**2) / (n / sigma**2 + 1 / tau**2),

    the data's share of the total precision: 0 for a group without data, towards 1 as
    ``n`` grows. Arguments broadcast by numpy's rules, or by dimension name when all
    array arguments are xarray DataArrays (e.g. posterior draws of ``sigma`` and ``tau``
    with group sizes as a DataArray over the group dimension); to combine a numpy array
    of group sizes with draws, wrap the sizes in a DataArray first, since numpy
    broadcasting aligns by position. ``n`` >= 0, ``sigma`` > 0, ``tau`` > 0, all finite.
    """
    data, prior = _precisions(n, sigma, tau)
    return data / (data + prior)


def conditional_posterior_sd(n, sigma, tau):
    """Posterior sd of a group mean given ``sigma``, ``tau`` and the population mean.

    The posterior precision is the sum of the data's and the population's precisions,
    so the variance is ``1 / (n / sigma**2 + 1 / tau**2)`` and this returns its square
    root. It is never larger than ``tau`` (the population alone) nor than
    ``sigma / sqrt(n)`` (the data alone): partial pooling narrows the interval of a small
    group as well as moving its estimate. Arguments broadcast as in
    :func:`shrinkage_weight`.
    """
    data, prior = _precisions(n, sigma, tau)
    return 1 / np.sqrt(data + prior)


def grid_quantile(values, weights, q):
    """Quantiles of a posterior evaluated on a grid (of one or several parameters).

    ``values`` holds the grid values of the parameter of interest and ``weights`` the
    (unnormalised) posterior weight of each grid point, of the same shape; for a grid
    over several parameters pass the grid of the one you want with the joint weights, so
    the others are summed out. Returns, for each probability in ``q``, the smallest grid
    value whose cumulative normalised weight reaches it (a float for a scalar ``q``, an
    array of ``q``'s shape otherwise). With ``q`` uniform on (0, 1) this is inverse-CDF
    sampling from the grid. The result is exact up to the grid spacing, so the grid must
    be fine where the posterior has mass and cover it.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if values.shape != weights.shape:
        raise ValueError(
            f"values and weights must have the same shape, got {values.shape} and "
            f"{weights.shape}"
        )
    if values.size == 0:
        raise ValueError("the grid is empty")
    if not (np.isfinite(values).all() and np.isfinite(weights).all()):
        raise ValueError("values and weights must be finite (no NaN or infinity)")
    if (weights < 0).any() or weights.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    probs = np.asarray(q, dtype=float)
    if not np.isfinite(probs).all() or (probs < 0).any() or (probs > 1).any():
        raise ValueError(f"q must lie in [0, 1], got {q!r}")
    order = np.argsort(values, axis=None, kind="stable")
    cdf = np.cumsum(weights.ravel()[order])
    cdf /= cdf[-1]
    index = np.minimum(np.searchsorted(cdf, probs, side="left"), cdf.size - 1)
    result = values.ravel()[order][index]
    return float(result) if result.ndim == 0 else result


def shifted_correlation(sigma_alpha, sigma_beta, rho, shift):
    """Correlation of a group's intercept and slope once ``x`` is recoded to ``x - shift``.

    The recoded intercept is ``alpha + shift * beta`` (the old line at ``x = shift``) and
    the slope is unchanged, so with sds ``sigma_alpha``, ``sigma_beta`` and correlation
    ``rho`` of ``(alpha, beta)`` this returns the correlation of
    ``(alpha + shift * beta, beta)``. Arguments broadcast (posterior draws work).
    """
    cov = rho * sigma_alpha * sigma_beta + shift * sigma_beta**2
    var_intercept = (
        sigma_alpha**2
        + 2 * shift * rho * sigma_alpha * sigma_beta
        + shift**2 * sigma_beta**2
    )
    return cov / (sigma_beta * np.sqrt(var_intercept))


def normal_quadrature(n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes ``z`` and weights ``w`` for a standard normal variable.

    ``f(z) @ w`` approximates the expectation of ``f(Z)`` for ``Z ~ N(0, 1)``; the rule
    with ``n_nodes`` nodes is exact when ``f`` is a polynomial of degree up to
    ``2 * n_nodes - 1``. The weights are positive and sum to 1. For
    ``alpha ~ N(mu, sigma)`` use the nodes ``mu + sigma * z``.
    """
    if isinstance(n_nodes, bool) or int(n_nodes) != n_nodes or n_nodes < 1:
        raise ValueError(f"n_nodes must be a positive integer, got {n_nodes!r}")
    nodes, weights = np.polynomial.hermite.hermgauss(int(n_nodes))
    return np.sqrt(2.0) * nodes, weights / np.sqrt(np.pi)
