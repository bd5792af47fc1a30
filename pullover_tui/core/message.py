"""The message model: every field Pushover accepts, normalised and validated on creation.

A ``Message`` that exists is one Pushover's rules allow: construction collects
every broken rule and raises one ``ValidationError`` listing them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pullover_tui.core import limits
from pullover_tui.core.attachment import Attachment
from pullover_tui.core.errors import FieldProblem, ValidationError
from pullover_tui.core.parsing import (
    UNDECODABLE,
    Priority,
    is_unicode_text,
    parse_int,
    parse_timestamp,
)

if TYPE_CHECKING:
    from pullover_tui.core.simple import Application, SendResponse, User

__all__ = [
    "UNDECODABLE",
    "Message",
    "Priority",
    "is_unicode_text",
    "validate_devices",
    "validate_token",
    "validate_user_keys",
]


FIELD_ORDER = (
    "message", "title", "priority", "url", "url_title", "timestamp", "sound", "device", "ttl",
    "html", "monospace", "attachment", "attachment_type", "retry", "expire", "callback", "tags",
)  # fmt: skip


def _text(value: object) -> str | None:
    """Optional text: None and blank strings both mean 'not given'."""
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def _names(value: object) -> tuple[str, ...]:
    """A comma-joined string or an iterable of names, as a tuple of stripped names."""
    if value is None:
        return ()
    items: Iterable[object] = value.split(",") if isinstance(value, str) else value  # type: ignore[assignment]
    return tuple(str(item).strip() for item in items if str(item).strip())


@dataclass(frozen=True, init=False)
class Message:
    """One Pushover message. Optional fields are None (or False) when not given."""

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
    attachment: Attachment | None
    attachment_base64: str | None
    attachment_type: str | None
    retry: int | None
    expire: int | None
    callback: str | None
    tags: tuple[str, ...]

    def __init__(
        self,
        message: str,
        title: str | None = None,
        *,
        url: str | None = None,
        url_title: str | None = None,
        priority: Priority | int | str | None = Priority.NORMAL,
        sound: str | None = None,
        device: str | Iterable[str] | None = None,
        timestamp: object = None,
        ttl: int | str | None = None,
        html: bool = False,
        monospace: bool = False,
        attachment: object = None,
        attachment_base64: str | None = None,
        attachment_type: str | None = None,
        retry: int | str | None = None,
        expire: int | str | None = None,
        callback: str | None = None,
        tags: str | Iterable[str] | None = None,
    ) -> None:
        problems: list[FieldProblem] = []

        def check(field: str, parse: Any, value: object) -> Any:
            try:
                return parse(value)
            except ValidationError as exc:
                problems.extend(exc.problems)
                return None

        text = message if isinstance(message, str) else ""
        values: dict[str, object] = {
            "message": text,
            "title": _text(title),
            "url": _text(url),
            "url_title": _text(url_title),
            "priority": check(
                "priority", Priority.parse, Priority.NORMAL if priority in (None, "") else priority
            ),
            "sound": _text(sound).strip() if _text(sound) else None,  # type: ignore[union-attr]
            "devices": _names(device),
            "timestamp": None
            if timestamp in (None, "")
            else check("timestamp", parse_timestamp, timestamp),
            "ttl": None if ttl in (None, "") else check("ttl", _ttl, ttl),
            "html": bool(html),
            "monospace": bool(monospace),
            "attachment": None
            if attachment is None
            else check("attachment", Attachment.coerce, attachment),
            "attachment_base64": _text(attachment_base64),
            "attachment_type": _text(attachment_type),
            "retry": None if retry in (None, "") else check("retry", _retry, retry),
            "expire": None if expire in (None, "") else check("expire", _expire, expire),
            "callback": _text(callback),
            "tags": _names(tags),
        }
        if not isinstance(message, str):
            problems.append(FieldProblem("message", "must be text"))
        problems.extend(_field_rules(values, found=problems))
        if problems:
            problems.sort(
                key=lambda p: FIELD_ORDER.index(p.field) if p.field in FIELD_ORDER else 99
            )
            raise ValidationError(problems)
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def device(self) -> str | None:
        """The target devices comma-joined, as Pushover's ``device`` field takes them."""
        return ",".join(self.devices) or None

    @property
    def is_emergency(self) -> bool:
        return self.priority is Priority.EMERGENCY

    def send(self, app: Application | str, user: User | str, **options: Any) -> SendResponse:
        """Send with the simple API of the old ``pullover``: never raises for a failed send."""
        from pullover_tui.core.simple import send_message

        return send_message(self, app, user, **options)


def _ttl(value: object) -> int:
    seconds = parse_int(value, "ttl", "must be a whole number of seconds")
    if seconds <= 0:
        raise ValidationError("ttl", "must be more than 0 seconds")
    return _at_most_seconds_max("ttl", seconds)


