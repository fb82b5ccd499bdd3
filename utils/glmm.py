"""Maximum likelihood for a logistic model with varying intercepts (a frequentist GLMM).

:func:`fit_logistic_glmm` maximises the *marginal* likelihood of

    y_i ~ Bernoulli(logit^-1(X_i beta + b[j[i]])),   b_j ~ N(0, sigma),

in which each group's intercept ``b_j`` is integrated out by adaptive Gauss-Hermite
quadrature (the method of lme4's ``glmer(..., nAGQ = n)``; one node is the Laplace
approximation). It is the cross-check of the binary-outcome chapter: the same model
without priors, fitted the way mixed-model software fits it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

__all__ = [
    "GLMMFit",
    "NestedGLMMFit",
    "fit_logistic_glmm",
    "fit_nested_poisson_glmm",
    "integrate_nested_effects",
    "logistic_glmm_loglik",
    "negbin_logpmf",
    "nested_count_loglik",
    "nested_poisson_loglik",
    "poisson_logpmf",
    "poisson_lognormal_logpmf",
]


@dataclass(frozen=True)
class GLMMFit:
    """Estimates of :func:`fit_logistic_glmm`."""

    beta: np.ndarray  # fixed effects, one per column of X
    sigma: float  # sd of the group intercepts
    se_beta: np.ndarray  # standard errors of beta (inverse observed information)
    loglik: float  # maximised marginal log-likelihood
    n_nodes: int  # quadrature nodes per group
    converged: bool  # the gradient of the log-likelihood is below 1e-3 at the optimum


def _check(y, X, group_idx, n_groups):
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    group_idx = np.asarray(group_idx)
    if y.ndim != 1 or X.ndim != 2 or X.shape[0] != y.size or group_idx.shape != y.shape:
        raise ValueError(
            f"y (n,), X (n, p) and group_idx (n,) must agree, got {y.shape}, "
            f"{X.shape}, {group_idx.shape}"
        )
    if y.size == 0:
        raise ValueError("no observations")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y must hold 0s and 1s")
    if not np.isfinite(X).all():
        raise ValueError("X must be finite (no missing values)")
    if not np.issubdtype(group_idx.dtype, np.integer):
        raise TypeError(f"group_idx must hold integers, got dtype {group_idx.dtype}")
    if group_idx.min() < 0 or group_idx.max() >= n_groups:
        raise ValueError(f"group_idx must lie in 0..{n_groups - 1}")
    return y, X, group_idx


def _group_sum(values, group_idx, n_groups):
    """Sum of each row of ``values`` (..., n) over the observations of each group."""
    out = np.zeros((*values.shape[:-1], n_groups))
    np.add.at(out, (..., group_idx), values)
    return out


def logistic_glmm_loglik(beta, sigma, y, X, group_idx, n_groups, n_nodes=15):
    """Marginal log-likelihood of the model at ``beta``, ``sigma`` (see module doc).

    Each group's integral is centred at the mode of its integrand and scaled by the
    curvature there (adaptive quadrature), so a handful of nodes is accurate.
    """
    y, X, group_idx = _check(y, X, group_idx, n_groups)
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be positive and finite, got {sigma!r}")
    if isinstance(n_nodes, bool) or not isinstance(n_nodes, int | np.integer):
        raise TypeError(f"n_nodes must be a whole number, got {n_nodes!r}")
    if n_nodes < 1:
        raise ValueError(f"n_nodes must be at least 1, got {n_nodes}")
    eta = X @ np.asarray(beta, dtype=float)
    # Newton's method for each group's mode of log p(y_j | b) + log N(b | 0, sigma)
    b = np.zeros(n_groups)
    for _ in range(50):
        p = special.expit(eta + b[group_idx])
        grad = _group_sum(y - p, group_idx, n_groups) - b / sigma**2
        curv = _group_sum(p * (1 - p), group_idx, n_groups) + 1 / sigma**2
        step = np.clip(grad / curv, -2, 2)  # damped: never more than 2 on the logit
        b = b + step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = special.expit(eta + b[group_idx])
    scale = 1 / np.sqrt(_group_sum(p * (1 - p), group_idx, n_groups) + 1 / sigma**2)
    nodes, weights = np.polynomial.hermite.hermgauss(int(n_nodes))
    # b = mode + sqrt(2) * scale * t at each node t, for every group: (node, group)
    points = b[None, :] + np.sqrt(2) * scale[None, :] * nodes[:, None]
    lin = eta[None, :] + points[:, group_idx]
    loglik_obs = y * lin - np.logaddexp(0, lin)  # Bernoulli log-likelihood on logits
    log_integrand = (
        _group_sum(loglik_obs, group_idx, n_groups)
        - 0.5 * (points / sigma) ** 2
        - np.log(sigma * np.sqrt(2 * np.pi))
        + nodes[:, None] ** 2
    )
    log_groups = special.logsumexp(log_integrand, b=weights[:, None], axis=0)
    return float(np.sum(log_groups + np.log(np.sqrt(2) * scale)))


def fit_logistic_glmm(y, X, group_idx, n_groups, n_nodes=15) -> GLMMFit:
    """Maximum-likelihood estimates of ``beta`` and ``sigma`` (see the module doc).

    ``X`` holds the fixed-effect design, its first column usually the intercept;
    ``group_idx`` the group ``0 .. n_groups - 1`` of each observation. The optimiser works
    on ``log sigma``; the standard errors of ``beta`` come from a finite-difference Hessian
    of the marginal log-likelihood at the optimum.
    """
    y, X, group_idx = _check(y, X, group_idx, n_groups)
    n_beta = X.shape[1]

    def negative(theta):
        return -logistic_glmm_loglik(
            theta[:n_beta], np.exp(theta[-1]), y, X, group_idx, n_groups, n_nodes
        )

    start = np.zeros(n_beta + 1)
    start[-1] = np.log(0.5)
    result = optimize.minimize(negative, start, method="BFGS", options={"gtol": 1e-6})
    theta = result.x
    k = theta.size
    # BFGS on finite-difference gradients often stops reporting "precision loss" at the
    # optimum; judge convergence by the gradient itself (central differences).
    gradient = np.array(
        [
            (negative(theta + 1e-5 * e) - negative(theta - 1e-5 * e)) / 2e-5
            for e in np.eye(k)
        ]
    )
    # observed information by central differences, then invert
    h = 1e-4
    hessian = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            value = (
                negative(theta + ei + ej)
                - negative(theta + ei - ej)
                - negative(theta - ei + ej)
                + negative(theta - ei - ej)
            ) / (4 * h * h)
            hessian[i, j] = hessian[j, i] = value
    covariance = np.linalg.inv(hessian)
    return GLMMFit(
        beta=theta[:n_beta],
        sigma=float(np.exp(theta[-1])),
        se_beta=np.sqrt(np.diag(covariance)[:n_beta]),
        loglik=-float(result.fun),
        n_nodes=int(n_nodes),
        converged=bool(np.max(np.abs(gradient)) < 1e-3),
    )


# --- Nested normal effects on a count (or any) likelihood --------------------------------


def _grid(step: float, half_width: float) -> np.ndarray:
    """Odd-length uniform grid ``step * (k - K)``, k = 0..2K, covering +-half_width."""
    n_half = int(np.ceil(half_width / step))
    return step * np.arange(-n_half, n_half + 1)


def _normal_kernel(grid: np.ndarray, sigma: float) -> np.ndarray:
    """``K[j, k] = step * N(grid[k] - grid[j] | 0, sigma)``: the trapezoid weights of
    the integral over a normal effect, from grid point j to grid point k."""
    step = grid[1] - grid[0]
    diff = grid[None, :] - grid[:, None]
    return step * np.exp(-0.5 * (diff / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


def _log_convolve(loglik: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``log sum_k kernel[j, k] exp(loglik[:, k])`` for every row and grid point j."""
    top = loglik.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(loglik - top) @ kernel.T) + top


