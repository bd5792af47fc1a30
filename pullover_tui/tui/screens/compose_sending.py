"""The compose screen's sending: validate, record in the history, send in a worker, report.

Every send is recorded before its first attempt (unless ``history = false``)
and marked after, as the CLI does. A temporary failure or a cancel keeps the
message in the form *and* in the outbox; sending the same message again from
the form reuses that outbox entry (claimed first), so it can never go twice.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on, work
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static, TextArea

from pullover_tui.core.errors import (
    ClientSendError,
    PulloverError,
    Quota,
    QuotaExceededError,
    ServerSendError,
    ValidationError,
)
from pullover_tui.core.message import Message
from pullover_tui.core.profiles import Profile
from pullover_tui.tui.draft import Draft, problems_by_field, rejected_fields
from pullover_tui.tui.screens.common import pullover_app
from pullover_tui.tui.widgets.compose_form import ComposeForm
from pullover_tui.tui.widgets.form_row import FormRow
from pullover_tui.tui.widgets.send_button import SendButton
from pullover_tui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from pullover_tui.core.request import SendResult
    from pullover_tui.core.retry import RetryNotice
    from pullover_tui.tui.api import Credentials, ProfileApi
    from pullover_tui.tui.recording import Recording

CANCEL_HINT = "esc cancels"


class NotThisTime(Exception):
    """The send stops before any request (e.g. the outbox entry was sent meanwhile)."""


class ComposeSending(Screen[None]):
    """What the compose screen does on ctrl+s; the form and the layout live in its subclass."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="send", priority=True, tooltip="Send the message"),
        Binding(
            "escape",
            "cancel_send",
            "Cancel send",
            id="cancel_send",
            tooltip="Stop sending: cancels the request or the wait before a retry",
        ),
    ]

    sending: reactive[bool] = reactive(False, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.profile: Profile | None = None
        self.kept: tuple[int, Message] | None = None
        """The outbox entry of the message still in the form after a failed send."""

    @property
    def form(self) -> ComposeForm:
        return self.query_one(ComposeForm)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_send":
            return self.sending
        return True

    def watch_sending(self, sending: bool) -> None:
        self.query_one("#send", SendButton).loading = sending
        self.refresh_bindings()

    @on(SendButton.Pressed, "#send")
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
        message: Message | None = None
        if not draft.attachment.strip():  # else checked in the worker: it reads the image
            try:
                message = draft.to_message()
            except ValidationError as exc:
                self._refuse(problems_by_field(exc.problems))
                return
        self.sending = True
        self.status.set_state(f"Sending…  {CANCEL_HINT}", "busy")
        self._banner(f"Sending to Pushover…  {CANCEL_HINT}", busy=True)
        self.send_message(self.profile, draft, message)

    def _refuse(self, problems: dict[str, str]) -> None:
        row = self.form.show_problems(problems)
        count = len(problems)
        noun = "field needs" if count == 1 else "fields need"
        self.status.set_state(f"Not sent: {count} {noun} fixing", "error")
        self._banner(None)
        self.notify("Fix the marked fields, then send again.", title="Not sent", severity="error")
        if row is not None:
            self._focus_row(row)

    def _focus_row(self, row: FormRow) -> None:
        for widget in row.query("Input, TextArea, ChoiceField"):
            if widget.focusable:
                widget.focus()
                return

    def _on_retry(self, notice: RetryNotice) -> None:
        self.status.set_state(f"Not delivered yet, {notice} · {CANCEL_HINT}", "busy")
        self._banner(f"Not delivered yet: {notice}.  {CANCEL_HINT}", busy=True)

    @work(exclusive=True, group="send", exit_on_error=False)
    async def send_message(self, profile: Profile, draft: Draft, message: Message | None) -> None:
        """Send in the background; every outcome lands in the status line and a toast."""
        try:
            if message is None:
                try:
                    message = await asyncio.to_thread(draft.to_message)
                except ValidationError as exc:
                    self._refuse(problems_by_field(exc.problems))
                    return
            await self._send(pullover_app(self).api_for(profile), draft, message)
        finally:
            self.sending = False

    async def _send(self, api: ProfileApi, draft: Draft, message: Message) -> None:
        from pullover_tui.tui.recording import send_recorded  # SQLite: not needed at start

        recording: Recording | None = None
        try:
            credentials = await api.credentials()
            recording = await self._recording(api, credentials, draft, message)
            result = await send_recorded(api, message, credentials, recording, self._on_retry)
        except NotThisTime:
            return
        except asyncio.CancelledError:
            # A request may have been on its way: "cancelled", never "not sent".
            self._not_sent("not confirmed by Pushover", message, recording, title="Cancelled")
            raise
        except QuotaExceededError as exc:
            self._quota(api.profile, exc.quota)
            self._not_sent(f"the app's monthly quota is spent ({exc})", message, recording)
        except ClientSendError as exc:
            self._rejected(api.profile, exc)
        except ServerSendError as exc:
            self._not_sent(str(exc), message, recording, maybe_delivered=exc.maybe_delivered)
        except PulloverError as exc:
            self._not_sent(str(exc), message, None)
        else:
            self._sent(api, message, result)
        finally:
            for problem in recording.problems if recording is not None else ():
                self.notify(problem, title="History", severity="warning", markup=False)
            pullover_app(self).history_changed.publish(None)

    async def _recording(
        self, api: ProfileApi, credentials: Credentials, draft: Draft, message: Message
    ) -> Recording | None:
        """The history row for this send: the kept outbox entry when it is the same message."""
        from pullover_tui.core.history_entry import SENT
        from pullover_tui.core.store import StoreError
        from pullover_tui.tui.recording import Recording, claim_entry

        app = pullover_app(self)
        if not app.history_on:
            return None
        kept, self.kept = self.kept, None
        try:
            if kept is not None and kept[1] == message:
                claim = await claim_entry(app.history_file, kept[0])
                if claim.recording is not None:
                    return claim.recording
                if claim.entry is not None and claim.entry.status == SENT:
                    self.form.clear_message()
                    self._told("It was sent meanwhile from the outbox.", "Already sent", "success")
                    raise NotThisTime
                if claim.entry is not None and claim.entry.in_outbox:
                    self.kept = kept
                    self._told("It is being sent right now from the outbox.", "Not sent", "error")
                    raise NotThisTime
            attachment = draft.attachment.strip()
            return await Recording.start(
                app.history_file,
                message,
                profile=api.profile.name,
                credentials=credentials,
                api_url=api.root,
                attachment_path=str(Path(attachment).expanduser()) if attachment else None,
            )
        except StoreError as exc:
            self.notify(f"Not recorded: {exc}", title="History", severity="warning", markup=False)
            return None

    def _told(self, text: str, title: str, kind: Literal["success", "error"]) -> None:
        self.notify(text, title=title, severity="information" if kind == "success" else "warning")
        self.status.set_state(f"{title}: {text}", kind)
        self._banner(None)

    def _quota(self, profile: Profile, quota: Quota | None) -> None:
        if quota is not None:
            pullover_app(self).catalog.quotas[profile.name] = quota
            self.status.set_quota(quota)

    def _sent(self, api: ProfileApi, message: Message, result: SendResult) -> None:
        textarea = self.query_one("#message", TextArea)
        if textarea.text == message.message:  # else the user already wrote the next one
            self.form.clear_message()
        extra = f" after {result.attempts} attempts" if result.attempts > 1 else ""
        receipt = f"\nReceipt {result.receipt}" if result.receipt else ""
        self.notify(f"Request {result.request}{receipt}", title=f"Sent{extra}", markup=False)
        self.status.set_state(f"Sent{extra} ✓", "success")
        self._banner(None)
        self._quota(api.profile, result.quota)
        if result.receipt:
            self.show_receipt(api, result.receipt)
        textarea.focus()

    def show_receipt(self, api: ProfileApi, receipt: str) -> None:
        """Follow an emergency message's receipt (the subclass places the panel)."""

    def _rejected(self, profile: Profile, exc: ClientSendError) -> None:
        self._quota(profile, exc.quota)
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
        # "see the marked fields" only when there are some: a bare 400 names none
        where = "see the marked fields" if marked else str(exc)
        self.status.set_state(f"Not sent: refused by Pushover, {where}", "error")
        self._banner(f"✗ Not sent: Pushover refused it: {exc}")

    def _not_sent(
        self,
        reason: str,
        message: Message,
        recording: Recording | None,
        *,
        maybe_delivered: bool = False,
        title: str | None = None,
    ) -> None:
        """Say it did not go (or, when the request went out unanswered, that it is not
        confirmed: it may have arrived; or that it was cancelled), and keep it in the form
        and the outbox."""
        kept = ""
        if recording is not None:
            self.kept = (recording.entry_id, message)
            kept = f" Kept in the outbox as #{recording.entry_id} (F4)."
        if title is not None:
            mark = "■"
        else:
            title, mark = ("Not confirmed", "?") if maybe_delivered else ("Not sent", "✗")
        self.notify(
            f"{reason}\nThe message is still in the form: ctrl+s to try again.{kept}",
            title=title,
            severity="error",
            timeout=10,
            markup=False,
        )
        self.status.set_state(f"{title}: {reason}", "error")
        self._banner(
            f"{mark} {title}: {reason}. The message is still here: ctrl+s tries again.{kept}"
        )

    def _banner(self, text: str | None, *, busy: bool = False) -> None:
        """The line above the form (made the first time there is something to say)."""
        banner = self._banner_line()
        if banner is None:
            if not text:
                return
            banner = Static("", id="banner", markup=False)
            self.query_one("#form-column").mount(banner, before=0)
        banner.set_class(busy, "-busy")
        banner.display = bool(text)
        banner.update(text or "")

    @property
    def banner_text(self) -> str:
        """What the line above the form says ("" when it is not shown)."""
        banner = self._banner_line()
        return str(banner.content) if banner is not None and banner.display else ""

    def _banner_line(self) -> Static | None:
        found = self.query("#banner")
        return found.first(Static) if found else None

    def action_cancel_send(self) -> None:
        self.workers.cancel_group(self, "send")
