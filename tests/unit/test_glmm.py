"""utils.glmm: marginal likelihood of a logistic GLMM and its maximum."""

import numpy as np
import pytest
from scipy import integrate, special

from utils.glmm import fit_logistic_glmm, logistic_glmm_loglik


def _simulate(seed, n=400, groups=20, beta=(-0.5, 1.0), sigma=0.8):
    rng = np.random.default_rng(seed)
    group_idx = rng.integers(0, groups, n)
    X = np.column_stack([np.ones(n), rng.normal(size=n)])
    eta = X @ np.asarray(beta) + rng.normal(0, sigma, groups)[group_idx]
    y = (rng.random(n) < special.expit(eta)).astype(float)
    return y, X, group_idx, groups


def _brute_force(beta, sigma, y, X, group_idx, groups):
    total = 0.0
    for j in range(groups):
        rows = group_idx == j
        eta = X[rows] @ beta

        def integrand(b, eta=eta, rows=rows):
            lin = eta + b
            log_lik = np.sum(y[rows] * lin - np.logaddexp(0, lin))
            return (
                np.exp(log_lik)
                * np.exp(-0.5 * (b / sigma) ** 2)
                / (sigma * np.sqrt(2 * np.pi))
            )

        total += np.log(integrate.quad(integrand, -30, 30, epsabs=1e-300)[0])
    return total


def test_quadrature_matches_numerical_integration():
    y, X, group_idx, groups = _simulate(1, n=80, groups=6)
    beta, sigma = np.array([0.2, -0.4]), 1.3
    exact = _brute_force(beta, sigma, y, X, group_idx, groups)
    assert logistic_glmm_loglik(beta, sigma, y, X, group_idx, groups) == pytest.approx(
        exact, abs=1e-6
    )
    # the Laplace approximation (one node) is close but not exact
    laplace = logistic_glmm_loglik(beta, sigma, y, X, group_idx, groups, n_nodes=1)
    assert 1e-4 < abs(laplace - exact) < 1.0


def test_fit_recovers_a_simulated_truth():
    y, X, group_idx, groups = _simulate(2, n=3000, groups=60)
    fit = fit_logistic_glmm(y, X, group_idx, groups)
    assert fit.converged
    assert np.all(np.abs(fit.beta - [-0.5, 1.0]) < 3 * fit.se_beta + 0.05)
    assert 0.5 < fit.sigma < 1.2
    # the maximum is a maximum: nudging sigma lowers the log-likelihood
    for sigma in (0.9 * fit.sigma, 1.1 * fit.sigma):
        assert (
            logistic_glmm_loglik(fit.beta, sigma, y, X, group_idx, groups) < fit.loglik
        )


def test_bad_input_is_refused():
    y, X, group_idx, groups = _simulate(3, n=50, groups=5)
    with pytest.raises(ValueError, match="0s and 1s"):
        fit_logistic_glmm(y + 0.5, X, group_idx, groups)
    with pytest.raises(ValueError, match="must agree"):
        fit_logistic_glmm(y[:-1], X, group_idx, groups)
    with pytest.raises(ValueError, match="group_idx must lie"):
        fit_logistic_glmm(y, X, group_idx, groups - 1)
    with pytest.raises(ValueError, match="sigma must be positive"):
        logistic_glmm_loglik([0, 0], 0.0, y, X, group_idx, groups)
    with pytest.raises(ValueError, match="n_nodes"):
        logistic_glmm_loglik([0, 0], 1.0, y, X, group_idx, groups, n_nodes=0)
