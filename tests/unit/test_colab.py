"""utils.colab decides what a Colab runtime installs and when it must restart."""

import pytest

from utils import colab
from utils.colab import plan, read_pins

PINS = {"numpy": "2.5.5", "pandas": "3.1.1", "pymc": "6.4.0", "scipy": "1.18.1"}
COLAB_INSTALLED = {
    "numpy": "2.1.3",
    "pandas": "2.2.3",
    "pymc": "5.28.5",
    "scipy": "1.16.3",
}


def installed(name):
    return COLAB_INSTALLED.get(name)


def test_fresh_colab_keeps_its_loaded_numpy_and_pandas_and_needs_no_restart():
    todo = plan(PINS, {"numpy": "2.1.3", "pandas": "2.2.3"}, installed)
    assert todo.keep == {"numpy": "2.1.3", "pandas": "2.2.3"}
    assert todo.install == {"pymc": "6.4.0", "scipy": "1.18.1"}
    assert not todo.restart


def test_a_loaded_incompatible_package_is_replaced_and_forces_a_restart():
    todo = plan(PINS, {"numpy": "2.1.3", "pymc": "5.28.5"}, installed)
    assert todo.install["pymc"] == "6.4.0"
    assert todo.restart and todo.replace_loaded == ["pymc"]


def test_a_loaded_numpy_too_old_for_the_course_is_replaced():
    todo = plan(PINS, {"numpy": "1.26.4"}, installed)
    assert todo.install["numpy"] == "2.5.5" and todo.restart


def test_second_run_after_the_restart_installs_nothing():
    after = {**COLAB_INSTALLED, "pymc": "6.4.0", "scipy": "1.18.1"}
    todo = plan(PINS, {"numpy": "2.1.3", "pandas": "2.2.3"}, after.get)
    assert todo.install == {} and not todo.restart


def test_pins_are_read_from_the_course_requirements(tmp_path):
    pins = read_pins(colab.Path(__file__).resolve().parents[2] / "requirements.txt")
    assert "pymc" in pins and "ipykernel" not in pins and "jupyter-book" not in pins
    bad = tmp_path / "requirements.txt"
    bad.write_text("pymc>=6\n")
    with pytest.raises(ValueError, match="exact pin"):
        read_pins(bad)
    bad.write_text("-r more.txt\n")
    with pytest.raises(ValueError, match="includes another file"):
        read_pins(bad)
    bad.write_text("# nothing\n-e .\n")
    with pytest.raises(ValueError, match="pins no packages"):
        read_pins(bad)


def test_the_restart_is_announced_before_it_happens(tmp_path, monkeypatch, capsys):
    (tmp_path / "requirements.txt").write_text("pymc==6.4.0\n")
    monkeypatch.setattr(colab, "_imported_distributions", lambda: {"pymc": "5.28.5"})
    monkeypatch.setattr(colab, "_installed", lambda name: "x")
    calls = []
    monkeypatch.setattr(colab.subprocess, "run", lambda cmd, check: calls.append(cmd))
    restarted = []

    def restart():  # the message must already be out when the runtime goes
        restarted.append("run the notebook again" in capsys.readouterr().out)

    todo = colab.prepare(tmp_path, restart=restart)
    assert todo.restart and restarted == [True]
    assert "pymc==6.4.0" in calls[0] and "-e" in calls[0]


def test_versions_compare_as_versions_not_strings():
    assert colab._same_version("2.1", "2.1.0")
    assert colab._same_version("6.4.0", "6.4.0")
    assert not colab._same_version("2.1rc1", "2.1")
    assert not colab._same_version("2.1.3", "2.1")
    todo = plan({"numpy": "2.1.0"}, {}, {"numpy": "2.1"}.get)
    assert todo.install == {}


def test_a_module_without_a_version_does_not_hide_the_one_in_memory(monkeypatch):
    # matplotlib's distribution also ships mpl_toolkits, which has no __version__
    import types

    fake = {
        "fakeplot": types.SimpleNamespace(__version__="3.10.0"),
        "fake_toolkits": types.SimpleNamespace(),
    }
    monkeypatch.setattr(colab.sys, "modules", fake)
    monkeypatch.setattr(
        colab.metadata,
        "packages_distributions",
        lambda: {"fake_toolkits": ["fakeplot"], "fakeplot": ["fakeplot"]},
    )
    monkeypatch.setattr(colab, "_installed", lambda name: "3.11.2")
    assert colab._imported_distributions() == {"fakeplot": "3.10.0"}


def _prepare(tmp_path, monkeypatch, imported, disk_before, disk_after):
    (tmp_path / "requirements.txt").write_text("pymc==6.4.0\nnumpy==2.5.5\n")
    monkeypatch.setattr(colab, "_imported_distributions", lambda: imported)
    disk = dict(disk_before)
    monkeypatch.setattr(colab, "_installed", lambda name: disk.get(name))
    calls = []

    def run(cmd, check):
        calls.append(cmd)
        disk.update(disk_after)

    monkeypatch.setattr(colab.subprocess, "run", run)
    restarted = []
    todo = colab.prepare(tmp_path, restart=lambda: restarted.append(True))
    return todo, restarted, calls


def test_an_imported_dependency_that_pip_changes_forces_a_restart(
    tmp_path, monkeypatch
):
    todo, restarted, _ = _prepare(
        tmp_path,
        monkeypatch,
        imported={"numpy": "2.1.3", "typing-extensions": "4.12.0"},
        disk_before={"numpy": "2.1.3", "typing-extensions": "4.12.0"},
        disk_after={"pymc": "6.4.0", "typing-extensions": "4.15.0"},
    )
    assert todo.replace_loaded == ["typing-extensions"] and restarted == [True]


def test_no_restart_when_pip_leaves_every_loaded_package_alone(tmp_path, monkeypatch):
    todo, restarted, calls = _prepare(
        tmp_path,
        monkeypatch,
        imported={"numpy": "2.1.3"},
        disk_before={"numpy": "2.1.3"},
        disk_after={"pymc": "6.4.0", "multilevel-pymc-utils": "0"},
    )
    assert not todo.restart and restarted == []
    # every pin constrains pip; a kept version replaces its pin
    constraints = (tmp_path / ".colab-constraints.txt").read_text().split()
    assert sorted(constraints) == ["numpy==2.1.3", "pymc==6.4.0"]
    assert "-c" in calls[0]
