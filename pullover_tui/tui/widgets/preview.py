"""A live preview of the notification as a phone would show it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from pullover_tui.core.errors import ValidationError
from pullover_tui.core.parsing import Priority, parse_timestamp
from pullover_tui.tui.draft import Draft

if TYPE_CHECKING:
    from pullover_tui.tui.attachments import AttachmentSummary

PHONE_APP = "PUSHOVER"  # what the phone shows above every notification

PRIORITY_NOTES = {
    Priority.LOWEST: "lowest: no alert, no sound",
    Priority.LOW: "low: quiet, no sound or vibration",
    Priority.NORMAL: "normal",
    Priority.HIGH: "high: bypasses quiet hours",
    Priority.EMERGENCY: "emergency: repeats until acknowledged",
}


def preview_time(draft: Draft) -> str:
    """The time the phone would show: the timestamp's local clock time, or 'now'."""
    try:
        seconds = parse_timestamp(draft.timestamp) if draft.timestamp.strip() else None
    except ValidationError:
        seconds = None
    if seconds is None:
        return "now"
    return datetime.fromtimestamp(seconds).strftime("%d %b %H:%M")


def preview_body(draft: Draft) -> Text:
    """The body as the phone renders it: HTML subset styled, monospace kept as is."""
    if not draft.message.strip():
        return Text("Your message appears here as you type.", style="italic dim")
    if draft.format == "html":
        from pullover_tui.tui.html_text import html_to_text  # html.parser: only for HTML

        return html_to_text(draft.message)
    return Text(draft.message)


class NotificationPreview(Vertical):
    """The notification card plus a line of what else the message asks for."""

    draft: reactive[Draft] = reactive(Draft, always_update=True)
    app_name: reactive[str] = reactive("Pushover")
    """Shown as the title when the message has none (Pushover uses the app's name)."""
    attachment: reactive[AttachmentSummary | None] = reactive(None)
    """The image the core accepted for the message, if any."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[object, ...] | None = None
        """What the card shows now: it is rebuilt only when this changes."""
        self._head: tuple[str, int] | None = None
        """The time and the width of the head line shown now."""

    def compose(self) -> ComposeResult:
        with Vertical(id="notification"):
            yield Static(id="notification-head", markup=False)
            yield Static(id="notification-title", markup=False)
            yield Static(id="notification-body", markup=False)
            yield Static(id="notification-url", markup=False)
            yield Static(id="notification-image", markup=False)
        yield Static(id="notification-meta", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Preview"
        self._show()

    def watch_draft(self) -> None:
        self._show()

    def watch_app_name(self) -> None:
        self._show()

    def watch_attachment(self) -> None:
        self._show()

    def _show(self) -> None:
        if not self.is_mounted:
            return
        draft = self.draft
        time_text = preview_time(draft)
        self._show_head(time_text)
        shown = (draft, self.app_name, self.attachment)
        if shown == self._shown:
            return  # each update below costs a new layout of the screen
        self._shown = shown
        card = self.query_one("#notification", Vertical)
        for priority in Priority:
            card.set_class(draft.priority is priority, f"-{priority.label}")
        title = self.query_one("#notification-title", Static)
        title.update(Text(draft.title.strip() or self.app_name, style="bold"))
        body = self.query_one("#notification-body", Static)
        body.set_class(draft.format == "monospace", "-monospace")
        body.update(preview_body(draft))
        url = self.query_one("#notification-url", Static)
        url.display = bool(draft.url.strip())
        url.update(Text(f"→ {draft.url_title.strip() or draft.url.strip()}", style="underline"))
        image = self.query_one("#notification-image", Static)
        image.display = self.attachment is not None
        if self.attachment is not None:
            image.update(Text(f"▣ {self.attachment.text}"))
        self.query_one("#notification-meta", Static).update(_meta(draft))

    def _show_head(self, time_text: str) -> None:
        """``PUSHOVER`` on the left and the time on the right of the card's width."""
        line = self.query_one("#notification-head", Static)
        width = max(line.size.width, 20)
        if (time_text, width) == self._head:
            return
        self._head = (time_text, width)
        head = Text(PHONE_APP, style="bold", no_wrap=True, overflow="crop")
        head.append(" " * max(1, width - len(head.plain) - len(time_text)))
        head.append(time_text, style="dim")
        line.update(head, layout=False)  # always one line: its height never changes

    def on_resize(self) -> None:
        if self.is_mounted:
            self._show_head(preview_time(self.draft))


def _meta(draft: Draft) -> str:
    parts = [PRIORITY_NOTES[draft.priority]]
    parts.append(f"sound: {draft.sound or 'default'}")
    parts.append(f"device: {draft.device or 'all'}")
    if draft.ttl.strip().isdigit():
        parts.append(f"deleted after {draft.ttl.strip()} s")
    if draft.is_emergency:
        parts.append(f"re-alerts every {draft.retry or '?'} s for {draft.expire or '?'} s")
    if draft.format != "plain":
        parts.append(draft.format)
    return " · ".join(parts)
