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
    "GROUSE_LEVELS",
    "GROUSE_PRIORS",
    "grouse_design",
    "grouse_ticks_model",
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


#: Priors of the grouse-tick models, on the log scale of the mean count: the log mean of a
#: chick in 1995 at the mean altitude, N(0, 2) (a typical chick carries between e^-4 and
#: e^4 ticks); year and altitude effects (altitude per 10 m) N(0, 1); half-normal scales
#: of 1 for every level's sd, and for kappa, the negative binomial's sqrt(1 / alpha).
GROUSE_PRIORS = {
    "intercept": (0.0, 2.0),
    "year": (0.0, 1.0),
    "altitude": (0.0, 1.0),
    "sigma": 1.0,
    "kappa": 1.0,
}

#: The nested levels a grouse-tick model can have, from the top down.
GROUSE_LEVELS = ("location", "brood", "chick")


def grouse_design(ticks):
    """Fixed-effect columns of the tick models: ``year_96``, ``year_97`` (indicators;
    1995 is the reference) and ``altitude`` (``cHEIGHT`` in tens of metres)."""
    _check_ticks(ticks)
    return _grouse_columns(ticks)


def _grouse_columns(ticks):
    """:func:`grouse_design` for a frame already checked."""
    import pandas as pd

    year = ticks["YEAR"].astype(str)
    return pd.DataFrame(
        {
            "year_96": (year == "96").to_numpy(dtype=float),
            "year_97": (year == "97").to_numpy(dtype=float),
            "altitude": ticks["cHEIGHT"].to_numpy(dtype=float) / 10,
        },
        index=ticks.index,
    )


def _tick_indices(ticks):
    """Codes of each chick's location and brood, each brood's location, and the row
    of each brood's first chick (the broods in code order) of a checked frame."""
    location_idx = ticks["LOCATION"].cat.remove_unused_categories().cat.codes
    brood_idx = ticks["BROOD"].cat.remove_unused_categories().cat.codes
    location_idx = location_idx.to_numpy().astype("int64")
    brood_idx = brood_idx.to_numpy().astype("int64")
    location_of_brood = np.zeros(brood_idx.max() + 1, dtype="int64")
    location_of_brood[brood_idx] = location_idx  # one location per brood (checked)
    first_chick_of_brood = np.unique(brood_idx, return_index=True)[1]
    return location_idx, brood_idx, location_of_brood, first_chick_of_brood


def _check_ticks(ticks) -> None:
    from utils.data import check_loaded_frame

    check_loaded_frame(
        ticks,
        name="ticks",
        loader="load_grouseticks",
        columns=["INDEX", "TICKS", "BROOD", "LOCATION", "YEAR", "cHEIGHT"],
        group="BROOD",
    )
    if not (ticks["TICKS"] >= 0).all():
        raise ValueError("ticks['TICKS'] must hold non-negative counts")
    parents = ticks.groupby("BROOD", observed=True)["LOCATION"].nunique()
    if (parents > 1).any():
        raise ValueError(
            "every brood must belong to one location; broods "
            f"{list(parents.index[parents > 1])} appear at several (are brood labels "
            "reused across locations? make them unique first)"
        )


