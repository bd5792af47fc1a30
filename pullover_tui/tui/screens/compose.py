"""The main screen: compose a message, see it as a phone would, send it.

Sending lives in ``ComposeSending``; this module holds the layout, the profile
choice and its lookups (sounds, devices, quota), the live preview, the image
check, the receipt panel, the demo inbox and the draft kept on disk.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message as TextualMessage
from textual.timer import Timer
from textual.widgets import Input, TextArea

from pullover_tui.core.errors import PulloverError, Quota, ServerSendError, ValidationError
from pullover_tui.core.profiles import Profile, describe_secret
from pullover_tui.tui.draft import Draft
from pullover_tui.tui.draft_store import DraftStore, DraftStoreError, SavedDraft
from pullover_tui.tui.screens.common import (
    apply_cursor_blink,
    pullover_app,
    spare_first_restyle,
)
from pullover_tui.tui.screens.compose_sending import ComposeSending
from pullover_tui.tui.widgets.compose_form import ComposeForm
from pullover_tui.tui.widgets.footer import KeyFooter
from pullover_tui.tui.widgets.inbox import InboxPane
from pullover_tui.tui.widgets.preview import NotificationPreview
from pullover_tui.tui.widgets.status_bar import StatusBar
from pullover_tui.tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from pullover_tui.core.history_entry import HistoryEntry
    from pullover_tui.tui.api import ProfileApi
    from pullover_tui.tui.attachments import AttachmentSummary
    from pullover_tui.tui.demo import InboxItem
    from pullover_tui.tui.widgets.receipt_panel import ReceiptPanel


class ComposeScreen(ComposeSending):
    """Form on the left; preview (and in demo mode the sandbox's inbox) on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+r",
            "reset_form",
            "Reset",
            id="reset_form",
            tooltip="Empty the form and refill the profile's defaults",
        ),
        Binding(
            "ctrl+t",
            "stop_alert",
            "Stop alert",
            id="stop_alert",
            tooltip="Cancel the emergency message shown in the receipt panel",
        ),
        Binding(
            "ctrl+g",
            "stop_tagged",
            "Stop alerts by tag",
            id="stop_tagged",
            show=False,
            tooltip="Stop every emergency message sent with a tag (cancel by tag)",
        ),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (78, "-narrow"), (110, "-wide")]  # noqa: RUF012
    """Below 78 columns the preview goes (the form needs the width), at 110 it widens."""
    AUTO_FOCUS = "#message"
    DRAFT_SAVE_DELAY = 0.5
    """Seconds of quiet before the draft is written to disk."""

    class AttachmentChecked(TextualMessage):
        def __init__(self, path: str, summary: AttachmentSummary | None, problem: str) -> None:
            super().__init__()
            self.path = path
            self.summary = summary
            self.problem = problem

    class DraftNotSaved(TextualMessage):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self) -> None:
        super().__init__()
        self._latest_draft = Draft()
        self._inbox_subscribed = False
        self._saved: SavedDraft | None = None
        self._draft_timer: Timer | None = None
        self._draft_warned = False
        self._attachment_path = ""
        self.receipt_panel: ReceiptPanel | None = None
        self._before_first_frame = True

    def compose(self) -> ComposeResult:
        self._set_breakpoint_classes()
        yield TitleBar()
        with Horizontal(id="compose-body"):
            with Vertical(id="form-column"):
                yield ComposeForm(id="form")
            with Vertical(id="side"):
                yield NotificationPreview(id="preview")
                if pullover_app(self).demo is not None:
                    yield InboxPane(id="inbox")
        yield StatusBar(id="status")
        yield KeyFooter()

    def _set_breakpoint_classes(self) -> None:
        """The width's class (``-tiny``, ``-narrow``, ``-wide``) before the widgets are mounted.

        Textual adds it on the first resize, which restyles every widget of the
        screen a second time (a tenth of start-up); set now, that resize changes
        nothing.
        """
        width = self.app.size.width
        chosen = max(
            ((edge, name) for edge, name in self.HORIZONTAL_BREAKPOINTS if width >= edge),
            default=None,
        )
        for _, name in self.HORIZONTAL_BREAKPOINTS:
            self.set_class(chosen is not None and name == chosen[1], name)

    def on_mount(self) -> None:
        apply_cursor_blink(self)
        app = pullover_app(self)
        app.profiles_changed.subscribe(self, self._profiles_changed)
        self._show_demo()
        self._profiles_changed(None, choose=app.starting_profile())
        self._restore_draft()
        # Settled before the first frame, not after it (each change after it costs a new
        # layout of the whole screen): the preview shows the form now rather than when
        # DraftChanged arrives, and Textual's empty toast rack is hidden now rather than
        # when the screen resumes.
        self.query_one(NotificationPreview).draft = self.form.read_draft()
        for rack in self.query_children("#textual-toastrack"):
            rack.display = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        spare_first_restyle(self, event)

    def on_resize(self, event: events.Resize) -> None:
        """Skip Textual's new layout of every widget for a resize that changes nothing.

        After its first layout Textual resizes the screen to the size it just laid
        out; and a resize queued before that layout may be stale (the app's size has
        changed since: a resize to the current size follows it). Each would cost a
        whole layout and render of the screen.
        """
        if event.size == self.outer_size or event.size != self.app.size:
            event.prevent_default()

    def on_unmount(self) -> None:
        """Quitting within the save delay loses nothing: write the last edits now."""
        path = pullover_app(self).draft_file
        if self._draft_timer is not None and path is not None:
            self._draft_timer.stop()
            saved = self._current_draft()
            if saved != self._saved:
                self._write_draft(DraftStore(path), saved, self._is_empty(saved))

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
            self.status.set_quota(None)
            return
        self.status.set_profile(f"{profile.name} · user {describe_secret(profile.user_key)}")
        self.query_one(NotificationPreview).app_name = profile.name
        if self._before_first_frame:  # the network side is imported after it
            self.status.set_quota(None)
            self.call_after_refresh(self._show_catalog, profile)
        else:
            self._show_catalog(profile)

    def _show_catalog(self, profile: Profile) -> None:
        """What is known of the profile's sounds, devices and quota, else fetch it."""
        self._before_first_frame = False
        if self.profile != profile:
            return  # another profile was chosen meanwhile
        if self.app.return_code is not None:
            return  # quitting already (e.g. at once): no lookups to throw away
        catalog = pullover_app(self).catalog
        self.status.set_quota(catalog.quotas.get(profile.name))
        if profile.name in catalog.sounds:
            self.form.set_sounds(catalog.sounds[profile.name])
            self.form.set_devices(catalog.devices.get(profile.name, ()))
        else:
            self.fetch_catalog(profile)

    @work(exclusive=True, group="catalog", exit_on_error=False)
    async def fetch_catalog(self, profile: Profile) -> None:
        """Fetch the app's sounds, the user's devices and the quota once per profile."""
        app = pullover_app(self)
        api = app.api_for(profile)
        sounds, devices, quota = await asyncio.gather(
            api.sounds(), api.devices(), api.limits(), return_exceptions=True
        )
        chosen = self.profile is not None and self.profile.name == profile.name
        if isinstance(quota, Quota):  # else it shows after the first send instead
            app.catalog.quotas.setdefault(profile.name, quota)
            if chosen:
                self.status.set_quota(app.catalog.quotas[profile.name])
        for result in (sounds, devices, quota):
            if isinstance(result, BaseException) and not isinstance(result, PulloverError):
                raise result
        if isinstance(sounds, PulloverError) or isinstance(devices, PulloverError):
            exc = sounds if isinstance(sounds, PulloverError) else devices
            assert isinstance(exc, PulloverError)
            reason = exc.last_error if isinstance(exc, ServerSendError) else str(exc)
            self.notify(
                f"Sounds and devices of {profile.name!r} not loaded: {reason}",
                title="Lookup failed",
                severity="warning",
                markup=False,
            )
            return
        assert isinstance(sounds, dict) and isinstance(devices, tuple)
        app.catalog.sounds[profile.name] = sounds
        app.catalog.devices[profile.name] = devices
        if chosen:
            self.form.set_sounds(sounds)
            self.form.set_devices(devices)

    # Live preview, image check, draft --------------------------------------------------

    @on(ComposeForm.DraftChanged)
    def _draft_changed(self, event: ComposeForm.DraftChanged) -> None:
        self.query_one(NotificationPreview).draft = event.draft
        self._latest_draft = event.draft
        if event.draft.attachment != self._attachment_path:
            self._attachment_path = event.draft.attachment
            self._check_attachment(event.draft.attachment)
        if pullover_app(self).draft_file is not None:
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self._draft_timer = self.set_timer(self.DRAFT_SAVE_DELAY, self._save_draft)

    def _check_attachment(self, path: str) -> None:
        if not path.strip():
            self.post_message(self.AttachmentChecked(path, None, ""))
            return
        self.check_attachment(path)

    @work(thread=True, exclusive=True, group="attachment", exit_on_error=False)
    def check_attachment(self, path: str) -> None:
        """Ask the core whether the file is an image it would send (reads it: a thread)."""
        try:
            from pullover_tui.tui.attachments import summarize_attachment  # first image only

            summary = summarize_attachment(path)
        except ValidationError as exc:
            self.post_message(self.AttachmentChecked(path, None, exc.rule))
            return
        self.post_message(self.AttachmentChecked(path, summary, ""))

    @on(AttachmentChecked)
    def _attachment_checked(self, event: AttachmentChecked) -> None:
        if event.path != self._attachment_path:
            return  # typed on meanwhile
        self.query_one(NotificationPreview).attachment = event.summary
        self.form.set_attachment_note(event.summary, event.problem)

    def _current_draft(self) -> SavedDraft:
        return SavedDraft(self.profile.name if self.profile else None, self._latest_draft)

    def _restore_draft(self) -> None:
        """The draft of the last session, if there is one (a small file: read right away)."""
        path = pullover_app(self).draft_file
        saved = DraftStore(path).load() if path is not None else None
        if saved is None:
            return
        self._saved = saved
        profiles = pullover_app(self).profiles
        if saved.profile in profiles and saved.profile != getattr(self.profile, "name", None):
            self.form.set_profiles(profiles, saved.profile)
            self.use_profile(profiles[saved.profile])
        self.form.load_draft(saved.draft)

    def _save_draft(self) -> None:
        self._draft_timer = None
        saved = self._current_draft()
        path = pullover_app(self).draft_file
        if saved != self._saved and path is not None:
            self._saved = saved
            self.write_draft(DraftStore(path), saved, self._is_empty(saved))

    def _is_empty(self, saved: SavedDraft) -> bool:
        """Nothing but the profile's defaults: no draft worth keeping."""
        profile = pullover_app(self).profiles.get(saved.profile or "")
        return saved.draft == Draft.from_profile(profile)

    @work(thread=True, exclusive=True, group="draft", exit_on_error=False)
    def write_draft(self, store: DraftStore, saved: SavedDraft, empty: bool) -> None:
        problem = self._write_draft(store, saved, empty)
        if problem is not None:
            self.post_message(self.DraftNotSaved(problem))

    @staticmethod
    def _write_draft(store: DraftStore, saved: SavedDraft, empty: bool) -> str | None:
        """Write it, or remove the file when the form holds nothing but the defaults."""
        try:
            if empty:
                store.clear()
            else:
                store.save(saved)
        except DraftStoreError as exc:
            return str(exc)
        return None

    @on(DraftNotSaved)
    def _draft_not_saved(self, event: DraftNotSaved) -> None:
        if not self._draft_warned:  # once: it would repeat at every pause in typing
            self._draft_warned = True
            self.notify(event.reason, title="Draft", severity="warning", markup=False)

    # Edit and resend ---------------------------------------------------------------------

    def load_entry(self, entry: HistoryEntry) -> None:
        """A recorded message back in the form, with its profile when there is one."""
        profiles = pullover_app(self).profiles
        if entry.profile in profiles and entry.profile != getattr(self.profile, "name", None):
            self.form.set_profiles(profiles, entry.profile)
            self.use_profile(profiles[entry.profile])
        self.form.clear_problems()
        self._banner(None)
        self.form.load_draft(Draft.from_entry(entry))
        self.kept = None
        self.query_one("#message", TextArea).focus()
        lost = entry.attachment is not None and not entry.attachment.resendable
        note = " Its image was not kept: add it again." if lost else ""
        self.notify(f"Message #{entry.id} is in the form: change it, then ctrl+s.{note}")

    # Receipt ------------------------------------------------------------------------------

    def show_receipt(self, api: ProfileApi, receipt: str) -> None:
        """A panel that follows the emergency message's receipt (replacing an older one)."""
        if self.receipt_panel is not None:
            self.receipt_panel.remove()  # no id: the old one may linger until removed
        from pullover_tui.tui.widgets.receipt_panel import ReceiptPanel

        panel = ReceiptPanel(api, receipt, sleep=pullover_app(self).receipt_sleep)
        self.receipt_panel = panel
        inbox = self.query(InboxPane)
        self.query_one("#side").mount(panel, before=inbox.first() if inbox else None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_alert":  # shown only while an emergency message alerts
            return self.receipt_panel is not None and self.receipt_panel.can_cancel
        return super().check_action(action, parameters)

    def action_stop_alert(self) -> None:
        if self.receipt_panel is not None:
            self.receipt_panel.cancel()

    def action_stop_tagged(self) -> None:
        """Cancel by tag with the chosen profile (imported here: not needed to start)."""
        from pullover_tui.tui.screens.cancel_tag import CancelByTagScreen

        if self.profile is None:
            self.notify("Choose a profile first.", title="Stop alerts by tag", severity="warning")
            return
        self.app.push_screen(CancelByTagScreen(pullover_app(self).api_for(self.profile)))

    # Demo inbox -------------------------------------------------------------------------

    def _show_demo(self) -> None:
        """In demo mode, the sandbox's inbox beside the preview (built only for the demo)."""
        demo = pullover_app(self).demo
        self.set_class(demo is not None, "-demo")
        self.sub_title = "Compose · demo: sending to the built-in sandbox" if demo else "Compose"
        if demo is None or self._inbox_subscribed:
            return
        self._inbox_subscribed = True
        items = demo.items()
        found = self.query(InboxPane)
        if found:
            for item in items:
                found.first().add(item)
        else:  # the demo began after the screen was built
            self.query_one("#side").mount(InboxPane(items, id="inbox"))
        demo.subscribe(lambda item: self._post_received(item))

    def _post_received(self, item: InboxItem) -> None:
        """Called from the sandbox's server thread: post_message is thread-safe."""
        self.post_message(InboxPane.Received(item))

    @on(InboxPane.Received)
    def _received(self, event: InboxPane.Received) -> None:
        self.query_one(InboxPane).add(event.item)

    # Form ---------------------------------------------------------------------------------

    def action_reset_form(self) -> None:
        """Empty the form and refill the profile's defaults."""
        self.form.clear_problems()
        self._banner(None)
        self.form.load_draft(Draft.from_profile(self.profile))
        self.kept = None
        self.query_one("#message", TextArea).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """Enter in a one-line field moves on, as in most forms."""
        self.focus_next()
