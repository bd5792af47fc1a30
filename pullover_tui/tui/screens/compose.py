"""The main screen: compose a message, see it as a phone would, send it.

Sending and the lookups of sounds and devices run in workers, so the screen
stays responsive even when the server hangs; ``escape`` cancels a send.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static, TextArea

from pullover_tui.core.errors import (
    ClientSendError,
    PulloverError,
    QuotaExceededError,
    ServerSendError,
    ValidationError,
)
from pullover_tui.core.message import Message
from pullover_tui.core.profiles import Profile, describe_secret
from pullover_tui.core.request import SendResult
from pullover_tui.core.retry import RetryNotice
from pullover_tui.tui.api import ProfileApi
from pullover_tui.tui.demo import InboxItem
from pullover_tui.tui.draft import Draft, problems_by_field, rejected_fields
from pullover_tui.tui.screens.common import apply_cursor_blink, pullover_app
from pullover_tui.tui.widgets.compose_form import ComposeForm
from pullover_tui.tui.widgets.form_row import FormRow
from pullover_tui.tui.widgets.inbox import InboxPane
from pullover_tui.tui.widgets.preview import NotificationPreview
from pullover_tui.tui.widgets.status_bar import StatusBar

CANCEL_HINT = "esc cancels"


class ComposeScreen(Screen[None]):
    """Form on the left; preview (and in demo mode the sandbox's inbox) on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="send", priority=True, tooltip="Send the message"),
        Binding(
            "escape",
            "cancel_send",
            "Cancel send",
            id="cancel_send",
            tooltip="Stop sending: cancels the request or the wait before a retry",
        ),
        Binding(
            "ctrl+r",
            "reset_form",
            "Reset",
            id="reset_form",
            tooltip="Empty the form and refill the profile's defaults",
        ),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    AUTO_FOCUS = "#message"

    sending: reactive[bool] = reactive(False, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.profile: Profile | None = None
        self._inbox_subscribed = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="compose-body"):
            with Vertical(id="form-column"):
                yield Static("", id="banner", markup=False)
                yield ComposeForm(id="form")
            with Vertical(id="side"):
                yield NotificationPreview(id="preview")
                yield InboxPane(id="inbox")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def form(self) -> ComposeForm:
        return self.query_one(ComposeForm)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        apply_cursor_blink(self)
        app = pullover_app(self)
        app.profiles_changed.subscribe(self, self._profiles_changed)
        self.query_one("#banner").display = False
        self._show_demo()
        self._profiles_changed(None, choose=app.starting_profile())

    # Profiles ---------------------------------------------------------------------------

    def _profiles_changed(self, _: None, choose: str | None = None) -> None:
        """Refill the profile choice; re-apply defaults if the chosen profile changed."""
        app = pullover_app(self)
        profiles = app.profiles
        current = self.profile.name if self.profile is not None else None
        name = choose or (current if current in profiles else app.starting_profile())
        self.form.set_profiles(profiles, name)
        self._show_demo()
        profile = profiles.get(name) if name is not None else None
        if profile != self.profile:
            self.use_profile(profile)

    @on(ComposeForm.ProfileChosen)
    def _profile_chosen(self, event: ComposeForm.ProfileChosen) -> None:
        self.use_profile(pullover_app(self).profiles.get(event.name))

    def use_profile(self, profile: Profile | None) -> None:
        """Fill the profile's defaults (keeping the message) and offer its sounds and devices."""
        self.profile = profile
        form = self.form
        form.load_draft(form.read_draft().with_profile_defaults(profile))
        if profile is None:
            self.status.set_profile("no profile: F3 to add one")
            return
        self.status.set_profile(f"{profile.name} · user {describe_secret(profile.user_key)}")
        self.query_one(NotificationPreview).app_name = profile.name
        catalog = pullover_app(self).catalog
        if profile.name in catalog.sounds:
            form.set_sounds(catalog.sounds[profile.name])
            form.set_devices(catalog.devices.get(profile.name, ()))
        else:
            self.call_after_refresh(self.fetch_catalog, profile)

    @work(exclusive=True, group="catalog", exit_on_error=False)
    async def fetch_catalog(self, profile: Profile) -> None:
        """Fetch the app's sounds and the user's devices once per profile."""
        app = pullover_app(self)
        api = ProfileApi(profile, app.client_factory)
        try:
            sounds, devices = await asyncio.gather(api.sounds(), api.devices())
        except PulloverError as exc:
            reason = exc.last_error if isinstance(exc, ServerSendError) else str(exc)
            self.notify(
                f"Sounds and devices of {profile.name!r} not loaded: {reason}",
                title="Lookup failed",
                severity="warning",
                markup=False,
            )
            return
        app.catalog.sounds[profile.name] = sounds
        app.catalog.devices[profile.name] = devices
        if self.profile is not None and self.profile.name == profile.name:
            self.form.set_sounds(sounds)
            self.form.set_devices(devices)

    # Live preview -----------------------------------------------------------------------

    @on(ComposeForm.DraftChanged)
    def _draft_changed(self, event: ComposeForm.DraftChanged) -> None:
        self.query_one(NotificationPreview).draft = event.draft

    # Demo inbox -------------------------------------------------------------------------

    def _show_demo(self) -> None:
        demo = pullover_app(self).demo
        inbox = self.query_one(InboxPane)
        self.set_class(demo is not None, "-demo")
        self.sub_title = "Compose · demo: sending to the built-in sandbox" if demo else "Compose"
        if demo is None or self._inbox_subscribed:
            return
        self._inbox_subscribed = True
        for item in demo.items():
            inbox.add(item)
        demo.subscribe(lambda item: self._post_received(item))

    def _post_received(self, item: InboxItem) -> None:
        """Called from the sandbox's server thread: post_message is thread-safe."""
        self.post_message(InboxPane.Received(item))

    @on(InboxPane.Received)
    def _received(self, event: InboxPane.Received) -> None:
        self.query_one(InboxPane).add(event.item)

    # Sending ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_send":
            return self.sending
        return True

    def watch_sending(self, sending: bool) -> None:
        self.query_one("#send", Button).loading = sending
        self.refresh_bindings()

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        """Validate with the core, mark every bad field, and send only a valid message."""
        if self.sending:
            self.notify("Still sending the last message (esc cancels it).", severity="warning")
            return
        form = self.form
        form.clear_problems()
        self._banner(None)
        draft = form.read_draft()
        if self.profile is None:
            self._refuse({"profile": "choose a profile first, or add one with F3"})
            return
        try:
            message = draft.to_message()
        except ValidationError as exc:
            self._refuse(problems_by_field(exc.problems))
            return
        self.sending = True
        self.status.set_state(f"Sending…  {CANCEL_HINT}", "busy")
        self._banner(f"Sending to Pushover…  {CANCEL_HINT}", busy=True)
        self.send_message(self.profile, message)

    def _refuse(self, problems: dict[str, str]) -> None:
        row = self.form.show_problems(problems)
        count = len(problems)
        noun = "field needs" if count == 1 else "fields need"
        self.status.set_state(f"Not sent: {count} {noun} fixing", "error")
        self.notify("Fix the marked fields, then send again.", title="Not sent", severity="error")
        if row is not None:
            self._focus_row(row)

    def _focus_row(self, row: FormRow) -> None:
        for widget in row.query("Input, TextArea, Select"):
            if widget.focusable:
                widget.focus()
                return

    def _on_retry(self, notice: RetryNotice) -> None:
        self.status.set_state(f"Not delivered yet, {notice} · {CANCEL_HINT}", "busy")
        self._banner(f"Not delivered yet: {notice}.  {CANCEL_HINT}", busy=True)

    @work(exclusive=True, group="send", exit_on_error=False)
    async def send_message(self, profile: Profile, message: Message) -> None:
        """Send in the background; every outcome lands in the status line and a toast."""
        api = ProfileApi(profile, pullover_app(self).client_factory)
        try:
            result = await api.send(message, on_retry=self._on_retry)
        except asyncio.CancelledError:
            self._not_sent("cancelled before Pushover confirmed it")
            raise
        except QuotaExceededError as exc:
            self.status.set_quota(exc.quota)
            self._not_sent(f"the app's monthly quota is spent ({exc})")
        except ClientSendError as exc:
            self._rejected(exc)
        except ServerSendError as exc:
            self._not_sent(str(exc))
        except PulloverError as exc:
            self._not_sent(str(exc))
        else:
            self._sent(message, result)
        finally:
            self.sending = False

    def _sent(self, message: Message, result: SendResult) -> None:
        textarea = self.query_one("#message", TextArea)
        if textarea.text == message.message:
            textarea.clear()
        extra = f" after {result.attempts} attempts" if result.attempts > 1 else ""
        receipt = f"\nReceipt {result.receipt}" if result.receipt else ""
        self.notify(f"Request {result.request}{receipt}", title=f"Sent{extra}", markup=False)
        self.status.set_state(f"Sent{extra} ✓", "success")
        self._banner(None)
        if result.quota is not None:
            self.status.set_quota(result.quota)
        textarea.focus()

    def _rejected(self, exc: ClientSendError) -> None:
        if exc.quota is not None:
            self.status.set_quota(exc.quota)
        marked = rejected_fields(exc.invalid_fields, exc.errors)
        if marked:
            self.form.show_problems(marked)
        request = f" (request {exc.request})" if exc.request else ""
        self.notify(
            f"{exc}{request}",
            title="Refused by Pushover",
            severity="error",
            timeout=10,
            markup=False,
        )
        self.status.set_state("Not sent: refused by Pushover, see the marked fields", "error")
        self._banner(f"✗ Not sent: Pushover refused it: {exc}")

    def _not_sent(self, reason: str) -> None:
        self.notify(
            f"{reason}\nThe message is still in the form: ctrl+s to try again.",
            title="Not sent",
            severity="error",
            timeout=10,
            markup=False,
        )
        self.status.set_state(f"Not sent: {reason}", "error")
        self._banner(f"✗ Not sent: {reason}. The message is still here: ctrl+s tries again.")

    def _banner(self, text: str | None, *, busy: bool = False) -> None:
        banner = self.query_one("#banner", Static)
        banner.set_class(busy, "-busy")
        banner.display = bool(text)
        banner.update(text or "")

    def action_cancel_send(self) -> None:
        self.workers.cancel_group(self, "send")

    def action_reset_form(self) -> None:
        """Empty the form and refill the profile's defaults."""
        self.form.clear_problems()
        self._banner(None)
        self.form.load_draft(Draft.from_profile(self.profile))
        self.query_one("#message", TextArea).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """Enter in a one-line field moves on, as in most forms."""
        self.focus_next()
