"""Demo mode: the sandbox in-process on a free loopback port and a profile pointing at it.

The demo profile lives only in memory: it is never written to the user's config.
Its history and draft go to a temporary directory that lives as long as the
session, so the demo never touches the user's own files. No Textual here; the
app subscribes to received messages and shows them.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Collection, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pullover_tui.core.errors import ValidationError
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import Profile

DEMO_PROFILE_NAME = "demo"
DEMO_PROFILE_FALLBACK = "demo-sandbox"
"""The demo profile's name when the user's config already has a profile called ``demo``."""
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


def demo_profile_name(taken: Collection[str]) -> str:
    """``demo``, or a name no profile in ``taken`` has: both stay listed, neither hidden."""
    if DEMO_PROFILE_NAME not in taken:
        return DEMO_PROFILE_NAME
    name, number = DEMO_PROFILE_FALLBACK, 1
    while name in taken:
        number += 1
        name = f"{DEMO_PROFILE_FALLBACK}-{number}"
    return name


def demo_profile(api_url: str, name: str = DEMO_PROFILE_NAME) -> Profile:
    """The built-in profile of demo mode, sending to the sandbox at ``api_url``."""
    return Profile(
        name=name,
        app_token=DEMO_APP_TOKEN,
        user_key=DEMO_USER_KEY,
        title="Hello from the demo",
        api_url=api_url,
    )


class DemoSession:
    """A running sandbox, the demo profile that sends to it and a throwaway data directory.

    ``close()`` stops the sandbox and deletes the directory.
    """

    def __init__(self, sandbox: Any, stack: ExitStack, relay: _Relay) -> None:
        self.sandbox = sandbox
        self._stack = stack
        self._relay = relay
        self.url: str = sandbox.url
        self.profile = demo_profile(self.url)
        self.data_dir = Path(tempfile.mkdtemp(prefix="pullover-tui-demo-"))
        stack.callback(shutil.rmtree, self.data_dir, ignore_errors=True)

    def profile_avoiding(self, taken: Collection[str]) -> Profile:
        """The demo profile, named so that it hides none of the ``taken`` names."""
        name = demo_profile_name(taken)
        if name != self.profile.name:
            self.profile = demo_profile(self.url, name)
        return self.profile

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
