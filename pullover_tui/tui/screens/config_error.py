"""What the app shows instead of everything else when the config file is broken.

The file is never written over: the person fixes it, then starts again.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from pullover_tui.core.errors import ConfigError, ConfigProblem
from pullover_tui.tui.screens.common import display_path
from pullover_tui.tui.widgets.footer import KeyFooter
from pullover_tui.tui.widgets.title_bar import TitleBar


def problem_text(problem: ConfigProblem) -> Text:
    """``line 3, column 7  profiles.ops.priority: must be ...``"""
    where = []
    if problem.line is not None:
        where.append(f"line {problem.line}")
    if problem.column is not None:
        where.append(f"column {problem.column}")
    text = Text("• ")
    if where:
        text.append(", ".join(where), style="bold")
        text.append("  ")
    if problem.key:
        text.append(f"{problem.key}: ", style="italic")
    text.append(problem.rule)
    return text


class ConfigErrorScreen(Screen[None]):
    """Says what is wrong with the config file and where; offers to quit."""

    SUB_TITLE = "Config error"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "app.quit", "Quit", id="config_error_quit", show=False),
    ]

    def __init__(self, error: ConfigError, path: Path) -> None:
        super().__init__()
        self.error = error
        self.path = path

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="config-error-body"), Vertical(id="config-error", classes="panel"):
            yield Static("The config file cannot be used", classes="panel-title")
            yield Static(
                Text.assemble(("File  ", "dim"), (display_path(self.path), "bold")), id="path"
            )
            problems = Text("\n").join(problem_text(p) for p in self.error.problems)
            yield Static(problems, id="problems")
            yield Static(
                "Nothing was changed: Pullover never writes over a file it cannot read. "
                "Fix the file in an editor (or move it away to start afresh), then start "
                "Pullover again.",
                id="config-error-help",
                classes="muted",
            )
            yield Button("Quit (q)", id="quit", variant="error")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#quit", Button).focus()

    @on(Button.Pressed, "#quit")
    async def _quit(self) -> None:
        await self.app.action_quit()
