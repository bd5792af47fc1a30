"""One row of the history as a value: what was sent, to whom (masked), and what became of it.

Statuses (the closed set ``STATUSES``):

``pending``
    Recorded, no attempt has finished yet: a send in progress, a message
    queued with ``send --queue``, or one whose sender crashed or was killed
    mid-send. In the outbox.
``failed``
    Every attempt so far ended in a temporary failure (no answer, 5xx, or a
    spent quota); ``last_error`` says which. In the outbox: ``outbox flush``
    tries it again.
``sent``
    Pushover accepted it; ``request`` (and ``receipt`` for emergency
    priority) hold its answer. Final.
``rejected``
    Pushover refused it (4xx): sending it again cannot help, so it is never
    retried. Final.

The *outbox* is every ``pending`` or ``failed`` row. A row is *claimed* while
one process sends it (``claimed_by``/``claimed_until``); others leave it alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from pullover_tui.core.attachment import Attachment
from pullover_tui.core.errors import ValidationError
from pullover_tui.core.message import Message
from pullover_tui.core.parsing import Priority, is_unicode_text

PENDING: Final = "pending"
FAILED: Final = "failed"
SENT: Final = "sent"
REJECTED: Final = "rejected"
STATUSES: Final = (PENDING, FAILED, SENT, REJECTED)
OUTBOX_STATUSES: Final = (PENDING, FAILED)

# Where an attachment came from: only a file can be read again for a resend.
FROM_PATH: Final = "path"
FROM_BYTES: Final = "bytes"  # bytes or a stream (e.g. stdin): not kept
FROM_BASE64: Final = "base64"  # the attachment_base64 field: not kept

_FINGERPRINT_HEX = 16


def _digest(*parts: str) -> str:
    # surrogatepass: a malformed key (e.g. undecodable bytes from argv) still hashes, to a
    # fingerprint that matches nothing, instead of raising before it can be refused.
    data = "\0".join(("pullover-tui credentials v1", *parts)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:_FINGERPRINT_HEX]


def normal_user(user: str) -> str:
    """User keys as Pushover reads them: comma-joined, no spaces."""
    return ",".join(part.strip() for part in user.split(",") if part.strip())


def credential_fingerprint(token: str, user: str) -> str:
    """A short one-way hash of app token and user key(s): which credentials, never what they are."""
    return _digest(token.strip(), normal_user(user))


def recipient_fingerprint(user: str) -> str:
    """A short one-way hash of the user key(s) alone: who receives it."""
    return _digest("user", normal_user(user))


@dataclass(frozen=True)
class AttachmentRecord:
    """An attachment as recorded: referenced by path and size, never copied."""

    source: str  # FROM_PATH, FROM_BYTES or FROM_BASE64
    path: str | None
    filename: str | None
    size: int | None
    content_type: str | None
    sha256: str | None

    @property
    def resendable(self) -> bool:
        return self.source == FROM_PATH and self.path is not None

    def load(self) -> Attachment:
        """The attachment read again from its file, if the file is still the same."""
        if not self.resendable or self.path is None:
            raise ValidationError(
                "attachment",
                f"{self.filename or 'the image'} was given as data (e.g. on stdin) and was not "
                "kept, so it cannot be sent again",
            )
        attachment = Attachment.from_path(self.path)
        if self.sha256 is not None and hashlib.sha256(attachment.content).hexdigest() != (
            self.sha256
        ):
            raise ValidationError("attachment", f"{self.path} has changed since it was recorded")
        return attachment

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "path": self.path,
            "filename": self.filename,
            "size": self.size,
            "content_type": self.content_type,
            "resendable": self.resendable,
        }


def iso_time(seconds: float | None) -> str | None:
    """Unix seconds as local ISO 8601 with the offset (what ``--json`` prints)."""
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds).astimezone().isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):  # e.g. a row written before times were bounded
        return str(seconds)


@dataclass(frozen=True)
class HistoryEntry:
    """A recorded message and its fate. Secret-free: recipients are masked, credentials hashed."""

    id: int
    created_at: float
    updated_at: float
    sent_at: float | None
    status: str
    profile: str | None
    recipients: str
    fingerprint: str
    user_fingerprint: str | None
    api_url: str | None
    attempts: int
    request: str | None
    receipt: str | None
    last_error: str | None
    claimed_by: str | None
    claimed_until: float | None
    # the message's own fields
    message: str
    title: str | None
    url: str | None
    url_title: str | None
    priority: Priority
    sound: str | None
    devices: tuple[str, ...]
    timestamp: int | None
    ttl: int | None
    html: bool
    monospace: bool
    retry: int | None
    expire: int | None
    callback: str | None
    tags: tuple[str, ...]
    attachment: AttachmentRecord | None

    @property
    def in_outbox(self) -> bool:
        return self.status in OUTBOX_STATUSES

    @property
    def resendable(self) -> bool:
        """Whether ``to_message`` can rebuild it (only data attachments are lost)."""
        return self.attachment is None or self.attachment.resendable

    def to_message(self) -> Message:
        """The exact ``Message`` again, for a resend or a flush.

        Raises ``ValidationError`` (field ``attachment``) when the attachment was
        not a file, or its file is gone or has changed since.
        """
        attachment = self.attachment.load() if self.attachment is not None else None
        return Message(
            self.message,
            self.title,
            url=self.url,
            url_title=self.url_title,
            priority=self.priority,
            sound=self.sound,
            device=self.devices,
            timestamp=self.timestamp,
            ttl=self.ttl,
            html=self.html,
            monospace=self.monospace,
            attachment=attachment,
            retry=self.retry,
            expire=self.expire,
            callback=self.callback,
            tags=self.tags,
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only; times as local ISO 8601. Never a token or key."""
        return {
            "id": self.id,
            "status": self.status,
            "created_at": iso_time(self.created_at),
            "updated_at": iso_time(self.updated_at),
            "sent_at": iso_time(self.sent_at),
            "profile": self.profile,
            "recipients": self.recipients,
            "api_url": self.api_url,
            "attempts": self.attempts,
            "request": self.request,
            "receipt": self.receipt,
            "last_error": self.last_error,
            "in_outbox": self.in_outbox,
            "claimed_until": iso_time(self.claimed_until),
            "resendable": self.resendable,
            "message": self.message,
            "title": self.title,
            "url": self.url,
            "url_title": self.url_title,
            "priority": int(self.priority),
            "sound": self.sound,
            "device": ",".join(self.devices) or None,
            "timestamp": self.timestamp,
            "ttl": self.ttl,
            "html": self.html,
            "monospace": self.monospace,
            "retry": self.retry,
            "expire": self.expire,
            "callback": self.callback,
            "tags": list(self.tags),
            "attachment": None if self.attachment is None else self.attachment.to_json(),
        }


