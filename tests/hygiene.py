"""Hygiene rules every chapter follows; each check takes a notebook and returns its violations.

The checks are plain functions so that the unit tests can run them both on the chapters
(which must pass) and on planted violations (which must be caught).
"""

from __future__ import annotations

import ast
import builtins
import re

import nbformat

# --- intervals: one convention, computed in one place (utils.stats) -------------------


def _code_cells(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def python_source(source: str) -> str:
    """The cell without IPython magics and shell lines, so that ast can parse it."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )


_QUANTILE_FUNCS = {"quantile", "percentile", "nanquantile", "nanpercentile"}
_INTERVAL_FUNCS = {"eti", "hdi"}


def _func_name(node) -> str | None:
    """``f`` for a call ``f(...)`` or ``anything.f(...)``."""
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _numbers(node) -> list[float]:
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, int | float):
            if not isinstance(sub.value, bool):
                found.append(float(sub.value))
    return found


def _interval_calls(tree) -> list[tuple[int, str]]:
    """Calls, however they are split over lines, that compute the book's interval."""
    found = []
    for node in ast.walk(tree):
        name = _func_name(node)
        if name in _QUANTILE_FUNCS:
            tails = {0.03, 0.97} if "quantile" in name else {3.0, 97.0}
            # the probabilities: q= or the second positional argument (np.quantile(a, q))
            # or the first of a method (draws.quantile(q)); not axis= and the like
            args = [k.value for k in node.keywords if k.arg == "q"]
            if isinstance(node.func, ast.Attribute) and not (
                isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"np", "numpy"}
            ):
                args += node.args[:1]
            args += node.args[1:2]
            if any(v in tails for a in args for v in _numbers(a)):
                found.append((node.lineno, "hard-coded interval quantile"))
        elif name in _INTERVAL_FUNCS:
            found.append((node.lineno, "use utils.stats.interval"))
    return found


