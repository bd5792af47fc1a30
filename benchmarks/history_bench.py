"""The history at 100,000 messages: opening the history screen and filtering by a word.

Builds a store of 100,000 varied messages in a temporary directory (one
transaction, through the public ``HistoryStore`` API), then reports medians of
repeated runs, each in a fresh connection as a new process would open it:

* open + newest 50 + count: what the TUI's history screen does on opening;
* filter by a word: ``search(text=...)`` first page + ``count(text=...)``.

Run: ``python benchmarks/history_bench.py [--quick] [--rows N] [--runs N]``.
``--quick`` (for CI) uses 20,000 rows and 3 runs and never fails on a timing;
otherwise it exits 1 if a headline figure is over the 200 ms target
(``--no-check`` to only report).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pullover_tui.core.message import Message  # noqa: E402
from pullover_tui.core.request import SendResult  # noqa: E402
from pullover_tui.core.store import HistoryStore  # noqa: E402

T = TypeVar("T")
TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
TARGET_MS = 200.0
STEP = 300.0  # seconds between messages: 100,000 of them span about a year
TITLES = ("Backup", "Deploy", "CI", "Cron", "Disk alert", "Certificate", "Home", None)
PROFILES = ("personal", "ops", "ci", None)
COMMON = (
    "deploy", "backup", "finished", "failed", "server", "disk", "job", "build", "error",
    "database", "nightly", "release", "restarted", "warning", "usage", "minutes", "took",
)  # fmt: skip


class SteppingClock:
    """The store's clock while building: one message every STEP seconds, up to now."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(size)]


