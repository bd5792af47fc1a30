"""Emergency receipts: status, waiting for acknowledgement, cancel and cancel by tag.

Requests are built and answers read by pure functions; ``get_receipt`` and the
other calls only hand them to a client, so the sync and async twins share
every rule. Polling is never faster than every 5 seconds, as Pushover asks.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from pullover_tui.core import limits
from pullover_tui.core.errors import PulloverError, ValidationError
from pullover_tui.core.message import validate_token
from pullover_tui.core.request import ApiRequest, TemporaryFailure, read_answer
from pullover_tui.core.secrets import mask_secret

__all__ = [
    "MIN_POLL_INTERVAL",
    "AsyncApiCaller",
    "ReceiptStatus",
    "ReceiptWaitTimeout",
    "SyncApiCaller",
    "acancel_by_tag",
    "acancel_receipt",
    "aget_receipt",
    "await_acknowledgement",
    "build_cancel_by_tag",
    "build_cancel_receipt",
    "build_get_receipt",
    "cancel_by_tag",
    "cancel_receipt",
    "get_receipt",
    "read_cancel",
    "read_cancel_by_tag",
    "read_receipt",
    "receipt_status_from",
    "validate_receipt",
    "validate_tag",
    "wait_for_acknowledgement",
]

MIN_POLL_INTERVAL = 5.0  # seconds: Pushover asks for no faster polling of a receipt
TAG_MAX = 100  # no documented limit; keeps the path of cancel_by_tag sane

T = TypeVar("T")
Reader = Callable[[int, Mapping[str, str], bytes, int], T]


class SyncApiCaller(Protocol):
    """What the calls here need of a client: ``Client`` has it."""

    def execute(self, request: ApiRequest, read: Reader[T]) -> T: ...


class AsyncApiCaller(Protocol):
    """What the async calls need of a client: ``AsyncClient`` has it."""

    async def execute(self, request: ApiRequest, read: Reader[T]) -> T: ...


@dataclass(frozen=True)
class ReceiptStatus:
    """What happened to an emergency message. Times are Unix seconds, None when not yet.

    ``expired`` is also true once the message was cancelled: Pushover does not
    tell the two apart. ``acknowledged_by`` is a user key: its repr is masked.
    """

    acknowledged: bool
    acknowledged_at: int | None
    acknowledged_by: str | None
    acknowledged_by_device: str | None
    last_delivered_at: int | None
    expired: bool
    expires_at: int | None
    called_back: bool
    called_back_at: int | None

    @property
    def is_final(self) -> bool:
        """Acknowledged, expired or cancelled: the status can no longer change."""
        return self.acknowledged or self.expired

    @property
    def state(self) -> str:
        """``acknowledged``, ``expired`` (or cancelled) or ``pending`` (still re-alerting)."""
        if self.acknowledged:
            return "acknowledged"
        return "expired" if self.expired else "pending"

    @property
    def acknowledged_by_masked(self) -> str | None:
        """The acknowledging user's key in its masked form, for showing."""
        return None if self.acknowledged_by is None else mask_secret(self.acknowledged_by)

    def __repr__(self) -> str:
        return (
            f"ReceiptStatus(acknowledged={self.acknowledged!r}, "
            f"acknowledged_at={self.acknowledged_at!r}, "
            f"acknowledged_by={self.acknowledged_by_masked!r}, "
            f"acknowledged_by_device={self.acknowledged_by_device!r}, "
            f"last_delivered_at={self.last_delivered_at!r}, expired={self.expired!r}, "
            f"expires_at={self.expires_at!r}, called_back={self.called_back!r}, "
            f"called_back_at={self.called_back_at!r})"
        )


class ReceiptWaitTimeout(PulloverError):
    """The deadline came before the emergency message was acknowledged or expired."""

    def __init__(self, receipt: str, timeout: float, status: ReceiptStatus) -> None:
        self.receipt = receipt
        self.timeout = timeout
        self.status = status  # the last status seen
        super().__init__(f"receipt {receipt}: not acknowledged within {timeout:g} s")


# Validation


