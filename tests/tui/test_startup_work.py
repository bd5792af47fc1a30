"""How much styling the compose screen costs before it is first shown: counted, not timed.

Applying the stylesheet to a widget is most of the TUI's start-up. Textual does it
when a widget is mounted, and again on every class change (even before mounting),
and for every widget when a screen resumes. The app avoids the repeats; this keeps
them from coming back. The timing itself is benchmarks/bench_tui.py's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.dom import DOMNode

from pullover_tui.core.profiles import save_config
from pullover_tui.tui.app import PulloverApp
from tests.tui.conftest import sample_config


async def test_each_widget_is_styled_about_once_before_the_first_frame(
    make_app: Callable[..., PulloverApp], config_path: Path
) -> None:
    save_config(config_path, sample_config())
    app = make_app()
    styled: Counter[int] = Counter()
    depth = 0
    counting = True
    apply = app.stylesheet.apply

    def counted_apply(node: DOMNode, **options: Any) -> None:
        nonlocal depth
        if depth == 0 and counting:  # not the nested passes for a widget's own parts
            styled[id(node)] += 1
        depth += 1
        try:
            apply(node, **options)
        finally:
            depth -= 1

    app.stylesheet.apply = counted_apply  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)):
        counting = False
        widgets = list(app.screen.walk_children(with_self=True))
        assert type(app.screen).__name__ == "ComposeScreen"
        assert len(widgets) > 40
        # Was 279 passes over 109 widgets (up to 5 for one widget) before the app
        # skipped Textual's repeats, then 128; 56 over 43 widgets since the screen is
        # built from fewer, self-drawn widgets (choice fields, key bar, row labels).
        assert sum(styled.values()) <= 1.4 * len(widgets)
        assert max(styled.values()) <= 3
