"""What holds on every screen: keys, help, command palette, quitting, themes, small terminals."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.widgets import Static

from pullover_tui.tui.screens.compose import ComposeScreen
from pullover_tui.tui.screens.compose_sending import ComposeSending
from pullover_tui.tui.screens.help import KEY_NAMES, HelpScreen
from pullover_tui.tui.screens.history import HistoryScreen
from tests.tui.helpers import compose_screen, settle, type_keys


async def test_sizes_themes_f1_palette_and_ctrl_q(make_app: Any, configured: Any):
    """80x24 works and wider uses the width; any theme; F1 lists every binding; the palette
    offers every action; ctrl+q quits from a dialog."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = compose_screen(app)
        assert screen.has_class("-narrow")
        assert screen.query_one("#side").region.width >= 30
        assert screen.query_one("#message").region.width >= 30
        app.theme = "textual-light"
        await pilot.pause()
        await type_keys(pilot, "xy")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [m["message"] for m in configured.messages()] == ["xy"]
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        assert screen.has_class("-wide")
        assert screen.query_one("#side").region.width > 50
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#bindings", Static).content)
        text = console.export_text()
        for screen_class in (app.__class__, ComposeSending, ComposeScreen, HistoryScreen):
            for binding in screen_class.BINDINGS:
                key = binding.key.split(",")[0]  # type: ignore[union-attr]
                assert KEY_NAMES.get(key, key) in text
        assert "ctrl+p" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for wanted in ("Send (^s)", "Reset (^r)", "Keys (f1)", "Profiles (f3)", "History (f4)"):
            assert wanted in titles
        assert "Theme" in titles
        await pilot.press("f3")
        await pilot.pause()
        commands = list(app.get_system_commands(app.screen))
        titles = [command.title for command in commands]
        for wanted in ("Add (a)", "Edit (e)", "Delete (d)", "Validate (v)", "Compose (f2)"):
            assert wanted in titles
        [add] = [c for c in commands if c.title == "Add (a)"]
        await add.callback()  # type: ignore[misc]
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ProfileFormScreen"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
