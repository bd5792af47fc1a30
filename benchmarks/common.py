"""Shared plumbing for the benchmarks: a sandbox in its own process, timers, baselines."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import venv
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"


@dataclass(frozen=True)
class Measure:
    """Median and spread of repeated runs of one contender, in seconds (or a rate)."""

    name: str
    samples: tuple[float, ...]
    unit: str = "ms"

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def shown(self) -> str:
        if self.unit == "ms":
            return f"{self.median * 1000:.1f} ms"
        return f"{self.median:,.0f} {self.unit}"


@contextmanager
def sandbox_process(*flags: str) -> Iterator[str]:
    """``pullover-tui sandbox`` in its own process (so it never shares our GIL); yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pullover_tui", "sandbox", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        if "http://" not in first:
            raise RuntimeError(f"sandbox did not start: {first!r}")
        # It logs a line per message: keep draining, or a full pipe would stall it.
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield first[first.index("http://") :]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for measured processes: bytecode caching on, as on users' machines
    (some CI images set PYTHONDONTWRITEBYTECODE, which makes every start recompile)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **(extra or {})}


def time_command(argv: Sequence[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Wall time of whole processes, after one warm-up run; fails loudly on a bad exit."""
    return time_commands({"": (argv, env)}, runs)[""]


def time_commands(
    contenders: dict[str, tuple[Sequence[str], dict[str, str] | None]], runs: int
) -> dict[str, list[float]]:
    """``time_command`` for several contenders, interleaved (one run of each in turn), so
    that a change in the machine's load falls on all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for index in range(runs + 1):
        for name, (argv, env) in contenders.items():
            start = time.perf_counter()
            proc = subprocess.run(
                argv, capture_output=True, env=child_env(env), cwd=ROOT, check=False
            )
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                raise RuntimeError(f"{argv[:3]} exited {proc.returncode}: {proc.stderr[-500:]!r}")
            if index:
                samples[name].append(elapsed)
    return samples


def time_call(fn: Callable[[], object], runs: int) -> list[float]:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def old_pullover_python() -> Path | None:
    """A venv with the old ``pullover`` 1.1.1 from the package index, or None if unavailable."""
    target = WORK / "pullover-1.1.1"
    python = target / "bin" / "python"
    marker = target / ".installed"
    if marker.exists():
        return python
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    # pullover imports pkg_resources, which newer setuptools no longer ship.
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "pullover==1.1.1", "setuptools<70"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print(f"  (old pullover unavailable: {proc.stderr.strip()[-200:]})", file=sys.stderr)
        return None
    marker.touch()
    return python


OLD_PULLOVER_CLI = (
    "import sys, warnings; warnings.simplefilter('ignore'); import pullover.message as m; "
    "m.Message._ENDPOINT = sys.argv.pop(1) + '/1/messages.json'; "
    "from pullover.__main__ import main; sys.exit(main(sys.argv))"
)


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x"
