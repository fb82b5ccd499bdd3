"""utils.glue hands myst-nb plain Python numbers, and refuses empty keys."""

import numpy as np
import pytest

from utils import glue as glue_module


def test_numpy_scalars_are_glued_as_python_numbers(monkeypatch):
    recorded = {}
    monkeypatch.setattr(
        glue_module,
        "_myst_glue",
        lambda name, value, display=True: recorded.update({name: value}),
    )
    glue_module.glue("a", np.float64(9.4), display=False)
    glue_module.glue("b", np.array(3), display=False)
    glue_module.glue("c", np.int64(5), display=False)
    glue_module.glue("d", [1, 2], display=False)
    assert type(recorded["a"]) is float and recorded["a"] == 9.4
    assert type(recorded["b"]) is int and type(recorded["c"]) is int
    assert recorded["d"] == [1, 2]
    # the text myst-nb formats from: numpy 2 would write np.float64(9.4)
    assert repr(recorded["a"]) == "9.4"


def test_empty_key_is_refused():
    with pytest.raises(ValueError, match="non-empty key"):
        glue_module.glue("", 1.0, display=False)
