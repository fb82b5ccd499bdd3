"""The built website as a reader sees it: run after `make student` (which builds the book)."""

import json
import os
import re
import subprocess
import sys

import nbformat
import pytest
from bs4 import BeautifulSoup

from tests.conftest import CHAPTERS, ROOT
from tests.site.conftest import HTML, SCREENSHOTS

PAGES = [f"chapters/{p.stem}.html" for p in CHAPTERS]
GENERIC_ALT = {"", "figure", "image", "plot", "png", "svg", "graph", "chart", "output"}


def soup(page):
    return BeautifulSoup((HTML / page).read_text(), "html.parser")


def test_every_chapter_page_exists(site):
    for page in PAGES:
        assert (site / page).exists(), page


@pytest.mark.parametrize("page", PAGES)
class TestStaticPage:
    def test_no_tracebacks_stderr_or_warnings(self, site, page):
        doc = soup(page)
        assert not doc.select(".output.stderr, .cell_output .stderr"), (
            "stderr in outputs"
        )
        assert not doc.select(".output.traceback"), "traceback in outputs"
        for out in doc.select(".cell_output"):
            text = out.get_text()
            assert "Traceback (most recent call last)" not in text
            assert not re.search(r"\b\w*Warning:", text), (
                f"warning in output: {text[:200]}"
            )

    def test_images_have_meaningful_alt_text(self, site, page):
        images = soup(page).select("article img")
        assert images, "a chapter without figures?"
        for img in images:
            alt = (img.get("alt") or "").strip()
            assert alt.lower() not in GENERIC_ALT and len(alt) >= 15, (
                f"poor alt text: {alt!r}"
            )
            src = img.get("src", "")
            if not src.startswith("data:"):
                assert (site / "chapters" / src).resolve().exists(), (
                    f"missing image {src}"
                )

    def test_figures_have_captions(self, site, page):
        figures = soup(page).select("article figure")
        assert figures
        for fig in figures:
            assert fig.select_one("figcaption"), "figure without caption"
            assert fig.get("id"), "figure without a name"

    def test_launch_and_download_buttons(self, site, page):
        html = (site / page).read_text()
        assert "mybinder.org/v2/gh/" in html, "Binder button"
        assert (
            "urlpath=lab" in html or "urlpath=%2Flab" in html or "lab/tree" in html
        ), "Binder must open JupyterLab"
        assert "colab.research.google.com/github/" in html, "Colab button"
        assert re.search(r"_sources/chapters/[^\"]+\.ipynb", html), (
            "download .ipynb button"
        )
        assert "github.com/" in html, "repository button"

    def test_solutions_are_folded(self, site, page):
        solutions = soup(page).select("div.solution")
        assert len(solutions) >= 4
        for sol in solutions:
            assert "dropdown" in sol.get("class", []), "solutions must be folded"

    def test_learning_objectives_and_exercises(self, site, page):
        doc = soup(page)
        assert "Learning objectives" in doc.get_text()
        assert len(doc.select("div.exercise")) >= 4


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_executed_figures_carry_metadata(site, path):
    """Every cell that made an image has a caption, a name and alt text, and one image only."""
    from tools.student import executed_notebook

    nb = executed_notebook(path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        # Values glued with display=False are stored as outputs but never rendered.
        cell.outputs = [
            o
            for o in cell.outputs
            if not o.get("metadata", {}).get("scrapbook", {}).get("mime_prefix")
        ]
        kinds = [o.output_type for o in cell.outputs]
        assert "stream" not in kinds or all(
            o.get("name") != "stderr" for o in cell.outputs if o.output_type == "stream"
        ), f"cell {i} wrote to stderr"
        images = [
            o
            for o in cell.outputs
            if set(o.get("data", {})) & {"image/png", "image/svg+xml"}
        ]
        if not images:
            continue
        meta = cell.metadata.get("mystnb", {})
        fig, img = meta.get("figure", {}), meta.get("image", {})
        where = f"cell {i}: {cell.source[:60]!r}"
        assert fig.get("caption") and fig.get("name"), (
            f"{where} needs a caption and a name"
        )
        assert len(img.get("alt", "")) >= 15, f"{where} needs real alt text"
        assert len(images) == 1 and len(cell.outputs) == 1, (
            f"{where}: one image, no other output"
        )


# Console messages of the themes themselves, not of the book's content:
BENIGN_CONSOLE = (
    # Jupyter Book 1 registers sphinx-thebe's config script twice on every page; thebe
    # (live code) is not enabled, so the second declaration has no effect.
    "Identifier 'THEBE_JS_URL' has already been declared",
    # pydata-sphinx-theme logs this when no light/dark preference is stored yet.
    "Got invalid theme mode",
)


def _benign(text):
    return any(b in text for b in BENIGN_CONSOLE)


def _shoot(page_obj, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page_obj.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("page", ["index.html", *PAGES])
def test_page_in_browser(browser_context, server, page):
    tab = browser_context.new_page()
    errors = []
    tab.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not _benign(m.text) else None
        ),
    )
    tab.on("pageerror", lambda e: None if _benign(str(e)) else errors.append(str(e)))
    try:
        tab.goto(f"{server}/{page}", wait_until="networkidle")
        broken = tab.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.src)"
        )
        assert broken == [], f"images that did not load: {broken}"
        if page != "index.html":
            # Some math sits in folded solutions, so wait for it to exist, not to be visible.
            tab.wait_for_selector("mjx-container", state="attached", timeout=20_000)
            assert tab.locator("mjx-container:visible").count() > 0, (
                "math did not render"
            )
            assert tab.locator("details.solution, div.solution.dropdown").count() >= 4
            # Folded: the body of the first solution is hidden until clicked.
            body = tab.locator("div.solution .solution-content").first
            assert not body.is_visible(), "solution content visible before clicking"
            # Code lines (at most 88 characters) fit without a horizontal scrollbar, in
            # the main column and in unfolded solutions alike.
            tab.evaluate(
                "document.querySelectorAll('details').forEach(d => d.open = true)"
            )
            too_wide = tab.evaluate(
                "Array.from(document.querySelectorAll('div.cell_input pre'))"
                ".filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)"
                ".map(e => e.textContent.split('\\n')"
                ".reduce((a, l) => (l.length > a.length ? l : a), ''))"
            )
            assert too_wide == [], f"code wider than its box: {too_wide}"
        assert errors == [], f"console errors: {errors}"
    except Exception:
        _shoot(tab, page.replace("/", "_"))
        raise
    finally:
        tab.close()