def _retry(value: object) -> int:
    seconds = parse_int(value, "retry", "must be a whole number of seconds")
    if seconds < limits.RETRY_MIN:
        raise ValidationError("retry", f"must be at least {limits.RETRY_MIN} seconds")
    return _at_most_seconds_max("retry", seconds)


def _at_most_seconds_max(field: str, seconds: int) -> int:
    if seconds > limits.SECONDS_MAX:
        raise ValidationError(field, f"must be at most {limits.SECONDS_MAX:,} seconds")
    return seconds


def _expire(value: object) -> int:
    seconds = parse_int(value, "expire", "must be a whole number of seconds")
    if not 0 < seconds <= limits.EXPIRE_MAX:
        raise ValidationError("expire", f"must be 1 to {limits.EXPIRE_MAX} seconds")
    return seconds


def _too_long(field: str, value: object, most: int) -> list[FieldProblem]:
    if isinstance(value, str) and len(value) > most:
        return [FieldProblem(field, f"must be at most {most} characters (is {len(value)})")]
    return []


TEXT_FIELDS = (
    "message", "title", "url", "url_title", "sound", "attachment_base64", "attachment_type",
    "callback",
)  # fmt: skip


def _undecodable(v: dict[str, object]) -> list[FieldProblem]:
    texts = [(field, v[field]) for field in TEXT_FIELDS]
    texts += [("tags", tag) for tag in v["tags"]]  # type: ignore[attr-defined]
    bad = dict.fromkeys(f for f, t in texts if isinstance(t, str) and not is_unicode_text(t))
    return [FieldProblem(field, UNDECODABLE) for field in bad]


def _field_rules(v: dict[str, object], found: Iterable[FieldProblem] = ()) -> list[FieldProblem]:
    """The rules that concern one field's text or several fields together.

    ``found`` are the problems already known (a value that did not parse is None
    here, and must not be reported a second time as missing).
    """
    problems: list[FieldProblem] = _undecodable(v)
    known = {p.field for p in found}
    if not str(v["message"]).strip():
        problems.append(FieldProblem("message", "is required and must not be blank"))
    problems += _too_long("message", v["message"], limits.MESSAGE_MAX)
    problems += _too_long("title", v["title"], limits.TITLE_MAX)
    problems += _too_long("url", v["url"], limits.URL_MAX)
    problems += _too_long("url_title", v["url_title"], limits.URL_TITLE_MAX)
    if v["url_title"] is not None and v["url"] is None:
        problems.append(FieldProblem("url_title", "needs a url"))
    if v["html"] and v["monospace"]:
        problems.append(FieldProblem("html", "cannot be combined with monospace"))
    try:
        validate_devices(v["devices"])  # type: ignore[arg-type]
    except ValidationError as exc:
        problems.extend(exc.problems)
    if v["attachment"] is not None and v["attachment_base64"] is not None:
        problems.append(FieldProblem("attachment", "give a file or attachment_base64, not both"))
    if (v["attachment_base64"] is None) != (v["attachment_type"] is None):
        problems.append(
            FieldProblem("attachment_type", "attachment_base64 and attachment_type go together")
        )
    if v["priority"] is Priority.EMERGENCY:
        for field in ("retry", "expire"):
            if v[field] is None and field not in known | {p.field for p in problems}:
                problems.append(FieldProblem(field, "is required for emergency priority"))
    else:
        for field in ("retry", "expire", "callback", "tags"):
            if v[field]:
                problems.append(FieldProblem(field, "is only allowed with emergency priority"))
    return problems


def validate_devices(devices: Iterable[str]) -> tuple[str, ...]:
    """Each device name must be 1 to 25 of letters, digits, ``_`` and ``-``."""
    names = tuple(devices)
    for name in names:
        if not limits.DEVICE_PATTERN.fullmatch(name):
            raise ValidationError(
                "device", f"{name[:40]!r} must be 1 to 25 letters, digits, '_' or '-'"
            )
    return names


def validate_token(token: object, field: str = "token") -> str:
    """An app token: exactly 30 letters and digits. The error never repeats the value."""
    if not isinstance(token, str) or not token.strip():
        raise ValidationError(field, "is required")
    token = token.strip()
    if not limits.KEY_PATTERN.fullmatch(token):
        raise ValidationError(field, f"must be exactly 30 letters and digits (got {len(token)})")
    return token


def validate_user_keys(user: object, field: str = "user") -> str:
    """One user or group key, or up to 50 comma-joined; returned joined without spaces."""
    if not isinstance(user, str) or not user.strip():
        raise ValidationError(field, "is required")
    keys = [k.strip() for k in user.split(",")]
    if len(keys) > limits.MAX_RECIPIENTS:
        raise ValidationError(field, f"must be at most {limits.MAX_RECIPIENTS} keys")
    for index, key in enumerate(keys, 1):
        if not limits.KEY_PATTERN.fullmatch(key):
            which = f"key {index}" if len(keys) > 1 else "key"
            raise ValidationError(
                field, f"{which} must be exactly 30 letters and digits (got {len(key)})"
            )
    return ",".join(keys)
