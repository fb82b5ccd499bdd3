"""The worst fit check of each model over a seed sweep (``make seeds``).

Usage::

    python -m tools.seeds build/fits/*.jsonl

Each chapter run under ``make seeds`` appends one JSON line per ``check_fit`` call to
``$COURSE_FIT_LOG`` (see :mod:`utils.diagnostics`); this prints, per fit (file and call
number), the worst divergence count, r_hat and bulk/tail ESS over the seeds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from utils.diagnostics import FitCheck


def summarize_log(paths: list[Path]) -> tuple[str, bool]:
    """The worst value of each gate per fit (a file and call number) over all logged seeds."""
    lines = [
        f"{'fit':<34} {'seeds':>5} {'max div':>7} {'max r_hat':>9} "
        f"{'min bulk':>8} {'min tail':>8}  runs outside the gates"
    ]
    all_ok = True
    for path in paths:
        fits: dict[int, list[dict]] = {}
        for line in Path(path).read_text().splitlines():
            record = json.loads(line)
            fits.setdefault(record["call"], []).append(record)
        for call, records in sorted(fits.items()):
            failed = sum(
                not FitCheck(**{k: r[k] for k in FitCheck.__dataclass_fields__}).ok
                for r in records
            )
            all_ok &= failed == 0
            lines.append(
                f"{Path(path).stem + ' #' + str(call):<34} {len(records):>5} "
                f"{max(r['divergences'] for r in records):>7} "
                f"{max(r['max_r_hat'] for r in records):>9.3f} "
                f"{min(r['min_ess_bulk'] for r in records):>8.0f} "
                f"{min(r['min_ess_tail'] for r in records):>8.0f}  {failed}"
            )
    return "\n".join(lines), all_ok


if __name__ == "__main__":
    # A report, not a verdict: some fits are unhealthy on purpose (the centered models of the
    # parametrization chapter); the chapters' own asserts decide what must pass.
    report, _ = summarize_log([Path(p) for p in sys.argv[1:]])
    print(report)
