"""utils.models: the book's one varying-intercepts-and-slopes model, in every form."""

import numpy as np
import pymc as pm
import pytest

from utils.data import load_radon, radon_arrays
from utils.models import RADON_PRIORS, radon_varying_slopes_model, varying_slopes_model

FORMS = {
    "noncentered": {},
    "centered": {"centered": True},
    "correlated": {"correlated": True},
    "correlated, LKJCholeskyCov": {"correlated": True, "separate_scales": False},
    "correlated, centered": {"correlated": True, "centered": True},
}
SHARED = {"mu_alpha", "mu_beta", "sigma_alpha", "sigma_beta", "alpha", "beta", "sigma"}


@pytest.fixture(scope="module")
def radon():
    return radon_arrays(load_radon())


def test_radon_arrays_are_consistent(radon):
    assert len(radon.counties) == 85 and radon.floor.size == 919
    assert radon.county_size.sum() == 919
    assert radon.county_size[list(radon.counties).index("HENNEPIN")] == 105
    assert set(np.unique(radon.floor)) == {0.0, 1.0}
    assert radon.coords["county"][radon.county_idx[0]] == "AITKIN"
    assert radon.log_uranium.shape == (919,)
    assert np.all((radon.county_floor_mean >= 0) & (radon.county_floor_mean <= 1))


def test_radon_arrays_refuse_wrong_frames():
    radon = load_radon()
    with pytest.raises(ValueError, match="lacks column"):
        radon_arrays(radon.drop(columns="floor"))
    with pytest.raises(ValueError, match="categorical"):
        radon_arrays(radon.assign(county=radon["county"].astype(str)))
    with pytest.raises(ValueError, match="without houses"):
        radon_arrays(radon[radon["county"] != "AITKIN"])
    with pytest.raises(TypeError):
        radon_arrays(radon.to_numpy())


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_every_form_has_the_same_names_and_a_finite_logp(radon, form):
    model = radon_varying_slopes_model(radon, **FORMS[form])
    names = set(model.named_vars)
    assert SHARED <= names
    assert {"floor", "county_idx", "log_radon"} <= names
    assert ("rho" in names) == form.startswith("correlated")
    assert ("z_alpha" in names) == (not FORMS[form].get("centered", False))
    assert np.isfinite(model.compile_logp()(model.initial_point()))
    draws = pm.draw([model["alpha"], model["beta"]], random_seed=1)
    assert draws[0].shape == (85,) and draws[1].shape == (85,)


def test_priors_are_the_books(radon):
    model = radon_varying_slopes_model(radon)
    for name in ("sigma_alpha", "sigma_beta", "sigma"):
        assert model[name].owner.op.name == "halfnormal"
    draws = pm.draw(model["sigma_beta"], draws=4000, random_seed=2)
    assert np.std(draws) == pytest.approx(np.sqrt(1 - 2 / np.pi), abs=0.03)
    assert RADON_PRIORS["mu_alpha"] == (1.0, 2.0)


def test_prior_correlation_follows_lkj(radon):
    model = radon_varying_slopes_model(radon, correlated=True, eta=2.0)
    rho = pm.draw(model["rho"], draws=4000, random_seed=3)
    # LKJ(eta) for a 2x2 matrix: (rho + 1) / 2 ~ Beta(eta, eta), sd 1 / sqrt(2 eta + 1)
    assert np.std(rho) == pytest.approx(1 / np.sqrt(5), abs=0.03)


def test_nuts_on_the_lkj_prior_recovers_it():
    # pm.draw checks the forward sampler only; NUTS on the prior alone checks the log
    # density and the transform that the radon fits sample through.
    from scipy import stats

    with pm.Model():
        corr_chol = pm.LKJCorr("corr_chol", n=2, eta=2.0)
        pm.Deterministic("rho", corr_chol[1, 0])
        idata = pm.sample(
            draws=1000, tune=500, chains=4, random_seed=5, progressbar=False
        )
    rho = idata.posterior["rho"].to_numpy().ravel()
    # (rho + 1) / 2 ~ Beta(2, 2); thinned to roughly independent draws for the KS test
    unit = (rho[::4] + 1) / 2
    assert stats.kstest(unit, stats.beta(2, 2).cdf).pvalue > 0.001
    assert np.std(rho) == pytest.approx(1 / np.sqrt(5), abs=0.03)


def test_prediction_swaps_data(radon):
    model = radon_varying_slopes_model(radon)
    with model:
        pm.set_data(
            {"floor": [0.0, 1.0], "county_idx": [0, 1]}, coords={"obs_id": [0, 1]}
        )
    assert pm.draw(model["log_radon"], random_seed=4).shape == (2,)


