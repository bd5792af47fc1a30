"""One history entry in full: every recorded field, the message, and its receipt's status.

Dismisses with the action the user chose (resend, edit and resend, send now)
and the entry; the history screen carries it out.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from pullover_tui.core.history_entry import HistoryEntry
from pullover_tui.tui.attachments import human_size
from pullover_tui.tui.history_pages import local_time, priority_label, status_text
from pullover_tui.tui.screens.common import pullover_app
from pullover_tui.tui.widgets.receipt_panel import ReceiptPanel

Choice = tuple[str, HistoryEntry]


def _format(entry: HistoryEntry) -> str:
    return "HTML" if entry.html else "monospace" if entry.monospace else "plain text"


def _attachment(entry: HistoryEntry) -> str | None:
    a = entry.attachment
    if a is None:
        return None
    described = " · ".join(
        part for part in (a.filename, a.content_type, human_size(a.size or 0)) if part
    )
    where = a.path if a.resendable and a.path else "not kept: cannot be sent again"
    return f"{described}\n{where}"


def entry_fields(entry: HistoryEntry) -> list[tuple[str, str | Text | None]]:
    """(label, value) for every recorded field worth showing; empty ones are left out later."""
    status = status_text(entry)
    if entry.in_outbox:
        status.append(" (in the outbox)", style="dim")
    emergency = None
    if entry.retry is not None or entry.expire is not None:
        emergency = f"re-alerts every {entry.retry} s for {entry.expire} s"
    return [
        ("Status", status),
        ("Last error", entry.last_error),
        ("Created", local_time(entry.created_at, with_seconds=True)),
        ("Sent", local_time(entry.sent_at, with_seconds=True) if entry.sent_at else None),
        ("Profile", entry.profile),
        ("To", entry.recipients),
        ("API", entry.api_url),
        ("Attempts", str(entry.attempts)),
        ("Request", entry.request),
        ("Receipt", entry.receipt),
        ("Title", entry.title),
        ("Priority", priority_label(entry)),
        ("Emergency", emergency),
        ("Tags", ", ".join(entry.tags) or None),
        ("Callback", entry.callback),
        ("URL", entry.url),
        ("URL title", entry.url_title),
        ("Sound", entry.sound),
        ("Devices", ", ".join(entry.devices) or None),
        ("Timestamp", local_time(entry.timestamp, with_seconds=True) if entry.timestamp else None),
        ("TTL", f"{entry.ttl} s" if entry.ttl is not None else None),
        ("Format", _format(entry)),
        ("Image", _attachment(entry)),
    ]


def entry_table(entry: HistoryEntry) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", justify="right", no_wrap=True)
    table.add_column()
    for label, value in entry_fields(entry):
        if value:
            table.add_row(label, value)
    return table


class HistoryEntryScreen(ModalScreen[Choice | None]):
    """The entry in full; r, e and n hand the choice back to the history screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('resend')", "Resend", id="entry_resend", tooltip="Send it again"),
        Binding(
            "e",
            "choose('edit')",
            "Edit & resend",
            id="entry_edit",
            tooltip="Put it in the compose form to change and send",
        ),
        Binding(
            "n",
            "choose('send_now')",
            "Send now",
            id="entry_send_now",
            tooltip="Send it from the outbox now (pending or failed only)",
        ),
        Binding(
            "c",
            "cancel_alert",
            "Stop alert",
            id="entry_cancel_alert",
            tooltip="Cancel the emergency message while it still alerts",
        ),
        Binding("escape,q", "close", "Close", id="entry_close", tooltip="Back to the history"),
    ]

    def __init__(self, entry: HistoryEntry) -> None:
        super().__init__()
        self.entry = entry
        self.panel: ReceiptPanel | None = None

    def compose(self) -> ComposeResult:
        entry = self.entry
        with Vertical(id="dialog", classes="dialog -entry"):
            yield Static(f"Message #{entry.id}", classes="panel-title", markup=False)
            with VerticalScroll(id="entry-scroll"):
                yield Static(entry_table(entry), id="entry-fields")
                yield Static(Text(entry.message), id="entry-message")
                self.panel = self._receipt_panel()
                if self.panel is not None:
                    yield self.panel
            with Horizontal(classes="dialog-buttons"):
                yield Button("Resend (r)", id="resend", variant="primary", compact=True)
                yield Button("Edit & resend (e)", id="edit", compact=True)
                if entry.in_outbox:
                    yield Button("Send now (n)", id="send_now", variant="warning", compact=True)
                yield Button("Close (esc)", id="close", compact=True)

    def _receipt_panel(self) -> ReceiptPanel | None:
        """Live receipt status, when the entry has one and its profile is still here."""
        entry, app = self.entry, pullover_app(self)
        profile = app.profiles.get(entry.profile) if entry.profile else None
        if entry.receipt is None or profile is None:
            return None
        return ReceiptPanel(
            app.api_for(profile), entry.receipt, sleep=app.receipt_sleep, id="entry-receipt"
        )

    def on_mount(self) -> None:
        self.query_one("#resend", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters == ("send_now",):
            return True if self.entry.in_outbox else None
        if action == "cancel_alert":
            return self.panel is not None and self.panel.can_cancel
        return True

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("resend", "edit", "send_now"):
            self.action_choose(event.button.id)
        elif event.button.id == "close":
            self.dismiss(None)

    def action_choose(self, action: str) -> None:
        self.dismiss((action, self.entry))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_cancel_alert(self) -> None:
        if self.panel is not None:
            self.panel.cancel()
