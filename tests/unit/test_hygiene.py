"""One way to do each thing: the chapters pass the hygiene checks, and each check catches
a planted violation (so that none of them passes vacuously)."""

import pytest

from tests import hygiene as h
from tests.conftest import CHAPTERS, read_notebook

NOTEBOOK_CHECKS = [
    h.hard_coded_intervals,
    h.global_warning_filters,
    h.functions_reading_globals,
    h.figures_using_sampling_rng,
    h.unlinked_chapter_mentions,
    h.visible_code_using_hidden_names,
]


@pytest.mark.parametrize("check", NOTEBOOK_CHECKS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_passes(path, check):
    assert check(read_notebook(path)) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_links_the_notation_page(path):
    assert h.links_to_notation(read_notebook(path)), (
        "link {ref}`notation` from the overview"
    )


def test_no_function_is_defined_in_two_chapters():
    notebooks = {p.stem: read_notebook(p) for p in CHAPTERS}
    assert h.functions_defined_twice(notebooks) == []


# --- planted violations --------------------------------------------------------------

nb = h.notebook_from_cells


@pytest.mark.parametrize(
    "source",
    [
        "lo, hi = np.quantile(draws, [0.03, 0.97])",
        "hi = float(post['mu'].quantile(0.97))",
        "band = draws.quantile([.03, .97], dim='sample')",
        "lo = np.percentile(draws, 3)",
        "ci = az.eti(draws)",
        "ci = az.hdi(draws, prob=0.9)",
    ],
)
def test_hard_coded_interval_is_caught(source):
    assert h.hard_coded_intervals(nb(("code", source)))


def test_interval_split_over_lines_or_imported_is_caught():
    split = "low, high = np.quantile(\n    draws,\n    [0.03, 0.97],\n    axis=0,\n)"
    assert h.hard_coded_intervals(nb(("code", split)))
    keyword = "q = draws.quantile(\n    q=(0.03,\n       0.97), dim='draw')"
    assert h.hard_coded_intervals(nb(("code", keyword)))
    stored = "q = [0.03, 0.97]\nlow, high = np.quantile(x, q)"
    assert h.hard_coded_intervals(nb(("code", stored)))
    imported = "from arviz import eti\nci = eti(\n    draws\n)"
    assert h.hard_coded_intervals(nb(("code", imported)))


@pytest.mark.parametrize(
    "source",
    [
        "ci = interval(draws)",
        "low, high = np.quantile(x, [0.2, 0.8])",
        "assert np.quantile(s, 0.01) < obs < np.quantile(s, 0.99)",
        "x = 0.03 * y  # 0.97 is not a quantile here",
        "m = np.quantile(x, 0.3)",
        "iqr = np.percentile(x, [25, 75], axis=3)",
        "t = np.quantile(\n    x,\n    [0.25, 0.75],\n    axis=3,\n)",
    ],
)
def test_other_quantiles_are_allowed(source):
    assert h.hard_coded_intervals(nb(("code", source))) == []


def test_global_warning_filter_is_caught_and_guarded_one_allowed():
    planted = "import warnings\nwarnings.filterwarnings('ignore', category=UserWarning)"
    assert h.global_warning_filters(nb(("code", planted)))
    assert h.global_warning_filters(nb(("code", "warnings.simplefilter('ignore')")))
    imported = "from warnings import filterwarnings\nfilterwarnings('ignore')"
    assert h.global_warning_filters(nb(("code", imported)))
    aliased = "import warnings as w\nw.simplefilter('ignore')"
    assert h.global_warning_filters(nb(("code", aliased)))
    guarded = (
        "with warnings.catch_warnings():\n"
        "    warnings.filterwarnings('ignore', message='BLAS')\n"
        "    fit = sample()"
    )
    assert h.global_warning_filters(nb(("code", guarded))) == []


def test_function_reading_a_notebook_global_is_caught():
    planted = nb(
        ("code", "import numpy as np\npost_sigma = 2.0\nLIMIT = 3"),
        ("code", "def weight(n):\n    return n / post_sigma**2"),
    )
    assert h.functions_reading_globals(planted) == [
        "cell 1: weight() reads notebook globals ['post_sigma']"
    ]
    fine = nb(
        ("code", "import numpy as np\npost_sigma = 2.0\nLIMIT = 3"),
        (
            "code",
            "def weight(n, sigma):\n    k = np.sqrt(n)\n    return k / sigma + LIMIT",
        ),
        ("code", "def twice(n):\n    return weight(n, 1.0) * 2"),
    )
    assert h.functions_reading_globals(fine) == []


def test_function_defined_in_two_chapters_is_caught():
    one = nb(("code", "def mean_and_interval(d):\n    return d"))
    two = nb(("code", "def mean_and_interval(d, dim):\n    return d"))
    other = nb(("code", "def something_else():\n    pass"))
    found = h.functions_defined_twice({"ch2": one, "ch3": two, "ch4": other})
    assert found == ["mean_and_interval is defined in ch2, ch3"]


def test_figure_using_the_sampling_generator_is_caught():
    planted = "fig, ax = plt.subplots()\nax.scatter(x + rng.normal(0, 0.1, x.size), y)"
    assert h.figures_using_sampling_rng(nb(("code", planted)))
    fine = "jitter_rng = np.random.default_rng(7)\nax.scatter(x + jitter_rng.normal(size=3), y)"
    assert h.figures_using_sampling_rng(nb(("code", fine))) == []
    fit = "idata = pm.sample(random_seed=rng)"
    assert h.figures_using_sampling_rng(nb(("code", fit))) == []


@pytest.mark.parametrize(
    "text",
    [
        "This is the funnel you will meet in a later chapter.",
        "The next chapter adds slopes.",
        "As chapter 4 showed, floors matter.",
        "We return to this in later chapters.",
        "As in earlier chapters, we sample with nutpie.",
    ],
)
def test_unlinked_chapter_mention_is_caught(text):
    assert h.unlinked_chapter_mentions(nb(("markdown", text)))


@pytest.mark.parametrize(
    "text",
    [
        "This is the funnel of {ref}`parametrization`, a later chapter.",
        "The set-up follows McElreath (2020), chapter 14.",
        "Gelman et al. discuss it in chapter 5 of BDA3.",
        "## References\n\n- Kruschke (2015), chapter 9.\n\nThe next chapter is not cited.",
    ],
)
def test_linked_or_cited_mentions_are_allowed(text):
    assert h.unlinked_chapter_mentions(nb(("markdown", text))) == []


def test_notation_link_is_detected():
    assert h.links_to_notation(nb(("markdown", "See {ref}`notation`.")))
    assert h.links_to_notation(
        nb(("markdown", "See {ref}`the conventions <notation>`."))
    )
    assert not h.links_to_notation(nb(("markdown", "See the notation page.")))


@pytest.mark.parametrize(
    "page", ["index.md", "instructors.md", "reproducibility.md", "notation.md"]
)
def test_book_pages_link_every_chapter_they_mention(page):
    from tests.conftest import ROOT

    text = (ROOT / page).read_text()
    assert h.unlinked_chapter_mentions(nb(("markdown", text))) == []


def test_visible_cell_reading_a_hidden_name_is_caught():
    hidden = {"tags": ["remove-cell"]}
    planted = nb(("code", "x = 1"), ("code", "secret = 2"), metadata=hidden)
    planted.cells.append(nb(("code", "print(x + secret)")).cells[0])
    assert h.visible_code_using_hidden_names(planted) == [
        "cell 2 reads names defined only in hidden cells: ['secret']"
    ]
    # defined visibly (before, or in the same cell) is fine, and so is a hidden cell
    # reading visible names
    fine = nb(("code", "secret = 2"), ("code", "y = secret"), metadata=hidden)
    fine.cells.append(nb(("code", "secret = 3\nprint(secret)")).cells[0])
    assert h.visible_code_using_hidden_names(fine) == []
