"""The CLI's way into the terminal app: ``pullover-tui`` and ``pullover-tui demo``.

Textual is imported inside ``launch`` so that the rest of the CLI starts fast
and never needs it.
"""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING

from pullover_tui._collector import resume_collector

if TYPE_CHECKING:
    from pullover_tui.tui.demo import DemoSession


def launch(config_path: str | None, demo: bool) -> int:
    """Run the app until the user quits; returns the process exit code.

    ``demo`` starts the sandbox in-process on a free loopback port first, and
    stops it on the way out whatever happens.
    """
    gc.disable()  # importing Textual makes ~50k long-lived objects: no point scanning them
    try:
        from pullover_tui.core.paths import config_path as resolve_config_path
        from pullover_tui.tui.app import PulloverApp
    finally:
        resume_collector()  # PulloverApp.run pauses it again until the first frame

    session: DemoSession | None = None
    if demo:
        from pullover_tui.tui.demo import start_demo

        try:
            session = start_demo()
        except OSError as exc:
            print(f"pullover-tui: the demo sandbox did not start: {exc}", file=sys.stderr)
            return 1
    try:
        app = PulloverApp(resolve_config_path(config_path), demo=session)
        app.run()
    finally:
        if session is not None:
            session.close()
    return app.return_code or 0