def test_generic_builder_validates_input():
    x, y, idx = np.arange(4.0), np.ones(4), np.array([0, 0, 1, 1])
    ok = {"group_dim": "g", "priors": RADON_PRIORS}
    varying_slopes_model(x, y, idx, ["a", "b"], **ok)
    with pytest.raises(ValueError, match="equal length"):
        varying_slopes_model(x[:3], y, idx, ["a", "b"], **ok)
    with pytest.raises(ValueError, match="0..1"):
        varying_slopes_model(x, y, idx + 1, ["a", "b"], **ok)
    with pytest.raises(TypeError, match="integers"):
        varying_slopes_model(x, y, idx.astype(float), ["a", "b"], **ok)
    with pytest.raises(ValueError, match="finite"):
        varying_slopes_model(np.array([0.0, np.nan, 1, 2]), y, idx, ["a", "b"], **ok)
    with pytest.raises(ValueError, match="unique"):
        varying_slopes_model(x, y, idx, ["a", "a"], **ok)
    with pytest.raises(ValueError, match="missing"):
        varying_slopes_model(
            x, y, idx, ["a", "b"], group_dim="g", priors={"sigma": 1.0}
        )
    bad = {**RADON_PRIORS, "sigma_beta": -1.0}
    with pytest.raises(ValueError, match="half-normal"):
        varying_slopes_model(x, y, idx, ["a", "b"], group_dim="g", priors=bad)
    with pytest.raises(ValueError, match="eta"):
        varying_slopes_model(x, y, idx, ["a", "b"], correlated=True, eta=0, **ok)
    with pytest.raises(ValueError, match="obs_id"):
        varying_slopes_model(
            x, y, idx, ["a", "b"], group_dim="obs_id", priors=RADON_PRIORS
        )
    with pytest.raises(ValueError, match="sequence of labels"):
        varying_slopes_model(x, y, idx, "ab", **ok)
    with pytest.raises(TypeError, match="True or False"):
        varying_slopes_model(x, y, idx, ["a", "b"], centered="no", **ok)
    for prior in (
        {"mu_alpha": (np.nan, 1.0)},
        {"mu_beta": ("a", 1.0)},
        {"sigma": np.inf},
    ):
        with pytest.raises(ValueError, match="finite"):
            varying_slopes_model(
                x, y, idx, ["a", "b"], group_dim="g", priors={**RADON_PRIORS, **prior}
            )


def test_radon_builder_fixes_its_priors(radon):
    with pytest.raises(TypeError, match="fixes"):
        radon_varying_slopes_model(radon, priors=RADON_PRIORS)


def test_contraception_models_share_names_and_refuse_bad_frames():
    from utils.data import load_contraception
    from utils.models import contraception_design, contraception_model

    women = load_contraception()
    design = contraception_design(women)
    assert design.shape == (1934, 5) and np.allclose(design["age"], women["age"] / 10)
    assert (design[["children_1", "children_2", "children_3+"]].sum(axis=1) <= 1).all()
    intercepts = contraception_model(women)
    slopes = contraception_model(women, varying_urban=True)
    assert len(intercepts.coords["district"]) == 60  # district 54 is not in the model
    shared = {"mu_alpha", "mu_beta", "gamma", "sigma_alpha", "alpha"}
    assert shared <= set(intercepts.named_vars) and shared <= set(slopes.named_vars)
    assert {"beta", "sigma_beta", "rho"} <= set(slopes.named_vars)
    assert "beta" not in intercepts.named_vars
    # mu_alpha and alpha are reported at X = 0 although the sampler centres X
    point = slopes.initial_point()
    point["gamma"] = np.array([0.3, -0.2, 0.5, 0.6, 0.7])
    outputs = slopes.replace_rvs_by_values(
        [slopes["mu_alpha"], slopes["mu_alpha_centred"]]
    )
    values = slopes.compile_fn(
        outputs, inputs=slopes.value_vars, on_unused_input="ignore"
    )(point)
    shift = design.mean().to_numpy() @ point["gamma"]
    assert np.isclose(values[0], values[1] - shift)
    with pytest.raises(ValueError, match="lacks column"):
        contraception_model(women.drop(columns="urban"))
    with pytest.raises(ValueError, match="0s and 1s"):
        contraception_model(women.assign(use=women["use"] * 2))
    with pytest.raises(TypeError, match="varying_urban"):
        contraception_model(women, varying_urban="yes")
    from utils.models import CONTRACEPTION_PRIORS

    vague = {**CONTRACEPTION_PRIORS, "gamma": (0.0, 10.0)}
    assert (
        contraception_model(women, priors=vague)["gamma"].owner.inputs[-1].eval() == 10
    )
    with pytest.raises(ValueError, match="exactly the keys"):
        contraception_model(women, priors={"mu_alpha": (0.0, 1.0)})
    with pytest.raises(ValueError, match="sd > 0"):
        contraception_model(
            women, priors={**CONTRACEPTION_PRIORS, "gamma": (0.0, -1.0)}
        )
