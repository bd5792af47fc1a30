"""Benchmark 2: TUI start-up to the first frame ready for input, and peak memory.

Both contenders run headless in a fresh process and exit on Textual's ``Ready``
event (sent once the first frame is displayed), in the same way; the floor is a
minimal Textual app showing one Input. Ours checks at Ready that the frame was
the compose screen's, with its form laid out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from common import ROOT, Measure, child_env

CHILD = """
import resource, sys
mode, config = sys.argv[1], sys.argv[2]
if mode == "minimal":
    from textual.app import App
    from textual.widgets import Input

    class Minimal(App[None]):
        def compose(self):
            yield Input(placeholder="message")

        def on_ready(self) -> None:
            self.exit()

    app = Minimal()
else:
    from pathlib import Path
    import pullover_tui.tui.app as app_module
    from pullover_tui.tui.app import PulloverApp

    class Timed(PulloverApp):
        # Textual resolves a relative CSS_PATH against the subclass's file, which -c lacks.
        CSS_PATH = str(Path(app_module.__file__).with_name(PulloverApp.CSS_PATH))

        def on_ready(self) -> None:
            # Exactly as the minimal app: Ready follows the first screen's first layout
            # and paint. Check that it was the compose screen's, with the form laid out.
            screen = self.screen
            assert type(screen).__name__ == "ComposeScreen", screen
            assert screen.query_one("#message").region, "form not laid out at Ready"
            self.exit()

    app = Timed(Path(config))
app.run(headless=True)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

PROFILE = """default_profile = "home"

[profiles.home]
app_token = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
user_key = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
api_url = "http://127.0.0.1:9"
"""


def first_frame(mode: str, config: str) -> tuple[float, int]:
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
    return elapsed, int(proc.stdout.strip().splitlines()[-1])


def run(runs: int) -> list[Measure]:
    times: dict[str, list[float]] = {"minimal": [], "ours": []}
    rss: dict[str, list[float]] = {"minimal": [], "ours": []}
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "config.toml")
        with open(config, "w", encoding="utf-8") as fh:
            fh.write(PROFILE)
        os.chmod(config, 0o600)
        for mode in times:  # warm the file cache for both
            first_frame(mode, config)
        for _ in range(runs):
            for mode in times:
                elapsed, kib = first_frame(mode, config)
                times[mode].append(elapsed)
                rss[mode].append(kib / 1024)
    return [
        Measure("minimal Textual app, one Input (floor)", tuple(times["minimal"])),
        Measure("pullover-tui compose screen", tuple(times["ours"])),
        Measure("peak RSS, minimal app", tuple(rss["minimal"]), "MiB"),
        Measure("peak RSS, pullover-tui", tuple(rss["ours"]), "MiB"),
    ]
