"""Build the student edition: the book and the notebooks with every solution removed.

Usage (``make student`` builds the book first, whose executed notebooks this reuses)::

    python -m tools.student --out build/student

writes

- ``build/student/website/``: the website without solutions (absent from the HTML, not
  folded), built from the book's executed notebooks with the solution cells removed;
- ``build/student/notebooks/``: the chapters with solution cells removed and outputs
  cleared, plus ``utils/``, ``data/`` and ``requirements.txt`` so that the folder runs on
  its own (hand it out through an LMS or a JupyterHub).

A solution is every cell from a ``{solution-start}`` markdown cell to the matching
``{solution-end}`` cell, inclusive. Each removed solution is replaced by one empty code
cell headed ``# Your answer here``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
START = re.compile(r"```\{solution-start\}\s+(\S+)")
END = re.compile(r"```\{solution-end\}")
ANSWER = "# Your answer here\n"


class StudentEditionError(RuntimeError):
    """The sources cannot be turned into a student edition."""


def split_solutions(nb) -> tuple[list, dict[str, list]]:
    """Return (cells without solutions, {exercise label: removed solution cells})."""
    kept, removed, current = [], {}, None
    for cell in nb.cells:
        text = cell.source if cell.cell_type == "markdown" else ""
        start, end = START.search(text), END.search(text)
        if start:
            if current is not None:
                raise StudentEditionError(
                    f"solution {start.group(1)} starts inside {current}"
                )
            current = start.group(1)
            removed[current] = [cell]
            kept.append(nbformat.v4.new_code_cell(ANSWER))
            continue
        if current is not None:
            removed[current].append(cell)
            if end:
                current = None
            continue
        if end:
            raise StudentEditionError("solution-end without a solution-start")
        kept.append(cell)
    if current is not None:
        raise StudentEditionError(f"solution {current} is never closed")
    return kept, removed


def strip_notebook(
    path: Path, clear_outputs: bool
) -> tuple[nbformat.NotebookNode, dict]:
    nb = nbformat.read(path, as_version=4)
    cells, removed = split_solutions(nb)
    nb.cells = cells
    for cell in nb.cells:
        if clear_outputs and cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb, removed


def _chapters() -> list[Path]:
    return sorted((ROOT / "chapters").glob("*.ipynb"))


def _pin(package: str) -> str:
    """The exact pin of a maintainer-side package (JupyterLab for the handout's README)."""
    for line in (ROOT / "requirements-dev.txt").read_text().splitlines():
        if line.lower().startswith(f"{package}=="):
            return line.strip()
    raise StudentEditionError(f"requirements-dev.txt does not pin {package}")


def build_notebooks(out: Path) -> None:
    """Student notebooks: no solutions, no outputs, with what they need to run."""
    dest = out / "notebooks"
    shutil.rmtree(dest, ignore_errors=True)
    (dest / "chapters").mkdir(parents=True)
    for path in _chapters():
        nb, _ = strip_notebook(path, clear_outputs=True)
        nbformat.write(nb, dest / "chapters" / path.name)
    shutil.copytree(ROOT / "data", dest / "data")
    shutil.copytree(
        ROOT / "utils",
        dest / "utils",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    for name in ("requirements.txt", "LICENSE"):
        shutil.copy(ROOT / name, dest / name)
    # The handout installs only the chapters' helpers (utils/); maintainer tools stay behind.
    pyproject = (ROOT / "pyproject.toml").read_text()
    packages = 'packages = ["utils", "tools"]'
    if packages not in pyproject:
        raise StudentEditionError(f"pyproject.toml no longer declares {packages}")
    (dest / "pyproject.toml").write_text(
        pyproject.replace(packages, 'packages = ["utils"]')
    )
    (dest / "README.md").write_text(
        "# Multilevel Modeling with PyMC: student notebooks\n\n"
        "Install Python 3.12 or 3.13, then in this folder:\n\n"
        "    python3.12 -m venv .venv\n"
        f"    .venv/bin/pip install -r requirements.txt {_pin('jupyterlab')}\n"
        "    .venv/bin/jupyter lab chapters\n\n"
        "Each exercise is followed by an empty cell marked `# Your answer here`.\n"
    )


def executed_notebook(path: Path, cache: Path = CACHE) -> nbformat.NotebookNode:
    """The notebook as the last ``make book`` executed it: current sources, cached outputs.

    Read from the book's execution cache (not ``_build/jupyter_execute``, whose copies lose
    their outputs when a rebuild only re-renders an unchanged-code notebook, and whose glued
    values live in separate files).
    """
    from jupyter_cache import get_cache

    try:
        _, nb = get_cache(str(cache)).merge_match_into_file(str(path))
    except KeyError as err:
        raise StudentEditionError(
            f"{path.name} has no executed copy in {cache}: run `make book` first"
        ) from err
    return nb


def build_website(out: Path, cache: Path = CACHE) -> Path:
    """Student website from the executed notebooks of the main build, solutions removed."""
    src = out / "site-src"
    shutil.rmtree(src, ignore_errors=True)
    (src / "chapters").mkdir(parents=True)
    for path in _chapters():
        nb = executed_notebook(path, cache)
        nb.cells, _ = split_solutions(nb)
        nbformat.write(nb, src / "chapters" / path.name)
    for path in ROOT.glob("*.md"):
        if path.name != "README.md":
            shutil.copy(path, src / path.name)
    for path in ROOT.glob("*.ipynb"):
        nbformat.write(executed_notebook(path, cache), src / path.name)
    shutil.copy(ROOT / "_toc.yml", src / "_toc.yml")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = config["title"] + " (student edition)"
    config["execute"]["execute_notebooks"] = "off"
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    site = out / "website"
    shutil.rmtree(site, ignore_errors=True)
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(src),
        "--path-output",
        str(out / "site-build"),
        "-W",
        "-n",
        "--keep-going",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-5000:] + result.stderr[-5000:])
        raise StudentEditionError(
            "the student website did not build cleanly (see above)"
        )
    shutil.copytree(out / "site-build" / "_build" / "html", site)
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    parser.add_argument(
        "--cache",
        type=Path,
        default=CACHE,
        help="execution cache of the main build (default: _build/.jupyter_cache)",
    )
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    build_notebooks(out)
    site = build_website(out, args.cache.resolve())
    print(f"Student notebooks: {out / 'notebooks'}")
    print(f"Student website:   {site / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
