"""The compose form's values as plain data, and how they become a ``Message``.

This is the seam between the Textual form and the core: no Textual here and no
Pushover rules either. The form reads its widgets into a ``Draft``, the core's
``Message`` decides whether the draft is sendable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pullover_tui.core.errors import FieldProblem, ValidationError
from pullover_tui.core.message import Message
from pullover_tui.core.parsing import Priority, format_timestamp, parse_timestamp

if TYPE_CHECKING:
    from pullover_tui.core.history_entry import HistoryEntry
    from pullover_tui.core.profiles import Profile

Format = Literal["plain", "html", "monospace"]
FORMATS: tuple[Format, ...] = ("plain", "html", "monospace")
CounterLevel = Literal["ok", "warning", "error"]

WARNING_SHARE = 0.9
"""A counter turns to a warning at this share of its limit."""

EMERGENCY_FIELDS = ("retry", "expire", "tags", "callback")

API_FIELD_TO_FORM = {"token": "profile", "user": "profile"}
"""Fields Pushover can mark invalid that the compose form shows elsewhere."""


@dataclass(frozen=True)
class Draft:
    """Everything the compose form holds, as typed text; empty text means 'not given'."""

    message: str = ""
    title: str = ""
    priority: Priority = Priority.NORMAL
    url: str = ""
    url_title: str = ""
    timestamp: str = ""
    sound: str = ""  # "" is the user's default sound
    device: str = ""  # "" is all of the user's devices
    format: Format = "plain"
    ttl: str = ""
    retry: str = ""
    expire: str = ""
    tags: str = ""
    callback: str = ""
    attachment: str = ""  # a path to an image, as typed

    @classmethod
    def from_profile(cls, profile: Profile | None) -> Draft:
        """An empty draft carrying a profile's message defaults."""
        if profile is None:
            return cls()
        fmt: Format = "html" if profile.html else "monospace" if profile.monospace else "plain"
        return cls(
            title=profile.title or "",
            priority=profile.priority if profile.priority is not None else Priority.NORMAL,
            url=profile.url or "",
            url_title=profile.url_title or "",
            sound=profile.sound or "",
            device=profile.device or "",
            format=fmt,
            ttl="" if profile.ttl is None else str(profile.ttl),
        )

    @classmethod
    def from_entry(cls, entry: HistoryEntry) -> Draft:
        """A recorded message back in the form, for "edit and resend"."""
        fmt: Format = "html" if entry.html else "monospace" if entry.monospace else "plain"
        attachment = entry.attachment
        return cls(
            message=entry.message,
            title=entry.title or "",
            priority=entry.priority,
            url=entry.url or "",
            url_title=entry.url_title or "",
            timestamp="" if entry.timestamp is None else format_timestamp(entry.timestamp),
            sound=entry.sound or "",
            device=",".join(entry.devices),
            format=fmt,
            ttl=_number(entry.ttl),
            retry=_number(entry.retry),
            expire=_number(entry.expire),
            tags=",".join(entry.tags),
            callback=entry.callback or "",
            attachment=(attachment.path or "") if attachment and attachment.resendable else "",
        )

    def with_profile_defaults(self, profile: Profile | None) -> Draft:
        """A new profile's defaults, keeping the message text and image the user already gave."""
        defaults = Draft.from_profile(profile)
        return replace(defaults, message=self.message, attachment=self.attachment)

    @property
    def is_emergency(self) -> bool:
        return self.priority is Priority.EMERGENCY

    def message_kwargs(self) -> dict[str, object]:
        """Keyword arguments for ``Message``: hidden and disabled fields are left out."""
        kwargs: dict[str, object] = {
            "message": self.message,
            "title": self.title,
            "priority": self.priority,
            "url": self.url,
            "url_title": self.url_title if self.url.strip() else "",
            "timestamp": self.timestamp.strip(),
            "sound": self.sound,
            "device": self.device,
            "ttl": self.ttl.strip(),
            "html": self.format == "html",
            "monospace": self.format == "monospace",
        }
        if self.attachment.strip():
            kwargs["attachment"] = str(Path(self.attachment.strip()).expanduser())
        if self.is_emergency:
            kwargs.update(
                retry=self.retry.strip(),
                expire=self.expire.strip(),
                tags=self.tags,
                callback=self.callback.strip(),
            )
        return kwargs

    def to_message(self) -> Message:
        """The core's ``Message``; raises ``ValidationError`` listing every bad field."""
        return Message(**self.message_kwargs())  # type: ignore[arg-type]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def problems_by_field(problems: Iterable[FieldProblem]) -> dict[str, str]:
    """One line per field, joining several rules about the same field."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.field, []).append(problem.rule)
    return {field: "; ".join(rules) for field, rules in grouped.items()}


def rejected_fields(invalid_fields: Iterable[str], errors: Iterable[str]) -> dict[str, str]:
    """Pushover's rejection as form field -> text; unknown fields go under ``message``."""
    text = "; ".join(errors) or "refused by Pushover"
    marked: dict[str, str] = {}
    for field in invalid_fields:
        marked[API_FIELD_TO_FORM.get(field, field)] = f"refused by Pushover: {text}"
    return marked


def counter_level(length: int, maximum: int) -> CounterLevel:
    """How a ``length/maximum`` counter should look."""
    if length > maximum:
        return "error"
    if length >= maximum * WARNING_SHARE:
        return "warning"
    return "ok"


@dataclass(frozen=True)
class TimestampHint:
    """What the form shows beside the timestamp field."""

    ok: bool
    text: str


def timestamp_hint(text: str) -> TimestampHint:
    """The parsed time in the local zone, 'now' when empty, or the parse error."""
    if not text.strip():
        return TimestampHint(True, "empty: the time it arrives")
    try:
        seconds = parse_timestamp(text)
    except ValidationError as exc:
        return TimestampHint(False, exc.rule)
    return TimestampHint(True, format_timestamp(seconds))
