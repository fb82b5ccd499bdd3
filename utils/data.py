"""Load the course datasets as tidy, validated DataFrames.

Every loader finds its file in the repository's ``data/`` folder (relative to this
package, never to the working directory), checks the file's sha256 against the value
recorded in ``data/README.md``, checks the columns and their values, and returns a
DataFrame with proper dtypes (groups are categoricals).

Anything wrong with a file raises :class:`DataError`, whose message names the file,
says what is wrong and how to restore it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DATA_DIR",
    "DataError",
    "load_chemical_shifts",
    "load_contraception",
    "load_eight_schools",
    "load_grouseticks",
    "load_penicillin",
    "load_radon",
    "load_sleepstudy",
    "load_spacex",
    "load_verbagg",
    "RadonArrays",
    "check_loaded_frame",
    "radon_arrays",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

_RESTORE = (
    "Restore it with `git checkout -- data/{name}` (or re-download the course); "
    "data/README.md documents every file."
)


class DataError(Exception):
    """A course data file is missing, altered or does not match its codebook."""


@dataclass(frozen=True)
class _Spec:
    """What a data file must look like."""

    name: str
    sha256: str
    rows: int
    columns: dict[str, str]  # column -> "str" | "int" | "float"
    checks: list[tuple[str, Callable[[pd.DataFrame], pd.Series]]] = field(
        default_factory=list
    )


def _fail(spec: _Spec, problem: str) -> DataError:
    return DataError(f"data/{spec.name}: {problem}. " + _RESTORE.format(name=spec.name))


def _read(spec: _Spec, data_dir: Path | None = None) -> pd.DataFrame:
    """Read and validate one file; raise DataError on any mismatch."""
    path = Path(data_dir or DATA_DIR) / spec.name
    if not path.is_file():
        raise _fail(spec, f"file not found (looked for {path})")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != spec.sha256:
        raise _fail(
            spec, f"sha256 is {digest}, expected {spec.sha256}: the file was altered"
        )
    # The checksum pins the bytes; the schema checks below still run so that an
    # edited checksum table cannot let a broken file through silently.
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise _fail(spec, f"cannot be parsed as CSV ({err})") from err
    missing = [c for c in spec.columns if c not in df.columns]
    if missing:
        raise _fail(spec, f"missing column(s) {missing}; found {list(df.columns)}")
    if len(df) != spec.rows:
        raise _fail(spec, f"has {len(df)} rows, expected {spec.rows}")
    df = df[list(spec.columns)]
    for column, kind in spec.columns.items():
        if df[column].isna().any():
            raise _fail(spec, f"column '{column}' has missing values")
        if kind in ("int", "float") and not pd.api.types.is_numeric_dtype(df[column]):
            raise _fail(spec, f"column '{column}' should be numeric")
        if kind == "int" and not np.all(np.mod(df[column], 1) == 0):
            raise _fail(spec, f"column '{column}' should hold whole numbers")
    for description, check in spec.checks:
        bad = ~check(df)
        if bad.any():
            first = df.index[bad.to_numpy()][0]
            raise _fail(
                spec, f"impossible value: {description} (row {first + 2} of the file)"
            )
    return df


_SPECS = {
    "radon": _Spec(
        name="radon.csv",
        sha256="832741856f8ba24b505dd09c263e6faaa765ab4d5d8680c52a4d73d9326e7824",
        rows=919,
        columns={
            "county": "str",
            "county_code": "int",
            "floor": "int",
            "log_radon": "float",
            "log_uranium": "float",
        },
        checks=[
            (
                "floor must be 0 (basement) or 1 (first floor)",
                lambda d: d["floor"].isin([0, 1]),
            ),
            ("county_code must be 1-85", lambda d: d["county_code"].between(1, 85)),
            (
                "log_radon must lie in [log 0.1, log 100]",
                lambda d: d["log_radon"].between(np.log(0.1) - 1e-6, np.log(100)),
            ),
            (
                "log_uranium must be the same for every house of a county",
                lambda d: d.groupby("county")["log_uranium"].transform("nunique") == 1,
            ),
        ],
    ),
    "chemical_shifts": _Spec(
        name="chemical_shifts.csv",
        sha256="48344616323261f0dbe94dcb3c1782d45bdd873d4180365b96fd64499abd3118",
        rows=1776,
        columns={"ID": "str", "aa": "str", "theo": "float", "exp": "float"},
        checks=[
            (
                "aa must be a three-letter amino-acid code",
                lambda d: d["aa"].str.fullmatch("[A-Z]{3}"),
            ),
            (
                "theo must be a 13C-alpha shift in 30-80 ppm",
                lambda d: d["theo"].between(30, 80),
            ),
            (
                "exp must be a 13C-alpha shift in 30-80 ppm",
                lambda d: d["exp"].between(30, 80),
            ),
        ],
    ),
    "contraception": _Spec(
        name="contraception.csv",
        sha256="b83c7f0c978e26485d3cb9cec40472195b2e04b6c0b9ee16c5a96eba2623c712",
        rows=1934,
        columns={
            "woman": "int",
            "district": "int",
            "use": "str",
            "livch": "str",
            "age": "float",
            "urban": "str",
        },
        checks=[
            ("woman must be a unique id", lambda d: ~d["woman"].duplicated()),
            ("district must be 1-61", lambda d: d["district"].between(1, 61)),
            ("use must be Y or N", lambda d: d["use"].isin(["Y", "N"])),
            ("urban must be Y or N", lambda d: d["urban"].isin(["Y", "N"])),
            (
                "livch must be 0, 1, 2 or 3+",
                lambda d: d["livch"].astype(str).isin(["0", "1", "2", "3+"]),
            ),
            (
                "age (years from the sample mean) must lie in [-20, 25]",
                lambda d: d["age"].between(-20, 25),
            ),
        ],
    ),
    "eight_schools": _Spec(
        name="eight_schools.csv",
        sha256="b13abdf92f3851a71413c0c15cea9a69008d32922ca9d83177a301f66e194fad",
        rows=8,
        columns={"school": "str", "effect": "float", "stderr": "float"},
        checks=[("stderr must be positive", lambda d: d["stderr"] > 0)],
    ),
    "grouseticks": _Spec(
        name="grouseticks.csv",
        sha256="3ff2c7ffec54aa7030ac9f5a84958c584509cedaa03a56f5b7ae916efd1dbf5f",
        rows=403,
        columns={
            "INDEX": "int",
            "TICKS": "int",
            "BROOD": "int",
            "HEIGHT": "int",
            "YEAR": "int",
            "LOCATION": "int",
            "cHEIGHT": "float",
        },
        checks=[
            ("INDEX must be a unique chick id", lambda d: ~d["INDEX"].duplicated()),
            ("TICKS must be a count (0 or more)", lambda d: d["TICKS"] >= 0),
            ("YEAR must be 95, 96 or 97", lambda d: d["YEAR"].isin([95, 96, 97])),
            ("LOCATION must be 1-63", lambda d: d["LOCATION"].between(1, 63)),
            (
                "HEIGHT must be an altitude in metres (0-1000)",
                lambda d: d["HEIGHT"].between(0, 1000),
            ),
            (
                "every BROOD must belong to one LOCATION and one YEAR",
                lambda d: (
                    d.groupby("BROOD")[["LOCATION", "YEAR"]]
                    .transform("nunique")
                    .eq(1)
                    .all(axis=1)
                ),
            ),
            (
                "HEIGHT must be the same for every chick of a LOCATION",
                lambda d: d.groupby("LOCATION")["HEIGHT"].transform("nunique") == 1,
            ),
            (
                "cHEIGHT must be HEIGHT minus its mean",
                lambda d: (
                    (d["cHEIGHT"] - (d["HEIGHT"] - d["HEIGHT"].mean())).abs() < 1e-6
                ),
            ),
        ],
    ),
    "penicillin": _Spec(
        name="penicillin.csv",
        sha256="9a26c574d34d1b6d5a6fcb31d296ffa65fe0339eea4b77f502d90b7f2b4eca24",
        rows=144,
        columns={"diameter": "int", "plate": "str", "sample": "str"},
        checks=[
            (
                "diameter must be a zone diameter in mm (1-50)",
                lambda d: d["diameter"].between(1, 50),
            ),
            (
                "plate must be a letter a-x",
                lambda d: d["plate"].astype(str).str.fullmatch("[a-x]"),
            ),
            (
                "sample must be a letter A-F",
                lambda d: d["sample"].astype(str).str.fullmatch("[A-F]"),
            ),
            (
                "every sample must appear once on every plate",
                lambda d: ~d.duplicated(["plate", "sample"]),
            ),
        ],
    ),
    "verbagg": _Spec(
        name="verbagg.csv",
        sha256="51f7f5b490c2b62c8f05c11d527b0572d7507973075e8e7978ba2cc2b38b05c6",
        rows=7584,
        columns={
            "Anger": "int",
            "Gender": "str",
            "item": "str",
            "resp": "str",
            "id": "int",
            "btype": "str",
            "situ": "str",
            "mode": "str",
            "r2": "str",
        },
        checks=[
            ("id must be 1-316", lambda d: d["id"].between(1, 316)),
            (
                "Anger must be a trait-anger score (10-40)",
                lambda d: d["Anger"].between(10, 40),
            ),
            ("Gender must be F or M", lambda d: d["Gender"].isin(["F", "M"])),
            (
                "resp must be no, perhaps or yes",
                lambda d: d["resp"].isin(["no", "perhaps", "yes"]),
            ),
            (
                "r2 must be Y exactly when resp is perhaps or yes",
                lambda d: d["r2"].eq("Y") == d["resp"].isin(["perhaps", "yes"]),
            ),
            (
                "btype must be curse, scold or shout",
                lambda d: d["btype"].isin(["curse", "scold", "shout"]),
            ),
            ("situ must be other or self", lambda d: d["situ"].isin(["other", "self"])),
            ("mode must be want or do", lambda d: d["mode"].isin(["want", "do"])),
            (
                "every respondent must answer every item once",
                lambda d: ~d.duplicated(["id", "item"]),
            ),
            (
                "Anger and Gender must be the same in all rows of a respondent",
                lambda d: (
                    d.groupby("id")[["Anger", "Gender"]]
                    .transform("nunique")
                    .eq(1)
                    .all(axis=1)
                ),
            ),
            (
                "btype, situ and mode must be the same in all rows of an item",
                lambda d: (
                    d.groupby("item")[["btype", "situ", "mode"]]
                    .transform("nunique")
                    .eq(1)
                    .all(axis=1)
                ),
            ),
        ],
    ),
    "sleepstudy": _Spec(
        name="sleepstudy.csv",
        sha256="8d7c3f17d76a7b175ebd76ec12d84709e66159c4023e3e269101a931e091debb",
        rows=180,
        columns={"reaction": "float", "days": "int", "subject": "int"},
        checks=[
            ("reaction must be a positive time in ms", lambda d: d["reaction"] > 0),
            ("days must be 0-9", lambda d: d["days"].between(0, 9)),
        ],
    ),
    "spacex": _Spec(
        name="spacex.csv",
        sha256="d692d8ae6e0f103cbc8a2a47d3ed540acf565e5735256634e640fc4fb714e979",
        rows=4,
        columns={"vehicle": "str", "launches": "int", "successes": "int"},
        checks=[
            ("launches must be positive", lambda d: d["launches"] > 0),
            (
                "successes must lie between 0 and launches",
                lambda d: d["successes"].between(0, d["launches"]),
            ),
        ],
    ),
}


def _ordered_categories(values: pd.Series) -> pd.Categorical:
    return pd.Categorical(
        values.astype(str), categories=sorted(values.astype(str).unique())
    )


def load_radon(data_dir: Path | None = None) -> pd.DataFrame:
    """Minnesota radon survey: 919 houses in 85 counties.

    Columns: ``county`` (categorical, alphabetical), ``county_code`` (1-85),
    ``floor`` (0 basement, 1 first floor), ``log_radon`` (log pCi/L) and the
    county-level ``log_uranium`` (log ppm).
    """
    df = _read(_SPECS["radon"], data_dir)
    df["county"] = _ordered_categories(df["county"])
    df["county_code"] = df["county_code"].astype("int64")
    df["floor"] = df["floor"].astype("int64")
    return df


def load_chemical_shifts(data_dir: Path | None = None) -> pd.DataFrame:
    """13C-alpha chemical shifts of 1776 residues in 14 proteins, 19 amino acids.

    Columns: ``ID`` (protein, categorical), ``aa`` (amino acid, categorical),
    ``theo`` and ``exp`` (ppm), plus ``diff = theo - exp`` (ppm).
    """
    df = _read(_SPECS["chemical_shifts"], data_dir)
    df["ID"] = _ordered_categories(df["ID"])
    df["aa"] = _ordered_categories(df["aa"])
    df["diff"] = df["theo"] - df["exp"]
    return df


def load_contraception(data_dir: Path | None = None) -> pd.DataFrame:
    """Contraceptive use of 1934 women in the 1988 Bangladesh Fertility Survey.

    Columns: ``woman`` (id), ``district`` (categorical with all 61 district numbers as
    categories, so district 54, which has no women, is a category without rows),
    ``use`` and ``urban`` (1 for Y, 0 for N), ``livch`` (living children, ordered
    categorical 0 < 1 < 2 < 3+) and ``age`` (years, centred at the sample mean).
    """
    df = _read(_SPECS["contraception"], data_dir)
    df["district"] = pd.Categorical(df["district"], categories=range(1, 62))
    for column in ("use", "urban"):
        df[column] = (df[column] == "Y").astype("int64")
    df["livch"] = pd.Categorical(
        df["livch"].astype(str), categories=["0", "1", "2", "3+"], ordered=True
    )
    df["woman"] = df["woman"].astype("int64")
    return df


def load_spacex(data_dir: Path | None = None) -> pd.DataFrame:
    """Launches and successes of four SpaceX vehicle families (one row each).

    Columns: ``vehicle`` (categorical, in file order), ``launches``, ``successes``.
    """
    df = _read(_SPECS["spacex"], data_dir)
    df["vehicle"] = pd.Categorical(
        df["vehicle"].astype(str), categories=list(df["vehicle"])
    )
    df[["launches", "successes"]] = df[["launches", "successes"]].astype("int64")
    return df


def load_eight_schools(data_dir: Path | None = None) -> pd.DataFrame:
    """Rubin's eight schools: estimated coaching ``effect`` and its ``stderr`` (points)."""
    df = _read(_SPECS["eight_schools"], data_dir)
    df["school"] = _ordered_categories(df["school"])
    return df


