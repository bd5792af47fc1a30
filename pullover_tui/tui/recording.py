"""Sending with a history row, for the app: written before the first attempt, marked after.

The TUI's twin of ``cli/recording.py``: the same statuses, through the core's
``HistoryStore``. A store is used from one thread only, so every store call
here runs in a worker thread with its own short-lived store. A store problem
never stops a send: it is kept in ``Recording.problems`` and the message goes
anyway. No Textual here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pullover_tui.core.credentials import SendSettings
from pullover_tui.core.errors import PulloverError, ValidationError
from pullover_tui.core.history_entry import HistoryEntry
from pullover_tui.core.message import Message
from pullover_tui.core.outbox import credentials_match
from pullover_tui.core.profiles import Profile
from pullover_tui.core.request import SendResult
from pullover_tui.core.send_failure import SendFailure, failure_of
from pullover_tui.core.store import HistoryStore, StoreError
from pullover_tui.tui.api import Credentials, ProfileApi, RetryListener

T = TypeVar("T")


def _with_store(path: Path, action: Callable[[HistoryStore], T]) -> T:
    with HistoryStore(path) as store:
        return action(store)


async def in_store(path: Path, action: Callable[[HistoryStore], T]) -> T:
    """Run ``action`` with a fresh store in a worker thread (raises ``StoreError``)."""
    return await asyncio.to_thread(_with_store, path, action)


def read_entry(path: Path, entry_id: int) -> HistoryEntry | None:
    """One entry, or None (also when there is no history file yet). Call it in a thread."""
    store = HistoryStore.open_existing(path)
    if store is None:
        return None
    with store:
        return store.get(entry_id)


@dataclass
class Recording:
    """One message's history row, open for marking (it is claimed by this process)."""

    path: Path
    entry_id: int
    problems: list[str] = field(default_factory=list)

    @classmethod
    async def start(
        cls,
        path: Path,
        message: Message,
        *,
        profile: str,
        credentials: Credentials,
        api_url: str,
        attachment_path: str | None,
    ) -> Recording:
        """Add the pending row, committed before any request; raises ``StoreError``."""

        def add(store: HistoryStore) -> int:
            return store.add_pending(
                message,
                profile=profile,
                token=credentials.token,
                user=credentials.user,
                api_url=api_url,
                attachment_path=attachment_path,
            )

        return cls(path, await in_store(path, add))

    async def _mark(self, action: Callable[[HistoryStore], object]) -> None:
        try:
            await in_store(self.path, action)
        except StoreError as exc:
            self.problems.append(f"history entry {self.entry_id} could not be updated: {exc}")

    async def sent(self, result: SendResult) -> None:
        await self._mark(lambda store: store.mark_sent(self.entry_id, result))

    async def failed_with(self, failure: SendFailure) -> None:
        await self._mark(lambda store: failure.record(store, self.entry_id))

    async def release(self) -> None:
        """Leave the row pending in the outbox but free for ``send now`` or a flush."""
        await self._mark(lambda store: store.release(self.entry_id))


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming an outbox entry: ``recording`` when this process has it.

    Otherwise ``entry`` is the row as it is now (sent meanwhile, or being sent by
    someone else), or None when it is gone.
    """

    recording: Recording | None
    entry: HistoryEntry | None


async def claim_entry(path: Path, entry_id: int) -> Claim:
    """Claim an outbox row for this process, as ``outbox flush`` does (raises ``StoreError``)."""

    def claim(store: HistoryStore) -> tuple[HistoryEntry | None, HistoryEntry | None]:
        claimed = store.claim(entry_id)
        return claimed, (claimed or store.get(entry_id))

    claimed, entry = await in_store(path, claim)
    return Claim(Recording(path, entry_id) if claimed is not None else None, entry)


async def send_recorded(
    api: ProfileApi,
    message: Message,
    credentials: Credentials,
    recording: Recording | None,
    on_retry: RetryListener | None = None,
) -> SendResult:
    """``api.send``, marking the row as ``core.send_failure`` says; errors are re-raised.

    A temporary failure, a spent quota or a cancel leaves the message in the outbox.
    """
    try:
        result = await api.send(message, on_retry, credentials)
    except asyncio.CancelledError:
        if recording is not None:
            await recording.release()
        raise
    except PulloverError as exc:
        failure = failure_of(exc, (credentials.token, credentials.user))
        if recording is not None and failure is not None:
            await recording.failed_with(failure)
        raise
    if recording is not None:
        await recording.sent(result)
    return result


class NotSendable(PulloverError):
    """A recorded message that cannot go from here: no matching profile, or its image changed."""


@dataclass(frozen=True)
class EntrySender:
    """What sending a recorded message again needs: the profile's API, its secrets, the message."""

    api: ProfileApi
    credentials: Credentials
    message: Message


async def sender_for(
    entry: HistoryEntry,
    candidates: Iterable[Profile],
    api_for: Callable[[Profile], ProfileApi],
) -> EntrySender:
    """The first candidate profile with the entry's credentials (the core's match rule),
    aimed at the API root the entry was recorded for.

    Raises ``NotSendable`` when none matches or the message cannot be rebuilt
    (an attachment not kept, gone or changed).
    """
    found: tuple[ProfileApi, Credentials] | None = None
    for profile in dict.fromkeys(candidates):
        api = api_for(profile)
        try:
            credentials = await api.credentials()
        except PulloverError:
            continue
        settings = SendSettings(credentials.token, credentials.user, profile=profile.name)
        if credentials_match(entry, settings):
            # Where it was meant to go, as ``outbox flush`` does: not wherever the
            # profile points today.
            found = (api.at(entry.api_url) if entry.api_url else api, credentials)
            break
    if found is None:
        where = f"profile {entry.profile!r}" if entry.profile else "other keys"
        raise NotSendable(
            f"it was recorded for {where}, and no profile here has those keys: "
            "edit and resend it to choose a profile"
        )
    try:
        message = await asyncio.to_thread(entry.to_message)
    except ValidationError as exc:
        raise NotSendable(f"it cannot be sent again: {exc}") from None
    return EntrySender(*found, message)
