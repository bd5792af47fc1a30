"""What every screen of the app does the same way."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Input, TextArea

if TYPE_CHECKING:
    from pullover_tui.tui.app import PulloverApp


def pullover_app(node: DOMNode) -> PulloverApp:
    """The running ``PulloverApp`` (typed, for the screens)."""
    return node.app  # type: ignore[return-value]


def apply_cursor_blink(node: DOMNode) -> None:
    """Give every text field below ``node`` the app's cursor blink (off in tests)."""
    blink = getattr(node.app, "cursor_blink", True)
    for field in node.query(Input):
        field.cursor_blink = blink
    for area in node.query(TextArea):
        area.cursor_blink = blink


def spare_first_restyle(screen: Screen[Any], event: events.ScreenResume) -> None:
    """Skip Textual's restyle of every widget when ``screen`` first resumes.

    Call it from the screen's ``on_screen_resume``, which runs before Textual's
    own. The first resume comes straight after the mount, which has just styled
    each widget, and Textual restyles what a focus change affects by itself
    (a ``:focus-within`` rule on the row, say); styling all again cost about a
    tenth of the compose screen's start-up. Later resumes (back from another
    screen, ``stack_updates`` counts them) restyle as usual.
    """
    if screen.stack_updates == 0:
        event.refresh_styles = False


def display_path(path: Path) -> str:
    """A path for people: under the home directory it starts with ``~``."""
    if not path.is_absolute():
        return str(path)
    try:
        return f"~/{path.expanduser().resolve().relative_to(Path.home().resolve())}"
    except (ValueError, RuntimeError, OSError):
        return str(path)
