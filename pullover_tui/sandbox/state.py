"""What a sandbox remembers: received messages, emergency receipts, quota use, request counts."""

from __future__ import annotations

import secrets
import string
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from pullover_tui.sandbox.rules import AttachmentInfo, MessageFields

RECEIPT_ALPHABET = string.ascii_letters + string.digits
ELLIPSIS = "…"


def mask(secret: str) -> str:
    """Show a key's shape without giving it away: ``azGD…yUi`` (each of comma-joined keys)."""
    return ",".join(
        f"{part[:4]}{ELLIPSIS}{part[-3:]}" if len(part) >= 8 else ELLIPSIS
        for part in secret.split(",")
    )


def month_start_after(now: float) -> int:
    """Unix time of the first day of the next month, 00:00 UTC: when quotas reset."""
    day = datetime.fromtimestamp(now, UTC)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp())


def attachment_json(attachment: AttachmentInfo) -> dict[str, Any]:
    return {"name": attachment.name, "type": attachment.content_type, "size": attachment.size}


@dataclass(frozen=True)
class QuotaStatus:
    limit: int
    remaining: int
    reset: int


@dataclass(frozen=True)
class RecordedMessage:
    """One accepted message as the inspection API shows it."""

    id: int
    request: str
    receipt: str | None
    received_at: int
    encoding: str
    fields: MessageFields

    def to_json(self) -> dict[str, Any]:
        f = self.fields
        attachment = f.attachment
        return {
            "id": self.id,
            "request": self.request,
            "receipt": self.receipt,
            "received_at": self.received_at,
            "encoding": self.encoding,
            "token": mask(f.token),
            "user": mask(",".join(f.users)),
            "message": f.message,
            "title": f.title,
            "url": f.url,
            "url_title": f.url_title,
            "device": ",".join(f.devices) or None,
            "html": int(f.html),
            "monospace": int(f.monospace),
            "priority": f.priority,
            "sound": f.sound,
            "timestamp": f.timestamp,
            "ttl": f.ttl,
            "retry": f.retry,
            "expire": f.expire,
            "callback": f.callback,
            "tags": ",".join(f.tags) or None,
            "attachment": None if attachment is None else attachment_json(attachment),
        }


@dataclass(frozen=True)
class Receipt:
    """An emergency message's receipt and what happened to it since."""

    receipt: str
    token: str
    users: tuple[str, ...]
    devices: tuple[str, ...]
    tags: tuple[str, ...]
    callback: str | None
    created_at: int
    retry: int
    expires_at: int
    acknowledged_at: int = 0
    acknowledged_by: str = ""
    acknowledged_by_device: str = ""
    cancelled_at: int = 0
    called_back_at: int = 0

    def is_open(self, now: int) -> bool:
        """Still re-alerting: neither acknowledged, cancelled nor expired."""
        return not (self.acknowledged_at or self.cancelled_at or now >= self.expires_at)

    def to_json(self, now: int) -> dict[str, Any]:
        """The receipts API's fields (all ints but the two acknowledged_by strings)."""
        stops = [t for t in (now, self.expires_at, self.acknowledged_at, self.cancelled_at) if t]
        end = min(stops)
        rounds = max(0, end - self.created_at) // self.retry
        return {
            "acknowledged": int(bool(self.acknowledged_at)),
            "acknowledged_at": self.acknowledged_at,
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_by_device": self.acknowledged_by_device,
            "last_delivered_at": self.created_at + rounds * self.retry,
            "expired": int(bool(self.cancelled_at) or now >= self.expires_at),
            "expires_at": self.expires_at,
            "called_back": int(bool(self.called_back_at)),
            "called_back_at": self.called_back_at,
        }


class UnknownReceipt(LookupError):
    """No receipt by that id (for that app)."""


class ReceiptClosed(ValueError):
    """The receipt was already acknowledged, cancelled, or has expired."""


class NotARecipient(ValueError):
    """Acknowledged by a user key the message was not sent to."""


