"""Sending with a history row: written before the first attempt, marked after the last.

Shared by ``send`` and ``resend``. Once a send is under way, a store problem
only warns: the message matters more than its record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pullover_tui.cli.output import warn

if TYPE_CHECKING:
    from pullover_tui.core.client import Client
    from pullover_tui.core.credentials import SendSettings
    from pullover_tui.core.message import Message
    from pullover_tui.core.request import SendResult
    from pullover_tui.core.send_failure import SendFailure
    from pullover_tui.core.store import HistoryStore


class Recording:
    """One message's history row, open for marking."""

    def __init__(self, store: HistoryStore, entry_id: int) -> None:
        self.store = store
        self.entry_id = entry_id

    @classmethod
    def start(
        cls,
        message: Message,
        settings: SendSettings,
        api_url: str,
        attachment_path: str | None,
    ) -> Recording:
        """Open the store and add the pending row (committed before any request)."""
        from pullover_tui.cli.history_access import open_store

        store = open_store(create=True)
        assert store is not None
        try:
            entry_id = store.add_pending(
                message,
                profile=settings.profile,
                token=settings.token,
                user=settings.user,
                api_url=api_url,
                attachment_path=attachment_path,
            )
        except BaseException:
            store.close()
            raise
        return cls(store, entry_id)

    def sent(self, result: SendResult) -> None:
        self._mark(lambda: self.store.mark_sent(self.entry_id, result))

    def failed_with(self, failure: SendFailure) -> None:
        self._mark(lambda: failure.record(self.store, self.entry_id))

    def _mark(self, action: Callable[[], None]) -> None:
        from pullover_tui.core.store import StoreError

        try:
            action()
        except StoreError as exc:
            warn(f"history entry {self.entry_id} could not be updated: {exc}")

    def close(self) -> None:
        self.store.close()


def send_recorded(
    client: Client, message: Message, settings: SendSettings, recording: Recording | None
) -> SendResult:
    """``client.send``, marking the row as ``core.send_failure`` says; errors are re-raised.

    A temporary failure or a spent quota leaves the message for ``outbox flush``.
    """
    from pullover_tui.core.errors import PulloverError
    from pullover_tui.core.send_failure import failure_of

    try:
        result = client.send(message, token=settings.token, user=settings.user)
    except PulloverError as exc:
        failure = failure_of(exc, (settings.token, settings.user))
        if recording and failure is not None:
            recording.failed_with(failure)
        raise
    if recording:
        recording.sent(result)
    return result
