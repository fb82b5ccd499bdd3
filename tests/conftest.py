"""Shared paths for the test suite."""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def read_notebook(path):
    return nbformat.read(path, as_version=4)


@pytest.fixture(scope="session")
def root():
    return ROOT
