"""Pushover's rules for messages and keys (PUSHOVER_API.md), applied to a request's fields.

Every rule is checked, so one answer names all invalid fields at once, as
Pushover's does.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pullover_tui.sandbox.forms import FormData
from pullover_tui.sandbox.images import image_type

KEY_PATTERN = re.compile(r"[A-Za-z0-9]{30}")
DEVICE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,25}")
_INTEGER = re.compile(r"\s*[+-]?[0-9]{1,15}\s*")

MAX_MESSAGE = 1024
MAX_TITLE = 250
MAX_URL = 512
MAX_URL_TITLE = 100
MAX_USERS = 50
MAX_ATTACHMENT_BYTES = 5_242_880
MIN_RETRY = 30
MAX_EXPIRE = 10_800
EMERGENCY = 2

DEFAULT_DEVICES = ("phone", "tablet")
LICENSES = ("Android", "iOS", "Desktop")
PRIORITY_NAMES = {-2: "lowest", -1: "low", 0: "normal", 1: "high", 2: "emergency"}
BUILTIN_SOUNDS = {
    "pushover": "Pushover (default)",
    "bike": "Bike",
    "bugle": "Bugle",
    "cashregister": "Cash Register",
    "classical": "Classical",
    "cosmic": "Cosmic",
    "falling": "Falling",
    "gamelan": "Gamelan",
    "incoming": "Incoming",
    "intermission": "Intermission",
    "magic": "Magic",
    "mechanical": "Mechanical",
    "pianobar": "Piano Bar",
    "siren": "Siren",
    "spacealarm": "Space Alarm",
    "tugboat": "Tug Boat",
    "alien": "Alien Alarm (long)",
    "climb": "Climb (long)",
    "persistent": "Persistent (long)",
    "echo": "Pushover Echo (long)",
    "updown": "Up Down (long)",
    "vibrate": "Vibrate Only",
    "none": "None (silent)",
}

TOKEN_INVALID = "application token is invalid"
USER_INVALID = "user identifier is invalid"
USER_UNKNOWN = "user identifier is not a valid user, group, or subuser key"
DEVICE_INVALID = "device name is not valid for user"

Problems = dict[str, str]
"""Field name -> the sentence saying what is wrong with it."""


@dataclass(frozen=True)
class Accounts:
    """What the sandbox knows: empty key sets accept any well-formed key."""

    app_tokens: frozenset[str]
    user_keys: frozenset[str]
    devices: tuple[str, ...]
    devices_enforced: bool
    sounds: Mapping[str, str]

    def token_problem(self, token: str | None) -> str | None:
        if not token or not KEY_PATTERN.fullmatch(token):
            return TOKEN_INVALID
        if self.app_tokens and token not in self.app_tokens:
            return TOKEN_INVALID
        return None

    def user_problem(self, user: str | None) -> str | None:
        """For one user or group key."""
        if not user or not KEY_PATTERN.fullmatch(user):
            return USER_INVALID
        if self.user_keys and user not in self.user_keys:
            return USER_UNKNOWN
        return None

    def device_problem(self, name: str, enforce: bool) -> str | None:
        if not DEVICE_PATTERN.fullmatch(name):
            return f"device name {name!r} is invalid: use up to 25 of A-Z a-z 0-9 _ -"
        if enforce and name not in self.devices:
            return DEVICE_INVALID
        return None


@dataclass(frozen=True)
class AttachmentInfo:
    """What is kept of an attachment: never its bytes."""

    name: str | None
    content_type: str
    size: int


@dataclass(frozen=True)
class MessageFields:
    """A message that passed every rule, in its parsed form."""

    token: str
    users: tuple[str, ...]
    message: str
    title: str | None = None
    url: str | None = None
    url_title: str | None = None
    devices: tuple[str, ...] = ()
    html: bool = False
    monospace: bool = False
    priority: int = 0
    sound: str | None = None
    timestamp: int | None = None
    ttl: int | None = None
    retry: int | None = None
    expire: int | None = None
    callback: str | None = None
    tags: tuple[str, ...] = ()
    attachment: AttachmentInfo | None = None


@dataclass(frozen=True)
class Rejection:
    """Why a request was refused: every invalid field with its sentence."""

    problems: Problems


def parse_int(text: str) -> int | None:
    """A plain decimal integer (no underscores, no other digits than 0-9), or None."""
    return int(text) if _INTEGER.fullmatch(text) else None


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")]


def validate_message(form: FormData, accounts: Accounts) -> MessageFields | Rejection:
    """Apply Pushover's rules to a messages.json request."""
    reader = _MessageReader(form, accounts)
    fields = reader.read()
    return Rejection(reader.problems) if reader.problems or fields is None else fields


