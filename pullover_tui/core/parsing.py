"""Parsing of the loose values people type: priorities, timestamps, durations."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time
from enum import IntEnum

from pullover_tui.core.errors import ValidationError
from pullover_tui.core.limits import TIMESTAMP_MAX


class Priority(IntEnum):
    """Pushover's message priorities."""

    LOWEST = -2
    LOW = -1
    NORMAL = 0
    HIGH = 1
    EMERGENCY = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: object, field: str = "priority") -> Priority:
        """Accept a Priority, an int, or a name or number as text, case-insensitive."""
        if isinstance(value, Priority):
            return value
        if isinstance(value, bool):
            raise _priority_error(field)
        if isinstance(value, int):
            try:
                return cls(value)
            except ValueError:
                raise _priority_error(field) from None
        if isinstance(value, str):
            text = value.strip().lower()
            for member in cls:
                if text == member.label:
                    return member
            try:
                return cls(int(text))
            except ValueError:
                raise _priority_error(field) from None
        raise _priority_error(field)


PRIORITY_NAMES = ", ".join(p.label for p in Priority)


def _priority_error(field: str) -> ValidationError:
    return ValidationError(field, f"must be -2..2 or one of {PRIORITY_NAMES}")


UNDECODABLE = "must be text: it holds bytes that are not UTF-8"


def is_unicode_text(text: str) -> bool:
    """False for text holding lone surrogates: undecodable bytes (e.g. of a non-UTF-8
    command-line argument or file name) that no file, database or request can carry."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_UNIX_SECONDS = re.compile(r"-?[0-9]+")
TIMESTAMP_RULE = "must be an ISO 8601 date or time (e.g. 2026-11-28T09:30+01:00) or Unix seconds"


def parse_timestamp(value: object, field: str = "timestamp") -> int:
    """Turn a datetime, date, ISO 8601 text or Unix seconds into Unix seconds.

    Naive times and dates are taken as local time, never an error (the old
    ``pullover`` crashed on them).
    """
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        raise ValidationError(field, TIMESTAMP_RULE)
    if isinstance(value, int | float):
        seconds = int(value)
    elif isinstance(value, date):
        moment = value if isinstance(value, datetime) else datetime.combine(value, time())
        try:
            seconds = int(moment.timestamp())  # naive datetimes are local time
        except (OverflowError, OSError, ValueError):  # e.g. 0001-01-01 local: "year 0"
            raise ValidationError(field, "must not be before 1970-01-01") from None
    elif isinstance(value, str):
        seconds = _parse_timestamp_text(value.strip(), field)
    else:
        raise ValidationError(field, TIMESTAMP_RULE)
    if seconds < 0:
        raise ValidationError(field, "must not be before 1970-01-01")
    if seconds > TIMESTAMP_MAX:
        raise ValidationError(field, "must be before 9999-12-31")
    return seconds


def _parse_timestamp_text(text: str, field: str) -> int:
    if not text:
        raise ValidationError(field, TIMESTAMP_RULE)
    if _UNIX_SECONDS.fullmatch(text):
        if len(text) > 20:  # int() refuses over 4300 digits: any out-of-range value will do
            return -1 if text.startswith("-") else TIMESTAMP_MAX + 1
        return int(text)
    iso = text[:-1] + "+00:00" if text[-1] in "zZ" else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        try:
            return int(datetime.combine(date.fromisoformat(text), time()).timestamp())
        except ValueError:
            raise ValidationError(field, TIMESTAMP_RULE) from None
    except OverflowError:
        raise ValidationError(field, TIMESTAMP_RULE) from None
    try:
        return int(parsed.timestamp())
    except (OverflowError, OSError, ValueError):
        raise ValidationError(field, TIMESTAMP_RULE) from None


def format_timestamp(seconds: int) -> str:
    """Unix seconds as a local ISO 8601 time with its offset, for people.

    A time no calendar can show (a server's nonsense, e.g. a reset in the year
    50000) comes back as the number itself rather than an error.
    """
    try:
        return datetime.fromtimestamp(seconds, UTC).astimezone().isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return str(seconds)


def parse_int(value: object, field: str, rule: str = "must be a whole number") -> int:
    """An int from an int or digits; anything else is a ValidationError naming the field."""
    if isinstance(value, bool):
        raise ValidationError(field, rule)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise ValidationError(field, rule) from None
    raise ValidationError(field, rule)
