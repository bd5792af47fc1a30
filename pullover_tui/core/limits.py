"""Pushover's limits and formats, in one place (see shared/PUSHOVER_API.md)."""

from __future__ import annotations

import re

MESSAGE_MAX = 1024
TITLE_MAX = 250
URL_MAX = 512
URL_TITLE_MAX = 100
DEVICE_NAME_MAX = 25
MAX_RECIPIENTS = 50
ATTACHMENT_MAX_BYTES = 5_242_880
RETRY_MIN = 30
EXPIRE_MAX = 10_800
MIN_RETRY_WAIT = 5.0  # seconds Pushover asks clients to wait between attempts
# Bounds of our own for the whole numbers of a message, so that every value we accept can
# be stored (SQLite: 64 bits), shown as a date (Python: years 1 to 9999) and sent: the
# sandbox, like Pushover, reads at most 15 digits.
SECONDS_MAX = 999_999_999_999_999  # ttl and retry
TIMESTAMP_MAX = 253_402_214_399  # 9999-12-30T23:59:59Z: a local time on any offset stays in 9999

KEY_PATTERN = re.compile(r"[A-Za-z0-9]{30}")
DEVICE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,25}")
TAG_PATTERN = re.compile(r"[^,\s][^,]*")

BUILTIN_SOUNDS: tuple[str, ...] = (
    "pushover",
    "bike",
    "bugle",
    "cashregister",
    "classical",
    "cosmic",
    "falling",
    "gamelan",
    "incoming",
    "intermission",
    "magic",
    "mechanical",
    "pianobar",
    "siren",
    "spacealarm",
    "tugboat",
    "alien",
    "climb",
    "persistent",
    "echo",
    "updown",
    "vibrate",
    "none",
)