def grouse_ticks_model(
    ticks,
    *,
    levels: Sequence[str] = GROUSE_LEVELS,
    family: str = "poisson",
    priors: dict | None = None,
):
    """Counts of ticks on grouse chicks, with nested varying effects.

    ``log mu_i = intercept + X_i @ beta + u[l[i]] + v[b[i]] + e_i`` for chick i in brood
    b at location l, with ``X`` the columns of :func:`grouse_design` (year and
    altitude). ``levels`` chooses which of the normal effects are in the model:
    ``location_effect`` u ~ N(0, sigma_location), ``brood_effect`` v ~ N(0,
    sigma_brood) and ``chick_effect`` e ~ N(0, sigma_chick) (an observation-level
    effect: the Poisson-lognormal model). ``family`` is ``"poisson"`` or
    ``"negative_binomial"`` (variance mu + kappa^2 mu^2; then "chick" must not be in
    ``levels``, the overdispersion being the negative binomial's).

    Parametrization: the location effects are non-centred (``z_location``); each brood's
    total ``brood_total`` = u + v is centred on its location's effect (hierarchical
    centring), because most broods have several chicks with many ticks between them,
    which identify their total well, while 35 of the 63 locations have a single brood,
    which leaves the split between the two levels, and sigma_location, weakly
    identified; the chick effects are centred. ``brood_effect`` (v) is kept as a
    deterministic.

    The observed variable is ``ticks`` (dimension ``chick``).
    """
    import pymc as pm

    _check_ticks(ticks)
    levels = tuple(levels)
    unknown = set(levels) - set(GROUSE_LEVELS)
    if unknown or len(set(levels)) != len(levels):
        raise ValueError(
            f"levels must be distinct names from {GROUSE_LEVELS}: {levels}"
        )
    if family not in ("poisson", "negative_binomial"):
        raise ValueError(f"family must be 'poisson' or 'negative_binomial': {family!r}")
    if family == "negative_binomial" and "chick" in levels:
        raise ValueError("a negative binomial model has no chick level")
    priors = dict(GROUSE_PRIORS) if priors is None else priors
    if set(priors) != set(GROUSE_PRIORS):
        raise ValueError(f"priors must have exactly the keys {sorted(GROUSE_PRIORS)}")
    location = ticks["LOCATION"].cat.remove_unused_categories()
    brood = ticks["BROOD"].cat.remove_unused_categories()
    # every predictor is constant within a brood: read them off its first chick
    location_idx, brood_idx, location_of_brood, first_chick_of_brood = _tick_indices(
        ticks
    )
    design = _grouse_columns(ticks)
    coords = {
        "location": [str(c) for c in location.cat.categories],
        "brood": [str(c) for c in brood.cat.categories],
        "chick": ticks["INDEX"].astype(str).tolist(),
        "predictor": list(design.columns),
    }
    X = design.to_numpy()
    year_only = X.copy()
    year_only[:, 2] = 0.0  # the year part of the design (altitude is per location)
    altitude_of_location = (
        ticks.assign(l=location_idx).groupby("l")["cHEIGHT"].first().to_numpy() / 10
    )
    y = ticks["TICKS"].to_numpy()
    with pm.Model(coords=coords) as model:
        intercept = pm.Normal("intercept", *priors["intercept"])
        beta_year = pm.Normal("beta_year", *priors["year"], shape=2)
        beta_altitude = pm.Normal("beta_altitude", *priors["altitude"])
        beta = pm.Deterministic(
            "beta",
            pm.math.concatenate([beta_year, beta_altitude[None]]),
            dims="predictor",
        )
        if "location" in levels:
            sigma_location = pm.HalfNormal("sigma_location", priors["sigma"])
        if "brood" in levels:
            sigma_brood = pm.HalfNormal("sigma_brood", priors["sigma"])
        if "chick" in levels:
            sigma_chick = pm.HalfNormal("sigma_chick", priors["sigma"])
        if "brood" in levels:
            # the brood's total log mean is centred on its fixed part plus its
            # location's effect (hierarchical centring)
            brood_fixed = intercept + X[first_chick_of_brood] @ beta
            parent = brood_fixed
            if "location" in levels:
                z_location = pm.Normal("z_location", 0.0, 1.0, dims="location")
                location_effect = pm.Deterministic(
                    "location_effect", sigma_location * z_location, dims="location"
                )
                parent = parent + location_effect[location_of_brood]
            brood_total = pm.Normal("brood_total", parent, sigma_brood, dims="brood")
            pm.Deterministic("brood_effect", brood_total - parent, dims="brood")
            group_log_mu = brood_total[brood_idx]
        elif "location" in levels:
            # without broods, the location's total is centred on its altitude term; the
            # year effects stay with the chicks (a location can span several years)
            location_total = pm.Normal(
                "location_total",
                intercept + beta_altitude * altitude_of_location,
                sigma_location,
                dims="location",
            )
            pm.Deterministic(
                "location_effect",
                location_total - intercept - beta_altitude * altitude_of_location,
                dims="location",
            )
            group_log_mu = location_total[location_idx] + year_only @ beta
        else:
            group_log_mu = intercept + X @ beta
        if "chick" in levels:
            log_mu = pm.Normal("chick_log_mu", group_log_mu, sigma_chick, dims="chick")
            pm.Deterministic("chick_effect", log_mu - group_log_mu, dims="chick")
        else:
            log_mu = group_log_mu
        if family == "poisson":
            pm.Poisson("ticks", pm.math.exp(log_mu), observed=y, dims="chick")
        else:
            kappa = pm.HalfNormal("kappa", priors["kappa"])
            pm.NegativeBinomial(
                "ticks",
                mu=pm.math.exp(log_mu),
                alpha=kappa**-2,
                observed=y,
                dims="chick",
            )
    return model


