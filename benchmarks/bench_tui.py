"""Benchmark 2: TUI start-up to the first frame ready for input, and peak memory.

Both contenders run headless in a fresh process and exit on Textual's ``Ready``
event (sent once the first frame is displayed), in the same way; the floor is a
minimal Textual app showing one Input. Ours checks at Ready that the frame was
the compose screen's, with its form laid out, and imports the app the way
``pullover-tui`` does (``tui/launch.py``: the garbage collector paused meanwhile).

Two times per run: from starting the process to ``Ready`` (what a user waits
for), and the whole process (with quitting and the interpreter's exit).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from common import ROOT, Measure, child_env

CHILD = """
import gc, resource, sys, time
mode, config = sys.argv[1], sys.argv[2]
ready_at = []
if mode == "minimal":
    from textual.app import App
    from textual.widgets import Input

    class Minimal(App[None]):
        def compose(self):
            yield Input(placeholder="message")

        def on_ready(self) -> None:
            ready_at.append(time.time())
            self.exit()

    app = Minimal()
else:
    from pathlib import Path
    gc.disable()  # as pullover_tui.tui.launch imports the app
    import pullover_tui.tui.app as app_module
    from pullover_tui.tui.app import PulloverApp
    gc.freeze()
    gc.enable()

    class Timed(PulloverApp):
        # Textual resolves a relative CSS_PATH against the subclass's file, which -c lacks.
        CSS_PATH = str(Path(app_module.__file__).with_name(PulloverApp.CSS_PATH))

        def on_ready(self) -> None:
            # Exactly as the minimal app: Ready follows the first screen's first layout
            # and paint. Check that it was the compose screen's, with the form laid out.
            screen = self.screen
            assert type(screen).__name__ == "ComposeScreen", screen
            assert screen.query_one("#message").region, "form not laid out at Ready"
            ready_at.append(time.time())
            self.exit()

    app = Timed(Path(config))
app.run(headless=True)
print(ready_at[0], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

PROFILE = """default_profile = "home"

[profiles.home]
app_token = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
user_key = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
api_url = "http://127.0.0.1:9"
"""


def first_frame(mode: str, config: str) -> tuple[float, float, int]:
    """Seconds to Ready and for the whole process, and peak RSS in KiB."""
    started = time.time()
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode, config],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
        check=False,
        timeout=60,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} app failed: {proc.stderr[-800:]}")
    ready, kib = proc.stdout.strip().splitlines()[-1].split()
    return float(ready) - started, elapsed, int(kib)


def run(runs: int) -> tuple[list[Measure], list[Measure]]:
    """Start to Ready (with peak RSS), and the whole process, for both apps."""
    modes = ("minimal", "ours")
    ready: dict[str, list[float]] = {mode: [] for mode in modes}
    whole: dict[str, list[float]] = {mode: [] for mode in modes}
    rss: dict[str, list[float]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "config.toml")
        with open(config, "w", encoding="utf-8") as fh:
            fh.write(PROFILE)
        os.chmod(config, 0o600)
        for mode in modes:  # warm the file cache for both
            first_frame(mode, config)
        for _ in range(runs):
            for mode in modes:
                to_ready, elapsed, kib = first_frame(mode, config)
                ready[mode].append(to_ready)
                whole[mode].append(elapsed)
                rss[mode].append(kib / 1024)
    floor = "minimal Textual app, one Input (floor)"
    to_ready = [
        Measure(floor, tuple(ready["minimal"])),
        Measure("pullover-tui compose screen", tuple(ready["ours"])),
        Measure("peak RSS, minimal app", tuple(rss["minimal"]), "MiB"),
        Measure("peak RSS, pullover-tui", tuple(rss["ours"]), "MiB"),
    ]
    whole_process = [
        Measure(floor, tuple(whole["minimal"])),
        Measure("pullover-tui compose screen", tuple(whole["ours"])),
    ]
    return to_ready, whole_process
