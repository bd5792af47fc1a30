"""The fake phone of demo mode: every message the sandbox received, newest first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from pullover_tui.core.parsing import Priority

EMPTY_TEXT = "Nothing here yet.\nSend a message with ctrl+s and it lands here."

if TYPE_CHECKING:
    from pullover_tui.tui.demo import InboxItem


def inbox_card_text(item: InboxItem) -> Text:
    """Title line, body and URL of one received message."""
    text = Text()
    text.append(f"#{item.number} ", style="dim")
    text.append(item.title or "(app name)", style="bold")
    if item.priority is not Priority.NORMAL:
        text.append(f" · {item.priority.label}", style="italic")
    text.append("\n")
    if item.html:
        from pullover_tui.tui.html_text import html_to_text  # html.parser: only for HTML

        text.append_text(html_to_text(item.message))
    else:
        text.append_text(Text(item.message))
    if item.url:
        text.append(f"\n→ {item.url_title or item.url}", style="underline")
    extras = [value for value in (item.sound, item.device) if value]
    if extras:
        text.append("\n" + " · ".join(extras), style="dim")
    return text


class InboxCard(Static):
    """One received message."""

    DEFAULT_CSS = """
    InboxCard {
        height: auto;
        margin-bottom: 1;
        padding: 0 1;
        background: $boost;
        border-left: wide $primary;
        &.-high { border-left: wide $warning; }
        &.-emergency { border-left: wide $error; }
        &.-low, &.-lowest { border-left: wide $panel-lighten-2; color: $text-muted; }
        &.-monospace { background: $surface-darken-1; }
    }
    """

    def __init__(self, item: InboxItem) -> None:
        classes = f"-{item.priority.label}" + (" -monospace" if item.monospace else "")
        super().__init__(inbox_card_text(item), classes=classes)
        self.item = item


class InboxPane(VerticalScroll):
    """Received messages as cards, newest at the top."""

    class Received(Message):
        """The sandbox received ``item`` (posted from its server thread)."""

        def __init__(self, item: InboxItem) -> None:
            super().__init__()
            self.item = item

    DEFAULT_CSS = """
    InboxPane {
        & > #inbox-empty { color: $text-muted; text-style: italic; padding: 0 1; }
    }
    """

    def __init__(self, items: Iterable[InboxItem] = (), *, id: str | None = None) -> None:
        """``items``: what the sandbox received before the pane was built, oldest first."""
        super().__init__(id=id)
        self._initial = list(items)

    def compose(self) -> ComposeResult:
        if not self._initial:
            yield Static(EMPTY_TEXT, id="inbox-empty")
        for item in reversed(self._initial):
            yield InboxCard(item)

    def on_mount(self) -> None:
        self.border_title = "Phone · sandbox inbox"
        self.border_subtitle = f"{len(self._initial)} received"

    def add(self, item: InboxItem) -> None:
        """Put a newly received message on top."""
        self.query("#inbox-empty").remove()
        self.mount(InboxCard(item), before=0 if self.children else None)
        self.scroll_home(animate=False)
        self.border_subtitle = f"{len(self.query(InboxCard))} received"

    @property
    def items(self) -> list[InboxItem]:
        return [card.item for card in self.query(InboxCard)]
