"""The sandbox's live parts, shared by every handler thread: config, state, faults, output."""

from __future__ import annotations

import contextlib
import threading
import time

from pullover_tui.sandbox.callbacks import post_callback
from pullover_tui.sandbox.config import SandboxConfig
from pullover_tui.sandbox.faults import FaultPlan
from pullover_tui.sandbox.responses import Headers
from pullover_tui.sandbox.rules import (
    BUILTIN_SOUNDS,
    DEFAULT_DEVICES,
    KEY_PATTERN,
    PRIORITY_NAMES,
    Accounts,
)
from pullover_tui.sandbox.state import Receipt, RecordedMessage, SandboxState


class SandboxApp:
    """One sandbox's shared state; endpoints receive it with each request."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.state = SandboxState(config.clock, config.max_messages)
        self.faults = FaultPlan()
        self._log_lock = threading.Lock()

    def accounts(self) -> Accounts:
        """Built from the config on each request, so changes to it apply at once."""
        config = self.config
        return Accounts(
            app_tokens=frozenset(config.app_tokens),
            user_keys=frozenset(config.user_keys),
            devices=config.devices or DEFAULT_DEVICES,
            devices_enforced=bool(config.devices),
            sounds={**BUILTIN_SOUNDS, **{name: name for name in config.custom_sounds}},
        )

    def default_device(self) -> str:
        return (self.config.devices or DEFAULT_DEVICES)[0]

    def quota_headers(self, token: str | None, spent: bool = False) -> Headers:
        """The X-Limit-App-* headers every messages.json answer carries."""
        known = token if token and KEY_PATTERN.fullmatch(token) else None
        quota = self.state.quota(known, self.config.quota)
        remaining = 0 if spent else quota.remaining
        return (
            ("X-Limit-App-Limit", str(quota.limit)),
            ("X-Limit-App-Remaining", str(remaining)),
            ("X-Limit-App-Reset", str(quota.reset)),
        )

    def announce(self, message: RecordedMessage) -> None:
        """Log the message's line and tell the listener; neither may break the answer."""
        stream = self.config.log
        if stream is not None:
            line = log_line(message)
            with self._log_lock, contextlib.suppress(OSError, ValueError):
                stream.write(line + "\n")
                stream.flush()
        listener = self.config.on_message
        if listener is not None:
            with contextlib.suppress(Exception):
                listener(message.to_json())

    def acknowledge(self, receipt: str, user: str | None, device: str | None) -> Receipt:
        """A person acknowledges an emergency message; its callback URL then hears of it.

        Raises UnknownReceipt, ReceiptClosed or NotARecipient (from state).
        """
        acknowledged = self.state.acknowledge(receipt, user, device, self.default_device())
        if acknowledged.callback:
            post_callback(acknowledged, lambda: self.state.mark_called_back(receipt))
        return acknowledged


def log_line(message: RecordedMessage) -> str:
    """One line for a person watching the terminal: time, priority, title, message, request id."""
    fields = message.fields
    clock = time.strftime("%H:%M:%S", time.localtime(message.received_at))
    text = " ".join(fields.message.split())
    title = f"{' '.join(fields.title.split())}: " if fields.title else ""
    extras = [f"request {message.request}"]
    if message.receipt:
        extras.append(f"receipt {message.receipt}")
    if fields.attachment is not None:
        extras.append(f"attachment {fields.attachment.size} bytes")
    return f"{clock}  {PRIORITY_NAMES[fields.priority]:<9}  {title}{text}  [{', '.join(extras)}]"
