"""utils.glmm's nested integrals and utils.models' grouse-tick models."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import integrate, stats

from utils.data import load_grouseticks
from utils.glmm import (
    _grid,
    fit_nested_poisson_glmm,
    integrate_nested_effects,
    nested_poisson_loglik,
    poisson_lognormal_logpmf,
)
from utils.models import grouse_design, grouse_pointwise_loglik, grouse_ticks_model


@pytest.fixture(scope="module")
def ticks():
    return load_grouseticks()


def test_nested_normal_integral_matches_the_multivariate_normal():
    # normal likelihoods: the marginal of nested normal effects is multivariate normal
    rng = np.random.default_rng(3)
    brood = np.array([0, 0, 0, 1, 1, 2, 3, 3])
    location_of_brood = np.array([0, 0, 1, 1])
    y = rng.normal(size=brood.size)
    s_obs, s_chick, s_brood, s_loc = 0.3, 0.5, 0.7, 0.4
    grid = _grid(0.05, 8)
    loglik = stats.norm.logpdf(y[:, None], grid[None, :], s_obs)
    levels = [(None, s_chick), (brood, s_brood), (location_of_brood, s_loc)]
    out = integrate_nested_effects(loglik, grid, levels)
    loc = location_of_brood[brood]
    cov = (
        np.eye(y.size) * (s_obs**2 + s_chick**2)
        + s_brood**2 * (brood[:, None] == brood[None, :])
        + s_loc**2 * (loc[:, None] == loc[None, :])
    )
    for group in (0, 1):
        rows = loc == group
        exact = stats.multivariate_normal.logpdf(
            y[rows], np.zeros(rows.sum()), cov[np.ix_(rows, rows)]
        )
        assert out[group] == pytest.approx(exact, abs=1e-9)
    # a level of sd 0 only collects its members
    no_loc = integrate_nested_effects(
        loglik, grid, [*levels[:2], (location_of_brood, 0)]
    )
    cov0 = cov - s_loc**2 * (loc[:, None] == loc[None, :])
    rows = loc == 1
    exact = stats.multivariate_normal.logpdf(
        y[rows], np.zeros(rows.sum()), cov0[np.ix_(rows, rows)]
    )
    assert no_loc[1] == pytest.approx(exact, abs=1e-9)


def test_nested_integral_refuses_bad_grids_and_levels():
    grid = _grid(0.1, 3)
    loglik = np.zeros((4, grid.size))
    with pytest.raises(ValueError, match="6 total sds"):
        integrate_nested_effects(loglik, grid, [(None, 1.0)])
    with pytest.raises(ValueError, match="odd length"):
        integrate_nested_effects(loglik[:, :-1], grid[:-1], [(None, 0.1)])
    with pytest.raises(ValueError, match="members"):
        integrate_nested_effects(loglik, grid, [(np.array([0, 1]), 0.1)])
    with pytest.raises(ValueError, match="sigma"):
        integrate_nested_effects(loglik, grid, [(None, -0.1)])


@pytest.mark.parametrize(
    "y, eta, sigma", [(0, 0.5, 0.5), (85, 2.0, 0.55), (3, -1, 1.2)]
)
def test_poisson_lognormal_matches_direct_quadrature(y, eta, sigma):
    def f(u):
        return stats.poisson.pmf(y, np.exp(eta + u)) * stats.norm.pdf(u, 0, sigma)

    peak = np.log(y + 0.5) - eta
    exact = np.log(integrate.quad(f, -12, 12, points=[peak], limit=200)[0])
    assert poisson_lognormal_logpmf(y, eta, sigma) == pytest.approx(exact, abs=1e-5)
    with pytest.raises(ValueError):
        poisson_lognormal_logpmf(-1, eta, sigma)


def test_nested_loglik_with_one_level_is_the_poisson_lognormal():
    rng = np.random.default_rng(0)
    y = rng.poisson(4, 30)
    X = np.column_stack([np.ones(30), rng.normal(size=30)])
    beta = np.array([1.0, 0.3])
    value = nested_poisson_loglik(beta, [0.6], y, X, [None])
    direct = poisson_lognormal_logpmf(y, X @ beta, 0.6, 20).sum()
    assert value == pytest.approx(direct, abs=1e-6)


def test_ml_fit_of_the_ticks_reproduces_lme4_closely(ticks):
    location = ticks["LOCATION"].cat.codes.to_numpy()
    brood = ticks["BROOD"].cat.codes.to_numpy()
    location_of_brood = np.zeros(brood.max() + 1, dtype=int)
    location_of_brood[brood] = location
    X = np.column_stack([np.ones(len(ticks)), grouse_design(ticks).to_numpy()])
    fit = fit_nested_poisson_glmm(ticks["TICKS"], X, [None, brood, location_of_brood])
    assert fit.converged
    # lme4's Laplace fit (tests/elston.R): variances chick, brood, location and the
    # year and altitude (per m) coefficients
    np.testing.assert_allclose(fit.sigmas**2, [0.2932, 0.5626, 0.2795], atol=0.04)
    np.testing.assert_allclose(fit.beta[1:3], [1.1804, -0.9787], atol=0.01)
    assert fit.beta[3] / 10 == pytest.approx(-0.023761, abs=2e-4)


@pytest.mark.parametrize(
    "levels, family",
    [
        (("location", "brood", "chick"), "poisson"),
        (("brood", "chick"), "poisson"),
        (("location", "chick"), "poisson"),
        ((), "poisson"),
        (("location", "brood"), "negative_binomial"),
    ],
)
def test_tick_models_build_with_a_finite_logp(ticks, levels, family):
    model = grouse_ticks_model(ticks, levels=levels, family=family)
    logp = model.compile_logp()(model.initial_point())
    assert np.isfinite(logp)
    for level in levels:
        assert f"sigma_{level}" in model.named_vars


def test_tick_models_refuse_bad_input(ticks):
    with pytest.raises(ValueError, match="negative binomial"):
        grouse_ticks_model(ticks, levels=("chick",), family="negative_binomial")
    with pytest.raises(ValueError, match="family"):
        grouse_ticks_model(ticks, family="gamma")
    with pytest.raises(ValueError, match="levels"):
        grouse_ticks_model(ticks, levels=("nest",))
    reused = ticks.copy()
    local = reused.groupby("LOCATION", observed=True)["BROOD"].transform(
        lambda b: pd.factorize(b, sort=True)[0] + 1
    )
    reused["BROOD"] = pd.Categorical(local)
    with pytest.raises(ValueError, match="unique"):
        grouse_ticks_model(reused)
    with pytest.raises(TypeError):
        grouse_ticks_model(ticks["TICKS"])


def _fake_posterior(ticks, sigma_chick=0.5, draws=3):
    """A hand-made posterior of the chick-only model (no group levels)."""
    rng = np.random.default_rng(1)
    shape = (2, draws)
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset(
                {
                    "intercept": (("chain", "draw"), rng.normal(1, 0.1, shape)),
                    "beta": (
                        ("chain", "draw", "predictor"),
                        rng.normal([1, -1, -0.24], 0.05, (*shape, 3)),
                    ),
                    "sigma_chick": (("chain", "draw"), np.full(shape, sigma_chick)),
                },
                coords={"predictor": ["year_96", "year_97", "altitude"]},
            )
        }
    )


def test_location_loglik_sums_the_chicks_when_there_are_no_group_effects(ticks):
    fake = _fake_posterior(ticks)
    by_chick = grouse_pointwise_loglik(fake, ticks, by="chick")["log_likelihood"]
    by_location = grouse_pointwise_loglik(fake, ticks, by="location")["log_likelihood"]
    location = ticks["LOCATION"].cat.codes.to_numpy()
    summed = (
        by_chick["ticks"]
        .groupby(xr.DataArray(location, dims="chick", name="location"))
        .sum()
    )
    np.testing.assert_allclose(
        by_location["ticks"].to_numpy(), summed.to_numpy(), atol=1e-4
    )
    with pytest.raises(ValueError):
        grouse_pointwise_loglik(fake, ticks, by="brood")
