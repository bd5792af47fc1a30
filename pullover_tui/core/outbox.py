"""Flushing the outbox: send what is waiting, oldest first, each row claimed before it goes.

A row is sent only with credentials that match it: the same app token and
user key(s) it was recorded with (by fingerprint), or its own profile when
that profile still names the same recipients (an app token may have been
rotated). Anything else is skipped with a reason and stays in the outbox, so
a flush with other credentials can never deliver a message to someone else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from pullover_tui.core.credentials import SendSettings
from pullover_tui.core.errors import (
    ClientSendError,
    PulloverError,
    ServerSendError,
    ValidationError,
)
from pullover_tui.core.history_entry import (
    HistoryEntry,
    credential_fingerprint,
    recipient_fingerprint,
)
from pullover_tui.core.message import Message
from pullover_tui.core.request import SendResult
from pullover_tui.core.secrets import redact
from pullover_tui.core.send_failure import failure_of
from pullover_tui.core.store import HistoryStore

SENT: Final = "sent"  # accepted; detail: the request id
REJECTED: Final = "rejected"  # refused; marked so and never retried
FAILED: Final = "failed"  # temporary failure; stays in the outbox, the flush stops
SKIPPED: Final = "skipped"  # no matching credentials; left as it was
UNSENDABLE: Final = "unsendable"  # cannot be rebuilt (attachment not kept, gone or changed)


class Sender(Protocol):
    """What a flush needs of a client: ``pullover_tui.core.client.Client`` is one."""

    def send(self, message: Message, *, token: str, user: str) -> SendResult: ...

    def close(self) -> None: ...


Resolver = Callable[[HistoryEntry], SendSettings | None]
ClientFactory = Callable[[str | None], Sender]


@dataclass(frozen=True)
class FlushOutcome:
    """What happened to one row: ``result`` is one of the constants above."""

    entry_id: int
    result: str
    detail: str
    attempts: int = 0


@dataclass(frozen=True)
class FlushReport:
    """Every row the flush handled, in order; ``stopped`` if a temporary failure ended it."""

    outcomes: tuple[FlushOutcome, ...]
    stopped: bool
    left: int  # rows still in the outbox afterwards (by anyone's count)

    def having(self, result: str) -> tuple[FlushOutcome, ...]:
        return tuple(o for o in self.outcomes if o.result == result)

    @property
    def sent(self) -> tuple[FlushOutcome, ...]:
        return self.having(SENT)

    @property
    def rejected(self) -> tuple[FlushOutcome, ...]:
        return self.having(REJECTED)

    @property
    def failed(self) -> tuple[FlushOutcome, ...]:
        return self.having(FAILED)

    @property
    def skipped(self) -> tuple[FlushOutcome, ...]:
        return self.having(SKIPPED) + self.having(UNSENDABLE)


def credentials_match(entry: HistoryEntry, settings: SendSettings) -> bool:
    """Whether ``settings`` may send ``entry``: its credentials, or its profile, same users."""
    if credential_fingerprint(settings.token, settings.user) == entry.fingerprint:
        return True
    return (
        entry.profile is not None
        and settings.profile == entry.profile
        and entry.user_fingerprint == recipient_fingerprint(settings.user)
    )


def flush_outbox(
    store: HistoryStore,
    resolve: Resolver,
    client_factory: ClientFactory,
    *,
    progress: Callable[[FlushOutcome], None] | None = None,
    stop_on_failure: bool = True,
) -> FlushReport:
    """Send the outbox, oldest first; each row claimed first, then marked sent/rejected/failed.

    ``resolve`` gives the credentials for a row (None, or a ``PulloverError``,
    to skip it); ``client_factory`` makes a client for an API root (the row's
    own, else the resolved one), with the retry policy to use. After a
    temporary failure the flush stops (``stop_on_failure``): later messages
    would meet the same outage, and they keep their order.
    """
    senders: dict[str | None, Sender] = {}
    outcomes: list[FlushOutcome] = []
    stopped = False
    after = 0
    try:
        while (entry := store.claim_next(after_id=after)) is not None:
            after = entry.id
            try:
                outcome = _flush_one(store, entry, resolve, senders, client_factory)
            except BaseException:
                store.release(entry.id)  # interrupted: let the next flush have it
                raise
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
            if outcome.result == FAILED and stop_on_failure:
                stopped = True
                break
    finally:
        for sender in senders.values():
            sender.close()
    return FlushReport(tuple(outcomes), stopped, len(store.outbox()))


def _flush_one(
    store: HistoryStore,
    entry: HistoryEntry,
    resolve: Resolver,
    senders: dict[str | None, Sender],
    client_factory: ClientFactory,
) -> FlushOutcome:
    try:
        settings = resolve(entry)
    except PulloverError as exc:
        store.release(entry.id)
        return FlushOutcome(entry.id, SKIPPED, f"no credentials: {exc}")
    if settings is None:
        store.release(entry.id)
        return FlushOutcome(entry.id, SKIPPED, "no credentials for it")
    if not credentials_match(entry, settings):
        store.release(entry.id)
        where = f"profile {entry.profile!r}" if entry.profile else "other credentials"
        return FlushOutcome(
            entry.id, SKIPPED, f"recorded for {where}; the credentials at hand do not match"
        )
    try:
        message = entry.to_message()
        api_url = entry.api_url or settings.api_url
        if api_url not in senders:
            senders[api_url] = client_factory(api_url)
        sender = senders[api_url]
    except ValidationError as exc:
        store.release(entry.id)
        return FlushOutcome(entry.id, UNSENDABLE, str(exc))
    return _send(store, entry, message, settings, sender)


def _send(
    store: HistoryStore,
    entry: HistoryEntry,
    message: Message,
    settings: SendSettings,
    sender: Sender,
) -> FlushOutcome:
    secrets = (settings.token, settings.user)
    try:
        result = sender.send(message, token=settings.token, user=settings.user)
    except ValidationError as exc:  # e.g. a malformed token from the resolved settings
        store.release(entry.id)
        return FlushOutcome(entry.id, SKIPPED, redact(str(exc), *secrets))
    except (ClientSendError, ServerSendError) as exc:
        failure = failure_of(exc, secrets)
        assert failure is not None
        failure.record(store, entry.id)
        return FlushOutcome(
            entry.id, REJECTED if failure.final else FAILED, failure.error, failure.attempts
        )
    store.mark_sent(entry.id, result)
    return FlushOutcome(entry.id, SENT, result.request, result.attempts)
