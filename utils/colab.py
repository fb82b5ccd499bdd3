"""Set up a Google Colab runtime for a chapter (called by every chapter's first cell).

Colab starts with its own versions of many packages, and it has already *imported* some
of them (numpy and pandas) before the first cell runs. A package upgraded by pip while its
old version is loaded stays old in memory, and mixing the two fails in odd ways. So
:func:`prepare` installs the course's pinned packages (``requirements.txt``) except those
that are already imported in a version the course works with, and when it had to replace
a package that is already imported, it says so and restarts the runtime (Colab's usual way:
the kernel process exits and Colab starts a fresh one); the reader then runs the notebook
again from the top, and the second time nothing is installed. The same holds for any
imported package that pip changes as a dependency of the pins (it is compared on disk
before and after the install).

Only the standard library is used here: this runs before the course's packages exist.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["COMPATIBLE", "Plan", "plan", "prepare", "read_pins"]

#: Packages Colab may have loaded whose Colab versions the course is tested with (the Colab
#: emulation test runs a chapter with them): an already imported version at or above the
#: minimum is kept instead of replaced. Anything else that differs from its pin is installed.
COMPATIBLE = {"numpy": (2, 1), "pandas": (2, 2), "matplotlib": (3, 10)}

RESTART_MESSAGE = (
    "The course replaced packages this runtime had already loaded ({packages}).\n"
    "Colab now restarts the runtime: when it is back, run the notebook again from the "
    "top (Runtime > Run all). Nothing will be installed the second time."
)


def read_pins(requirements: Path) -> dict[str, str]:
    """``{distribution: version}`` of the exact pins in a requirements file."""
    pins = {}
    for raw in Path(requirements).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith(("-r", "--requirement", "-c", "--constraint")):
            raise ValueError(
                f"{requirements}: includes another file ({raw!r}); list the pins here"
            )
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.]+)", line)
        if not match:
            raise ValueError(f"{requirements}: not an exact pin: {raw!r}")
        pins[_canonical(match.group(1))] = match.group(2)
    if not pins:
        raise ValueError(f"{requirements} pins no packages")
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def _same_version(a: str, b: str) -> bool:
    """Equal as versions: ``"2.1"`` is ``"2.1.0"``; ``"2.1rc1"`` is not ``"2.1"``."""

    def norm(v: str):
        release, _, rest = v.strip().lower().partition("+")[0].partition("rc")
        parts = [int(p) for p in re.findall(r"\d+", release)]
        while len(parts) > 1 and parts[-1] == 0:
            parts.pop()
        return parts, rest, re.sub(r"[\d.]+", "", release)

    return norm(a) == norm(b)


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _imported_distributions() -> dict[str, str]:
    """``{distribution: version in memory}`` of the distributions with imported modules.

    The version is the imported module's ``__version__``; a distribution whose modules
    have none (or whose other top-level modules, such as matplotlib's ``mpl_toolkits``,
    have none) falls back to the version on disk, which never overrides one read from
    memory.
    """
    top = {name.split(".")[0] for name in list(sys.modules)}
    in_memory, on_disk = {}, {}
    for module, dists in metadata.packages_distributions().items():
        if module not in top:
            continue
        version = getattr(sys.modules.get(module), "__version__", None)
        for dist in dists:
            name = _canonical(dist)
            if isinstance(version, str) and version:
                in_memory.setdefault(name, version)
            else:
                on_disk[name] = _installed(dist) or ""
    return {**on_disk, **in_memory}


class Plan:
    """What :func:`prepare` will do: install these pins, keep those, restart or not."""

    def __init__(
        self, install: dict[str, str], keep: dict[str, str], replace_loaded: list[str]
    ):
        self.install = install  # pins to install
        self.keep = keep  # already imported, compatible: kept at this version
        self.replace_loaded = replace_loaded  # imported packages that pip will replace

    @property
    def restart(self) -> bool:
        return bool(self.replace_loaded)

    def __repr__(self) -> str:
        return f"Plan(install={self.install}, keep={self.keep}, restart={self.replace_loaded})"


def plan(pins: dict[str, str], imported: dict[str, str], installed) -> Plan:
    """Decide what to install, given the pins, what is imported and ``installed(name)``."""
    install, keep, replace = {}, {}, []
    for name, version in pins.items():
        if name in imported:
            loaded = imported[name]
            minimum = COMPATIBLE.get(name)
            if _same_version(loaded, version):
                continue
            if minimum and loaded and _version_tuple(loaded) >= minimum:
                keep[name] = loaded
                continue
            install[name] = version
            replace.append(name)
        elif not _same_version(installed(name) or "", version):
            install[name] = version
    return Plan(install, keep, sorted(replace))


def prepare(course_dir: Path, *, restart=None) -> Plan:
    """Install what a chapter needs into this (Colab) runtime; restart it if unavoidable.

    ``restart`` is called (with no arguments) after a replaced, already imported package;
    the default ends the kernel process, which Colab answers by starting a fresh runtime.
    """
    course_dir = Path(course_dir)
    pins = read_pins(course_dir / "requirements.txt")
    imported = _imported_distributions()
    todo = plan(pins, imported, _installed)
    if todo.install or _installed("multilevel-pymc-utils") is None:
        # Every pin constrains pip, kept versions included, so that no dependency of a
        # pin moves a pinned package elsewhere.
        constraints = course_dir / ".colab-constraints.txt"
        constraints.write_text(
            "".join(f"{n}=={v}\n" for n, v in {**pins, **todo.keep}.items())
        )
        before = {name: _installed(name) for name in imported}
        print(
            f"Installing {len(todo.install)} pinned package(s) for the course"
            + (f"; keeping Colab's {', '.join(todo.keep)}" if todo.keep else "")
            + " ...",
            flush=True,
        )
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "-c", str(constraints)]
            + [f"{n}=={v}" for n, v in todo.install.items()]
            + ["-e", str(course_dir)],
            check=True,
        )
        # A loaded package that pip changed on disk, pinned or not, is stale in memory.
        changed = [n for n, v in before.items() if _installed(n) != v]
        todo.replace_loaded = sorted({*todo.replace_loaded, *changed})
    if str(course_dir) not in sys.path:
        sys.path.insert(0, str(course_dir))
    if todo.restart:
        print(
            RESTART_MESSAGE.format(packages=", ".join(todo.replace_loaded)), flush=True
        )
        (restart or _restart_runtime)()
    else:
        print("The course's packages are ready.", flush=True)
    return todo


def _restart_runtime() -> None:  # pragma: no cover - ends the process
    time.sleep(1)  # let the message reach the notebook before the kernel goes
    os.kill(os.getpid(), signal.SIGKILL)
