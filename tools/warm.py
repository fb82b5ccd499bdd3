"""Fill PyTensor's compile cache by running every chapter once, outputs discarded.

Usage::

    python -m tools.warm [--keep-going] [chapters/04_radon.ipynb ...]

PyTensor compiles each model's functions (the sampler's log density and gradient, the
prior and posterior predictive, the log-likelihood) to machine code with numba and
keeps the result in its compile cache (``~/.pytensor`` unless ``PYTENSOR_FLAGS`` sets
``base_compiledir``). A later run of the same chapter, in any kernel, loads them instead
of compiling them again, which on a 2-core machine saves tens of seconds per chapter.
Binder's ``postBuild`` runs this, so that a reader's first run of a chapter is as fast
as a second one. Exits non-zero if a chapter fails, unless ``--keep-going``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="report a failing chapter and go on, exit 0",
    )
    args = parser.parse_args(argv)
    chapters = args.chapters or sorted((ROOT / "chapters").glob("*.ipynb"))
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    failed = []
    for path in chapters:
        path = path.resolve()
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=1800,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        try:
            client.execute()
            status = "ok"
        except Exception as err:  # reported below; the notebook file is not touched
            status = f"FAILED: {type(err).__name__}: {str(err)[-300:]}"
            failed.append(path.name)
        print(
            f"{path.name}: {status} ({time.perf_counter() - start:.0f} s)", flush=True
        )
    if failed:
        print(f"warm-up: {len(failed)} chapter(s) failed: {', '.join(failed)}")
        return 0 if args.keep_going else 1
    print("warm-up: every chapter ran; its compiled functions are cached")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
