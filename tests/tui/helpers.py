"""Small things the TUI tests do over and over."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from pullover_tui.tui.app import PulloverApp
from pullover_tui.tui.screens.compose import ComposeScreen
from pullover_tui.tui.widgets.compose_form import ComposeForm


def compose_screen(app: PulloverApp) -> ComposeScreen:
    screen = app.screen
    assert isinstance(screen, ComposeScreen), f"expected the compose screen, got {screen!r}"
    return screen


def form(app: PulloverApp) -> ComposeForm:
    return compose_screen(app).form


async def type_keys(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` key by key into whatever has focus."""
    keys = {" ": "space", "\n": "enter"}
    await pilot.press(*[keys.get(ch, ch) for ch in text])


async def set_inputs(pilot: Pilot[Any], **values: str) -> None:
    """Set one-line fields of the current screen by id (faster than typing)."""
    for name, value in values.items():
        pilot.app.screen.query_one(f"#{name}", Input).value = value
    await pilot.pause()


async def set_message(pilot: Pilot[Any], text: str) -> None:
    pilot.app.screen.query_one("#message", TextArea).load_text(text)
    await pilot.pause()


async def choose(pilot: Pilot[Any], name: str, value: object) -> None:
    pilot.app.screen.query_one(f"#{name}", Select).value = value
    await pilot.pause()


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and the screen catch up with what they posted."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def notifications(app: PulloverApp) -> list[tuple[str, str]]:
    """(title, message) of every toast the app raised."""
    return [(n.title, n.message) for n in app._notifications]


def profile_choices(app: PulloverApp) -> list[str]:
    """The profiles the compose screen offers."""
    select = app.screen.query_one("#profile", Select)
    return [value for _, value in select._options if value is not Select.NULL]