class _MessageReader:
    """Reads each field in turn, collecting every problem instead of stopping at the first."""

    def __init__(self, form: FormData, accounts: Accounts) -> None:
        self.form = form
        self.accounts = accounts
        self.problems: Problems = {}

    def fail(self, name: str, sentence: str) -> None:
        self.problems.setdefault(name, sentence)

    def text(self, name: str, limit: int | None = None) -> str | None:
        value = self.form.fields.get(name) or None
        if value is not None and limit is not None and len(value) > limit:
            self.fail(name, f"{name} is too long (at most {limit} characters)")
        return value

    def integer(self, name: str, sentence: str, low: int | None = None) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        number = parse_int(value)
        if number is None or (low is not None and number < low):
            self.fail(name, sentence)
            return None
        return number

    def flag(self, name: str) -> bool:
        value = (self.text(name) or "0").strip()
        if value not in ("0", "1"):
            self.fail(name, f"{name} must be 1 or 0")
        return value == "1"

    def read(self) -> MessageFields | None:
        token = self.text("token") or ""
        if problem := self.accounts.token_problem(token):
            self.fail("token", problem)
        users = self.users()
        message = self.form.fields.get("message", "")
        if not message.strip():
            self.fail("message", "message cannot be blank")
        elif len(message) > MAX_MESSAGE:
            self.fail("message", f"message is too long (at most {MAX_MESSAGE} characters)")
        html, monospace = self.flag("html"), self.flag("monospace")
        if html and monospace:
            self.fail("html", "html and monospace cannot be used together")
            self.fail("monospace", "html and monospace cannot be used together")
        priority = self.integer("priority", "priority must be an integer from -2 to 2")
        if priority is not None and priority not in PRIORITY_NAMES:
            self.fail("priority", "priority must be an integer from -2 to 2")
        retry, expire = self.emergency_timing() if priority == EMERGENCY else (None, None)
        result = MessageFields(
            token=token,
            users=tuple(users),
            message=message,
            title=self.text("title", MAX_TITLE),
            url=self.text("url", MAX_URL),
            url_title=self.text("url_title", MAX_URL_TITLE),
            devices=self.devices(),
            html=html,
            monospace=monospace,
            priority=priority or 0,
            sound=self.sound(),
            timestamp=self.integer("timestamp", "timestamp must be a Unix time in seconds", 0),
            ttl=self.integer("ttl", "ttl must be a whole number of seconds above 0", 1),
            retry=retry,
            expire=expire,
            callback=self.text("callback", MAX_URL),
            tags=tuple(tag for tag in split_list(self.text("tags") or "") if tag),
            attachment=self.attachment(),
        )
        return None if self.problems else result

    def users(self) -> list[str]:
        users = split_list(self.text("user") or "")
        if len(users) > MAX_USERS:
            self.fail("user", f"too many user identifiers (at most {MAX_USERS})")
        for user in users:
            if problem := self.accounts.user_problem(user):
                self.fail("user", problem)
        return users

    def devices(self) -> tuple[str, ...]:
        names = split_list(self.text("device") or "")
        if names == [""]:
            return ()
        for name in names:
            if problem := self.accounts.device_problem(name, self.accounts.devices_enforced):
                self.fail("device", problem)
        return tuple(names)

    def sound(self) -> str | None:
        sound = self.text("sound")
        if sound is not None and sound not in self.accounts.sounds:
            self.fail("sound", "sound is invalid: not a built-in or custom sound of this app")
        return sound

    def emergency_timing(self) -> tuple[int | None, int | None]:
        retry = self.integer("retry", f"retry must be at least {MIN_RETRY} seconds", MIN_RETRY)
        expire = self.integer("expire", "expire must be a whole number of seconds above 0", 1)
        if "retry" not in self.problems and retry is None:
            self.fail("retry", "retry is required with emergency priority (2)")
        if "expire" not in self.problems and expire is None:
            self.fail("expire", "expire is required with emergency priority (2)")
        if expire is not None and expire > MAX_EXPIRE:
            self.fail("expire", f"expire must be at most {MAX_EXPIRE} seconds (3 hours)")
        return retry, expire

    def attachment(self) -> AttachmentInfo | None:
        upload = self.form.attachment
        encoded = self.text("attachment_base64")
        if upload is not None and encoded is not None:
            self.fail("attachment", "send either an attachment file or attachment_base64")
            return None
        if upload is not None:
            if self.image_problem("attachment", upload.data):
                return None
            return AttachmentInfo(upload.filename, upload.content_type, len(upload.data))
        return self.base64_attachment(encoded) if encoded is not None else None

    def base64_attachment(self, encoded: str) -> AttachmentInfo | None:
        try:
            data = base64.b64decode("".join(encoded.split()), validate=True)
        except (binascii.Error, ValueError):
            self.fail("attachment_base64", "attachment_base64 is not valid base64")
            data = None
        mime = self.text("attachment_type")
        if mime is None:
            self.fail("attachment_type", "attachment_type is required with attachment_base64")
        elif not mime.lower().startswith("image/"):
            self.fail("attachment_type", "attachment_type must be an image type (image/...)")
        if data is None or self.image_problem("attachment_base64", data) or mime is None:
            return None
        return AttachmentInfo(None, mime, len(data))

    def image_problem(self, name: str, data: bytes) -> bool:
        if len(data) > MAX_ATTACHMENT_BYTES:
            self.fail(name, f"attachment is too large (at most {MAX_ATTACHMENT_BYTES} bytes)")
        elif image_type(data) is None:
            self.fail(name, "attachment is not an image (PNG, JPEG, GIF, WebP, BMP, HEIC)")
        else:
            return False
        return True


def validate_user_request(
    fields: Mapping[str, str], accounts: Accounts
) -> tuple[Problems, str | None]:
    """Rules of users/validate.json: (problems, the device asked about)."""
    problems: Problems = {}
    if problem := accounts.token_problem(fields.get("token")):
        problems["token"] = problem
    if problem := accounts.user_problem(fields.get("user")):
        problems["user"] = problem
    device = fields.get("device") or None
    if device is not None and (problem := accounts.device_problem(device, enforce=True)):
        problems["device"] = problem
    return problems, device