def _interval_pairs(tree) -> list[int]:
    """Lines of list/tuple literals holding both 0.03 and 0.97 (or 3 and 97)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple):
            values = {
                e.value
                for e in node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, int | float)
            }
            if {0.03, 0.97} <= values or {3, 97} <= values:
                found.append(node.lineno)
    return found


def hard_coded_intervals(nb) -> list[str]:
    """Intervals computed by hand (3%/97% quantiles) or with az.eti/az.hdi, not utils.stats.

    Parsed, not matched by line: a call split over lines is caught, and so is a 3%/97%
    pair stored in a variable before it reaches a quantile call.
    """
    found = []
    for i, cell in _code_cells(nb):
        lines = cell.source.splitlines()
        tree = ast.parse(python_source(cell.source))
        calls = _interval_calls(tree)
        flagged = {n for n, _ in calls}
        for n, problem in calls:
            found.append(f"cell {i} line {n}: {problem}: {lines[n - 1].strip()}")
        for n in _interval_pairs(tree):
            if n not in flagged:
                found.append(
                    f"cell {i} line {n}: hard-coded interval quantiles: "
                    f"{lines[n - 1].strip()}"
                )
    return found


# --- warnings: no global filters -------------------------------------------------------


def _is_call(node, names: set[str]) -> bool:
    """A call of one of ``names``, as ``warnings.f()``, ``w.f()`` or an imported ``f()``."""
    return _func_name(node) in names


def global_warning_filters(nb) -> list[str]:
    """warnings.filterwarnings/simplefilter outside a ``with warnings.catch_warnings()``."""
    found = []
    for i, cell in _code_cells(nb):
        tree = ast.parse(python_source(cell.source))
        guarded = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.With) and any(
                _is_call(item.context_expr, {"catch_warnings"}) for item in node.items
            ):
                guarded.update(id(n) for n in ast.walk(node))
        for node in ast.walk(tree):
            if (
                _is_call(node, {"filterwarnings", "simplefilter"})
                and id(node) not in guarded
            ):
                found.append(f"cell {i} line {node.lineno}: global warning filter")
    return found


# --- functions: one definition in the book, inputs as arguments ------------------------


def defined_functions(nb) -> set[str]:
    """Names of the functions a notebook defines (at any depth)."""
    names = set()
    for _, cell in _code_cells(nb):
        for node in ast.walk(ast.parse(python_source(cell.source))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(node.name)
    return names


def functions_defined_twice(notebooks: dict[str, object]) -> list[str]:
    """Function names defined in more than one notebook (``{name: notebook}``)."""
    where: dict[str, list[str]] = {}
    for name, nb in notebooks.items():
        for func in defined_functions(nb):
            where.setdefault(func, []).append(name)
    return [
        f"{func} is defined in {', '.join(sorted(nbs))}"
        for func, nbs in where.items()
        if len(nbs) > 1
    ]


def _top_level_names(nb) -> tuple[set[str], set[str]]:
    """(data names assigned at notebook level, names of imports, functions and classes)."""
    data, callables = set(), set()
    for _, cell in _code_cells(nb):
        tree = ast.parse(python_source(cell.source))
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    callables.add((alias.asname or alias.name).split(".")[0])
            elif isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ):
                callables.add(node.name)
            else:
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                        data.add(sub.id)
                    elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        callables.add(sub.name)
    return data - callables, callables


def _bound_names(tree) -> set[str]:
    """Every name a piece of code binds: assignments, loop and with targets, arguments,
    imports, defs (of a function body: its locals; of a cell: what it defines)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def functions_reading_globals(nb) -> list[str]:
    """Functions whose body reads a notebook-level data name instead of an argument.

    Module-level imports, functions and classes may be used; UPPER_CASE names are
    constants and allowed too.
    """
    data, _ = _top_level_names(nb)
    found = []
    for i, cell in _code_cells(nb):
        for node in ast.walk(ast.parse(python_source(cell.source))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            local = _bound_names(node)
            reads = {
                n.id
                for n in ast.walk(node)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            }
            free = {
                name
                for name in reads - local
                if name in data and not name.isupper() and not hasattr(builtins, name)
            }
            if free:
                found.append(
                    f"cell {i}: {node.name}() reads notebook globals {sorted(free)}"
                )
    return found


# --- the page's code runs as shown: no visible cell needs a hidden one -----------------

_HIDDEN_TAGS = {"remove-cell", "remove-input"}


def visible_code_using_hidden_names(nb) -> list[str]:
    """Visible code cells that read a name only a hidden (removed) cell has defined.

    A reader who copies the code shown on the page must be able to run it; a name that
    only a ``remove-cell`` or ``remove-input`` cell defines would be a NameError there.
    """
    visible, hidden, found = set(), set(), []
    for i, cell in _code_cells(nb):
        tree = ast.parse(python_source(cell.source))
        bound = _bound_names(tree)
        if _HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            hidden |= bound
            continue
        reads = {
            n.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        missing = sorted(
            name
            for name in reads - visible - bound
            if name in hidden and not hasattr(builtins, name)
        )
        if missing:
            found.append(
                f"cell {i} reads names defined only in hidden cells: {missing}"
            )
        visible |= bound
    return found


# --- figures: their randomness from their own generator --------------------------------

_PLOTTING = re.compile(r"\b(plt|ax|axs|fig)\b\.|\bplot_\w+\(|\bsns\.")


def figures_using_sampling_rng(nb, sampling_rng: str = "rng") -> list[str]:
    """Cells that draw a figure with the generator the fits use (editing it shifts fits)."""
    found = []
    uses = re.compile(rf"\b{re.escape(sampling_rng)}\b(?!_)")
    for i, cell in _code_cells(nb):
        is_figure = "figure" in cell.metadata.get("mystnb", {}) or _PLOTTING.search(
            cell.source
        )
        if is_figure and uses.search(cell.source):
            found.append(
                f"cell {i}: a figure cell uses {sampling_rng!r}; give it its own generator"
            )
    return found


# --- prose: every mention of another chapter is a link ---------------------------------

_CHAPTER_MENTION = re.compile(
    r"\b(?:(?:a|the|an)\s+)?(?:later|next|previous|earlier|following|coming|subsequent|"
    r"last|preceding|other)\s+chapters?\b|\bchapters?\s+\d+\b",
    re.I,
)
_LINK = re.compile(r"\{(?:ref|numref|doc)\}`")
# A chapter of a cited book, e.g. "McElreath (2020), chapter 14" or "BDA3, chapter 5".
_CITATION = re.compile(r"\(\d{4}[a-z]?\)|\b(?:19|20)\d{2}[a-z]?\b|et al\.|edition")


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?:])\s+(?=[A-Z(*`{])|\n\s*\n|\n-\s", text)


def unlinked_chapter_mentions(nb) -> list[str]:
    """Sentences that mention another chapter of the course without a {ref} link."""
    found = []
    in_references = False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        if re.search(r"^#+\s+References", cell.source, re.M):
            in_references = True
        elif re.search(r"^#\s", cell.source, re.M):
            in_references = False
        if in_references:
            continue
        for sentence in _sentences(cell.source):
            for match in _CHAPTER_MENTION.finditer(sentence):
                if _LINK.search(sentence):
                    continue
                if re.fullmatch(
                    r"chapters?\s+\d+", match.group(0), re.I
                ) and _CITATION.search(sentence):
                    continue
                found.append(
                    f"cell {i}: unlinked mention of a chapter: {match.group(0)!r}"
                )
    return found


def links_to_notation(nb) -> bool:
    """The chapter links the notation page ({ref}`notation`) in its markdown."""
    return any(
        "{ref}`notation`" in c.source
        or re.search(r"\{ref\}`[^`<]*<notation>`", c.source)
        for c in nb.cells
        if c.cell_type == "markdown"
    )


def notebook_from_cells(*cells: tuple[str, str], metadata: dict | None = None):
    """A notebook of ``(kind, source)`` cells, for planting violations in tests."""
    nb = nbformat.v4.new_notebook()
    for kind, source in cells:
        cell = (
            nbformat.v4.new_code_cell(source)
            if kind == "code"
            else nbformat.v4.new_markdown_cell(source)
        )
        nb.cells.append(cell)
    if metadata:
        nb.cells[-1].metadata.update(metadata)
    return nb
