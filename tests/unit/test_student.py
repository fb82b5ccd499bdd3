"""The student edition removes solutions completely and leaves runnable notebooks."""

import ast
import builtins

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.conftest import CHAPTERS, read_notebook
from tools.student import ANSWER, StudentEditionError, split_solutions


def _nb(*cells):
    return new_notebook(cells=list(cells))


def test_split_removes_everything_between_markers():
    nb = _nb(
        new_markdown_cell(
            "```{exercise} Applied · 5 min\n:label: a-ex-1\n\nDo it.\n```"
        ),
        new_markdown_cell("```{solution-start} a-ex-1\n:class: dropdown\n```"),
        new_code_cell("secret_answer = 42"),
        new_markdown_cell("Because reasons."),
        new_markdown_cell("```{solution-end}\n```"),
        new_code_cell("print('after')"),
    )
    kept, removed = split_solutions(nb)
    assert [c.source for c in kept][1:] == [ANSWER, "print('after')"]
    assert len(removed["a-ex-1"]) == 4


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["```{solution-start} x\n```"], "never closed"),
        (["```{solution-end}\n```"], "without a solution-start"),
        (
            ["```{solution-start} x\n```", "```{solution-start} y\n```"],
            "starts inside x",
        ),
    ],
)
def test_split_rejects_broken_markers(cells, message):
    with pytest.raises(StudentEditionError, match=message):
        split_solutions(_nb(*[new_markdown_cell(c) for c in cells]))


def _names(source, kind):
    """Names a code cell assigns (kind='store') or reads (kind='load')."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    ctx = ast.Store if kind == "store" else ast.Load
    names = {
        n.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)
    }
    if kind == "store":
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                names.add(node.name)
            if isinstance(node, ast.Import | ast.ImportFrom):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_notebook_needs_nothing_from_solutions(path):
    """Every name the kept cells read is defined by a kept cell before it (or a builtin)."""
    kept, _ = split_solutions(read_notebook(path))
    defined = set(dir(builtins)) | {"display", "get_ipython"}
    for cell in kept:
        if cell.cell_type != "code":
            continue
        tree_names = _names(cell.source, "load")
        # names bound inside the cell itself (loops, comprehensions, lambdas) count too
        local = _names(cell.source, "store")
        missing = tree_names - defined - local - _bound_in_scopes(cell.source)
        assert not missing, (
            f"{path.name}: {sorted(missing)} used but only defined in solutions"
        )
        defined |= local


def _bound_in_scopes(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            bound.add(node.arg)
        if isinstance(node, ast.comprehension | ast.For):
            bound |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    return bound


def test_notebooks_round_trip(tmp_path):
    kept, _ = split_solutions(read_notebook(CHAPTERS[0]))
    nb = new_notebook(cells=kept)
    nbformat.validate(nb)
