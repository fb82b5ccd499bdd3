"""The book's structure and notebook hygiene: every chapter follows the same skeleton."""

import ast
import re
import subprocess
import sys

import pytest
import yaml

from tests import hygiene
from tests.conftest import CHAPTERS, ROOT, read_notebook

SAMPLING_CALLS = {"sample", "sample_prior_predictive", "sample_posterior_predictive"}
LEVELS = ("Conceptual", "Applied", "Challenge")


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return files


def test_there_are_chapters():
    assert len(CHAPTERS) >= 1


def test_every_chapter_is_in_toc_and_back():
    listed = {f for f in toc_files() if f.startswith("chapters/")}
    present = {f"chapters/{p.stem}" for p in CHAPTERS}
    assert present - listed == set(), "notebooks missing from _toc.yml"
    assert listed - present == set(), "_toc.yml lists notebooks that do not exist"
    for f in toc_files():
        assert any((ROOT / f"{f}{ext}").exists() for ext in (".md", ".ipynb", "")), f


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = read_notebook(path)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    assert dirty == [], f"cells with outputs or execution counts: {dirty} (strip them)"


def _colab_cell():
    return read_notebook(CHAPTERS[0]).cells[1]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
class TestChapterSkeleton:
    def test_label_and_title(self, path):
        first = read_notebook(path).cells[0]
        assert first.cell_type == "markdown"
        lines = first.source.strip().splitlines()
        assert re.fullmatch(r"\([a-z0-9-]+\)=", lines[0]), (
            "first line must be a (label)="
        )
        assert lines[1].startswith("# "), "second line must be the H1 title"

    def test_colab_cell_then_setup(self, path):
        cells = read_notebook(path).cells
        colab, setup = cells[1], cells[2]
        assert colab.source == _colab_cell().source, (
            "the Colab cell must be the same everywhere"
        )
        assert "google.colab" in colab.source and "remove-cell" in colab.metadata.get(
            "tags", []
        )
        yaml_cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
        assert yaml_cfg["repository"]["url"] in colab.source
        assert "set_theme()" in setup.source and "book_seed()" in setup.source
        assert set(setup.metadata.get("tags", [])) & {"hide-input", "remove-cell"}

    def test_objectives_takeaways_exercises_references(self, path):
        text = "\n".join(
            c.source for c in read_notebook(path).cells if c.cell_type == "markdown"
        )
        assert "Learning objectives" in text
        assert re.search(r"^## Key takeaways", text, re.M)
        assert re.search(r"^## Exercises", text, re.M)
        assert re.search(r"^## References", text, re.M)

    def test_exercises_are_levelled_and_solved(self, path):
        cells = read_notebook(path).cells
        exercises, solutions, open_solution = [], [], None
        for c in cells:
            if c.cell_type != "markdown":
                continue
            for m in re.finditer(r"```\{exercise\}\s*(.*)\n:label: (\S+)", c.source):
                title, label = m.groups()
                assert title.split(" ")[0] in LEVELS, (
                    f"{label}: title must start with a level"
                )
                assert re.search(r"\d+\s*min", title), (
                    f"{label}: title must give a time estimate"
                )
                exercises.append(label)
            start = re.search(
                r"```\{solution-start\} (\S+)\n:class: dropdown", c.source
            )
            if start:
                assert open_solution is None, "nested solution-start"
                open_solution = start.group(1)
                solutions.append(open_solution)
            if "{solution-end}" in c.source:
                assert open_solution, "solution-end without solution-start"
                open_solution = None
        assert open_solution is None, "a solution-start is never closed"
        assert len(exercises) >= 4, "at least 4 exercises"
        assert sorted(solutions) == sorted(exercises), (
            "every exercise has exactly one solution"
        )
        assert any(s for s in solutions)

    def test_every_sampling_call_passes_a_seed(self, path):
        for c in read_notebook(path).cells:
            if c.cell_type != "code" or c.source.lstrip().startswith(("%", "!")):
                continue
            for node in ast.walk(ast.parse(c.source)):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SAMPLING_CALLS
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "pm"
                ):
                    keywords = {k.arg for k in node.keywords}
                    assert "random_seed" in keywords, (
                        f"unseeded pm.{node.func.attr}: {c.source[:80]}"
                    )

    def test_no_installs_or_blanket_warning_filters(self, path):
        for c in read_notebook(path).cells:
            if c.cell_type != "code":
                continue
            assert not re.search(r"^\s*[!%]\s*pip", c.source, re.M), (
                "no !pip/%pip cells"
            )
            assert not re.search(r"filterwarnings\(\s*['\"]ignore['\"]\s*\)", c.source)
            assert not re.search(r"simplefilter\(\s*['\"]ignore['\"]\s*\)", c.source)
            assert "import *" not in c.source
            assert (
                not re.search(r"https?://", c.source)
                or c is read_notebook(path).cells[1]
                or ("google.colab" in c.source)
            ), "no URLs in code: chapters run offline"

    def test_hidden_checks_exist(self, path):
        checks = [
            c
            for c in read_notebook(path).cells
            if c.cell_type == "code"
            and "remove-cell" in c.metadata.get("tags", [])
            and "assert" in c.source
        ]
        assert checks, "every chapter asserts its claims in hidden cells"


def test_ruff_lint_and_format():
    targets = ["utils", "tests", "chapters"]
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def _pins(name):
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line in ("-e .", "-r requirements.txt"):
            continue
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9_.]*", line), (
            f"not pinned: {line}"
        )
        pins[line.split("==")[0].lower()] = line
    return pins


def test_pinned_requirements():
    run, dev = _pins("requirements.txt"), _pins("requirements-dev.txt")
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()
    assert (
        "-r requirements.txt"
        in (ROOT / "requirements-dev.txt").read_text().splitlines()
    )
    assert not set(run) & set(dev), "a package is pinned in both files"
    # the chapters' run time holds no book or test tooling (Binder and Colab install it)
    assert not {
        "jupyter-book",
        "sphinx",
        "pytest",
        "nbval",
        "ruff",
        "playwright",
    } & set(run)
    assert {"pymc", "nutpie", "arviz", "numpy", "pandas"} <= set(run)
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.12"
    assert sys.version_info[:2] in ((3, 12), (3, 13)), (
        "the course runs on Python 3.12 or 3.13"
    )
    assert "graphviz" in (ROOT / "apt.txt").read_text().split()


def test_chapters_import_only_runtime_packages():
    """Every module a chapter imports is provided by requirements.txt (or the standard
    library or utils), so Binder and Colab, which install only that file, run it."""
    import ast
    import importlib.metadata as md

    run = set(_pins("requirements.txt"))
    for path in CHAPTERS:
        for cell in read_notebook(path).cells:
            if cell.cell_type != "code":
                continue
            source = hygiene.python_source(cell.source)
            for node in ast.walk(ast.parse(source)):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in ("utils", "google"):
                        continue
                    dists = {
                        d.lower() for d in md.packages_distributions().get(top, [])
                    }
                    assert dists & run, (
                        f"{path.name} imports {top}, not in requirements.txt"
                    )


def test_config_is_strict():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cfg["execute"]["allow_errors"] is False
    assert cfg["only_build_toc_files"] is True
    assert cfg["execute"]["execute_notebooks"] in ("cache", "force")
    assert cfg["launch_buttons"]["notebook_interface"] == "jupyterlab"
    makefile = (ROOT / "Makefile").read_text()
    assert "-W" in makefile and "--keep-going" in makefile
