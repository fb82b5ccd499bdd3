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

__all__ = ["GLMMFit", "fit_logistic_glmm", "logistic_glmm_loglik"]


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
