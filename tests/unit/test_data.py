"""The loaders return tidy, typed data and refuse missing, altered or impossible files."""

import hashlib
import shutil

import pandas as pd
import pytest

from utils import data
from utils.data import DataError

LOADERS = {
    "radon.csv": (data.load_radon, 919, "county", 85),
    "chemical_shifts.csv": (data.load_chemical_shifts, 1776, "aa", 19),
    "spacex.csv": (data.load_spacex, 4, "vehicle", 4),
    "eight_schools.csv": (data.load_eight_schools, 8, "school", 8),
    "sleepstudy.csv": (data.load_sleepstudy, 180, "subject", 18),
    "contraception.csv": (data.load_contraception, 1934, "district", 60),
    "grouseticks.csv": (data.load_grouseticks, 403, "BROOD", 118),
    "penicillin.csv": (data.load_penicillin, 144, "plate", 24),
    "verbagg.csv": (data.load_verbagg, 7584, "item", 24),
}


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/ that a test may damage."""
    for name in LOADERS:
        shutil.copy(data.DATA_DIR / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("name", LOADERS)
def test_loader_returns_tidy_frame(name):
    loader, rows, group, n_groups = LOADERS[name]
    df = loader()
    assert isinstance(df, pd.DataFrame)
    assert len(df) == rows
    assert isinstance(df[group].dtype, pd.CategoricalDtype)
    assert df[group].nunique() == n_groups
    assert not df.isna().any().any()


def test_loaders_do_not_depend_on_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(data.load_radon()) == 919


def test_sha256_in_data_readme_matches_files():
    readme = (data.DATA_DIR / "README.md").read_text()
    for name in LOADERS:
        digest = hashlib.sha256((data.DATA_DIR / name).read_bytes()).hexdigest()
        assert digest in readme, f"data/README.md lacks the sha256 of {name}"
        assert data._SPECS[name.removesuffix(".csv")].sha256 == digest


def test_documented_facts():
    radon = data.load_radon()
    sizes = radon.groupby("county", observed=True).size()
    assert (sizes.min(), sizes.max()) == (1, 116)
    assert set(radon["floor"]) == {0, 1}
    shifts = data.load_chemical_shifts()
    assert "CYS" not in set(shifts["aa"])
    aa_sizes = shifts.groupby("aa", observed=True).size()
    assert (aa_sizes.min(), aa_sizes.max()) == (30, 159)
    assert shifts["ID"].nunique() == 14
    assert (shifts["diff"] == shifts["theo"] - shifts["exp"]).all()
    spacex = data.load_spacex().set_index("vehicle")
    assert spacex.loc["Falcon 9", "launches"] == 304
    assert spacex.loc["Falcon 9", "successes"] == 301
    sleep = data.load_sleepstudy()
    assert sleep.groupby("subject", observed=True).size().eq(10).all()
    women = data.load_contraception()
    per_district = women.groupby("district", observed=False).size()
    assert list(per_district.index[per_district == 0]) == [54]
    assert (per_district[per_district > 0].min(), per_district.max()) == (2, 118)
    assert (women["use"].sum(), women["urban"].sum()) == (759, 562)
    assert list(women["livch"].cat.categories) == ["0", "1", "2", "3+"]
    ticks = data.load_grouseticks()
    assert ticks["LOCATION"].nunique() == 63 and int((ticks["TICKS"] == 0).sum()) == 126
    assert ticks.groupby("YEAR", observed=True).size().tolist() == [117, 155, 131]
    per_brood = ticks.groupby("BROOD", observed=True).size()
    assert (per_brood.min(), per_brood.max()) == (1, 10)
    plates = data.load_penicillin()
    assert plates.groupby(["plate", "sample"], observed=True).size().eq(1).all()
    assert (plates["diameter"].min(), plates["diameter"].max()) == (18, 27)
    answers = data.load_verbagg()
    assert answers["id"].nunique() == 316 and int(answers["r2"].sum()) == 3611
    people = answers.drop_duplicates("id")
    assert people["Gender"].value_counts().to_dict() == {"F": 243, "M": 73}
    assert list(answers["resp"].cat.categories) == ["no", "perhaps", "yes"]


def test_impossible_livch(data_copy, monkeypatch):
    path = data_copy / "contraception.csv"
    frame = pd.read_csv(path)
    frame.loc[10, "livch"] = "4"
    _rewrite(path, frame, monkeypatch, "contraception")
    with pytest.raises(DataError, match=r"livch must be 0, 1, 2 or 3\+ \(row 12"):
        data.load_contraception(data_dir=data_copy)


@pytest.mark.parametrize("name", LOADERS)
def test_missing_file(name, data_copy):
    (data_copy / name).unlink()
    with pytest.raises(DataError, match=rf"data/{name}: file not found.*git checkout"):
        LOADERS[name][0](data_dir=data_copy)


@pytest.mark.parametrize("name", LOADERS)
def test_altered_file(name, data_copy):
    path = data_copy / name
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(DataError, match=rf"data/{name}: sha256 .* altered"):
        LOADERS[name][0](data_dir=data_copy)


def _rewrite(path, frame, monkeypatch, key):
    """Write a modified file and register its checksum, to reach the schema checks."""
    frame.to_csv(path, index=False)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    spec = data._SPECS[key]
    monkeypatch.setitem(
        data._SPECS, key, data._Spec(**{**spec.__dict__, "sha256": digest})
    )


def test_missing_column(data_copy, monkeypatch):
    path = data_copy / "radon.csv"
    _rewrite(path, pd.read_csv(path).drop(columns="floor"), monkeypatch, "radon")
    with pytest.raises(
        DataError, match=r"data/radon.csv: missing column\(s\) \['floor'\]"
    ):
        data.load_radon(data_dir=data_copy)


def test_impossible_value(data_copy, monkeypatch):
    path = data_copy / "spacex.csv"
    frame = pd.read_csv(path)
    frame.loc[0, "successes"] = 7  # more successes than Falcon 1's 5 launches
    _rewrite(path, frame, monkeypatch, "spacex")
    with pytest.raises(
        DataError, match=r"impossible value: successes must lie between 0 and"
    ):
        data.load_spacex(data_dir=data_copy)


def test_impossible_floor(data_copy, monkeypatch):
    path = data_copy / "radon.csv"
    frame = pd.read_csv(path)
    frame.loc[3, "floor"] = 2
    _rewrite(path, frame, monkeypatch, "radon")
    with pytest.raises(DataError, match=r"floor must be 0 .* \(row 5 of the file\)"):
        data.load_radon(data_dir=data_copy)


def test_missing_values(data_copy, monkeypatch):
    path = data_copy / "sleepstudy.csv"
    frame = pd.read_csv(path)
    frame.loc[0, "reaction"] = None
    _rewrite(path, frame, monkeypatch, "sleepstudy")
    with pytest.raises(DataError, match=r"column 'reaction' has missing values"):
        data.load_sleepstudy(data_dir=data_copy)


def test_wrong_row_count(data_copy, monkeypatch):
    path = data_copy / "eight_schools.csv"
    _rewrite(path, pd.read_csv(path).iloc[:7], monkeypatch, "eight_schools")
    with pytest.raises(DataError, match=r"has 7 rows, expected 8"):
        data.load_eight_schools(data_dir=data_copy)


def test_brood_in_two_locations(data_copy, monkeypatch):
    path = data_copy / "grouseticks.csv"
    frame = pd.read_csv(path)
    # chick 2 shares brood 501 with chick 1; move it to another location
    frame.loc[1, "LOCATION"] = 1 if frame.loc[0, "LOCATION"] != 1 else 2
    _rewrite(path, frame, monkeypatch, "grouseticks")
    with pytest.raises(DataError, match=r"every BROOD must belong to one LOCATION"):
        data.load_grouseticks(data_dir=data_copy)


def test_altered_centring(data_copy, monkeypatch):
    path = data_copy / "grouseticks.csv"
    frame = pd.read_csv(path)
    frame.loc[0, "cHEIGHT"] += 1.0
    _rewrite(path, frame, monkeypatch, "grouseticks")
    with pytest.raises(DataError, match=r"cHEIGHT must be HEIGHT minus its mean"):
        data.load_grouseticks(data_dir=data_copy)


def test_penicillin_sample_twice_on_a_plate(data_copy, monkeypatch):
    path = data_copy / "penicillin.csv"
    frame = pd.read_csv(path)
    frame.loc[1, "sample"] = frame.loc[0, "sample"]
    _rewrite(path, frame, monkeypatch, "penicillin")
    with pytest.raises(DataError, match=r"every sample must appear once on every"):
        data.load_penicillin(data_dir=data_copy)


def test_verbagg_inconsistent_r2(data_copy, monkeypatch):
    path = data_copy / "verbagg.csv"
    frame = pd.read_csv(path)
    row = int((frame["resp"] == "no").to_numpy().argmax())
    frame.loc[row, "r2"] = "Y"
    _rewrite(path, frame, monkeypatch, "verbagg")
    with pytest.raises(DataError, match=rf"r2 must be Y exactly .* \(row {row + 2} "):
        data.load_verbagg(data_dir=data_copy)


def test_verbagg_respondent_changes_gender(data_copy, monkeypatch):
    path = data_copy / "verbagg.csv"
    frame = pd.read_csv(path)
    first = frame.index[frame["id"] == 1][1]  # respondent 1's second answer
    frame.loc[first, "Gender"] = "F" if frame.loc[first, "Gender"] == "M" else "M"
    _rewrite(path, frame, monkeypatch, "verbagg")
    with pytest.raises(DataError, match=r"Anger and Gender must be the same"):
        data.load_verbagg(data_dir=data_copy)