def integrate_nested_effects(unit_loglik, grid, levels) -> np.ndarray:
    """Integrate nested normal effects out of log-likelihoods tabulated on a grid.

    ``unit_loglik[i, k]`` is the log-likelihood of unit i's data when the sum of all the
    random effects acting on it equals ``grid[k]`` (the fixed part of its linear
    predictor already included). ``grid`` must be uniform, of odd length and centred at
    0. ``levels`` lists the levels from the bottom up as ``(members, sigma)`` pairs:
    ``members`` maps the current units to this level's groups (``None``: every unit is
    its own group, as for an observation-level effect), and ``sigma`` is the sd of this
    level's normal effects (0: the level only collects its members, with no effect).

    Returns the log marginal likelihood of each group of the top level, with every
    effect integrated out by the trapezoid rule. For smooth, peaked integrands the rule
    is very accurate once ``grid``'s step is below the width of the sharpest likelihood;
    the grid must reach at least 6 total standard deviations either way (checked).
    """
    loglik = np.asarray(unit_loglik, dtype=float)
    grid = np.asarray(grid, dtype=float)
    if grid.ndim != 1 or grid.size % 2 == 0 or grid.size < 3:
        raise ValueError("grid must be one-dimensional, of odd length >= 3")
    step = grid[1] - grid[0]
    if not (
        step > 0
        and np.allclose(np.diff(grid), step)
        and abs(grid[grid.size // 2]) < 1e-12
    ):
        raise ValueError("grid must be uniform, increasing and centred at 0")
    if loglik.ndim != 2 or loglik.shape[1] != grid.size:
        raise ValueError(
            f"unit_loglik must be (n_units, {grid.size}), got {loglik.shape}"
        )
    sigmas = [float(sigma) for _, sigma in levels]
    if any(not np.isfinite(s) or s < 0 for s in sigmas):
        raise ValueError(f"every sigma must be finite and >= 0, got {sigmas}")
    total = float(np.sqrt(np.sum(np.square(sigmas))))
    if grid[-1] < 6 * total:
        raise ValueError(
            f"the grid reaches {grid[-1]:.2f}, less than 6 total sds ({6 * total:.2f})"
        )
    for depth, (members, sigma) in enumerate(levels):
        if members is not None:
            members = np.asarray(members)
            if members.shape != (loglik.shape[0],) or not np.issubdtype(
                members.dtype, np.integer
            ):
                raise ValueError(
                    f"level {depth}: members must be {loglik.shape[0]} integers"
                )
            if members.min() < 0:
                raise ValueError(f"level {depth}: members must be >= 0")
            n_groups = int(members.max()) + 1
            grouped = np.zeros((n_groups, grid.size))
            np.add.at(grouped, members, loglik)
            loglik = grouped
        if sigma > 0:
            last = depth == len(levels) - 1
            kernel = _normal_kernel(grid, sigma)
            if last:  # only the centre (all effects summed out) is needed
                kernel = kernel[grid.size // 2 : grid.size // 2 + 1]
                return _log_convolve(loglik, kernel)[:, 0]
            loglik = _log_convolve(loglik, kernel)
    return loglik[:, grid.size // 2]


def poisson_lognormal_logpmf(y, eta, sigma, n_nodes: int = 12) -> np.ndarray:
    """``log p(y | eta, sigma) = log int Poisson(y | exp(eta + u)) N(u | 0, sigma) du``.

    The marginal probability of a count with an observation-level normal effect (the
    Poisson-lognormal distribution), by adaptive Gauss-Hermite quadrature: each integral
    is centred at the mode of its integrand and scaled by the curvature there. ``y``,
    ``eta`` and ``sigma`` broadcast against each other (e.g. draws x observations).
    """
    y, eta, sigma = np.broadcast_arrays(
        np.asarray(y, dtype=float),
        np.asarray(eta, dtype=float),
        np.asarray(sigma, dtype=float),
    )
    if (y < 0).any() or not np.allclose(y, np.round(y)):
        raise ValueError("y must hold non-negative whole counts")
    if not (np.isfinite(sigma).all() and (sigma > 0).all()):
        raise ValueError("sigma must be positive and finite")
    # Newton's method for the mode of y (eta + u) - exp(eta + u) - u^2 / (2 sigma^2),
    # which is concave; start from the mode of the Poisson part, shrunk
    u = np.clip(np.log(y + 0.5) - eta, -10, 10) * sigma**2 / (sigma**2 + 1 / (y + 0.5))
    for _ in range(50):
        rate = np.exp(eta + u)
        step = (y - rate - u / sigma**2) / (rate + 1 / sigma**2)
        u = u + np.clip(step, -2, 2)
        if np.max(np.abs(step)) < 1e-10:
            break
    scale = 1 / np.sqrt(np.exp(eta + u) + 1 / sigma**2)

    def log_kernel(
        v,
    ):  # log Poisson(y | e^(eta + v)) + log N(v | 0, sigma), but constants
        lin = eta + v
        return y * lin - np.exp(lin) - 0.5 * (v / sigma) ** 2

    # sum over the nodes, relative to the integrand at its mode (never larger there)
    at_mode = log_kernel(u)
    nodes, weights = np.polynomial.hermite.hermgauss(int(n_nodes))
    total = np.zeros_like(at_mode)
    for node, weight in zip(nodes, weights, strict=True):
        point = u + np.sqrt(2) * scale * node
        total += weight * np.exp(log_kernel(point) - at_mode + node**2)
    return (
        np.log(total)
        + at_mode
        + np.log(np.sqrt(2) * scale)
        - special.gammaln(y + 1)
        - np.log(sigma * np.sqrt(2 * np.pi))
    )


@dataclass(frozen=True)
class NestedGLMMFit:
    """Estimates of :func:`fit_nested_poisson_glmm`."""

    beta: np.ndarray  # fixed effects, one per column of X
    sigmas: np.ndarray  # sd of each level's effects, bottom first (as in ``levels``)
    loglik: float  # maximised marginal log-likelihood
    converged: bool  # the optimiser reports success and the gradient is small


def poisson_logpmf(y, log_mu):
    """``log Poisson(y | exp(log_mu))``; ``y`` and ``log_mu`` broadcast."""
    return y * log_mu - np.exp(log_mu) - special.gammaln(y + 1)


def negbin_logpmf(y, log_mu, alpha):
    """``log NegativeBinomial(y | mean exp(log_mu), alpha)``: variance
    ``mu + mu^2 / alpha`` (PyMC's parametrization); the arguments broadcast."""
    plus = np.logaddexp(log_mu, np.log(alpha))
    return (
        special.gammaln(y + alpha)
        - special.gammaln(alpha)
        - special.gammaln(y + 1)
        + alpha * (np.log(alpha) - plus)
        + y * (log_mu - plus)
    )


def nested_count_loglik(y, eta, members, sigmas, step=0.1, alpha=None) -> np.ndarray:
    """Log marginal likelihood of the counts of each top-level group, with nested
    normal effects integrated out.

    ``log mu_i = eta_i + (sum of unit i's effects)``; ``members`` and ``sigmas`` give
    the levels from the bottom up, as in :func:`integrate_nested_effects` (a ``None``
    first member is an observation-level effect). The counts are Poisson, or negative
    binomial with ``alpha`` (see :func:`negbin_logpmf`). Every effect is integrated out
    on a grid of ``step`` (0.1 resolves a Poisson likelihood of up to about 100 counts,
    whose width on the log scale is 1 / sqrt(count)).
    """
    y = np.asarray(y, dtype=float)[:, None]
    sigmas = np.asarray(sigmas, dtype=float)
    grid = _grid(step, 6 * float(np.sqrt(np.sum(sigmas**2))) + 5 * step)
    log_mu = np.asarray(eta, dtype=float)[:, None] + grid[None, :]
    if alpha is None:
        loglik = poisson_logpmf(y, log_mu)
    else:
        loglik = negbin_logpmf(y, log_mu, alpha)
    levels = list(zip(members, sigmas, strict=True))
    return integrate_nested_effects(loglik, grid, levels)


def nested_poisson_loglik(beta, sigmas, y, X, members, step=0.1) -> float:
    """Marginal log-likelihood of a Poisson model with nested normal effects,
    ``log mu_i = X_i @ beta + (sum of unit i's effects)``: the sum over the top-level
    groups of :func:`nested_count_loglik`."""
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] != y.size or len(members) != np.size(sigmas):
        raise ValueError("X must be (n, p) for n counts, and one sigma per level")
    eta = X @ np.asarray(beta, dtype=float)
    return float(np.sum(nested_count_loglik(y, eta, members, sigmas, step)))


def fit_nested_poisson_glmm(y, X, members, step=0.1) -> NestedGLMMFit:
    """Maximum-likelihood estimates of :func:`nested_poisson_loglik`'s ``beta`` and
    ``sigmas`` (the optimiser works on log sigma; starts at a Poisson GLM's beta)."""
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    if (y < 0).any() or not np.allclose(y, np.round(y)):
        raise ValueError("y must hold non-negative whole counts")
    n_beta = X.shape[1]

    def negative(theta):
        return -nested_poisson_loglik(
            theta[:n_beta], np.exp(theta[n_beta:]), y, X, members, step
        )

    # start: a Poisson GLM by Newton's method, and every sd at 0.5
    beta = np.zeros(n_beta)
    beta[0] = np.log(y.mean() + 0.5) if np.allclose(X[:, 0], 1) else 0.0
    for _ in range(50):
        mu = np.exp(X @ beta)
        step_beta = np.linalg.solve(X.T @ (mu[:, None] * X), X.T @ (y - mu))
        beta = beta + step_beta
        if np.max(np.abs(step_beta)) < 1e-10:
            break
    start = np.concatenate([beta, np.full(len(members), np.log(0.5))])
    result = optimize.minimize(negative, start, method="BFGS", options={"gtol": 1e-5})
    theta = result.x
    gradient = np.array(
        [
            (negative(theta + 1e-5 * e) - negative(theta - 1e-5 * e)) / 2e-5
            for e in np.eye(theta.size)
        ]
    )
    return NestedGLMMFit(
        beta=theta[:n_beta],
        sigmas=np.exp(theta[n_beta:]),
        loglik=-float(result.fun),
        converged=bool(np.max(np.abs(gradient)) < 1e-2),
    )
