"""Add or edit a profile in a modal form, checked by the core's ``Profile`` and saved by it.

Secrets are never shown: the token fields are password fields, and when editing
they start empty, meaning "keep the current value" (shown masked as a hint).
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from pullover_tui.core.endpoint import DEFAULT_API_URL
from pullover_tui.core.errors import ConfigError, FieldProblem, ValidationError
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import Profile, ProfileExistsError, describe_secret
from pullover_tui.tui.config_changes import save_profile
from pullover_tui.tui.draft import problems_by_field
from pullover_tui.tui.screens.common import apply_cursor_blink, pullover_app
from pullover_tui.tui.widgets.choice_field import ChoiceField
from pullover_tui.tui.widgets.form_row import FormRow

TEXT_FIELDS = ("name", "title", "sound", "device", "url", "url_title", "ttl", "api_url")
FORMAT_OPTIONS = [("plain text", "plain"), ("HTML", "html"), ("monospace", "monospace")]
FORM_FIELD = {"html": "format", "monospace": "format", "env": "app_token", "command": "app_token"}


def _text(value: str) -> str | None:
    return value.strip() or None


def _ttl(value: str) -> int | str | None:
    value = value.strip()
    return int(value) if value.isdigit() else value or None


class ProfileFormScreen(ModalScreen[Profile | None]):
    """Dismisses with the saved profile, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="profile_save", priority=True),
        Binding("escape", "cancel", "Cancel", id="profile_cancel"),
    ]

    def __init__(self, profile: Profile | None, *, make_default: bool = False) -> None:
        super().__init__()
        self.profile = profile
        self.make_default = make_default

    def _secret_input(self, field: str) -> Input:
        if self.profile is None:
            hint = "30 letters and digits"
        else:
            hint = f"unchanged: {describe_secret(getattr(self.profile, field))}"
        return Input(id=field, password=True, placeholder=hint, compact=True)

    def compose(self) -> ComposeResult:
        p = self.profile
        title = "New profile" if p is None else f"Edit profile {p.name}"
        priorities = [(f"{x.label}", x) for x in Priority]
        fmt = "html" if p and p.html else "monospace" if p and p.monospace else "plain"
        with Vertical(id="dialog", classes="dialog -form"):
            yield Static(title, classes="panel-title")
            with VerticalScroll(id="profile-fields"):
                yield self._row("Name", "name", p and p.name, "e.g. personal")
                yield FormRow("App token", self._secret_input("app_token"), field="app_token")
                yield FormRow("User key", self._secret_input("user_key"), field="user_key")
                yield Static("Message defaults, all optional", classes="form-section")
                yield self._row("Title", "title", p and p.title)
                priority = ChoiceField(
                    priorities,
                    id="priority",
                    prompt="not set (normal)",
                    allow_blank=True,
                    value=p.priority if p else None,
                )
                yield FormRow("Priority", priority, field="priority")
                yield self._row(
                    "Sound", "sound", p and p.sound, "e.g. magic; empty: user's default"
                )
                yield self._row("Device", "device", p and p.device, "empty: all devices")
                yield self._row("URL", "url", p and p.url)
                yield self._row("URL title", "url_title", p and p.url_title)
                yield self._row("TTL", "ttl", p and p.ttl, "seconds")
                formats = ChoiceField(FORMAT_OPTIONS, id="format", value=fmt)
                yield FormRow("Format", formats, field="format")
                yield self._row("API URL", "api_url", p and p.api_url, f"empty: {DEFAULT_API_URL}")
                yield Checkbox(
                    "Make this the default profile", self.make_default, id="make_default"
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    @staticmethod
    def _row(label: str, field: str, value: object, placeholder: str = "") -> FormRow:
        text = "" if value is None else str(value)
        return FormRow(
            label, Input(text, id=field, placeholder=placeholder, compact=True), field=field
        )

    def on_mount(self) -> None:
        apply_cursor_blink(self)
        self.query_one("#name", Input).focus()

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def read_profile(self) -> Profile:
        """The profile the form describes; ``ValidationError`` lists every bad field."""
        old = self.profile
        values: dict[str, Any] = {field: _text(self._value(field)) for field in TEXT_FIELDS}
        values["ttl"] = _ttl(self._value("ttl"))
        for secret in ("app_token", "user_key"):
            typed = self._value(secret).strip()
            values[secret] = typed or (getattr(old, secret) if old is not None else None)
        values["priority"] = self.query_one("#priority", ChoiceField).value
        fmt = self.query_one("#format", ChoiceField).value
        values["html"], values["monospace"] = fmt == "html", fmt == "monospace"
        name = values.pop("name") or ""
        app = pullover_app(self)
        taken = app.is_demo_profile(name) and (old is None or old.name != name)
        problems: list[FieldProblem] = []
        if taken:
            problems.append(FieldProblem("name", "is the demo profile's name"))
        try:
            profile = Profile(name, **values)
        except ValidationError as exc:
            problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems)
        return profile

    def show_problems(self, problems: dict[str, str]) -> None:
        mapped: dict[str, str] = {}
        for field, rule in problems.items():
            key = FORM_FIELD.get(field, field)
            mapped[key] = f"{mapped[key]}; {rule}" if key in mapped else rule
        first = None
        for row in self.query(FormRow):
            row.set_error(mapped.get(row.field))
            if row.field in mapped and first is None:
                first = row
        if first is not None:
            first.scroll_visible()
            for widget in first.query("Input, ChoiceField"):
                widget.focus()
                break

    @on(Input.Changed)
    @on(ChoiceField.Changed)
    def _edited(self, event: Input.Changed | ChoiceField.Changed) -> None:
        for ancestor in event.control.ancestors if event.control is not None else []:
            if isinstance(ancestor, FormRow):
                ancestor.set_error(None)
                break

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        try:
            profile = self.read_profile()
        except ValidationError as exc:
            self.show_problems(problems_by_field(exc.problems))
            self.notify("Fix the marked fields.", title="Not saved", severity="error")
            return
        make_default = self.query_one("#make_default", Checkbox).value
        self.save(profile, make_default)

    @work(exclusive=True, group="save", exit_on_error=False)
    async def save(self, profile: Profile, make_default: bool) -> None:
        app = pullover_app(self)
        old_name = self.profile.name if self.profile is not None else None
        try:
            config = await asyncio.to_thread(
                save_profile, app.config_path, profile, old_name=old_name, make_default=make_default
            )
        except ProfileExistsError:
            self.show_problems({"name": "is already taken by another profile"})
            return
        except ConfigError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=15, markup=False)
            return
        app.apply_config(config, changed=old_name or profile.name)
        verb = "added" if old_name is None else "saved"
        self.notify(f"Profile {profile.name!r} {verb}.", title="Saved", markup=False)
        self.dismiss(profile)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