def test_search_finds_shrinkage(browser_context, server):
    tab = browser_context.new_page()
    try:
        tab.goto(f"{server}/search.html?q=shrinkage", wait_until="networkidle")
        tab.wait_for_selector("#search-results li", timeout=30_000)
        hits = tab.locator("#search-results li a").all_inner_texts()
        assert hits, "search found nothing for 'shrinkage'"
    except Exception:
        _shoot(tab, "search")
        raise
    finally:
        tab.close()


def test_execution_report_is_clean(site):
    reports = (
        list((site / "reports").rglob("*.log")) if (site / "reports").exists() else []
    )
    assert reports == [], f"execution errors: {[str(r) for r in reports]}"


def test_search_index_mentions_every_chapter(site):
    index = (site / "searchindex.js").read_text()
    payload = json.loads(index[index.index("(") + 1 : index.rindex(")")])
    docs = set(payload["docnames"])
    for page in PAGES:
        assert page.removesuffix(".html") in docs


# --- the student edition, built from this site's executed notebooks -----------------


@pytest.fixture(scope="module")
def student(site):
    """The student edition that `make student` built from this site's executed notebooks."""
    out = ROOT / "build" / "student"
    if not (out / "website" / "index.html").exists():
        pytest.fail(
            "the student edition is not built: run `make student` (make test does)"
        )
    return out


def _distinctive(cells):
    """Lines of a solution that would betray it: code lines and sentences of some length."""
    found = []
    for cell in cells:
        for line in cell.source.splitlines():
            line = line.strip()
            if (
                cell.cell_type == "code"
                and len(line) >= 20
                and not line.startswith("#")
            ):
                found.append(line)
            if (
                cell.cell_type == "markdown"
                and len(line) >= 40
                and not line.startswith("```")
            ):
                found.append(line[:60])
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_has_no_solutions(student, path):
    from tools.student import split_solutions

    kept, removed = split_solutions(nbformat.read(path, as_version=4))
    kept_text = "\n".join(c.source for c in kept)
    assert removed, "the chapter has solutions to remove"
    html_doc = BeautifulSoup(
        (student / "website" / "chapters" / f"{path.stem}.html").read_text(),
        "html.parser",
    )
    assert not html_doc.select("div.solution"), "solution blocks in the student website"
    assert len(html_doc.select("div.exercise")) == len(removed), "exercises must remain"
    page_text = html_doc.get_text()
    notebook_text = (student / "notebooks" / "chapters" / path.name).read_text()
    checked = 0
    for label, cells in removed.items():
        for snippet in _distinctive(cells):
            if snippet in kept_text:  # also in the chapter itself, so not a giveaway
                continue
            checked += 1
            assert snippet not in page_text, (
                f"{label}: solution text on the student website"
            )
            assert json.dumps(snippet)[1:-1] not in notebook_text, (
                f"{label}: solution text in the student notebook"
            )
    assert checked >= len(removed), (
        "every solution must have distinctive content to look for"
    )


def test_student_notebooks_are_clean_and_self_contained(student):
    folder = student / "notebooks"
    for name in ("requirements.txt", "README.md", "utils/data.py", "data/radon.csv"):
        assert (folder / name).exists(), name
    for path in CHAPTERS:
        nb = nbformat.read(folder / "chapters" / path.name, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        assert not any("{solution-start}" in c.source for c in nb.cells)


def test_handout_imports_its_own_utils(student):
    """`make test-handout` runs the student notebooks with PYTHONPATH at the handout: they
    must import the handout's utils (not the repository's), which holds only what chapters use."""
    folder = student / "notebooks"
    probe = subprocess.run(
        [sys.executable, "-c", "import utils; print(utils.__file__)"],
        cwd=folder / "chapters",
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == str(folder / "utils" / "__init__.py")
    assert not (folder / "tools").exists(), "maintainer tools must not ship to students"
    shipped = {p.name for p in (folder / "utils").glob("*.py")}
    assert {"student.py", "bench.py", "seeds.py"}.isdisjoint(shipped)
    assert 'packages = ["utils"]' in (folder / "pyproject.toml").read_text()
