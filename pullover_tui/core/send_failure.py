"""How a send that did not succeed is recorded in the history: one rule for every path.

``send``, ``resend``, ``outbox flush`` and the app all ask ``failure_of`` what
an error means for the message's row: rejected (final, never retried) or
failed (kept in the outbox). A spent quota keeps the message: it can go when
the quota comes back. The texts are secret-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pullover_tui.core.errors import (
    ClientSendError,
    QuotaExceededError,
    ServerSendError,
    ValidationError,
)
from pullover_tui.core.secrets import redact

if TYPE_CHECKING:
    from pullover_tui.core.store import HistoryStore


@dataclass(frozen=True)
class SendFailure:
    """What the row says: ``final`` marks it rejected, otherwise failed (in the outbox)."""

    final: bool
    error: str
    attempts: int
    request: str | None = None

    def record(self, store: HistoryStore, entry_id: int) -> None:
        if self.final:
            store.mark_rejected(entry_id, self.error, request=self.request, attempts=self.attempts)
        else:
            store.mark_failed(entry_id, self.error, attempts=self.attempts)


def failure_of(exc: BaseException, secrets: tuple[str, ...]) -> SendFailure | None:
    """The record for ``exc``, or None for an error that says nothing about the message."""
    if isinstance(exc, QuotaExceededError):
        return SendFailure(False, redact(f"quota spent: {exc}", *secrets), 1)
    if isinstance(exc, ClientSendError):
        error = redact(f"HTTP {exc.status}: {exc}", *secrets)
        return SendFailure(True, error, 1, exc.request)
    if isinstance(exc, ServerSendError):
        return SendFailure(False, redact(str(exc), *secrets), exc.attempts)
    if isinstance(exc, ValidationError):
        return SendFailure(True, redact(str(exc), *secrets), 0)
    return None
