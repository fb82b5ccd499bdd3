"""Shared paths for the test suite."""

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def copy_checkout(dest: Path) -> Path:
    """Copy the files git tracks (or would track) into ``dest``: a fresh clone of the
    working tree, without .venv, _build or build/."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in out.split("\0"):
        if name and (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


def read_notebook(path):
    return nbformat.read(path, as_version=4)


@pytest.fixture(scope="session")
def root():
    return ROOT
