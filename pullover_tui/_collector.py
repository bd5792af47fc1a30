"""Turning the cyclic garbage collector back on after a start-up pause.

The CLI (``cli/main.py``) and the app (``tui/launch.py``, ``PulloverApp.run``)
pause the collector while they start: what starting makes (modules, classes,
functions, widgets) lives as long as the process, and scanning it over and over
is wasted time.
"""

from __future__ import annotations

import gc


def resume_collector() -> None:
    """The collector on again, with what was made while it was off frozen first.

    Left young, all of it would be scanned by the first allocation after
    ``gc.enable`` (~40 ms after the app's imports), and by each full collection
    after that.
    """
    gc.freeze()
    gc.enable()
