"""The compose form: every message field, live counters and hints, inline errors.

It reads into and loads from a ``Draft``; whether a draft is sendable is the
core's business (``Draft.to_message``), not this widget's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from pullover_tui.core import limits
from pullover_tui.core.parsing import Priority
from pullover_tui.tui.draft import FORMATS, Draft, Format, timestamp_hint
from pullover_tui.tui.widgets.choice_field import ChoiceField
from pullover_tui.tui.widgets.counter import CharCounter
from pullover_tui.tui.widgets.form_row import FormRow
from pullover_tui.tui.widgets.path_suggester import PathSuggester
from pullover_tui.tui.widgets.send_button import SendButton

if TYPE_CHECKING:
    from pullover_tui.tui.attachments import AttachmentSummary

DEFAULT_SOUND_LABEL = "user's default"
ALL_DEVICES_LABEL = "all devices"
FORMAT_LABELS = {"plain": "plain text", "html": "HTML", "monospace": "monospace"}
EMERGENCY_FIELDS = {
    "retry": ("Retry", "seconds between alerts, 30 or more"),
    "expire": ("Expire", "seconds of alerts, at most 10800"),
    "tags": ("Tags", "comma-separated, to cancel by tag"),
    "callback": ("Callback", "optional: URL told when acknowledged"),
}
"""The fields of an emergency message: label and placeholder of each."""


def sound_options(sounds: Mapping[str, str], keep: str = "") -> list[tuple[str, str]]:
    """'user's default' first, then each sound (with its description when it says more)."""
    options = [(DEFAULT_SOUND_LABEL, "")]
    for name, description in sounds.items():
        label = name if description.lower() in ("", name.lower()) else f"{name} · {description}"
        options.append((label, name))
    if keep and keep not in sounds:
        options.append((keep, keep))
    return options


def device_options(devices: Iterable[str], keep: str = "") -> list[tuple[str, str]]:
    """'all devices' first, then each device; ``keep`` (e.g. a profile default) stays listed."""
    names = list(dict.fromkeys(devices))
    if keep and keep not in names:
        names.append(keep)
    return [(ALL_DEVICES_LABEL, ""), *((name, name) for name in names)]