def validate_receipt(receipt: object) -> str:
    """A receipt id: exactly 30 letters and digits (ValidationError naming ``receipt``)."""
    if not isinstance(receipt, str) or not receipt.strip():
        raise ValidationError("receipt", "is required")
    receipt = receipt.strip()
    if not limits.KEY_PATTERN.fullmatch(receipt):
        raise ValidationError(
            "receipt", f"must be exactly 30 letters and digits (got {len(receipt)})"
        )
    return receipt


def validate_tag(tag: object) -> str:
    """One tag as given to emergency messages: not blank, no comma (``tag``)."""
    if not isinstance(tag, str) or not tag.strip():
        raise ValidationError("tag", "is required and must not be blank")
    tag = tag.strip()
    if not limits.TAG_PATTERN.fullmatch(tag):
        raise ValidationError("tag", "must be one tag, without commas")
    if len(tag) > TAG_MAX:
        raise ValidationError("tag", f"must be at most {TAG_MAX} characters (is {len(tag)})")
    if not tag.isprintable():
        raise ValidationError("tag", "must not contain control characters")
    return tag


# Builders


def build_get_receipt(token: str, receipt: str) -> ApiRequest:
    """``GET /1/receipts/{receipt}.json``: the token travels in the query string."""
    receipt = validate_receipt(receipt)
    return ApiRequest("GET", f"/1/receipts/{receipt}.json", params={"token": validate_token(token)})


def build_cancel_receipt(token: str, receipt: str) -> ApiRequest:
    """``POST /1/receipts/{receipt}/cancel.json``: stop the message re-alerting."""
    receipt = validate_receipt(receipt)
    return ApiRequest(
        "POST", f"/1/receipts/{receipt}/cancel.json", data={"token": validate_token(token)}
    )


def build_cancel_by_tag(token: str, tag: str) -> ApiRequest:
    """``POST /1/receipts/cancel_by_tag/{tag}.json``, the tag percent-encoded."""
    tag = validate_tag(tag)
    path = f"/1/receipts/cancel_by_tag/{quote(tag, safe='')}.json"
    return ApiRequest("POST", path, data={"token": validate_token(token)})


# Readers (the client's reader signature: status, headers, body, attempts)


def _time(value: object) -> int | None:
    """Pushover's times: Unix seconds, with 0 (or nothing) meaning 'not yet'."""
    number = _int(value)
    return number if number else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def receipt_status_from(body: Mapping[str, Any]) -> ReceiptStatus:
    """A receipt answer's fields as a ReceiptStatus; TemporaryFailure if they are missing."""
    acknowledged, expired = _int(body.get("acknowledged")), _int(body.get("expired"))
    if acknowledged is None or expired is None:
        raise TemporaryFailure("a receipt answer without acknowledged and expired")
    return ReceiptStatus(
        acknowledged=bool(acknowledged),
        acknowledged_at=_time(body.get("acknowledged_at")),
        acknowledged_by=_text(body.get("acknowledged_by")),
        acknowledged_by_device=_text(body.get("acknowledged_by_device")),
        last_delivered_at=_time(body.get("last_delivered_at")),
        expired=bool(expired),
        expires_at=_time(body.get("expires_at")),
        called_back=bool(_int(body.get("called_back"))),
        called_back_at=_time(body.get("called_back_at")),
    )


def read_receipt(
    status: int, headers: Mapping[str, str], body: bytes, attempts: int = 1
) -> ReceiptStatus:
    return receipt_status_from(read_answer(status, headers, body).body)


def read_cancel(status: int, headers: Mapping[str, str], body: bytes, attempts: int = 1) -> str:
    """The request id of a successful cancel."""
    return read_answer(status, headers, body).request


def read_cancel_by_tag(
    status: int, headers: Mapping[str, str], body: bytes, attempts: int = 1
) -> int:
    """How many emergency messages the tag cancelled."""
    count = _int(read_answer(status, headers, body).body.get("canceled"))
    return count if count is not None and count >= 0 else 0


# Calls


def get_receipt(client: SyncApiCaller, *, token: str, receipt: str) -> ReceiptStatus:
    """The receipt's current status; raises ClientSendError (e.g. unknown receipt: 404)."""
    return client.execute(build_get_receipt(token, receipt), read_receipt)


