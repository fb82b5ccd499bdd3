"""The documented make targets work on a fresh clone, and Binder's recipe is what we think.

A fresh clone is simulated by copying the files git tracks (no .venv, no _build, no build/)
into a temporary folder; `make -n` then prints the commands each target would run there.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_checkout


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    dest = copy_checkout(tmp_path_factory.mktemp("clone") / "course")
    assert not (dest / ".venv").exists() and not (dest / "_build").exists()
    return dest


def documented_targets() -> list[str]:
    header = (ROOT / "Makefile").read_text().split("\n\n", 1)[0]
    return sorted(set(re.findall(r"make ([a-z][a-z-]*)", header)))


def dry_run(clone: Path, target: str) -> list[str]:
    result = subprocess.run(
        ["make", "-n", target], cwd=clone, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def _first(lines: list[str], pattern: str) -> int:
    for i, line in enumerate(lines):
        if re.search(pattern, line):
            return i
    raise AssertionError(f"no command matches {pattern!r} in:\n" + "\n".join(lines))


def test_the_header_documents_the_targets():
    assert {
        "book",
        "test",
        "student",
        "bench",
        "seeds",
        "lab",
        "clean",
        "distclean",
    } <= set(documented_targets())


@pytest.mark.parametrize("target", documented_targets())
def test_every_documented_target_sets_itself_up(clone, target):
    lines = dry_run(clone, target)
    if target in ("clean", "distclean", "help"):
        return
    # on a fresh clone the virtualenv comes first: create it, then install the pins
    install = _first(lines, r"pip install .*-r requirements-dev\.txt")
    assert _first(lines, r"-m venv") < install
    work = {
        "book": r"jupyter-book build \.",
        "test": r"pytest tests/unit",
        "student": r"-m tools\.student",
        "bench": r"-m tools\.bench",
        "seeds": r"--nbval-lax",
        "lab": r"jupyter lab chapters",
    }[target]
    assert install < _first(lines, work)


def test_student_builds_the_book_first(clone):
    lines = dry_run(clone, "student")
    assert _first(lines, r"jupyter-book build \.") < _first(lines, r"-m tools\.student")


def test_ci_runs_the_book_the_handout_and_colab_in_order(clone):
    lines = dry_run(clone, "test")
    steps = [
        _first(lines, r"pytest tests/unit"),
        _first(lines, r"jupyter-book build \."),
        _first(lines, r"-m tools\.student"),
        _first(lines, r"pytest tests/handout"),
        _first(lines, r"--nbval-lax"),
        _first(lines, r"pytest tests/site"),
        _first(lines, r"pytest tests/colab"),
    ]
    assert steps == sorted(steps), lines
    executions = [
        line
        for line in lines
        if re.search(
            r"jupyter-book build \.|ipynb$|tools\.bench|tests/colab", line.strip()
        )
    ]
    # the book (every chapter), one handout notebook, Colab (one chapter)
    assert len(executions) == 3, executions
    text = "\n".join(lines)
    handout = re.search(r"chapters/(\S+)\.ipynb$", text, re.MULTILINE).group(1)
    colab = re.search(r"COLAB_CHAPTER=(\S+) ", text).group(1)
    assert handout != colab
    assert "HANDOUT=" in lines[_first(lines, r"pytest tests/handout")]
    for chapter in (handout, colab):
        assert (ROOT / "chapters" / f"{chapter}.ipynb").exists()


def test_ci_entry_point_runs_make_test():
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


# --- Binder: repo2docker's Dockerfile for a clean clone ------------------------------


def repo2docker_dockerfile(path: Path) -> tuple[str, str]:
    exe = Path(sys.executable).with_name("repo2docker")
    result = subprocess.run(
        [str(exe), "--no-build", "--debug", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout, result.stderr


def test_binder_uses_runtime_python_apt_and_requirements(clone):
    dockerfile, log = repo2docker_dockerfile(clone)
    # runtime.txt (python-3.12) selects the conda environment lock of Python 3.12
    assert "python=3.12" in log
    assert re.search(r"environment-2epy-2d3-2e12-2dlinux", dockerfile)
    # apt.txt: every package is installed
    apt = (ROOT / "apt.txt").read_text().split()
    for package in apt:
        assert re.search(rf"apt-get install .*\b{re.escape(package)}\b", dockerfile), (
            package
        )
    # requirements.txt is installed after the whole repository is copied in, so `-e .`
    # (the course's utils) resolves
    lines = dockerfile.splitlines()
    copy_repo = _first(lines, r"^COPY .*src/ \$\{REPO_DIR\}/$")
    install = _first(lines, r"pip install .*-r \"?requirements\.txt")
    assert copy_repo < install
    # postBuild (which fills the compile cache by running the chapters) runs last, once
    # the course and its requirements are installed
    post_build = _first(lines, r"^RUN \./postBuild")
    assert install < post_build


def test_binder_check_notices_another_python(clone, tmp_path):
    """The check above is not vacuous: a different runtime.txt changes the Dockerfile."""
    other = tmp_path / "other"
    shutil.copytree(clone, other)
    (other / "runtime.txt").write_text("python-3.13\n")
    dockerfile, log = repo2docker_dockerfile(other)
    assert "python=3.13" in log
    assert not re.search(r"environment-2epy-2d3-2e12-2dlinux", dockerfile)