def message_text(rng: random.Random, words: list[str]) -> str:
    """Mostly short alerts, some paragraphs, a few near Pushover's 1024-character limit."""
    roll = rng.random()
    count = rng.randint(4, 20) if roll < 0.7 else rng.randint(20, 60) if roll < 0.95 else 140
    parts = rng.choices(words, k=count)
    for index in rng.sample(range(count), k=count // 5):  # a fifth are everyday words
        parts[index] = rng.choice(COMMON)
    return " ".join(parts)[:1024]


def build(path: Path, rows: int, seed: int = 7) -> tuple[float, str]:
    """Fill a new store; returns the seconds taken and a word that occurs in few rows."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    clock = SteppingClock(time.time() - rows * STEP)
    start = time.perf_counter()
    with HistoryStore(path, clock=clock) as store, store.batch(defer_index=True):
        for index in range(rows):
            clock.now += STEP
            message = Message(
                message_text(rng, words),
                rng.choice(TITLES),
                priority=rng.choice((0, 0, 0, 1, -1)),
            )
            entry_id = store.add_pending(
                message,
                profile=rng.choice(PROFILES),
                token=TOKEN,
                user=USER,
                api_url=None,
                claim=False,
            )
            roll = rng.random()
            if roll < 0.9:
                store.mark_sent(entry_id, SendResult(f"req-{index}"))
            elif roll < 0.95:
                store.mark_rejected(entry_id, "HTTP 400: user key is invalid")
            elif roll < 0.98:
                store.mark_failed(entry_id, "HTTP 503", attempts=5)
    return time.perf_counter() - start, words[11]


def sample(action: Callable[[], T], runs: int) -> tuple[tuple[float, ...], T]:
    """Seconds taken by each of ``runs`` calls (at least one), and the last result."""
    samples = []
    for _ in range(max(1, runs)):
        start = time.perf_counter()
        result = action()
        samples.append(time.perf_counter() - start)
    return tuple(samples), result


def open_and_list(path: Path, filters: dict[str, Any]) -> tuple[int, int]:
    """What a fresh process does for one screen: open, first page, total."""
    with HistoryStore(path) as store:
        return len(store.search(limit=50, **filters)), store.count(**filters)


def cases(rare: str) -> list[tuple[str, dict[str, Any], bool]]:
    """(name, search filters, headline?) : the headline ones carry the 200 ms target."""
    now = time.time()
    return [
        ("open + newest 50 + count", {}, True),
        ("filter by a word: 'deploy' (common)", {"text": "deploy"}, True),
        (f"filter by a word: '{rare}' (rare)", {"text": rare}, True),
        ("filter by two words: 'backup finished'", {"text": "backup finished"}, False),
        ("typing a word: 'd'", {"text": "d"}, False),
        ("typing a word: 'de'", {"text": "de"}, False),
        ("filter by status: failed", {"status": "failed"}, False),
        ("filter by profile + word", {"profile": "ops", "text": "deploy"}, False),
        ("since a day ago", {"since": now - 86400}, False),
        ("since 100 days ago", {"since": now - 100 * 86400}, False),
    ]


@dataclass(frozen=True)
class Result:
    name: str
    samples: tuple[float, ...]
    page: int
    total: int
    headline: bool

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000


def measure(rows: int, runs: int, report: Callable[[str], None] = print) -> list[Result]:
    """Build a store of ``rows`` messages in a temporary directory and time every case."""
    with tempfile.TemporaryDirectory(prefix="pullover-history-bench-") as tmp:
        path = Path(tmp) / "history.sqlite3"
        seconds, rare = build(path, rows)
        size_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 1e6
        report(f"built {rows:,} messages in {seconds:.1f} s ({size_mb:.0f} MB on disk)")
        results = []
        for name, filters, headline in cases(rare):
            samples, (page, total) = sample(partial(open_and_list, path, filters), runs)
            results.append(Result(name, samples, page, total, headline))
        return results


SCREEN_CONFIG = f"""[profiles.home]
app_token = "{TOKEN}"
user_key = "{USER}"
api_url = "http://127.0.0.1:9"
"""


async def _until(pilot: Any, done: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise RuntimeError("the history screen did not finish loading")
        await pilot.pause(0.002)


async def _screen_once(data: Path, word: str) -> tuple[float, float]:
    """A fresh headless app: seconds from F4 to the first page shown, and from a search
    submitted to its first page shown."""
    from textual.widgets import DataTable, Input

    from pullover_tui.tui.app import PulloverApp
    from pullover_tui.tui.screens.history import HistoryScreen

    config = data / "config.toml"
    config.write_text(SCREEN_CONFIG)
    app = PulloverApp(config, data_dir=data, cursor_blink=False, animate=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        start = time.perf_counter()
        await pilot.press("f4")
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, HistoryScreen)
                and app.screen.total is not None
                and app.screen.query_one(DataTable).row_count > 0
            ),
        )
        opened = time.perf_counter() - start
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        before = screen.total
        search = screen.query_one("#history-search", Input)
        search.focus()
        start = time.perf_counter()
        search.value = word
        await pilot.press("enter")  # submitting searches at once, without the typing pause
        await _until(pilot, lambda: screen.total != before and not screen._loading)
        filtered = time.perf_counter() - start
    return opened, filtered


def measure_screen(rows: int, runs: int, report: Callable[[str], None]) -> list[Any]:
    """The TUI's history screen (F4, then a word searched) over ``rows`` messages, against
    the same over 100 messages: paging should make the two cost about the same."""
    import asyncio

    from common import Measure

    measures = []
    for count in (rows, 100):
        with tempfile.TemporaryDirectory(prefix="pullover-history-screen-") as tmp:
            data = Path(tmp)
            build(data / "history.sqlite3", count)
            opens, filters = [], []
            for _ in range(runs):
                opened, filtered = asyncio.run(_screen_once(data, "deploy"))
                opens.append(opened)
                filters.append(filtered)
        report(f"history screen over {count:,} messages: {runs} fresh apps")
        measures.append(Measure(f"history screen: open (F4), {count:,} rows", tuple(opens)))
        measures.append(Measure(f"history screen: filter 'deploy', {count:,} rows", tuple(filters)))
    return measures


def run(quick: bool = False) -> list[Any]:
    """For ``benchmarks/run.py``: the cases as ``common.Measure`` values (seconds)."""
    from common import Measure

    rows, runs = (20_000, 3) if quick else (100_000, 15)
    report = lambda text: print(text, file=sys.stderr)  # noqa: E731
    results = measure(rows, runs, report=report)
    store = [Measure(f"{r.name} ({rows:,} rows)", r.samples) for r in results]
    return store + measure_screen(rows, 1 if quick else 5, report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few runs (for CI; timings rough)")
    parser.add_argument("--rows", type=int, help="messages in the store (100,000; quick 20,000)")
    parser.add_argument("--runs", type=int, help="repetitions per figure (default 15, quick 3)")
    parser.add_argument("--no-check", action="store_true", help="never fail on a timing")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 15)
    rows = args.rows or (20_000 if args.quick else 100_000)
    results = measure(rows, runs)
    print(f"median of {runs} runs, each opening the store afresh:\n")
    print(f"{'case':<44} {'median':>9} {'page':>5} {'count':>7}")
    for r in results:
        mark = " *" if r.headline else ""
        print(f"{r.name:<44} {r.median_ms:>6.1f} ms {r.page:>5} {r.total:>7}{mark}")
    print(f"\n* target: under {TARGET_MS:.0f} ms")
    over = [r.name for r in results if r.headline and r.median_ms > TARGET_MS]
    if over and not args.no_check and not args.quick:
        print(f"over the target: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