def cancel_receipt(client: SyncApiCaller, *, token: str, receipt: str) -> str:
    """Stop an emergency message re-alerting; returns Pushover's request id."""
    return client.execute(build_cancel_receipt(token, receipt), read_cancel)


def cancel_by_tag(client: SyncApiCaller, *, token: str, tag: str) -> int:
    """Cancel every open emergency message of the app with ``tag``; returns how many."""
    return client.execute(build_cancel_by_tag(token, tag), read_cancel_by_tag)


async def aget_receipt(client: AsyncApiCaller, *, token: str, receipt: str) -> ReceiptStatus:
    return await client.execute(build_get_receipt(token, receipt), read_receipt)


async def acancel_receipt(client: AsyncApiCaller, *, token: str, receipt: str) -> str:
    return await client.execute(build_cancel_receipt(token, receipt), read_cancel)


async def acancel_by_tag(client: AsyncApiCaller, *, token: str, tag: str) -> int:
    return await client.execute(build_cancel_by_tag(token, tag), read_cancel_by_tag)


# Waiting


@dataclass
class _WaitPlan:
    """The pure part of waiting: poll spacing and the deadline, from a clock."""

    receipt: str
    timeout: float | None
    interval: float
    started: float

    @classmethod
    def start(cls, receipt: str, timeout: float | None, poll_every: float, now: float) -> _WaitPlan:
        receipt = validate_receipt(receipt)
        if timeout is not None and not timeout > 0:
            raise ValidationError("timeout", "must be more than 0 seconds")
        # NaN and anything under the floor poll at the floor.
        interval = poll_every if poll_every >= MIN_POLL_INTERVAL else MIN_POLL_INTERVAL
        return cls(receipt, timeout, interval, now)

    def pause_after(self, status: ReceiptStatus, polled_at: float, now: float) -> float | None:
        """Seconds to sleep before the next poll; None when ``status`` is final.

        Raises ReceiptWaitTimeout when the next poll would come after the deadline:
        waiting on could not show anything new.
        """
        if status.is_final:
            return None
        next_poll = polled_at + self.interval
        if self.timeout is not None and next_poll - self.started > self.timeout:
            raise ReceiptWaitTimeout(self.receipt, self.timeout, status)
        return max(0.0, next_poll - now)


def wait_for_acknowledgement(
    client: SyncApiCaller,
    *,
    token: str,
    receipt: str,
    timeout: float | None,
    poll_every: float = MIN_POLL_INTERVAL,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_poll: Callable[[ReceiptStatus], None] | None = None,
) -> ReceiptStatus:
    """Poll the receipt until it is acknowledged or expired (or cancelled); return that status.

    Polls start at least ``poll_every`` seconds apart, never under 5 s. With a
    ``timeout``, raises ReceiptWaitTimeout (carrying the last status) at the
    last poll before the deadline; None waits until the message expires.
    ``on_poll`` hears every status read, the final one included.
    """
    plan = _WaitPlan.start(receipt, timeout, poll_every, clock())
    while True:
        polled_at = clock()
        status = get_receipt(client, token=token, receipt=plan.receipt)
        if on_poll is not None:
            on_poll(status)
        pause = plan.pause_after(status, polled_at, clock())
        if pause is None:
            return status
        sleep(pause)


async def await_acknowledgement(
    client: AsyncApiCaller,
    *,
    token: str,
    receipt: str,
    timeout: float | None,
    poll_every: float = MIN_POLL_INTERVAL,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    clock: Callable[[], float] = time.monotonic,
    on_poll: Callable[[ReceiptStatus], None] | None = None,
) -> ReceiptStatus:
    """The asyncio twin of ``wait_for_acknowledgement`` (same rules, same errors).

    ``sleep`` defaults to ``asyncio.sleep``.
    """
    if sleep is None:
        import asyncio  # here, not at the top: the sync send path never needs it

        sleep = asyncio.sleep
    plan = _WaitPlan.start(receipt, timeout, poll_every, clock())
    while True:
        polled_at = clock()
        status = await aget_receipt(client, token=token, receipt=plan.receipt)
        if on_poll is not None:
            on_poll(status)
        pause = plan.pause_after(status, polled_at, clock())
        if pause is None:
            return status
        await sleep(pause)