class ComposeForm(VerticalScroll):
    """The message fields; posts ``DraftChanged`` on every edit and ``ProfileChosen``."""

    class DraftChanged(Message):
        def __init__(self, draft: Draft) -> None:
            super().__init__()
            self.draft = draft

    class ProfileChosen(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._sounds: dict[str, str] = dict.fromkeys(limits.BUILTIN_SOUNDS, "")
        self._devices: tuple[str, ...] = ()
        self._emergency_inputs: dict[str, Input] = {}
        self._emergency_title: Static | None = None
        """The emergency fields once built (at the first emergency priority)."""
        self._emergency_values = dict.fromkeys(EMERGENCY_FIELDS, "")
        """Their values until then."""

    def compose(self) -> ComposeResult:
        yield FormRow(
            "Profile",
            ChoiceField(id="profile", allow_blank=True),
            field="profile",
        )
        yield FormRow(
            "Message",
            TextArea(id="message", placeholder="What should the notification say?"),
            field="message",
            under_label=CharCounter(limits.MESSAGE_MAX, id="message-count"),
        )
        yield FormRow(
            "Title",
            Input(id="title", placeholder="the app's name when empty", compact=True),
            CharCounter(limits.TITLE_MAX, id="title-count"),
            field="title",
        )
        priorities = [(p.label, p) for p in Priority]
        yield FormRow(
            "Priority",
            ChoiceField(priorities, value=Priority.NORMAL, id="priority"),
            field="priority",
        )
        yield FormRow(
            "Image",
            Input(
                id="attachment",
                placeholder="path to an image, → completes",
                suggester=PathSuggester(),
                compact=True,
            ),
            field="attachment",
        )
        yield FormRow("URL", Input(id="url", placeholder="https://…", compact=True), field="url")
        yield FormRow(
            "URL title",
            Input(id="url_title", placeholder="needs a URL", compact=True, disabled=True),
            field="url_title",
        )
        yield FormRow(
            "Timestamp",
            Input(id="timestamp", placeholder="empty: now · or 2026-11-28T09:30", compact=True),
            field="timestamp",
        )
        yield FormRow("Sound", self._select("sound", sound_options(self._sounds)), field="sound")
        yield FormRow("Device", self._select("device", device_options(())), field="device")
        formats = [(FORMAT_LABELS[f], f) for f in FORMATS]
        yield FormRow("Format", self._select("format", formats), field="format")
        yield FormRow(
            "TTL",
            Input(id="ttl", placeholder="seconds until it deletes itself", compact=True),
            field="ttl",
        )
        yield SendButton(id="send")

    def _build_emergency(self) -> None:
        """The emergency section's fields, with the values they were given meanwhile."""
        blink = getattr(self.app, "cursor_blink", True)
        self._emergency_title = Static(
            "Emergency: repeats until acknowledged", id="emergency-title"
        )
        widgets: list[Widget] = [self._emergency_title]
        for name, (label, placeholder) in EMERGENCY_FIELDS.items():
            field = Input(
                self._emergency_values[name], id=name, placeholder=placeholder, compact=True
            )
            field.cursor_blink = blink
            self._emergency_inputs[name] = field
            widgets.append(FormRow(label, field, field=name))
        # Made when first needed: most messages never are emergencies.
        self.mount(Vertical(*widgets, id="emergency"), before="#send")

    def _emergency_value(self, name: str) -> str:
        field = self._emergency_inputs.get(name)
        return self._emergency_values[name] if field is None else field.value

    def _set_emergency_value(self, name: str, value: str) -> None:
        field = self._emergency_inputs.get(name)
        if field is None:
            self._emergency_values[name] = value
        else:
            field.value = value

    @staticmethod
    def _select(name: str, options: Sequence[tuple[str, str]]) -> ChoiceField:
        return ChoiceField(options, id=name)

    # Reading and loading ---------------------------------------------------------------

    def read_draft(self) -> Draft:
        """The form's current values."""

        def text(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value

        def choice(widget_id: str) -> Any:
            return self.query_one(f"#{widget_id}", ChoiceField).value

        return Draft(
            message=self.query_one("#message", TextArea).text,
            title=text("title"),
            priority=Priority.NORMAL if (chosen := choice("priority")) is None else chosen,
            url=text("url"),
            url_title=text("url_title"),
            timestamp=text("timestamp"),
            sound=choice("sound") or "",
            device=choice("device") or "",
            format=cast(Format, choice("format") or "plain"),
            ttl=text("ttl"),
            retry=self._emergency_value("retry"),
            expire=self._emergency_value("expire"),
            tags=self._emergency_value("tags"),
            callback=self._emergency_value("callback"),
            attachment=text("attachment"),
        )

    def load_draft(self, draft: Draft) -> None:
        """Put a draft's values into the widgets (the message text included), then announce once."""
        with self.prevent(Input.Changed, TextArea.Changed, ChoiceField.Changed):
            message = self.query_one("#message", TextArea)
            if message.text != draft.message:
                message.load_text(draft.message)
            for name in ("title", "url", "url_title", "timestamp", "ttl", "attachment"):
                self.query_one(f"#{name}", Input).value = getattr(draft, name)
            for name in EMERGENCY_FIELDS:
                self._set_emergency_value(name, getattr(draft, name))
            self.query_one("#priority", ChoiceField).value = draft.priority
            self.query_one("#format", ChoiceField).value = draft.format
            self._offer("sound", sound_options(self._sounds, draft.sound), draft.sound)
            self._offer("device", device_options(self._devices, draft.device), draft.device)
        self._announce()

    def _offer(self, name: str, options: list[tuple[str, str]], value: str) -> None:
        select = self.query_one(f"#{name}", ChoiceField)
        select.set_options(options)
        select.value = value

    def choices(self, name: str) -> list[object]:
        """The values the choice field ``name`` offers now (profile, sound or device)."""
        return [value for _, value in self.query_one(f"#{name}", ChoiceField).options]

    def _chosen(self, name: str) -> str:
        value = self.query_one(f"#{name}", ChoiceField).value
        return value if isinstance(value, str) else ""

    def set_sounds(self, sounds: Mapping[str, str]) -> None:
        """Offer the sounds fetched for the profile; keeps the chosen one."""
        self._sounds = dict(sounds)
        current = self._chosen("sound")
        self._offer("sound", sound_options(self._sounds, current), current)

    def set_devices(self, devices: Iterable[str]) -> None:
        """Offer the user's devices; keeps the chosen one."""
        self._devices = tuple(devices)
        current = self._chosen("device")
        self._offer("device", device_options(self._devices, current), current)

    def set_profiles(self, names: Iterable[str], selected: str | None) -> None:
        """Fill the profile select without announcing a choice."""
        select = self.query_one("#profile", ChoiceField)
        names = list(names)
        with self.prevent(ChoiceField.Changed):
            select.set_options([(name, name) for name in names])
            select.value = selected

    def set_attachment_note(self, summary: AttachmentSummary | None, problem: str) -> None:
        """Under the image field: what the core made of the file, or what is wrong with it."""
        row = self.query_one("#row-attachment", FormRow)
        if problem:
            row.set_note(f"✗ {problem}", bad=True)
        else:
            row.set_note(f"→ {summary.text}" if summary is not None else None)

    def clear_message(self) -> None:
        """After a send: the text and the image go, every other field stays."""
        self.query_one("#message", TextArea).clear()
        self.query_one("#attachment", Input).value = ""

    # Errors ----------------------------------------------------------------------------

    def show_problems(self, problems: Mapping[str, str]) -> FormRow | None:
        """Mark each field with its problem (unknown fields under the message); the first row."""
        rows = {row.field: row for row in self.query(FormRow)}
        shown = dict(problems)
        for field in list(shown):
            if field not in rows:
                extra = f"{field}: {shown.pop(field)}"
                shown["message"] = f"{shown['message']}; {extra}" if "message" in shown else extra
        first: FormRow | None = None
        for field, row in rows.items():
            row.set_error(shown.get(field))
            if field in shown and first is None:
                first = row
        return first

    def clear_problems(self) -> None:
        for row in self.query(FormRow):
            row.set_error(None)

    def errors(self) -> dict[str, str]:
        """The errors shown now, by field (for tests and the status line)."""
        return {row.field: row.error for row in self.query(FormRow) if row.error}

    # Live reactions --------------------------------------------------------------------

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _field_edited(self, event: Input.Changed | TextArea.Changed) -> None:
        self._clear_row_error(event.control)
        self._announce()

    @on(ChoiceField.Changed)
    def _select_changed(self, event: ChoiceField.Changed) -> None:
        event.stop()
        if event.field.id == "profile":
            if isinstance(event.value, str):
                self.post_message(self.ProfileChosen(event.value))
            return
        self._clear_row_error(event.field)
        self._announce()

    def _clear_row_error(self, widget: Widget | None) -> None:
        for ancestor in widget.ancestors if widget is not None else []:
            if isinstance(ancestor, FormRow):
                ancestor.set_error(None)
                return

    def _announce(self) -> None:
        draft = self.read_draft()
        self._update_dependent(draft)
        self.post_message(self.DraftChanged(draft))

    def _update_dependent(self, draft: Draft) -> None:
        """Counters, the timestamp hint and the fields that depend on others."""
        self.query_one("#message-count", CharCounter).count = len(draft.message)
        self.query_one("#title-count", CharCounter).count = len(draft.title)
        url_title = self.query_one("#url_title", Input)
        url_title.disabled = not draft.url.strip()
        url_title.placeholder = "needs a URL" if url_title.disabled else "the URL when empty"
        shown = bool(self._emergency_inputs) and self.query_one("#emergency").display
        if draft.is_emergency and not self._emergency_inputs:
            self._build_emergency()
        if self._emergency_inputs:
            emergency = self.query_one("#emergency")
            if draft.is_emergency and not shown and self._emergency_title is not None:
                # (after a refresh: a section made just now is not mounted yet)
                self.call_after_refresh(self._emergency_title.scroll_visible, animate=False)
            emergency.display = draft.is_emergency
        hint = timestamp_hint(draft.timestamp)
        row = self.query_one("#row-timestamp", FormRow)
        row.set_note(f"→ {hint.text}" if draft.timestamp.strip() else None, bad=not hint.ok)