def attachment_record(message: Message, path: str | None) -> AttachmentRecord | None:
    """How a message's attachment will be recorded; ``path`` is the file it was read from."""
    if message.attachment is not None:
        a = message.attachment
        if path is not None and not is_unicode_text(path):
            path = None  # a name that is not UTF-8 cannot be stored: not kept, like stdin
        return AttachmentRecord(
            source=FROM_PATH if path else FROM_BYTES,
            path=str(Path(path).expanduser().absolute()) if path else None,
            filename=a.filename,
            size=a.size,
            content_type=a.content_type,
            sha256=hashlib.sha256(a.content).hexdigest(),
        )
    if message.attachment_base64 is not None:
        return AttachmentRecord(
            source=FROM_BASE64,
            path=None,
            filename=None,
            size=len(message.attachment_base64) * 3 // 4,
            content_type=message.attachment_type,
            sha256=None,
        )
    return None


def entry_from_row(row: Mapping[str, Any]) -> HistoryEntry:
    """A ``HistoryEntry`` from a row of the ``history`` table (an ``sqlite3.Row``)."""
    attachment = None
    if row["attachment_source"]:
        attachment = AttachmentRecord(
            source=row["attachment_source"],
            path=row["attachment_path"],
            filename=row["attachment_name"],
            size=row["attachment_size"],
            content_type=row["attachment_type"],
            sha256=row["attachment_sha256"],
        )
    return HistoryEntry(
        id=int(row["id"]),
        created_at=float(row["created_at"]),
        updated_at=float(row["updated_at"]),
        sent_at=row["sent_at"],
        status=str(row["status"]),
        profile=row["profile"],
        recipients=str(row["recipients"]),
        fingerprint=str(row["fingerprint"]),
        user_fingerprint=row["user_fingerprint"],
        api_url=row["api_url"],
        attempts=int(row["attempts"]),
        request=row["request"],
        receipt=row["receipt"],
        last_error=row["last_error"],
        claimed_by=row["claimed_by"],
        claimed_until=row["claimed_until"],
        message=str(row["message"]),
        title=row["title"],
        url=row["url"],
        url_title=row["url_title"],
        priority=Priority(int(row["priority"])),
        sound=row["sound"],
        devices=_split(row["devices"]),
        timestamp=row["timestamp"],
        ttl=row["ttl"],
        html=bool(row["html"]),
        monospace=bool(row["monospace"]),
        retry=row["retry"],
        expire=row["expire"],
        callback=row["callback"],
        tags=_split(row["tags"]),
        attachment=attachment,
    )


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part for part in (value or "").split(",") if part)
