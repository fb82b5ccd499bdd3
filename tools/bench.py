"""Benchmark the chapters: each runs in a fresh kernel, measured from outside.

Usage::

    python -m tools.bench [--out build/bench.json] [chapters/04_radon.ipynb ...]

For each chapter: wall time, peak resident memory of the kernel process, and for every
fitted model the chapter leaves in its namespace (each ``xarray.DataTree`` with a
posterior), its sampling time and the bulk ESS per second of its group-level scale
parameters (scalar posterior variables whose name starts with ``sigma``, ``tau`` or
``kappa``). Writes a JSON file and prints a table; exits non-zero when a chapter
fails or exceeds the time (``--max-seconds``) or memory (``--max-mb``) budget.

PyTensor keeps the models it compiles in a compile cache (see :mod:`tools.warm`), and a
chapter whose functions are all cached runs tens of seconds faster. By default the
chapters use the cache as it is (warm after ``make book`` or ``python -m tools.warm``),
and the table says how many entries it held; ``--cold`` gives every chapter an empty
cache of its own, as on a machine that has never run the course (Colab).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent

# Runs after the chapter, inside its kernel: report every fitted model it holds.
_PROBE = r"""
import json as _json
import xarray as _xr
import arviz as _az
_SCALES = ("sigma", "tau", "kappa")
_report = []
for _name, _obj in list(globals().items()):
    if _name.startswith("_") or not isinstance(_obj, _xr.DataTree):
        continue
    if "posterior" not in _obj.children or "sample_stats" not in _obj.children:
        continue
    _post = _obj["posterior"].to_dataset()
    _secs = float(_post.attrs.get("sampling_time", float("nan")))
    _scales = [v for v in _post.data_vars
               if v.startswith(_SCALES) and _post[v].ndim == 2]
    _ess = {v: float(_az.ess(_post[[v]], method="bulk")[v]) for v in _scales}
    _report.append({
        "model": _name,
        "draws": int(_post.sizes["chain"] * _post.sizes["draw"]),
        "sampling_seconds": round(_secs, 3),
        "divergences": int(_obj["sample_stats"]["diverging"].sum()),
        "scale_ess_bulk": {k: round(v) for k, v in _ess.items()},
        "scale_ess_per_second": {k: round(v / _secs, 1) for k, v in _ess.items() if _secs > 0},
    })
print("BENCH-REPORT" + _json.dumps(_report))
"""


class _PeakMemory:
    """Poll a process tree's resident memory in a background thread."""

    def __init__(self) -> None:
        self.peak = 0
        self.pid: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.pid is not None:
                try:
                    proc = psutil.Process(self.pid)
                    rss = proc.memory_info().rss + sum(
                        c.memory_info().rss for c in proc.children(recursive=True)
                    )
                    self.peak = max(self.peak, rss)
                except psutil.Error:
                    pass
            self._stop.wait(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_chapter(path: Path, timeout: int = 1800) -> dict:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    result = {"chapter": path.stem}
    start = time.perf_counter()
    with _PeakMemory() as memory:
        with client.setup_kernel():
            memory.pid = client.km.provisioner.process.pid
            try:
                client.execute(cleanup_kc=False)
                result["ok"] = True
            except Exception as err:  # a failing chapter is reported, not hidden
                result["ok"] = False
                result["error"] = f"{type(err).__name__}: {str(err)[:500]}"
    # The probe's own runtime is negligible next to a chapter's.
    result["seconds"] = round(time.perf_counter() - start, 1)
    result["peak_mb"] = round(memory.peak / 2**20)
    models = []
    for output in nb.cells[-1].get("outputs", []):
        text = output.get("text", "")
        if "BENCH-REPORT" in text:
            models = json.loads(text.split("BENCH-REPORT", 1)[1])
    result["models"] = models
    return result


def compile_cache() -> Path:
    """PyTensor's compile cache directory in this environment (honours PYTENSOR_FLAGS)."""
    code = "import pytensor; print(pytensor.config.base_compiledir)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"cannot import pytensor: {out.stderr[-500:]}")
    return Path(out.stdout.strip().splitlines()[-1])


def cache_entries(path: Path) -> int:
    """Number of files in a compile cache directory (0 if it does not exist)."""
    return sum(1 for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--max-mb", type=float, default=1200.0)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="give every chapter an empty compile cache of its own",
    )
    args = parser.parse_args(argv)
    chapters = args.chapters or sorted((ROOT / "chapters").glob("*.ipynb"))
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    results = []
    start = time.perf_counter()
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    for path in chapters:
        if args.cold:
            with tempfile.TemporaryDirectory(prefix="bench-pytensor-") as cache:
                os.environ["PYTENSOR_FLAGS"] = ",".join(
                    f for f in (flags, f"base_compiledir={cache}") if f
                )
                try:
                    print(f"running {path.name} (empty compile cache) ...", flush=True)
                    result = run_chapter(path.resolve())
                finally:
                    os.environ["PYTENSOR_FLAGS"] = flags
            result["compile_cache"] = "cold"
        else:
            entries = cache_entries(compile_cache())
            print(
                f"running {path.name} ({entries} compile-cache files) ...", flush=True
            )
            result = run_chapter(path.resolve())
            result["compile_cache"] = f"{entries} files"
        results.append(result)
    total = round(time.perf_counter() - start, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"total_seconds": total, "chapters": results}, indent=2)
    )

    header = f"{'chapter':28} {'ok':>4} {'seconds':>8} {'peak MB':>8} {'cache':>11}"
    print(f"\n{header}  slowest model (s), worst scale ESS/s")
    failed = False
    for r in results:
        over = r["seconds"] > args.max_seconds or r["peak_mb"] > args.max_mb
        failed |= over or not r["ok"]
        slow = max(r["models"], key=lambda m: m["sampling_seconds"], default=None)
        rates = [v for m in r["models"] for v in m["scale_ess_per_second"].values()]
        note = f"{slow['model']} {slow['sampling_seconds']:.1f}" if slow else "-"
        note += f", {min(rates):.0f}" if rates else ""
        flag = " OVER BUDGET" if over else ""
        ok = "yes" if r["ok"] else "NO"
        row = f"{r['chapter']:28} {ok:>4} {r['seconds']:>8.1f} {r['peak_mb']:>8}"
        row += f" {r['compile_cache']:>11}"
        print(f"{row}  {note}{flag}")
    print(f"{'total':28} {'':>4} {total:>8.1f}")
    print(f"written: {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