def load_sleepstudy(data_dir: Path | None = None) -> pd.DataFrame:
    """Belenky et al. (2003): ``reaction`` (ms) of 18 ``subject``s over ``days`` 0-9."""
    df = _read(_SPECS["sleepstudy"], data_dir)
    df["subject"] = _ordered_categories(df["subject"])
    df["days"] = df["days"].astype("int64")
    return df


def load_grouseticks(data_dir: Path | None = None) -> pd.DataFrame:
    """Elston et al. (2001): ticks on 403 red grouse chicks, 118 broods, 63 locations.

    Columns: ``INDEX`` (chick id), ``TICKS`` (count), ``BROOD``, ``LOCATION`` and
    ``YEAR`` (categoricals, in numeric order), ``HEIGHT`` (altitude of the location, m)
    and ``cHEIGHT`` (``HEIGHT`` minus its mean over chicks). Every brood belongs to one
    location and one year (checked); brood ids are unique across locations.
    """
    df = _read(_SPECS["grouseticks"], data_dir)
    for column in ("BROOD", "LOCATION", "YEAR"):
        df[column] = pd.Categorical(df[column], categories=sorted(df[column].unique()))
    df[["INDEX", "TICKS", "HEIGHT"]] = df[["INDEX", "TICKS", "HEIGHT"]].astype("int64")
    return df


