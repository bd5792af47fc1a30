"""Sans-I/O Pushover: build requests and read answers as pure functions.

The sync and async clients only move these values over a transport, so every
Pushover rule about requests and answers lives here, once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pullover_tui.core.errors import ClientSendError, Quota, QuotaExceededError
from pullover_tui.core.message import Message, validate_token, validate_user_keys

MESSAGES_PATH = "/1/messages.json"


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request to the API, relative to the API root."""

    method: str
    path: str
    data: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None

    def __repr__(self) -> str:  # the data holds the token and user key
        return f"ApiRequest({self.method} {self.path})"


@dataclass(frozen=True)
class SendResult:
    """A message Pushover accepted."""

    request: str
    receipt: str | None = None
    quota: Quota | None = None
    attempts: int = 1


@dataclass(frozen=True)
class ApiAnswer:
    """A successful (``status == 1``) answer of any endpoint."""

    body: dict[str, Any]
    quota: Quota | None

    @property
    def request(self) -> str:
        return str(self.body.get("request", ""))


class TemporaryFailure(Exception):
    """An answer (or its absence) that a later attempt may fix: 5xx, bad body, no answer.

    ``maybe_delivered``: the request went out and no usable answer came back, so
    Pushover may have taken the message (always so for a 2xx that cannot be read).
    """

    def __init__(
        self, reason: str, status: int | None = None, *, maybe_delivered: bool = False
    ) -> None:
        self.reason = reason
        self.status = status
        self.maybe_delivered = maybe_delivered or (status is not None and 200 <= status < 300)
        super().__init__(reason)


def message_fields(message: Message) -> dict[str, str]:
    """The form fields of a message, leaving out what was not given."""
    fields: dict[str, str] = {"message": message.message}
    optional: dict[str, object] = {
        "title": message.title,
        "url": message.url,
        "url_title": message.url_title,
        "sound": message.sound,
        "device": message.device,
        "timestamp": message.timestamp,
        "ttl": message.ttl,
        "attachment_base64": message.attachment_base64,
        "attachment_type": message.attachment_type,
        "retry": message.retry,
        "expire": message.expire,
        "callback": message.callback,
        "tags": ",".join(message.tags) or None,
    }
    if message.priority != 0:
        fields["priority"] = str(int(message.priority))
    for name, value in optional.items():
        if value is not None:
            fields[name] = str(value)
    if message.html:
        fields["html"] = "1"
    if message.monospace:
        fields["monospace"] = "1"
    return fields


def build_send(message: Message, token: str, user: str) -> ApiRequest:
    """The request that sends ``message`` from app ``token`` to ``user`` (key or keys)."""
    data = {"token": validate_token(token), "user": validate_user_keys(user)}
    data.update(message_fields(message))
    files = None
    if message.attachment is not None:
        a = message.attachment
        files = {"attachment": (a.filename, a.content, a.content_type)}
    return ApiRequest("POST", MESSAGES_PATH, data=data, files=files)


def read_quota(headers: Mapping[str, str]) -> Quota | None:
    """The ``X-Limit-App-*`` headers as a Quota, or None when absent or malformed."""
    try:
        return Quota(
            limit=int(headers["x-limit-app-limit"]),
            remaining=int(headers["x-limit-app-remaining"]),
            reset=int(headers["x-limit-app-reset"]),
        )
    except (KeyError, ValueError):
        return None


def _decode(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def read_answer(status: int, headers: Mapping[str, str], body: bytes) -> ApiAnswer:
    """Classify an HTTP answer: success, rejection (raised) or temporary failure (raised).

    ``headers`` must be case-insensitive or lower-cased.
    """
    quota = read_quota(headers)
    data = _decode(body)
    if not 200 <= status < 500 or 300 <= status < 400:
        raise TemporaryFailure(f"HTTP {status}", status)
    if status < 300:
        if data is None:
            raise TemporaryFailure(f"HTTP {status} with a body that is not Pushover's JSON", status)
        if data.get("status") == 1:
            return ApiAnswer(body=data, quota=quota)
    raise _rejection(status, data or {}, quota)


def _rejection(status: int, data: dict[str, Any], quota: Quota | None) -> ClientSendError:
    raw_errors = data.get("errors")
    errors = [str(e) for e in raw_errors] if isinstance(raw_errors, list) else []
    invalid = [k for k, v in data.items() if v == "invalid" and k not in ("errors", "status")]
    request = data.get("request") if isinstance(data.get("request"), str) else None
    cls = QuotaExceededError if status == 429 else ClientSendError
    if status == 429 and not errors:
        errors = ["the app's monthly message quota is spent"]
    return cls(status, errors, request=request, invalid_fields=invalid, quota=quota)


def read_send(status: int, headers: Mapping[str, str], body: bytes, attempts: int) -> SendResult:
    answer = read_answer(status, headers, body)
    receipt = answer.body.get("receipt")
    return SendResult(
        request=answer.request,
        receipt=receipt if isinstance(receipt, str) else None,
        quota=answer.quota,
        attempts=attempts,
    )
