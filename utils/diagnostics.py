"""One fit check for every model in the book.

``check_fit(idata)`` counts divergences and reads the worst r_hat, bulk ESS and tail
ESS over the chosen variables. The result prints as a one-line report, shows as a small
table in a notebook, and can be asserted on (``fit.ok`` or ``fit.assert_ok()``).

When the environment variable ``COURSE_FIT_LOG`` names a file, every check also appends
one JSON line to it (``make seeds`` uses this to report how close each fit comes to the
gates over many seeds; ``python -m tools.seeds LOG...`` prints that report).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

import arviz as az
import numpy as np

__all__ = ["FitCheck", "check_fit", "MAX_R_HAT", "MIN_ESS"]

#: The book's gates for a healthy fit.
MAX_R_HAT = 1.01
MIN_ESS = 400


@dataclass(frozen=True)
class FitCheck:
    """Summary of a fit's health; ``ok`` is True when every gate passes."""

    divergences: int
    draws: int
    max_r_hat: float
    min_ess_bulk: float
    min_ess_tail: float
    worst_r_hat: str
    worst_ess_bulk: str
    max_r_hat_allowed: float = MAX_R_HAT
    min_ess_allowed: float = MIN_ESS

    @property
    def problems(self) -> list[str]:
        """Human-readable list of the gates that fail (empty when healthy)."""
        out = []
        if self.divergences:
            out.append(f"{self.divergences} divergent transitions")
        if not self.max_r_hat <= self.max_r_hat_allowed:
            out.append(
                f"r_hat {self.max_r_hat:.3f} > {self.max_r_hat_allowed} ({self.worst_r_hat})"
            )
        if not self.min_ess_bulk >= self.min_ess_allowed:
            out.append(
                f"bulk ESS {self.min_ess_bulk:.0f} < {self.min_ess_allowed} ({self.worst_ess_bulk})"
            )
        if not self.min_ess_tail >= self.min_ess_allowed:
            out.append(f"tail ESS {self.min_ess_tail:.0f} < {self.min_ess_allowed}")
        return out

    @property
    def ok(self) -> bool:
        return not self.problems

    def assert_ok(self) -> None:
        """Raise AssertionError naming every failed gate."""
        if not self.ok:
            raise AssertionError("unhealthy fit: " + "; ".join(self.problems))

    def __str__(self) -> str:
        verdict = "healthy" if self.ok else "UNHEALTHY: " + "; ".join(self.problems)
        return (
            f"divergences {self.divergences} of {self.draws} draws, "
            f"max r_hat {self.max_r_hat:.3f}, min bulk ESS {self.min_ess_bulk:.0f}, "
            f"min tail ESS {self.min_ess_tail:.0f} -> {verdict}"
        )

    def _repr_html_(self) -> str:
        rows = [
            (
                "divergences",
                f"{self.divergences} / {self.draws}",
                self.divergences == 0,
            ),
            (
                "max r_hat",
                f"{self.max_r_hat:.3f}",
                self.max_r_hat <= self.max_r_hat_allowed,
            ),
            (
                "min bulk ESS",
                f"{self.min_ess_bulk:.0f}",
                self.min_ess_bulk >= self.min_ess_allowed,
            ),
            (
                "min tail ESS",
                f"{self.min_ess_tail:.0f}",
                self.min_ess_tail >= self.min_ess_allowed,
            ),
        ]
        cell = 'style="padding: 0.15em 0.8em; text-align: left"'
        body = "".join(
            f"<tr><td {cell}>{name}</td><td {cell}>{value}</td>"
            f"<td {cell}>{'pass' if good else '<strong>FAIL</strong>'}</td></tr>"
            for name, value, good in rows
        )
        verdict = "healthy" if self.ok else "unhealthy"
        return (
            f'<table class="fit-check"><caption style="caption-side: top">Fit check: {verdict}'
            f"</caption><thead><tr><th {cell}>check</th><th {cell}>value</th>"
            f"<th {cell}>gate</th></tr></thead><tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        return f"FitCheck({self})"


def _extreme(values, largest: bool, constant) -> tuple[float, str]:
    """The largest (or smallest) entry over every variable, and its 'name[coord]' label.

    A NaN counts as the worst value, so that it fails the gate instead of hiding, except
    on entries that ``constant`` marks: the structural 0s and 1s of a matrix-valued
    variable (a Cholesky factor or correlation matrix), equal in every draw of every
    chain, whose r_hat and ESS are undefined and where there is nothing to check. A
    scalar or vector parameter that never moved is not skipped: it fails.
    """
    candidates = []
    for name, da in values.data_vars.items():
        arr = np.atleast_1d(np.asarray(da, dtype=float))
        fixed = np.atleast_1d(np.asarray(constant[name], dtype=bool))
        flat = np.where(np.isnan(arr), np.inf if largest else -np.inf, arr)
        flat = np.where(fixed, -np.inf if largest else np.inf, flat).ravel()
        if flat.size == 0 or fixed.all():
            continue
        i = int(np.argmax(flat) if largest else np.argmin(flat))
        label = name
        if da.ndim:
            idx = np.unravel_index(i, arr.shape)
            coords = [
                str(da[d].values[j]) if d in da.coords else str(j)
                for d, j in zip(da.dims, idx, strict=True)
            ]
            label = f"{name}[{', '.join(coords)}]"
        candidates.append((float(arr.ravel()[i]), flat[i], label))
    if not candidates:
        raise ValueError("no variables to check")
    pick = max if largest else min
    value, _, label = pick(candidates, key=lambda c: c[1])
    return value, label


def check_fit(idata, var_names=None, max_r_hat=MAX_R_HAT, min_ess=MIN_ESS) -> FitCheck:
    """Check a fitted model: divergences, max r_hat, min bulk and tail ESS.

    Parameters
    ----------
    idata : xarray.DataTree
        The result of ``pm.sample`` (needs ``posterior`` and ``sample_stats``).
    var_names : list of str, optional
        Posterior variables to check; default all of them. Unknown names raise
        ``KeyError`` listing the available ones. The structural 0s and 1s of a
        matrix-valued variable (the fixed entries of a Cholesky factor), equal in every
        draw of every chain, are skipped; any other entry that never moved fails.
    max_r_hat, min_ess : float
        The gates (the book uses 1.01 and 400).
    """
    for gate, value in (("max_r_hat", max_r_hat), ("min_ess", min_ess)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{gate} must be a number, got {value!r}")
    if not max_r_hat >= 1:
        raise ValueError(f"max_r_hat must be at least 1, got {max_r_hat}")
    if not min_ess > 0:
        raise ValueError(f"min_ess must be positive, got {min_ess}")
    if not hasattr(idata, "children") or "posterior" not in idata.children:
        raise TypeError(
            "check_fit needs the DataTree returned by pm.sample (no 'posterior' group)"
        )
    posterior = idata["posterior"].to_dataset()
    if var_names is not None:
        if isinstance(var_names, str):
            var_names = [var_names]
        if not var_names:
            raise ValueError("var_names is empty: name at least one variable")
        unknown = [v for v in var_names if v not in posterior.data_vars]
        if unknown:
            raise KeyError(
                f"unknown variable(s) {unknown}; the posterior has {sorted(posterior.data_vars)}"
            )
        posterior = posterior[list(var_names)]
    if posterior.sizes.get("chain", 1) < 2:
        raise ValueError("check_fit needs at least 2 chains to compute r_hat")
    if (
        "sample_stats" in idata.children
        and "diverging" in idata["sample_stats"].data_vars
    ):
        divergences = int(idata["sample_stats"]["diverging"].sum())
    else:
        raise ValueError(
            "idata has no sample_stats.diverging: was it made by pm.sample?"
        )
    draws = int(posterior.sizes["chain"] * posterior.sizes["draw"])
    r_hat = az.rhat(posterior)
    ess_bulk = az.ess(posterior, method="bulk")
    ess_tail = az.ess(posterior, method="tail")
    sample_dims = ("chain", "draw")
    lowest, highest = posterior.min(sample_dims), posterior.max(sample_dims)
    structural = (lowest == highest) & ((lowest == 0) | (lowest == 1))
    # only matrices have structural entries
    is_matrix = {name: da.ndim >= 2 for name, da in lowest.data_vars.items()}
    constant = {name: structural[name] & is_matrix[name] for name in structural}
    worst_r_hat, worst_r_hat_name = _extreme(r_hat, largest=True, constant=constant)
    min_bulk, worst_bulk = _extreme(ess_bulk, largest=False, constant=constant)
    min_tail, _ = _extreme(ess_tail, largest=False, constant=constant)
    result = FitCheck(
        divergences=divergences,
        draws=draws,
        max_r_hat=worst_r_hat,
        min_ess_bulk=min_bulk,
        min_ess_tail=min_tail,
        worst_r_hat=worst_r_hat_name,
        worst_ess_bulk=worst_bulk,
        max_r_hat_allowed=max_r_hat,
        min_ess_allowed=min_ess,
    )
    _log(result, list(posterior.data_vars))
    return result


_calls = 0


def _log(result: FitCheck, var_names: list[str]) -> None:
    """Append the check to the file named by COURSE_FIT_LOG, if any."""
    global _calls
    _calls += 1
    path = os.environ.get("COURSE_FIT_LOG")
    if not path:
        return
    record = {
        "seed": os.environ.get("COURSE_SEED"),
        "call": _calls,
        "var_names": var_names,
        **asdict(result),
    }
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")
