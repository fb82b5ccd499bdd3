"""A chapter opened in Google Colab runs top to bottom through its first cell.

What is emulated: Colab's Python (3.13) with the package versions of its published runtime
(``colab_runtime.txt``, with the snapshot's date and source), numpy, pandas and matplotlib
imported before the first cell (Colab loads them when the runtime starts), the module
``google.colab`` present, a kernel from ipykernel 6.17 as in Colab, and the Colab cell
cloning the course (here: a local git repository holding this checkout, instead of GitHub)
and installing from the package registry. A runtime restart is emulated as Colab does it:
the kernel process dies, a fresh one starts with the same installed packages and the same
preloaded modules, and the notebook runs again from the top.

What is not emulated: Colab's own services (Drive, secrets, the frontend, its kernel
gateway and resource limits), its Ubuntu image and system libraries, and the exact Python
patch release (3.13.15 there).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

from tests.conftest import ROOT, copy_checkout

HERE = Path(__file__).resolve().parent
RUNTIME = HERE / "colab_runtime.txt"
CACHE = ROOT / "build" / "colab"
CHAPTER = ROOT / "chapters" / f"{os.environ.get('COLAB_CHAPTER', '01_pooling')}.ipynb"
GITHUB = "https://github.com/multilevel-pymc/multilevel-modeling-with-pymc"
PRELOAD = (
    "import sys, types\n"
    "sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
    "import numpy, pandas, matplotlib\n"
)


def _python313() -> str:
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [
        os.environ.get("COLAB_PYTHON"),
        *sorted(pyenv.glob("3.13*/bin/python3.13")),
    ]
    candidates += [
        shutil.which("python3.13"),
        "/usr/bin/python3.13",
        "/usr/local/bin/python3.13",
    ]
    for candidate in filter(None, candidates):
        check = "import sys; sys.exit(sys.version_info[:2] != (3, 13))"
        if (
            Path(candidate).exists()
            and subprocess.run([str(candidate), "-c", check]).returncode == 0
        ):
            return str(candidate)
    pytest.fail(
        "Python 3.13 is needed to emulate Colab (install it or set COLAB_PYTHON)"
    )


@pytest.fixture(scope="session")
def colab_base() -> Path:
    """A Python 3.13 virtualenv with Colab's packages; cached under build/colab/."""
    base = CACHE / "base"
    stamp = base / ".colab_runtime.txt"
    if stamp.exists() and stamp.read_text() == RUNTIME.read_text():
        return base
    shutil.rmtree(base, ignore_errors=True)
    base.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([_python313(), "-m", "venv", str(base)], check=True)
    pip = [str(base / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(RUNTIME)], check=True)
    stamp.write_text(RUNTIME.read_text())
    return base


@pytest.fixture(scope="session")
def course_repo(tmp_path_factory) -> Path:
    """A git repository on branch main holding this checkout's tracked files."""
    repo = copy_checkout(tmp_path_factory.mktemp("origin") / "course")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], cwd=repo, check=True)
    return repo


class Runtime:
    """One Colab runtime: its own copy of the packages, its /content folder, a kernel."""

    def __init__(self, base: Path, where: Path):
        self.env = where / "env"
        self.content = where / "content"
        self.content.mkdir(parents=True)
        # hard links: a private, cheap copy that pip may change without touching the base
        subprocess.run(["cp", "-al", str(base), str(self.env)], check=True)
        spec = where / "kernels" / "kernels" / "colab"
        spec.mkdir(parents=True)
        python = str(self.env / "bin" / "python")
        argv = [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(
            json.dumps({"argv": argv, "language": "python"})
        )
        self.jupyter_path = str(where / "kernels")

    def run(self, nb, monkeypatch, timeout=1200):
        """Execute in a fresh kernel of this runtime; return the executed notebook."""
        monkeypatch.setenv("JUPYTER_PATH", self.jupyter_path)
        monkeypatch.delenv("PYTHONPATH", raising=False)
        monkeypatch.setenv("MPLBACKEND", "Agg")
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="colab",
            resources={"metadata": {"path": str(self.content)}},
        )
        client.execute()
        return nb