class SandboxState:
    """Everything received, behind one lock so concurrent handler threads stay consistent."""

    def __init__(self, clock: Callable[[], float], max_messages: int) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._messages: deque[RecordedMessage] = deque(maxlen=max_messages)
        self._next_id = 1
        self._receipts: dict[str, Receipt] = {}
        self._quota_used: Counter[tuple[str, int]] = Counter()
        self._requests: Counter[str] = Counter()

    def now(self) -> int:
        return int(self._clock())

    def count_request(self, path: str) -> None:
        with self._lock:
            self._requests[path] += 1

    def request_count(self, path: str | None = None) -> int:
        with self._lock:
            return self._requests.total() if path is None else self._requests[path]

    def quota(self, token: str | None, limit: int) -> QuotaStatus:
        now = self._clock()
        with self._lock:
            used = self._quota_used[(token, month_start_after(now))] if token else 0
        return QuotaStatus(limit, max(0, limit - used), month_start_after(now))

    def record(
        self, fields: MessageFields, encoding: str, request: str, limit: int
    ) -> RecordedMessage | None:
        """Keep an accepted message, spending a quota unit per user; None if the quota is spent."""
        now = self.now()
        month = month_start_after(now)
        with self._lock:
            if self._quota_used[(fields.token, month)] + len(fields.users) > limit:
                return None
            self._quota_used[(fields.token, month)] += len(fields.users)
            receipt = self._new_receipt(fields, now) if fields.retry and fields.expire else None
            message = RecordedMessage(self._next_id, request, receipt, now, encoding, fields)
            self._next_id += 1
            self._messages.append(message)
        return message

    def _new_receipt(self, fields: MessageFields, now: int) -> str:
        receipt = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(30))
        self._receipts[receipt] = Receipt(
            receipt=receipt,
            token=fields.token,
            users=fields.users,
            devices=fields.devices,
            tags=fields.tags,
            callback=fields.callback,
            created_at=now,
            retry=fields.retry or 30,
            expires_at=now + (fields.expire or 0),
        )
        return receipt

    def messages(self, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            kept = [message for message in self._messages if message.id > since]
        return [message.to_json() for message in kept]

    def clear(self) -> int:
        with self._lock:
            count = len(self._messages)
            self._messages.clear()
        return count

    def receipt(self, receipt: str, token: str | None = None) -> dict[str, Any]:
        """The receipt's fields; raises UnknownReceipt (also for another app's receipt)."""
        with self._lock:
            found = self._find(receipt, token)
        return found.to_json(self.now())

    def _find(self, receipt: str, token: str | None) -> Receipt:
        found = self._receipts.get(receipt)
        if found is None or (token is not None and found.token != token):
            raise UnknownReceipt(receipt)
        return found

    def cancel(self, receipt: str, token: str) -> None:
        now = self.now()
        with self._lock:
            found = self._find(receipt, token)
            if found.is_open(now):
                self._receipts[receipt] = replace(found, cancelled_at=now)

    def cancel_by_tag(self, tag: str, token: str) -> int:
        """Cancel every open receipt of the app carrying ``tag``; returns how many."""
        now = self.now()
        with self._lock:
            hits = [
                found
                for found in self._receipts.values()
                if found.token == token and tag in found.tags and found.is_open(now)
            ]
            for found in hits:
                self._receipts[found.receipt] = replace(found, cancelled_at=now)
        return len(hits)

    def acknowledge(
        self, receipt: str, user: str | None, device: str | None, default_device: str
    ) -> Receipt:
        """Simulate a person acknowledging an emergency message on a device."""
        now = self.now()
        with self._lock:
            found = self._find(receipt, None)
            if not found.is_open(now):
                raise ReceiptClosed(receipt)
            if user is not None and user not in found.users:
                raise NotARecipient(user)
            acknowledged = replace(
                found,
                acknowledged_at=now,
                acknowledged_by=user or found.users[0],
                acknowledged_by_device=device or (found.devices or (default_device,))[0],
            )
            self._receipts[receipt] = acknowledged
        return acknowledged

    def mark_called_back(self, receipt: str) -> None:
        now = self.now()
        with self._lock:
            found = self._receipts.get(receipt)
            if found is not None:
                self._receipts[receipt] = replace(found, called_back_at=now)
