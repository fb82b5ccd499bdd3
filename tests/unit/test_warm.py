"""tools.warm runs every chapter it is given and says which failed."""

import nbformat

from tools import warm


def _notebook(path, source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def test_warm_runs_chapters_and_reports_failures(tmp_path, capsys):
    good = _notebook(tmp_path / "good.ipynb", "x = 1 + 1")
    bad = _notebook(tmp_path / "bad.ipynb", "raise RuntimeError('boom')")
    before = bad.read_text()
    assert warm.main([str(good)]) == 0
    assert "good.ipynb: ok" in capsys.readouterr().out
    assert warm.main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "bad.ipynb: FAILED" in out and "boom" in out and "1 chapter(s) failed" in out
    assert warm.main(["--keep-going", str(bad)]) == 0
    # the notebooks themselves are never rewritten
    assert bad.read_text() == before
