"""What a sandbox is told when it starts; the fault fields may also be changed while it runs."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

DEFAULT_PORT = 8765
DEFAULT_QUOTA = 10_000
FAIL_STATUSES = (500, 502, 503, 429)

_KEY = re.compile(r"[A-Za-z0-9]{30}")
_DEVICE = re.compile(r"[A-Za-z0-9_-]{1,25}")

MessageListener = Callable[[dict[str, Any]], None]


@dataclass
class SandboxConfig:
    """Settings of one sandbox server.

    Accounts: empty ``app_tokens`` / ``user_keys`` accept any well-formed value;
    ``devices`` empty means "phone" and "tablet" are reported by validate.json and
    any well-formed device name is accepted on messages.

    Faults (read on every request, so a test may change them on a running
    sandbox): ``fail_first`` / ``fail_rate`` pick which Pushover API requests
    fail; ``hang``, ``drop_connections`` and ``garbage_body`` say how they fail
    (default: a ``fail_status`` answer with a JSON body). With a failure mode set
    but neither picker, every request fails that way. ``latency`` delays every
    API answer; ``quota`` is the monthly message allowance per app token.

    Output: ``log`` gets one line per accepted message (None: silent);
    ``on_message`` is called, from a server thread, with each recorded
    message as the inspection API shows it. ``clock`` lets tests move time.
    """

    host: str = "127.0.0.1"
    port: int = 0
    app_tokens: tuple[str, ...] = ()
    user_keys: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    custom_sounds: tuple[str, ...] = ()
    quota: int = DEFAULT_QUOTA
    fail_rate: float = 0.0
    fail_first: int = 0
    fail_status: int = 503
    seed: int | None = None
    latency: float = 0.0
    drop_connections: bool = False
    hang: bool = False
    garbage_body: bool = False
    garbage_status: int = 502
    max_messages: int = 10_000
    log: TextIO | None = None
    on_message: MessageListener | None = None
    clock: Callable[[], float] = time.time

    def check(self) -> None:
        """Raise ValueError naming the first setting that cannot work."""
        for token in self.app_tokens:
            if not _KEY.fullmatch(token):
                raise ValueError(f"app token {token!r} is not 30 letters and digits")
        for key in self.user_keys:
            if not _KEY.fullmatch(key):
                raise ValueError(f"user key {key!r} is not 30 letters and digits")
        for device in self.devices:
            if not _DEVICE.fullmatch(device):
                raise ValueError(f"device name {device!r} is not 1-25 of A-Z a-z 0-9 _ -")
        for sound in self.custom_sounds:
            if not sound or len(sound) > 64 or not sound.isprintable():
                raise ValueError(f"sound name {sound!r} is not a usable name")
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError("fail_rate must be between 0 and 1")
        if self.fail_first < 0 or self.quota < 0 or self.latency < 0:
            raise ValueError("fail_first, quota and latency cannot be negative")
        if not 400 <= self.fail_status <= 599:
            raise ValueError("fail_status must be a 4xx or 5xx status")
        if not 200 <= self.garbage_status <= 599:
            raise ValueError("garbage_status must be a status from 200 to 599")
        if self.max_messages < 1:
            raise ValueError("max_messages must be at least 1")
