"""Sending a recorded message again from the history: "resend" and the outbox's "send now".

Resend records a new entry, as ``pullover-tui resend`` does; send now claims
the outbox entry first (as ``outbox flush`` does), so a flush running at the
same time never sends it twice. Either goes only with a profile that has the
credentials the entry was recorded with. Outcomes are told in notifications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pullover_tui.core.errors import ClientSendError, PulloverError, ServerSendError
from pullover_tui.core.history_entry import SENT, HistoryEntry
from pullover_tui.core.profiles import Profile
from pullover_tui.core.request import SendResult
from pullover_tui.core.store import StoreError
from pullover_tui.tui.recording import (
    EntrySender,
    NotSendable,
    Recording,
    claim_entry,
    send_recorded,
    sender_for,
)

if TYPE_CHECKING:
    from pullover_tui.tui.app import PulloverApp


def candidate_profiles(app: PulloverApp, entry: HistoryEntry) -> list[Profile]:
    """The entry's own profile, then the one the app starts with (if their keys match)."""
    profiles = app.profiles
    names = [entry.profile, app.starting_profile()]
    return [profiles[name] for name in names if name is not None and name in profiles]


async def resend(app: PulloverApp, entry: HistoryEntry) -> None:
    """Send ``entry``'s message again, exactly as it was, as a new history entry."""
    try:
        sender = await sender_for(entry, candidate_profiles(app, entry), app.api_for)
    except NotSendable as exc:
        app.notify(str(exc), title=f"#{entry.id} not resent", severity="warning", markup=False)
        return
    recording: Recording | None = None
    if app.history_on:
        try:
            recording = await Recording.start(
                app.history_file,
                sender.message,
                profile=sender.api.profile.name,
                credentials=sender.credentials,
                api_url=sender.api.root,
                attachment_path=entry.attachment.path if entry.attachment else None,
            )
        except StoreError as exc:
            app.notify(f"Not recorded in the history: {exc}", severity="warning", markup=False)
    app.notify(f"Sending #{entry.id} again…", markup=False, timeout=3)
    await _send(app, entry.id, sender, recording, again=True)


async def send_now(app: PulloverApp, entry_id: int) -> None:
    """Send an outbox entry now: claimed first, marked sent, rejected or failed after."""
    try:
        claim = await claim_entry(app.history_file, entry_id)
    except StoreError as exc:
        app.notify(str(exc), title="Not sent", severity="error", markup=False)
        return
    recording, entry = claim.recording, claim.entry
    if recording is None or entry is None:
        _not_claimed(app, entry_id, entry)
        return
    try:
        sender = await sender_for(entry, candidate_profiles(app, entry), app.api_for)
    except NotSendable as exc:
        await recording.release()
        app.notify(str(exc), title=f"#{entry_id} not sent", severity="warning", markup=False)
        return
    app.notify(f"Sending #{entry_id} from the outbox…", markup=False, timeout=3)
    await _send(app, entry_id, sender, recording, again=False)


def _not_claimed(app: PulloverApp, entry_id: int, entry: HistoryEntry | None) -> None:
    if entry is None:
        text = "it is no longer in the history"
    elif entry.status == SENT:
        text = "it was sent meanwhile"
    elif entry.in_outbox:
        text = "it is being sent right now (by this app or another pullover-tui)"
    else:
        text = f"it is {entry.status}, not in the outbox"
    app.notify(f"#{entry_id}: {text}.", title="Not sent", severity="warning", markup=False)
    app.history_changed.publish(None)


async def _send(
    app: PulloverApp,
    entry_id: int,
    sender: EntrySender,
    recording: Recording | None,
    *,
    again: bool,
) -> None:
    try:
        result = await send_recorded(sender.api, sender.message, sender.credentials, recording)
    except ClientSendError as exc:
        request = f" (request {exc.request})" if exc.request else ""
        app.notify(f"{exc}{request}", title="Refused by Pushover", severity="error", markup=False)
    except ServerSendError as exc:
        kept = " It stays in the outbox." if recording is not None else ""
        app.notify(f"{exc}.{kept}", title="Not sent", severity="error", markup=False)
    except PulloverError as exc:
        app.notify(str(exc), title="Not sent", severity="error", markup=False)
    else:
        _told_sent(app, entry_id, result, again)
    finally:
        for problem in recording.problems if recording is not None else ():
            app.notify(problem, severity="warning", markup=False)
        app.history_changed.publish(None)


def _told_sent(app: PulloverApp, entry_id: int, result: SendResult, again: bool) -> None:
    receipt = f"\nReceipt {result.receipt}" if result.receipt else ""
    title = f"#{entry_id} sent again" if again else f"#{entry_id} sent from the outbox"
    app.notify(f"Request {result.request}{receipt}", title=title, markup=False)