def load_penicillin(data_dir: Path | None = None) -> pd.DataFrame:
    """Penicillin assay: ``diameter`` (mm) of 6 ``sample``s on each of 24 ``plate``s.

    ``plate`` (a-x) and ``sample`` (A-F) are categoricals; every sample is on every
    plate once (a fully crossed design; checked).
    """
    df = _read(_SPECS["penicillin"], data_dir)
    df["plate"] = _ordered_categories(df["plate"])
    df["sample"] = _ordered_categories(df["sample"])
    df["diameter"] = df["diameter"].astype("int64")
    return df


def load_verbagg(data_dir: Path | None = None) -> pd.DataFrame:
    """Verbal aggression: 316 respondents (``id``) x 24 items, one row per answer.

    Columns: ``id`` and ``item`` (categoricals; items in file order), respondent
    attributes ``Anger`` (trait-anger score) and ``Gender`` (F/M), item attributes
    ``btype`` (curse/scold/shout), ``situ`` (other/self) and ``mode`` (want/do), the
    answer ``resp`` (ordered categorical no < perhaps < yes) and ``r2`` (1 when
    ``resp`` is perhaps or yes, else 0).
    """
    df = _read(_SPECS["verbagg"], data_dir)
    df["id"] = pd.Categorical(df["id"], categories=sorted(df["id"].unique()))
    df["item"] = pd.Categorical(
        df["item"].astype(str), categories=list(df["item"].astype(str).unique())
    )
    df["resp"] = pd.Categorical(
        df["resp"].astype(str), categories=["no", "perhaps", "yes"], ordered=True
    )
    df["r2"] = (df["r2"] == "Y").astype("int64")
    for column in ("Gender", "btype", "situ", "mode"):
        df[column] = _ordered_categories(df[column])
    df["Anger"] = df["Anger"].astype("int64")
    return df


