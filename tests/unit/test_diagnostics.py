"""check_fit reports divergences, r_hat and ESS, and refuses bad input."""

import arviz as az
import numpy as np
import pytest

from utils.diagnostics import FitCheck, check_fit


def _idata(posterior, diverging=None):
    chains, draws = next(iter(posterior.values())).shape[:2]
    if diverging is None:
        diverging = np.zeros((chains, draws), dtype=bool)
    return az.from_dict(
        {"posterior": posterior, "sample_stats": {"diverging": diverging}},
        dims={"theta": ["group"]},
        coords={"group": ["a", "b", "c"]},
    )


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def test_healthy_fit(rng):
    fit = check_fit(
        _idata(
            {"mu": rng.normal(size=(4, 1000)), "theta": rng.normal(size=(4, 1000, 3))}
        )
    )
    assert isinstance(fit, FitCheck)
    assert fit.ok and fit.problems == []
    assert fit.divergences == 0 and fit.draws == 4000
    assert fit.max_r_hat < 1.01 and fit.min_ess_bulk > 2000
    fit.assert_ok()
    assert "healthy" in str(fit) and "<table" in fit._repr_html_()


def test_divergences_fail(rng):
    diverging = np.zeros((4, 1000), dtype=bool)
    diverging[1, :3] = True
    fit = check_fit(_idata({"mu": rng.normal(size=(4, 1000))}, diverging))
    assert fit.divergences == 3 and not fit.ok
    with pytest.raises(AssertionError, match="3 divergent transitions"):
        fit.assert_ok()


def test_stuck_chain_fails_and_is_named(rng):
    theta = rng.normal(size=(4, 1000, 3))
    theta[0, :, 2] += 5.0  # chain 0 disagrees on group c
    fit = check_fit(_idata({"mu": rng.normal(size=(4, 1000)), "theta": theta}))
    assert not fit.ok
    assert fit.max_r_hat > 1.5
    assert fit.worst_r_hat == "theta[c]"
    assert any("r_hat" in p for p in fit.problems)


def test_low_ess_fails(rng):
    walk = (
        np.cumsum(rng.normal(size=(4, 1000)), axis=1) * 0.05
    )  # strongly autocorrelated
    fit = check_fit(_idata({"mu": walk}))
    assert fit.min_ess_bulk < 400 and not fit.ok


def test_var_names_select_and_validate(rng):
    theta = rng.normal(size=(4, 1000, 3))
    theta[0, :, 0] += 5.0
    idata = _idata({"mu": rng.normal(size=(4, 1000)), "theta": theta})
    assert check_fit(idata, var_names=["mu"]).ok
    assert check_fit(idata, var_names="mu").ok
    with pytest.raises(
        KeyError, match=r"unknown variable\(s\) \['sigma'\].*\['mu', 'theta'\]"
    ):
        check_fit(idata, var_names=["sigma"])


def test_gates_are_configurable(rng):
    idata = _idata({"mu": rng.normal(size=(4, 1000))})
    assert not check_fit(idata, min_ess=10_000).ok


def test_rejects_non_idata():
    with pytest.raises(TypeError, match="DataTree returned by pm.sample"):
        check_fit({"posterior": None})


def test_rejects_single_chain(rng):
    with pytest.raises(ValueError, match="at least 2 chains"):
        check_fit(_idata({"mu": rng.normal(size=(1, 1000))}))


def test_fixed_entries_of_a_cholesky_factor_are_skipped(rng):
    # a 2x2 correlation Cholesky factor: [0, 0] is always 1 and [0, 1] always 0, so their
    # r_hat and ESS are NaN; only the free entries are checked
    rho = np.tanh(rng.normal(scale=0.3, size=(4, 1000)))
    chol = np.zeros((4, 1000, 2, 2))
    chol[..., 0, 0] = 1.0
    chol[..., 1, 0] = rho
    chol[..., 1, 1] = np.sqrt(1 - rho**2)
    fit = check_fit(_idata({"mu": rng.normal(size=(4, 1000)), "corr_chol": chol}))
    assert fit.ok, fit
    assert np.isfinite(fit.max_r_hat) and fit.max_r_hat < 1.01
    # a stuck chain on a free entry still fails, and is named
    chol[0, :, 1, 0] += 0.5
    stuck = check_fit(_idata({"mu": rng.normal(size=(4, 1000)), "corr_chol": chol}))
    assert not stuck.ok
    assert stuck.worst_r_hat.startswith("corr_chol")


def test_nan_r_hat_fails(rng):
    fit = check_fit(_idata({"mu": np.ones((4, 1000)) * np.nan}))
    assert not fit.ok


def test_fit_log_records_every_check_and_summarizes_the_worst(
    rng, tmp_path, monkeypatch
):
    from tools.seeds import summarize_log

    log = tmp_path / "chapter.jsonl"
    monkeypatch.setenv("COURSE_FIT_LOG", str(log))
    for seed in ("1", "2"):
        monkeypatch.setenv("COURSE_SEED", seed)
        check_fit(_idata({"mu": rng.normal(size=(4, 1000))}))
    diverging = np.zeros((4, 1000), dtype=bool)
    diverging[0, 0] = True
    check_fit(_idata({"mu": rng.normal(size=(4, 1000))}, diverging))
    records = log.read_text().splitlines()
    assert len(records) == 3
    report, ok = summarize_log([log])
    assert not ok  # one logged check failed
    assert "chapter #" in report and report.count("\n") == 3


def test_no_fit_log_without_the_variable(rng, tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_FIT_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    check_fit(_idata({"mu": rng.normal(size=(4, 1000))}))
    assert list(tmp_path.iterdir()) == []


def test_a_parameter_that_never_moved_fails(rng):
    # every chain stuck at one value: r_hat is undefined, and that must not pass
    fit = check_fit(
        _idata({"mu": rng.normal(size=(4, 1000)), "tau": np.full((4, 1000), 0.7)})
    )
    assert not fit.ok


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_r_hat": "1.01"}, TypeError),
        ({"max_r_hat": 0.5}, ValueError),
        ({"min_ess": -5}, ValueError),
        ({"var_names": []}, ValueError),
    ],
)
def test_bad_gates_and_empty_var_names_are_refused(rng, kwargs, error):
    with pytest.raises(error):
        check_fit(_idata({"mu": rng.normal(size=(4, 100))}), **kwargs)
