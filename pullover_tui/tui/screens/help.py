"""F1: every key binding of the app, by screen, in one dialog."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {"slash": "/"}
EXTRA_KEYS = [
    ("ctrl+p", "Command palette: every action, searchable"),
    ("tab / shift+tab", "Next / previous field"),
]


def binding_rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """(keys, what they do) for each binding that has a description."""
    rows = []
    for binding in bindings:
        if isinstance(binding, Binding) and binding.description:
            keys = binding.key_display or " / ".join(
                KEY_NAMES.get(key, key) for key in binding.key.split(",")
            )
            rows.append((keys, binding.tooltip or binding.description))
    return rows


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """The app's bindings grouped by where they work."""
    from pullover_tui.tui.app import PulloverApp
    from pullover_tui.tui.screens.compose import ComposeScreen
    from pullover_tui.tui.screens.compose_sending import ComposeSending
    from pullover_tui.tui.screens.history import HistoryScreen
    from pullover_tui.tui.screens.history_entry import HistoryEntryScreen
    from pullover_tui.tui.screens.profiles import ProfilesScreen
    from pullover_tui.tui.screens.welcome import WelcomeScreen
    from pullover_tui.tui.widgets.choice_field import ChoiceField

    return [
        ("Everywhere", binding_rows(PulloverApp.BINDINGS) + EXTRA_KEYS),
        ("Compose", binding_rows([*ComposeSending.BINDINGS, *ComposeScreen.BINDINGS])),
        ("A choice field (profile, priority, sound, ...)", binding_rows(ChoiceField.BINDINGS)),
        ("History", binding_rows(HistoryScreen.BINDINGS)),
        ("A message of the history", binding_rows(HistoryEntryScreen.BINDINGS)),
        ("Profiles", binding_rows(ProfilesScreen.BINDINGS)),
        ("Welcome", binding_rows(WelcomeScreen.BINDINGS)),
    ]


def bindings_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column()
    for index, (title, rows) in enumerate(sections()):
        if index:
            table.add_row("", "")
        table.add_row("", Text(title, style="bold underline"))
        for keys, text in rows:
            table.add_row(keys, text)
    return table


class HelpScreen(ModalScreen[None]):
    """All key bindings; any of escape, F1 or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", id="help_close")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog -help"):
            yield Static("Keys", classes="panel-title")
            with VerticalScroll():
                yield Static(bindings_table(), id="bindings")
            yield Static("escape closes", classes="muted")
