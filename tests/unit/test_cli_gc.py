"""The collector pause around a command (``cli.main.entry``): paused while it starts, on again
for whatever runs longer, and what is left frozen at exit."""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pullover_tui.cli import main as cli_main


@pytest.fixture
def gc_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_pause_ends_by_itself_for_a_command_that_runs_long(
    gc_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_main._StartupGcPause, "SECONDS", 0.05)
    pause = cli_main._StartupGcPause()
    pause.start()
    assert not gc.isenabled()
    deadline = time.monotonic() + 5
    while not gc.isenabled() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gc.isenabled()
    pause.end()
    assert gc.isenabled()


def test_ending_the_pause_turns_the_collector_on_at_once(gc_restored: None) -> None:
    pause = cli_main._StartupGcPause()
    pause.start()
    assert not gc.isenabled()
    pause.end()
    assert gc.isenabled()
    pause.end()  # twice is harmless
    assert gc.isenabled()


def test_what_was_made_during_the_pause_is_frozen_when_it_ends(gc_restored: None) -> None:
    gc.unfreeze()
    pause = cli_main._StartupGcPause()
    pause.start()
    made = [[index] for index in range(20_000)]  # as a command's imports would
    pause.end()
    assert gc.get_freeze_count() >= len(made)  # the next collection will not scan them


def test_a_command_exits_with_the_collector_on_and_its_objects_frozen() -> None:
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.isenabled(), gc.get_freeze_count() > 0))\n"
        "from pullover_tui.cli.main import entry\n"
        "sys.argv = ['pullover-tui', '--version']\n"
        "entry()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("pullover-tui ")
    assert lines[-1] == "True True"


def test_the_tui_starts_with_its_imports_frozen(tmp_path: Path) -> None:
    """``launch`` freezes what importing Textual and the app made, so the first
    allocation after it turns the collector back on does not scan all of it."""
    script = (
        "import gc, sys\n"
        "from pullover_tui.tui import app as tui_app\n"
        "def run(self, **options):\n"
        "    print(gc.get_freeze_count(), gc.isenabled())\n"
        "tui_app.PulloverApp.run = run\n"
        "from pullover_tui.tui.launch import launch\n"
        "gc.unfreeze()  # what launch itself freezes is what is counted\n"
        f"sys.exit(launch({str(tmp_path / 'config.toml')!r}, demo=False))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    frozen, enabled = proc.stdout.split()
    assert int(frozen) > 20_000 and enabled == "True"