def grouse_pointwise_loglik(idata, ticks, *, by: str = "chick", draws_per_chain=None):
    """Pointwise log-likelihood of a fitted :func:`grouse_ticks_model`, for LOO.

    ``by="chick"``: the log-likelihood of each chick's count with its own chick effect
    integrated out (the Poisson-lognormal probability; a negative binomial or Poisson
    probability in models without a chick level), given its brood's and location's
    effects: LOO with it predicts a new chick in an observed brood. ``by="location"``:
    the log-likelihood of all the counts at each location with every effect of the
    location, its broods and its chicks integrated out
    (:func:`utils.glmm.integrate_nested_effects`): LOO with it leaves out whole
    locations. ``draws_per_chain`` thins each chain evenly (the location integrals cost
    a few milliseconds per draw).

    Returns an ``xarray.DataTree`` with the (thinned) ``posterior`` and a
    ``log_likelihood`` group holding ``ticks``, ready for ``arviz.loo``.
    """
    import xarray as xr

    from utils.glmm import (
        negbin_logpmf,
        nested_count_loglik,
        poisson_lognormal_logpmf,
        poisson_logpmf,
    )

    _check_ticks(ticks)
    if by not in ("chick", "location"):
        raise ValueError(f"by must be 'chick' or 'location', got {by!r}")
    posterior = idata["posterior"].to_dataset()
    n_draw = posterior.sizes["draw"]
    if draws_per_chain is not None:
        if not 1 <= int(draws_per_chain) <= n_draw:
            raise ValueError(f"draws_per_chain must be 1..{n_draw}")
        keep = np.linspace(0, n_draw - 1, int(draws_per_chain)).round().astype(int)
        posterior = posterior.isel(draw=keep)
    n_chain, n_draw = posterior.sizes["chain"], posterior.sizes["draw"]

    def draws(name):  # (chain * draw, ...) numpy array
        values = posterior[name].to_numpy()
        return values.reshape(n_chain * n_draw, *values.shape[2:])

    y = ticks["TICKS"].to_numpy().astype(float)
    location_idx, brood_idx, location_of_brood, _ = _tick_indices(ticks)
    X = _grouse_columns(ticks).to_numpy()
    fixed = draws("intercept")[:, None] + draws("beta") @ X.T
    zeros = np.zeros(n_chain * n_draw)
    sigma = {
        level: draws(f"sigma_{level}") if f"sigma_{level}" in posterior else zeros
        for level in GROUSE_LEVELS
    }
    alpha = draws("kappa") ** -2 if "kappa" in posterior else None

    if by == "chick":
        if "brood_total" in posterior:
            log_mu = draws("brood_total")[:, brood_idx]
        elif "location_total" in posterior:
            year_part = draws("beta")[:, :2] @ X[:, :2].T
            log_mu = draws("location_total")[:, location_idx] + year_part
        else:
            log_mu = fixed
        if "sigma_chick" in posterior:
            values = poisson_lognormal_logpmf(y, log_mu, sigma["chick"][:, None], 10)
        elif alpha is not None:
            values = negbin_logpmf(y, log_mu, alpha[:, None])
        else:
            values = poisson_logpmf(y, log_mu)
        dim = "chick"
    else:
        values = np.empty((n_chain * n_draw, location_idx.max() + 1))
        members = [None, brood_idx, location_of_brood]
        for s in range(n_chain * n_draw):
            sigmas = [sigma[level][s] for level in ("chick", "brood", "location")]
            draw_alpha = None if alpha is None else alpha[s]
            values[s] = nested_count_loglik(
                y, fixed[s], members, sigmas, 0.1, draw_alpha
            )
        dim = "location"
    values = values.reshape(n_chain, n_draw, -1)
    loglik = xr.DataArray(
        values,
        dims=("chain", "draw", dim),
        coords={
            "chain": posterior["chain"],
            "draw": posterior["draw"],
            dim: posterior[dim]
            if dim in posterior.coords
            else np.arange(values.shape[-1]),
        },
    )
    return xr.DataTree.from_dict(
        {"posterior": posterior, "log_likelihood": xr.Dataset({"ticks": loglik})}
    )
