"""The student handout folder runs on its own: its utils/ and data/ are complete.

``make test-handout`` builds the handout into build/student/notebooks/ and passes its
location in HANDOUT. The book build has already executed every cell the handout keeps;
these checks cover what that execution cannot: that the copied folder has every dataset,
every helper and every name the handout's chapters import, and runs from elsewhere.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def handout() -> Path:
    where = os.environ.get("HANDOUT")
    if not where or not (Path(where) / "chapters").is_dir():
        pytest.fail("HANDOUT is not a built handout folder: run `make test-handout`")
    return Path(where)


def _run(handout: Path, code: str, cwd: Path) -> str:
    """Python code run in a fresh interpreter that sees only the handout's utils.

    The course's own virtualenv has utils/ installed in editable mode, whose import hook
    would quietly supply a module missing from the handout; it is removed first.
    """
    env = {**os.environ, "PYTHONPATH": str(handout), "MPLBACKEND": "Agg"}
    code = (
        "import sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path\n"
        "                    if '__editable__' not in getattr(f, '__module__', '')]\n"
        + code
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_dataset_loads_from_the_handout(handout, tmp_path):
    code = (
        "import json, pathlib, utils, utils.data as d\n"
        "names = [n for n in dir(d) if n.startswith('load_')]\n"
        "rows = {n: len(getattr(d, n)()) for n in names}\n"
        "print(json.dumps({'utils': utils.__file__, 'data': str(d.DATA_DIR), "
        "'rows': rows}))\n"
    )
    out = json.loads(_run(handout, code, cwd=tmp_path))
    assert Path(out["utils"]).is_relative_to(handout)
    assert Path(out["data"]).resolve() == (handout / "data").resolve()
    assert len(out["rows"]) >= 5 and all(n > 0 for n in out["rows"].values()), out
    shipped = {p.name for p in (handout / "data").glob("*.csv")}
    assert shipped == {p.name for p in (ROOT / "data").glob("*.csv")}


def _imports(nb) -> set[tuple[str, str]]:
    """(module, name) for every `from utils... import name` and `utils.mod.name` use."""
    found = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = [
            ln
            for ln in cell.source.splitlines()
            if not ln.lstrip().startswith(("%", "!"))
        ]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "utils"
            ):
                found |= {(node.module, a.name) for a in node.names}
            if isinstance(node, ast.Import):
                found |= {
                    (a.name, "") for a in node.names if a.name.startswith("utils")
                }
    return found


def test_every_helper_the_handout_imports_exists_in_the_handout(handout, tmp_path):
    wanted = set()
    for path in sorted((handout / "chapters").glob("*.ipynb")):
        wanted |= _imports(nbformat.read(path, as_version=4))
    assert wanted, "the handout's chapters import nothing from utils"
    code = (
        "import importlib, json, sys\n"
        f"wanted = {sorted(wanted)!r}\n"
        "missing = []\n"
        "for module, name in wanted:\n"
        "    m = importlib.import_module(module)\n"
        "    if name and not hasattr(m, name):\n"
        "        try:\n"
        "            importlib.import_module(module + '.' + name)\n"
        "        except ImportError:\n"
        "            missing.append(module + '.' + name)\n"
        "print(json.dumps(missing))\n"
    )
    assert json.loads(_run(handout, code, cwd=tmp_path)) == []


def test_the_handout_pins_what_the_book_pins(handout):
    assert (handout / "requirements.txt").read_text() == (
        ROOT / "requirements.txt"
    ).read_text()
    assert len(list((handout / "chapters").glob("*.ipynb"))) == len(
        list((ROOT / "chapters").glob("*.ipynb"))
    )
