"""utils.stats: the book's interval and summary, and the normal-normal formulas."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats as sps

from utils import plotting
from utils.stats import (
    CI_PROB,
    conditional_posterior_sd,
    grid_quantile,
    interval,
    normal_quadrature,
    shrinkage_weight,
    summarize,
)


@pytest.fixture
def posterior():
    """A fake posterior: 4 chains x 2500 draws of a scalar and of a 3-group variable."""
    rng = np.random.default_rng(1)
    mu = rng.normal(1.0, 2.0, size=(4, 2500))
    alpha = rng.normal([0.0, 5.0, -5.0], 1.0, size=(4, 2500, 3))
    return xr.Dataset(
        {
            "mu": (("chain", "draw"), mu),
            "alpha": (("chain", "draw", "city"), alpha),
        },
        coords={"city": ["a", "b", "c"]},
    )


def test_one_convention_everywhere():
    assert CI_PROB == 0.94
    assert plotting.CI_PROB is CI_PROB


def test_interval_of_a_normal_matches_its_quantiles(posterior):
    lo, hi = interval(posterior["mu"]).values
    expected = sps.norm(1.0, 2.0).ppf([0.03, 0.97])
    assert np.allclose([lo, hi], expected, atol=0.1)


def test_interval_keeps_group_dims_and_labels_bounds(posterior):
    out = interval(posterior["alpha"])
    assert out.dims == ("city", "bound")
    assert list(out["bound"].values) == ["lower", "upper"]
    assert (out.sel(bound="lower") < out.sel(bound="upper")).all()
    assert float(out.sel(city="b", bound="lower")) > 2


def test_interval_of_numpy_draws_reduces_axis_0():
    draws = np.random.default_rng(2).normal(size=(4000, 3, 2))
    out = interval(draws)
    assert out.shape == (3, 2, 2)
    assert np.allclose(out[..., 0], -1.88, atol=0.15)
    assert np.allclose(interval(draws, prob=0.5)[..., 1], 0.674, atol=0.1)


def test_interval_accepts_stacked_sample_dim(posterior):
    stacked = posterior["mu"].stack(sample=("chain", "draw"))
    assert np.allclose(interval(stacked).values, interval(posterior["mu"]).values)


@pytest.mark.parametrize("prob", [0, 1, 1.5, -0.1, "94%", True, None])
def test_interval_refuses_bad_probability(posterior, prob):
    with pytest.raises((ValueError, TypeError)):
        interval(posterior["mu"], prob=prob)


def test_interval_refuses_arrays_without_draws_and_unknown_dims(posterior):
    with pytest.raises(ValueError, match="draw dimension"):
        interval(posterior["alpha"].isel(chain=0, draw=0))
    with pytest.raises(ValueError, match="not dimensions"):
        interval(posterior["mu"], sample_dims="sample")
    with pytest.raises(ValueError, match="at least 2 draws"):
        interval(np.array(1.0))
    with pytest.raises(ValueError, match="NaN"):
        interval(np.array([1.0, np.nan, 2.0]))
    with pytest.raises(TypeError, match="one variable"):
        interval(posterior)


def test_summarize_dataset_labels_rows_like_arviz(posterior):
    table = summarize(posterior, var_names=["mu", "alpha"])
    assert list(table.columns) == ["mean", "lower", "upper"]
    assert list(table.index) == ["mu", "alpha[a]", "alpha[b]", "alpha[c]"]
    assert table.loc["alpha[b]", "mean"] == pytest.approx(5.0, abs=0.1)
    assert (table["lower"] < table["mean"]).all() and (
        table["mean"] < table["upper"]
    ).all()


def test_summarize_datatree_reads_the_posterior(posterior):
    tree = xr.DataTree.from_dict({"posterior": posterior})
    assert summarize(tree, "mu").equals(summarize(posterior, "mu"))
    with pytest.raises(KeyError, match="no group"):
        summarize(tree, "mu", group="prior")


def test_summarize_dataarray_is_indexed_by_its_coords(posterior):
    table = summarize(posterior["alpha"])
    assert list(table.index) == ["a", "b", "c"]
    assert table.loc["c", "upper"] < 0


def test_summarize_numpy_and_scalar(posterior):
    table = summarize(np.random.default_rng(3).normal(size=(2000, 2)))
    assert table.shape == (2, 3)
    scalar = summarize(posterior["mu"])
    assert list(scalar.index) == ["mu"]


def test_summarize_refuses_unknown_or_misplaced_names(posterior):
    with pytest.raises(KeyError, match="unknown variable"):
        summarize(posterior, ["sigma"])
    with pytest.raises(ValueError, match="var_names applies"):
        summarize(posterior["mu"], "mu")
    with pytest.raises(ValueError, match="no variables"):
        summarize(posterior, [])


def test_shrinkage_weight_limits_and_formula():
    w = shrinkage_weight(np.array([0, 1, 4, 1e6]), 2.0, 1.0)
    assert w[0] == 0 and w[-1] == pytest.approx(1.0, abs=1e-5)
    # n / sigma^2 = 1 and 1 / tau^2 = 1 at n = 4: equal precisions, weight one half
    assert w[2] == pytest.approx(0.5)
    assert np.all(np.diff(w) > 0)


def test_shrinkage_weight_broadcasts_over_posterior_draws():
    sigma = xr.DataArray(np.full((2, 3), 2.0), dims=("chain", "draw"))
    w = shrinkage_weight(4, sigma, 1.0)
    assert isinstance(w, xr.DataArray) and np.allclose(w, 0.5)


def test_conditional_sd_is_below_both_sources():
    n = np.array([1, 5, 50, 500])
    sd = conditional_posterior_sd(n, 3.0, 0.5)
    assert np.all(sd < 0.5) and np.all(sd < 3.0 / np.sqrt(n))
    assert conditional_posterior_sd(0, 3.0, 0.5) == pytest.approx(0.5)
    # the posterior variance is the inverse of the summed precisions
    assert sd[1] ** 2 == pytest.approx(1 / (5 / 9 + 4))


@pytest.mark.parametrize(
    "n, sigma, tau",
    [(-1, 1.0, 1.0), (2, 0.0, 1.0), (2, 1.0, -1.0), (np.nan, 1.0, 1.0), (2, 1.0, 0.0)],
)
def test_normal_formulas_refuse_impossible_inputs(n, sigma, tau):
    with pytest.raises(ValueError):
        shrinkage_weight(n, sigma, tau)
    with pytest.raises(ValueError):
        conditional_posterior_sd(n, sigma, tau)


def test_summary_is_a_dataframe(posterior):
    assert isinstance(summarize(posterior), pd.DataFrame)


def test_normal_formulas_accept_lists():
    from utils.stats import conditional_posterior_sd, shrinkage_weight

    w = shrinkage_weight([0, 4], [2.0, 2.0], 1.0)
    np.testing.assert_allclose(w, [0.0, 0.5])
    np.testing.assert_allclose(conditional_posterior_sd([4], 2.0, 1.0), [np.sqrt(0.5)])


def test_interval_refuses_nan_draws_in_a_dataarray_as_in_an_array():
    import xarray as xr

    from utils.stats import interval

    draws = np.random.default_rng(0).normal(size=(2, 100))
    draws[1, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        interval(xr.DataArray(draws, dims=("chain", "draw"), name="mu"))
    with pytest.raises(ValueError, match="NaN"):
        interval(draws.ravel())


@pytest.mark.parametrize("n", [None, "3", True, np.inf])
def test_normal_formulas_refuse_non_numbers_and_infinity(n):
    from utils.stats import shrinkage_weight

    with pytest.raises((TypeError, ValueError)):
        shrinkage_weight(n, 1.0, 1.0)


def test_interval_refuses_infinite_draws_and_a_single_draw():
    from utils.stats import interval

    with pytest.raises(ValueError, match="infinity"):
        interval(np.array([1.0, np.inf, 2.0, 3.0]))
    with pytest.raises(ValueError, match="at least 2 draws"):
        interval(xr.DataArray(np.ones((1, 1)), dims=("chain", "draw")))


def test_grid_quantile_matches_a_normal_and_marginalises():
    grid = np.linspace(-6, 6, 4001)
    weights = sps.norm.pdf(grid)
    lo, mid, hi = grid_quantile(grid, weights, [0.03, 0.5, 0.97])
    assert abs(mid) < 0.01
    assert abs(hi - sps.norm.ppf(0.97)) < 0.01 and abs(lo + hi) < 0.01
    assert isinstance(grid_quantile(grid, weights, 0.5), float)
    # a 2-D grid: the other parameter is summed out; unnormalised weights are fine
    a, b = np.meshgrid(grid[::10], np.linspace(0, 1, 50), indexing="ij")
    joint = 7 * sps.norm.pdf(a) * (1 + b)
    assert abs(grid_quantile(a, joint, 0.975) - sps.norm.ppf(0.975)) < 0.05


def test_grid_quantile_is_the_smallest_value_reaching_q():
    values = np.array([3.0, 1.0, 2.0])  # unsorted on purpose
    weights = np.array([1.0, 1.0, 2.0])  # cdf over 1, 2, 3: 0.25, 0.75, 1
    assert grid_quantile(values, weights, 0.25) == 1.0
    assert grid_quantile(values, weights, 0.26) == 2.0
    assert grid_quantile(values, weights, 1.0) == 3.0
    assert grid_quantile(values, weights, 0.0) == 1.0


@pytest.mark.parametrize(
    "values, weights, q, match",
    [
        ([1.0, 2.0], [1.0], 0.5, "same shape"),
        ([], [], 0.5, "empty"),
        ([1.0, np.nan], [1.0, 1.0], 0.5, "finite"),
        ([1.0, 2.0], [1.0, np.inf], 0.5, "finite"),
        ([1.0, 2.0], [-1.0, 2.0], 0.5, "non-negative"),
        ([1.0, 2.0], [0.0, 0.0], 0.5, "positive sum"),
        ([1.0, 2.0], [1.0, 1.0], 1.5, r"\[0, 1\]"),
        ([1.0, 2.0], [1.0, 1.0], np.nan, r"\[0, 1\]"),
    ],
)
def test_grid_quantile_refuses_bad_input(values, weights, q, match):
    with pytest.raises(ValueError, match=match):
        grid_quantile(values, weights, q)


def test_normal_quadrature_integrates_normal_moments_and_the_logistic():
    z, w = normal_quadrature(10)
    assert np.isclose(w.sum(), 1) and (w > 0).all()
    # exact for polynomials up to degree 19: E[Z^2] = 1, E[Z^4] = 3, E[Z^18] = 17!!
    for k, moment in [(1, 0.0), (2, 1.0), (3, 0.0), (4, 3.0), (18, 34459425.0)]:
        assert np.isclose(z**k @ w, moment, atol=1e-9), k
    # E[expit(1 + 2 Z)] against adaptive numerical integration: the error falls fast
    # with the number of nodes (about 3e-6, 1e-8 and 4e-12 for 20, 40 and 80)
    expected = sps.norm.expect(lambda x: 0.5 * (1 + np.tanh((1 + 2 * x) / 2)))
    errors = []
    for n in (20, 40, 80):
        z, w = normal_quadrature(n)
        errors.append(abs(0.5 * (1 + np.tanh((1 + 2 * z) / 2)) @ w - expected))
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-10, errors


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "5"])
def test_normal_quadrature_refuses_bad_node_counts(bad):
    with pytest.raises((ValueError, TypeError)):
        normal_quadrature(bad)
