"""Small things the TUI tests do over and over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from pullover_tui.core.history_entry import HistoryEntry
from pullover_tui.core.store import HistoryStore
from pullover_tui.tui.app import PulloverApp
from pullover_tui.tui.screens.compose import ComposeScreen
from pullover_tui.tui.widgets.choice_field import ChoiceField
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
    pilot.app.screen.query_one(f"#{name}", ChoiceField).value = value
    await pilot.pause()


POLLERS = ("receipt-poll",)
"""Worker groups that run until something outside happens (a receipt polled until acknowledged)."""


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish (all but the pollers) and the screen catch up with what they posted."""
    rounds = 0
    while rounds < 5:  # a finishing worker may start another (e.g. a page load after a send)
        workers = [w for w in pilot.app.workers if w.group not in POLLERS and not w.is_finished]
        if not workers:
            break
        await pilot.app.workers.wait_for_complete(workers)
        await pilot.pause()
        rounds += 1
    if not rounds:
        await pilot.pause()


def notifications(app: PulloverApp) -> list[tuple[str, str]]:
    """(title, message) of every toast the app raised."""
    return [(n.title, n.message) for n in app._notifications]


def profile_choices(app: PulloverApp) -> list[str]:
    """The profiles the compose screen offers."""
    return [str(name) for name in form(app).choices("profile")]


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 5) -> None:
    """Pause until ``condition()`` holds (e.g. a poll saw the sandbox change)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "timed out waiting"


def history(app: PulloverApp) -> list[HistoryEntry]:
    """Every recorded entry, newest first, read through the core."""
    store = HistoryStore.open_existing(app.history_file)
    if store is None:
        return []
    with store:
        return store.search(limit=10_000)
