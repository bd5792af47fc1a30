"""Demo mode: the sandbox in-process on a free loopback port and a profile pointing at it.

The demo profile lives only in memory: it is never written to the user's config.
No Textual here; the app subscribes to received messages and shows them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from pullover_tui.core.errors import ValidationError
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import Profile

DEMO_PROFILE_NAME = "demo"
DEMO_APP_TOKEN = "aDemoAppTokenForTheSandbox0001"  # fake, well-formed: the sandbox's account
DEMO_USER_KEY = "uDemoUserKeyOfTheSandbox000001"
DEMO_DEVICES = ("phone", "tablet")
DEMO_SOUNDS = ("demo-chime",)


@dataclass(frozen=True)
class InboxItem:
    """One message the sandbox received, as the fake phone shows it."""

    number: int
    message: str
    title: str | None = None
    priority: Priority = Priority.NORMAL
    sound: str | None = None
    device: str | None = None
    url: str | None = None
    url_title: str | None = None
    html: bool = False
    monospace: bool = False
    timestamp: int | None = None

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> InboxItem:
        """Read the sandbox's record of a message (its inspection JSON)."""
        try:
            priority = Priority.parse(fields.get("priority") or 0)
        except ValidationError:
            priority = Priority.NORMAL
        timestamp = fields.get("timestamp")
        return cls(
            number=int(fields.get("id") or 0),
            message=str(fields.get("message") or ""),
            title=_text(fields.get("title")),
            priority=priority,
            sound=_text(fields.get("sound")),
            device=_text(fields.get("device")),
            url=_text(fields.get("url")),
            url_title=_text(fields.get("url_title")),
            html=bool(fields.get("html")),
            monospace=bool(fields.get("monospace")),
            timestamp=int(timestamp) if isinstance(timestamp, int) else None,
        )


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


InboxListener = Callable[[InboxItem], None]


class _Relay:
    """Passes the sandbox's messages (from its server thread) to whoever listens."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[InboxListener] = []

    def add(self, listener: InboxListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def __call__(self, fields: dict[str, Any]) -> None:
        item = InboxItem.from_fields(fields)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(item)


def demo_profile(api_url: str) -> Profile:
    """The built-in profile of demo mode, sending to the sandbox at ``api_url``."""
    return Profile(
        name=DEMO_PROFILE_NAME,
        app_token=DEMO_APP_TOKEN,
        user_key=DEMO_USER_KEY,
        title="Hello from the demo",
        api_url=api_url,
    )


class DemoSession:
    """A running sandbox and the demo profile that sends to it; ``close()`` stops it."""

    def __init__(self, sandbox: Any, stack: ExitStack, relay: _Relay) -> None:
        self.sandbox = sandbox
        self._stack = stack
        self._relay = relay
        self.url: str = sandbox.url
        self.profile = demo_profile(self.url)

    def subscribe(self, listener: InboxListener) -> None:
        """Call ``listener`` (from the server thread) for every message received."""
        self._relay.add(listener)

    def items(self) -> list[InboxItem]:
        """Everything received so far, oldest first."""
        return [InboxItem.from_fields(fields) for fields in self.sandbox.messages()]

    def close(self) -> None:
        self._stack.close()


def start_demo(*, latency: float = 0.0) -> DemoSession:
    """Start the sandbox on a free loopback port with the demo account."""
    from pullover_tui.sandbox import SandboxConfig, running_sandbox

    relay = _Relay()
    config = SandboxConfig(
        host="127.0.0.1",
        port=0,
        app_tokens=(DEMO_APP_TOKEN,),
        user_keys=(DEMO_USER_KEY,),
        devices=DEMO_DEVICES,
        custom_sounds=DEMO_SOUNDS,
        latency=latency,
        on_message=relay,
    )
    stack = ExitStack()
    try:
        sandbox = stack.enter_context(running_sandbox(config))
    except BaseException:
        stack.close()
        raise
    return DemoSession(sandbox, stack, relay)