@dataclass(frozen=True)
class RadonArrays:
    """The radon survey as the models use it (see :func:`radon_arrays`)."""

    counties: (
        pd.Index
    )  # county names, alphabetical: the coordinate of dimension "county"
    county_idx: np.ndarray  # county of each house, 0..84
    floor: np.ndarray  # 0 basement, 1 first floor (float)
    log_radon: np.ndarray  # log pCi/L per house
    county_size: np.ndarray  # houses per county
    county_log_uranium: np.ndarray  # log ppm, one value per county
    county_floor_mean: np.ndarray  # share of first-floor houses per county

    @property
    def coords(self) -> dict:
        """Coordinates for ``pm.Model(coords=...)``: ``county`` and ``obs_id``."""
        return {"county": list(self.counties), "obs_id": np.arange(self.floor.size)}

    @property
    def log_uranium(self) -> np.ndarray:
        """The county uranium of each house (``county_log_uranium[county_idx]``)."""
        return self.county_log_uranium[self.county_idx]


def check_loaded_frame(frame, *, name, loader, columns, group) -> None:
    """Check that ``frame`` looks like the DataFrame ``loader()`` returns.

    It must be a DataFrame with ``columns`` (no missing values) and a categorical
    ``group`` column; ``name`` is how error messages call it. Raises TypeError or
    ValueError with a message that names the loader to use.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"{name} must be the DataFrame of {loader}(), got {type(frame).__name__}"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} lacks column(s) {missing}: pass the DataFrame of {loader}()"
        )
    if not isinstance(frame[group].dtype, pd.CategoricalDtype):
        raise ValueError(
            f"{name}['{group}'] must be categorical, as {loader}() returns it"
        )
    if frame[list(columns)].isna().any().any():
        raise ValueError(f"{name} has missing values")


def radon_arrays(radon: pd.DataFrame | None = None) -> RadonArrays:
    """House-level and county-level arrays of the radon survey, and the model coords.

    ``radon`` is the DataFrame of :func:`load_radon` (loaded when omitted); counties keep
    its alphabetical order, so ``counties[county_idx[i]]`` is house ``i``'s county.
    """
    if radon is None:
        radon = load_radon()
    check_loaded_frame(
        radon,
        name="radon",
        loader="load_radon",
        columns=["county", "floor", "log_radon", "log_uranium"],
        group="county",
    )
    counties = radon["county"].cat.categories
    county_idx = radon["county"].cat.codes.to_numpy().astype("int64")
    by_county = radon.groupby("county", observed=False)
    size = by_county.size().reindex(counties).to_numpy()
    if (size == 0).any():
        empty = list(counties[size == 0])
        raise ValueError(
            f"counties without houses: {empty} (drop unused categories first)"
        )
    return RadonArrays(
        counties=counties,
        county_idx=county_idx,
        floor=radon["floor"].to_numpy(dtype=float),
        log_radon=radon["log_radon"].to_numpy(dtype=float),
        county_size=size,
        county_log_uranium=by_county["log_uranium"]
        .first()
        .reindex(counties)
        .to_numpy(),
        county_floor_mean=by_county["floor"].mean().reindex(counties).to_numpy(),
    )
