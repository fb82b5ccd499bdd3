"""The models that several chapters fit: varying intercepts and slopes, and the
contraception models.

:func:`varying_slopes_model` builds it for any data (radon houses in counties, reaction
times of subjects over days); :data:`RADON_PRIORS` are the priors every radon chapter
uses. The variable names are the same in every form, so that fits can be compared
across chapters:

- ``mu_alpha``, ``mu_beta``: population mean intercept and slope;
- ``sigma_alpha``, ``sigma_beta``: population sds of the group intercepts and slopes;
- ``alpha``, ``beta``: the group intercepts and slopes (dimension ``group_dim``);
- ``z_alpha``, ``z_beta``: their standardized offsets (non-centered form only);
- ``rho``: the correlation of a group's intercept and slope (correlated form only);
- ``sigma``: the residual sd of an observation.

The predictor and the group index enter as ``pm.Data`` containers named ``x_name`` and
``f"{group_dim}_idx"``; the outcome ``y_name`` is a plain observed array. A new group is
predicted with the course's idiom (a copy of the model with the new group's variable,
then ``pm.sample_posterior_predictive``).

The two correlated forms have the same prior but different unconstrained spaces.
``separate_scales=True`` (the default: ``pm.LKJCorr`` and separate half-normal scales)
mixed the radon floor-slope sd markedly better in our runs (at 1500 draws, minimum tail
ESS >= 1033 over five seeds, against 107 at one of four seeds for
``pm.LKJCholeskyCov``, whose off-diagonal Cholesky entry sigma_beta * rho forms a funnel
where sigma_beta is small; chapter 6 shows it). Its drawback:
``pm.compute_log_likelihood`` (PyMC 6.4) fails on it, because it cannot match the name
of ``pm.LKJCorr``'s transformed variable to the posterior; compute the pointwise normal
log-density from ``alpha``, ``beta`` and ``sigma`` instead (chapter 6 does, and checks
that against ``pm.compute_log_likelihood`` on the independent form).
``separate_scales=False`` (``pm.LKJCholeskyCov``) works with it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "CONTRACEPTION_PREDICTORS",
    "CONTRACEPTION_PRIORS",
    "contraception_design",
    "contraception_model",
    "RADON_PRIORS",
    "PRIOR_KEYS",
    "radon_varying_slopes_model",
    "varying_slopes_model",
]

#: What ``priors`` must hold: normal (mean, sd) of the population means, half-normal
#: scales of the three standard deviations.
PRIOR_KEYS = ("mu_alpha", "mu_beta", "sigma_alpha", "sigma_beta", "sigma")

#: Priors of the radon model on the log pCi/L scale: a typical county near e^1 pCi/L with
#: a wide N(1, 2); a floor effect within a factor e^2 either way, N(0, 1); half-normal
#: scales of 1 for the county-to-county spreads and the house-to-house noise.
RADON_PRIORS = {
    "mu_alpha": (1.0, 2.0),
    "mu_beta": (0.0, 1.0),
    "sigma_alpha": 1.0,
    "sigma_beta": 1.0,
    "sigma": 1.0,
}


def _check_priors(priors: dict) -> dict:
    if not isinstance(priors, dict):
        raise TypeError(f"priors must be a dict with keys {PRIOR_KEYS}")
    missing = [k for k in PRIOR_KEYS if k not in priors]
    extra = [k for k in priors if k not in PRIOR_KEYS]
    if missing or extra:
        raise ValueError(
            f"priors: missing {missing}, unknown {extra}; expected {PRIOR_KEYS}"
        )

    def number(value) -> bool:
        return (
            isinstance(value, int | float | np.number)
            and not isinstance(value, bool)
            and bool(np.isfinite(value))
        )

    for key in ("mu_alpha", "mu_beta"):
        value = priors[key]
        if (
            np.shape(value) != (2,)
            or not all(number(v) for v in value)
            or not value[1] > 0
        ):
            raise ValueError(
                f"priors[{key!r}] must be (mean, sd), finite numbers with sd > 0, "
                f"got {value!r}"
            )
    for key in ("sigma_alpha", "sigma_beta", "sigma"):
        if not number(priors[key]) or not priors[key] > 0:
            raise ValueError(
                f"priors[{key!r}] must be a positive, finite half-normal scale"
            )
    return priors


def varying_slopes_model(
    x,
    y,
    group_idx,
    groups: Sequence,
    *,
    group_dim: str,
    priors: dict,
    x_name: str = "x",
    y_name: str = "y",
    centered: bool = False,
    correlated: bool = False,
    separate_scales: bool = True,
    eta: float = 2.0,
):
    """Varying intercepts and slopes: ``y_i ~ N(alpha[j[i]] + beta[j[i]] * x_i, sigma)``.

    Parameters
    ----------
    x, y : array-like of float
        Predictor and outcome, one value per observation.
    group_idx : array-like of int
        The group ``j[i]`` of each observation, ``0 .. len(groups) - 1``.
    groups : sequence
        Group labels (the coordinate of ``group_dim``).
    group_dim : str
        Name of the group dimension (``"county"``, ``"subject"``).
    priors : dict
        ``mu_alpha`` and ``mu_beta`` as normal ``(mean, sd)``; ``sigma_alpha``,
        ``sigma_beta`` and ``sigma`` as half-normal scales (see :data:`RADON_PRIORS`).
    x_name, y_name : str
        Names of the predictor's data container and of the observed variable.
    centered : bool
        Draw ``alpha`` and ``beta`` directly from their population distribution (centered)
        instead of through standard-normal offsets ``z_alpha``, ``z_beta`` (non-centered,
        the default; see the parametrization chapter).
    correlated : bool
        Let a group's intercept and slope be correlated, with an LKJ(``eta``) prior on the
        correlation ``rho``; ``False`` makes them independent (``rho = 0``).
    separate_scales : bool
        With ``correlated=True``: sample the scales as half-normals and the correlation's
        Cholesky factor with ``pm.LKJCorr`` (default), or all of it at once with
        ``pm.LKJCholeskyCov`` (``False``). Same prior, different sampler coordinates.
        Without ``correlated`` it has no effect (so that one set of options can switch
        the correlation off).
    """
    import pymc as pm
    import pytensor.tensor as pt

    priors = _check_priors(priors)
    for flag, value in (
        ("centered", centered),
        ("correlated", correlated),
        ("separate_scales", separate_scales),
    ):
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"{flag} must be True or False, got {value!r}")
    if group_dim == "obs_id" or not isinstance(group_dim, str) or not group_dim:
        raise ValueError(
            f"group_dim must be a name other than 'obs_id' (the observations' "
            f"dimension), got {group_dim!r}"
        )
    if isinstance(groups, str) or len(groups) == 0:
        raise ValueError(
            f"groups must be a non-empty sequence of labels, got {groups!r}"
        )
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    group_idx = np.asarray(group_idx)
    groups = [str(g) for g in groups]
    if x.ndim != 1 or y.shape != x.shape or group_idx.shape != x.shape:
        raise ValueError(
            f"x, y and group_idx must be 1-D of equal length, got {x.shape}, {y.shape}, "
            f"{group_idx.shape}"
        )
    if x.size == 0:
        raise ValueError("no observations")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite (no missing values)")
    if not np.issubdtype(group_idx.dtype, np.integer):
        raise TypeError(f"group_idx must hold integers, got dtype {group_idx.dtype}")
    if group_idx.min() < 0 or group_idx.max() >= len(groups):
        raise ValueError(
            f"group_idx must lie in 0..{len(groups) - 1} (one per group label)"
        )
    if len(set(groups)) != len(groups):
        raise ValueError("group labels must be unique")
    if not eta > 0:
        raise ValueError(f"eta must be positive, got {eta}")

    coords = {group_dim: groups, "obs_id": np.arange(x.size)}
    with pm.Model(coords=coords) as model:
        x_data = pm.Data(x_name, x, dims="obs_id")
        idx_data = pm.Data(f"{group_dim}_idx", group_idx, dims="obs_id")
        mu_alpha = pm.Normal("mu_alpha", *priors["mu_alpha"])
        mu_beta = pm.Normal("mu_beta", *priors["mu_beta"])
        if correlated and not separate_scales:
            chol, corr, sds = pm.LKJCholeskyCov(
                "chol",
                n=2,
                eta=eta,
                sd_dist=pm.HalfNormal.dist(
                    sigma=np.array([priors["sigma_alpha"], priors["sigma_beta"]]),
                    shape=2,
                ),
                compute_corr=True,
                store_in_trace=False,
            )
            sigma_alpha = pm.Deterministic("sigma_alpha", sds[0])
            sigma_beta = pm.Deterministic("sigma_beta", sds[1])
            pm.Deterministic("rho", corr[1, 0])
            corr_chol = chol / sds[:, None]
        else:
            sigma_alpha = pm.HalfNormal("sigma_alpha", priors["sigma_alpha"])
            sigma_beta = pm.HalfNormal("sigma_beta", priors["sigma_beta"])
            if correlated:
                corr_chol = pm.LKJCorr(
                    "corr_chol", n=2, eta=eta
                )  # Cholesky factor of Omega
                pm.Deterministic("rho", corr_chol[1, 0])
        if correlated:
            # (alpha_j, beta_j) = mu + diag(sigma) L_Omega z_j, with z_j standard normal
            mean = pt.stack([mu_alpha, mu_beta])
            chol = pt.diag(pt.stack([sigma_alpha, sigma_beta])) @ corr_chol
            if centered:
                coords_effect = {"effect": ["intercept", "slope"]}
                model.add_coords(coords_effect)
                effects = pm.MvNormal(
                    "effects", mu=mean, chol=chol, dims=(group_dim, "effect")
                )
            else:
                z_alpha = pm.Normal("z_alpha", 0.0, 1.0, dims=group_dim)
                z_beta = pm.Normal("z_beta", 0.0, 1.0, dims=group_dim)
                effects = mean + pt.stack([z_alpha, z_beta], axis=1) @ chol.T
            alpha = pm.Deterministic("alpha", effects[:, 0], dims=group_dim)
            beta = pm.Deterministic("beta", effects[:, 1], dims=group_dim)
        elif centered:
            alpha = pm.Normal("alpha", mu_alpha, sigma_alpha, dims=group_dim)
            beta = pm.Normal("beta", mu_beta, sigma_beta, dims=group_dim)
        else:
            z_alpha = pm.Normal("z_alpha", 0.0, 1.0, dims=group_dim)
            z_beta = pm.Normal("z_beta", 0.0, 1.0, dims=group_dim)
            alpha = pm.Deterministic(
                "alpha", mu_alpha + sigma_alpha * z_alpha, dims=group_dim
            )
            beta = pm.Deterministic(
                "beta", mu_beta + sigma_beta * z_beta, dims=group_dim
            )
        sigma = pm.HalfNormal("sigma", priors["sigma"])
        mu = alpha[idx_data] + beta[idx_data] * x_data
        pm.Normal(y_name, mu=mu, sigma=sigma, observed=y, dims="obs_id")
    return model


def radon_varying_slopes_model(radon, **options):
    """The radon model of the book: log radon on floor, varying by county.

    ``radon`` is the result of :func:`utils.data.radon_arrays`; ``options`` are those of
    :func:`varying_slopes_model` (``centered``, ``correlated``, ``separate_scales``,
    ``eta``). The priors are always :data:`RADON_PRIORS`, the data containers ``floor``
    and ``county_idx``, the observed variable ``log_radon``.
    """
    for fixed in ("priors", "group_dim", "x_name", "y_name"):
        if fixed in options:
            raise TypeError(
                f"radon_varying_slopes_model fixes {fixed!r}; call varying_slopes_model"
            )
    return varying_slopes_model(
        radon.floor,
        radon.log_radon,
        radon.county_idx,
        radon.counties,
        group_dim="county",
        priors=RADON_PRIORS,
        x_name="floor",
        y_name="log_radon",
        **options,
    )


#: Predictors of the contraception models besides ``urban``, in the columns of
#: :func:`contraception_design`: age in decades from the sample mean, its square, and
#: indicators of 1, 2 and 3 or more living children (no children is the reference).
CONTRACEPTION_PREDICTORS = ("age", "age_sq", "children_1", "children_2", "children_3+")

#: Priors of the contraception models on the log-odds scale.
CONTRACEPTION_PRIORS = {
    # log-odds of a rural woman with the sample's mean predictors, typical district
    "mu_alpha": (0.0, 1.5),
    "mu_beta": (0.0, 1.0),  # urban vs rural: an odds ratio within about e^2 either way
    "gamma": (0.0, 1.0),  # the other coefficients, on the same scale
    "sigma_alpha": 1.0,  # half-normal scales of the district spreads
    "sigma_beta": 1.0,
}


def contraception_design(women):
    """The columns :data:`CONTRACEPTION_PREDICTORS` for the women of ``women``.

    ``women`` is the DataFrame of :func:`utils.data.load_contraception`. Age enters in
    decades from the sample mean (so its coefficients are per 10 years), centred as the
    data are.
    """
    import pandas as pd

    _check_women(women)
    age = women["age"].to_numpy(dtype=float) / 10
    livch = women["livch"].astype(str)
    return pd.DataFrame(
        {
            "age": age,
            "age_sq": age**2,
            "children_1": (livch == "1").to_numpy(dtype=float),
            "children_2": (livch == "2").to_numpy(dtype=float),
            "children_3+": (livch == "3+").to_numpy(dtype=float),
        },
        index=women.index,
    )


def _check_women(women) -> None:
    from utils.data import check_loaded_frame

    check_loaded_frame(
        women,
        name="women",
        loader="load_contraception",
        columns=["district", "use", "urban", "age", "livch"],
        group="district",
    )
    for column in ("use", "urban"):
        if not women[column].isin([0, 1]).all():
            raise ValueError(f"women['{column}'] must hold 0s and 1s")


def _check_contraception_priors(priors) -> dict:
    keys = set(CONTRACEPTION_PRIORS)
    if not isinstance(priors, dict) or set(priors) != keys:
        raise ValueError(f"priors must be a dict with exactly the keys {sorted(keys)}")
    for key in ("mu_alpha", "mu_beta", "gamma"):
        value = priors[key]
        if np.shape(value) != (2,) or not np.isfinite(value).all() or not value[1] > 0:
            raise ValueError(f"priors[{key!r}] must be (mean, sd) with sd > 0")
    for key in ("sigma_alpha", "sigma_beta"):
        if not (np.isfinite(priors[key]) and priors[key] > 0):
            raise ValueError(f"priors[{key!r}] must be a positive half-normal scale")
    return priors


def contraception_model(
    women, *, varying_urban: bool = False, eta: float = 2.0, priors: dict | None = None
):
    """Logistic regression of contraceptive use with district-varying effects.

    ``logit P(use_i) = alpha[j[i]] + beta[j[i]] * urban_i + X_i @ gamma``, with ``X`` the
    columns of :func:`contraception_design` and the priors
    :data:`CONTRACEPTION_PRIORS`. The district intercepts are non-centered,
    ``alpha = mu_alpha + sigma_alpha * z_alpha``. With ``varying_urban=False`` the urban
    effect is one coefficient, ``mu_beta``, for every district (``beta`` is not in the
    model); with ``True`` each district has its own ``beta_j``, correlated with its
    intercept: ``(alpha_j, beta_j)`` is bivariate normal with sds ``sigma_alpha``,
    ``sigma_beta``, correlation ``rho`` with an LKJ(``eta``) prior (in two dimensions:
    ``(rho + 1) / 2 ~ Beta(eta, eta)``), in the non-centered Cholesky form.

    ``priors`` replaces :data:`CONTRACEPTION_PRIORS` (same keys: normal ``(mean, sd)`` for
    ``mu_alpha``, ``mu_beta`` and ``gamma``, half-normal scales for ``sigma_alpha`` and
    ``sigma_beta``), for instance to study a prior predictive distribution.

    Only districts with women are in the model (dimension ``district``); predict a
    district without data with the course's new-group idiom. The design, the urban
    indicator and the district codes are ``pm.Data`` (``X``, ``urban``,
    ``district_idx``); the observed variable is ``use``.
    """
    import pymc as pm
    import pytensor.tensor as pt

    _check_women(women)
    if not isinstance(varying_urban, bool | np.bool_):
        raise TypeError(f"varying_urban must be True or False, got {varying_urban!r}")
    if not eta > 0:
        raise ValueError(f"eta must be positive, got {eta}")
    priors = _check_contraception_priors(
        CONTRACEPTION_PRIORS if priors is None else priors
    )
    district = women["district"].cat.remove_unused_categories()
    design = contraception_design(women)
    design_mean = design.mean().to_numpy()
    coords = {
        "district": [str(d) for d in district.cat.categories],
        "predictor": list(CONTRACEPTION_PREDICTORS),
        "obs_id": np.arange(len(women)),
    }
    with pm.Model(coords=coords) as model:
        X = pm.Data("X", design.to_numpy(), dims=("obs_id", "predictor"))
        urban = pm.Data("urban", women["urban"].to_numpy(dtype=float), dims="obs_id")
        idx = pm.Data(
            "district_idx", district.cat.codes.to_numpy().astype("int64"), dims="obs_id"
        )
        # The sampler works with the predictors centred at their means (so that the
        # intercept is not entangled with every coefficient); mu_alpha and alpha are
        # reported for X = 0, a woman of mean age without children.
        mu_centred = pm.Normal("mu_alpha_centred", *priors["mu_alpha"])
        mu_beta = pm.Normal("mu_beta", *priors["mu_beta"])
        gamma = pm.Normal("gamma", *priors["gamma"], dims="predictor")
        shift = pt.dot(design_mean, gamma)
        mu_alpha = pm.Deterministic("mu_alpha", mu_centred - shift)
        sigma_alpha = pm.HalfNormal("sigma_alpha", priors["sigma_alpha"])
        z_alpha = pm.Normal("z_alpha", 0.0, 1.0, dims="district")
        if varying_urban:
            sigma_beta = pm.HalfNormal("sigma_beta", priors["sigma_beta"])
            # In two dimensions the LKJ(eta) prior on the correlation matrix is the prior
            # (rho + 1) / 2 ~ Beta(eta, eta) on its one correlation: the same prior as
            # pm.LKJCorr(n=2, eta), with a much smaller graph to compile.
            rho_unit = pm.Beta("rho_unit", eta, eta)
            rho = pm.Deterministic("rho", 2 * rho_unit - 1)
            z_beta = pm.Normal("z_beta", 0.0, 1.0, dims="district")
            alpha = pm.Deterministic(
                "alpha", mu_alpha + sigma_alpha * z_alpha, dims="district"
            )
            beta = pm.Deterministic(
                "beta",
                mu_beta + sigma_beta * (rho * z_alpha + pt.sqrt(1 - rho**2) * z_beta),
                dims="district",
            )
            slope = beta[idx]
        else:
            alpha = pm.Deterministic(
                "alpha", mu_alpha + sigma_alpha * z_alpha, dims="district"
            )
            slope = mu_beta
        # alpha holds mu_alpha = mu_alpha_centred - shift, so that X @ gamma equals the
        # centred (X - design_mean) @ gamma + shift: the same model, one product fewer.
        logit_p = alpha[idx] + slope * urban + X @ gamma
        pm.Bernoulli(
            "use", logit_p=logit_p, observed=women["use"].to_numpy(), dims="obs_id"
        )
    return model
