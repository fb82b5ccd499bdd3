"""The theme applies only when asked; shared figures validate their input."""

import matplotlib

matplotlib.use("Agg")

import arviz as az  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def _restore_rc():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def test_import_has_no_side_effects():
    import importlib

    before = dict(matplotlib.rcParams)
    importlib.reload(plotting)
    assert dict(matplotlib.rcParams) == before


def test_set_theme_applies_palette_and_conventions():
    plotting.set_theme()
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    assert [c.lower() for c in colors[:3]] == ["#e69f00", "#56b4e9", "#009e73"]
    assert az.rcParams["stats.ci_prob"] == 0.94
    assert az.rcParams["stats.ci_kind"] == "eti"


def test_plot_shrinkage_draws_arrows_and_mean():
    ax = plotting.plot_shrinkage(
        [2, 10, 100],
        [0.0, 1.0, 2.0],
        [0.5, 1.0, 1.9],
        1.0,
        no_pooling_interval=[[-1, 1], [0.5, 1.5], [1.8, 2.2]],
        partial_pooling_interval=[[0, 1], [0.6, 1.4], [1.8, 2.0]],
    )
    assert ax.get_xscale() == "log"
    assert len(ax.texts) == 3  # one arrow per group
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["no pooling", "partial pooling", "population mean"]
    placed = plotting.plot_shrinkage(
        [2, 10], [0.0, 1.0], [0.5, 1.0], 1.0, legend_loc="upper right"
    )
    assert placed.get_legend()._loc == 1  # matplotlib's code for "upper right"
    renamed = plotting.plot_shrinkage(
        [2, 10], [0.0, 1.0], [0.5, 1.0], 1.0, labels=("raw", "hierarchical")
    )
    assert renamed.get_legend_handles_labels()[1][:2] == ["raw", "hierarchical"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"partial_pooling": [0.5, 1.0]},
            "partial_pooling has 2 values but there are 3 groups",
        ),
        ({"group_size": [0, 10, 100]}, "group_size must be positive"),
        (
            {"no_pooling": [0.0, np.nan, 2.0]},
            "no_pooling has missing or infinite values",
        ),
        ({"population_mean": np.inf}, "population_mean must be a finite number"),
        ({"labels": ("only one",)}, "labels must name the two estimates"),
        (
            {"no_pooling_interval": [[0, 1]]},
            r"no_pooling_interval must have shape \(3, 2\)",
        ),
        (
            {"partial_pooling_interval": [[1, 0]] * 3},
            "lower bound is above its upper bound",
        ),
    ],
)
def test_plot_shrinkage_rejects_bad_input(kwargs, message):
    args = {
        "group_size": [2, 10, 100],
        "no_pooling": [0.0, 1.0, 2.0],
        "partial_pooling": [0.5, 1.0, 1.9],
        "population_mean": 1.0,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        plotting.plot_shrinkage(**args)


def test_plot_intervals_rows_and_colours():
    ax = plotting.plot_intervals(
        {
            "no pooling": ([0.0, 1.0], [[-1, 1], [0, 2]]),
            "partial pooling": ([0.2, 0.9], [[-0.5, 0.8], [0.3, 1.5]]),
        },
        ["a", "b"],
        reference=0.5,
        truth=[0.1, 1.1],
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines["no pooling"].get_color() == plotting.COLORS["none"]
    assert lines["partial pooling"].get_color() == plotting.COLORS["partial"]


def test_plot_intervals_rejects_bad_input():
    with pytest.raises(ValueError, match="estimates is empty"):
        plotting.plot_intervals({}, ["a"])
    with pytest.raises(
        ValueError, match=r"means of 'm' has 1 values but there are 2 groups"
    ):
        plotting.plot_intervals({"m": ([0.0], [[0, 1], [0, 1]])}, ["a", "b"])
