"""utils.glue writes the record myst-nb reads, with plain Python numbers."""

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

from utils import glue as glue_module


@pytest.fixture
def published(monkeypatch):
    """Every display output published during the test, as (data, metadata) pairs."""
    shell = InteractiveShell.instance()
    outputs = []
    monkeypatch.setattr(
        shell.display_pub,
        "publish",
        lambda data, metadata=None, **kwargs: outputs.append((data, metadata)),
    )
    return outputs


def test_the_record_is_the_one_myst_nb_writes(published):
    from myst_nb import glue as myst_glue

    for value, display in [(9.4, False), (3, True), ("text", False), ([1, 2], True)]:
        myst_glue("key", value, display=display)
        glue_module.glue("key", value, display=display)
        assert published[-2] == published[-1]
    assert published[0][1]["scrapbook"] == {
        "name": "key",
        "mime_prefix": glue_module.RECORD_PREFIX,
    }


def test_numpy_scalars_are_glued_as_python_numbers(published):
    glue_module.glue("a", np.float64(9.4), display=False)
    glue_module.glue("b", np.array(3), display=False)
    glue_module.glue("c", np.int64(5), display=False)
    text = [data[glue_module.RECORD_PREFIX + "text/plain"] for data, _ in published]
    # the text myst-nb formats from: numpy 2 would write np.float64(9.4)
    assert text == ["9.4", "3", "5"]


def test_without_the_book_tools_only_shown_values_are_displayed(published, monkeypatch):
    monkeypatch.setattr(glue_module, "_BOOK_TOOLS", False)
    glue_module.glue("a", 1.5, display=False)
    assert published == []
    glue_module.glue("b", 2.5)
    assert published[0][0]["text/plain"] == "2.5" and "scrapbook" not in (
        published[0][1] or {}
    )


def test_empty_key_is_refused():
    with pytest.raises(ValueError, match="non-empty key"):
        glue_module.glue("", 1.0, display=False)