def colab_notebook(repo: Path, preload: str = PRELOAD, cell_edit=None, upto=None):
    """The chapter as Colab opens it, its Colab cell pointed at the local repository."""
    nb = nbformat.read(CHAPTER, as_version=4)
    colab_cell = nb.cells[1]
    assert GITHUB in colab_cell.source
    colab_cell.source = colab_cell.source.replace(GITHUB, f"file://{repo}")
    if cell_edit:
        colab_cell.source = cell_edit(colab_cell.source)
    nb.cells.insert(1, nbformat.v4.new_code_cell(preload))
    if upto == "first fit":
        upto = 1 + next(i for i, c in enumerate(nb.cells) if "pm.sample(" in c.source)
    if upto is not None:
        nb.cells = nb.cells[:upto]
    return nb


def outputs_text(nb) -> str:
    return "\n".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def test_fresh_runtime_keeps_colab_numpy_and_runs_the_chapter(
    colab_base, course_repo, tmp_path, monkeypatch
):
    runtime = Runtime(colab_base, tmp_path)
    start = time.perf_counter()
    nb = runtime.run(colab_notebook(course_repo), monkeypatch)
    text = outputs_text(nb)
    assert "keeping Colab's numpy, pandas, matplotlib" in text
    assert "restarts the runtime" not in text and "packages are ready" in text
    # the chapter really ran on Colab's numpy and pandas, beside the course's PyMC
    probe = nbformat.v4.new_code_cell(
        "import numpy, pandas, pymc, arviz, sys; print(sys.version_info[:2], "
        "numpy.__version__, pandas.__version__, pymc.__version__, arviz.__version__)"
    )
    nb2 = colab_notebook(course_repo, upto=3)
    nb2.cells.append(probe)
    runtime.run(nb2, monkeypatch)
    versions = probe.outputs[-1]["text"]
    assert "(3, 13) 2.1.3 2.2.3 6.4.0 1.3.0" in versions, versions
    print(f"emulated Colab run of {CHAPTER.name}: {time.perf_counter() - start:.0f} s")


def test_loaded_old_pymc_forces_a_restart_then_the_chapter_runs(
    colab_base, course_repo, tmp_path, monkeypatch
):
    """A reader who imported Colab's PyMC first: the cell replaces it and restarts."""
    runtime = Runtime(colab_base, tmp_path)
    first = colab_notebook(course_repo, preload=PRELOAD + "import pymc\n")
    with pytest.raises(DeadKernelError):
        runtime.run(first, monkeypatch)
    assert "restarts the runtime" in outputs_text(first)
    # Colab's fresh runtime after the restart: the same preloads, the notebook from the top;
    # the setup cell and the first fit are enough here (the full chapter ran above)
    again = colab_notebook(course_repo, upto="first fit")
    runtime.run(again, monkeypatch)
    text = outputs_text(again)
    assert "packages are ready" in text and "Installing" not in text


def test_without_the_restart_the_chapter_fails(
    colab_base, course_repo, tmp_path, monkeypatch
):
    """The restart is not decoration: with old PyMC in memory the chapter breaks."""
    runtime = Runtime(colab_base, tmp_path)
    no_restart = colab_notebook(
        course_repo,
        preload=PRELOAD + "import pymc\n",
        cell_edit=lambda s: s.replace(
            "prepare(course_dir)", "prepare(course_dir, restart=lambda: None)"
        ),
        upto="first fit",
    )
    with pytest.raises(CellExecutionError):
        runtime.run(no_restart, monkeypatch)


def test_without_the_install_the_chapter_fails(
    colab_base, course_repo, tmp_path, monkeypatch
):
    """Nor is the install: Colab's own PyMC 5 and ArviZ 0.22 cannot run the chapter."""
    runtime = Runtime(colab_base, tmp_path)
    no_install = colab_notebook(
        course_repo,
        cell_edit=lambda s: s.replace("    prepare(course_dir)\n", "").replace(
            "    prepare(course_dir)", ""
        ),
        upto="first fit",
    )
    assert "prepare(course_dir)" not in no_install.cells[2].source
    with pytest.raises(CellExecutionError):
        runtime.run(no_install, monkeypatch)


def test_the_emulated_runtime_matches_the_snapshot(colab_base):
    out = subprocess.run(
        [
            str(colab_base / "bin" / "python"),
            "-c",
            "import sys, numpy, pandas; "
            "print(sys.version_info[:2], numpy.__version__, pandas.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "(3, 13) 2.1.3 2.2.3"
    assert sys.version_info[:2] == (3, 12), (
        "the test driver itself runs in the course's venv"
    )
