"""pullover-tui: the simplest correct Pushover client, a command line and a terminal UI.

>>> import pullover_tui
>>> response = pullover_tui.send("backup done", "user key", "app token")  # doctest: +SKIP
>>> response.ok, response.id  # doctest: +SKIP

Names are imported lazily so ``import pullover_tui`` stays cheap and never
pulls in Textual.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pullover_tui._version import __version__

if TYPE_CHECKING:
    from pullover_tui.core.attachment import Attachment
    from pullover_tui.core.client import AsyncClient, Client
    from pullover_tui.core.errors import (
        ClientSendError,
        ConfigError,
        PulloverError,
        Quota,
        QuotaExceededError,
        ServerSendError,
        ValidationError,
    )
    from pullover_tui.core.message import Message
    from pullover_tui.core.parsing import Priority
    from pullover_tui.core.request import SendResult
    from pullover_tui.core.retry import RetryNotice, RetryPolicy
    from pullover_tui.core.simple import Application, SendResponse, User, send

_EXPORTS = {
    "Application": "pullover_tui.core.simple",
    "User": "pullover_tui.core.simple",
    "SendResponse": "pullover_tui.core.simple",
    "send": "pullover_tui.core.simple",
    "Message": "pullover_tui.core.message",
    "Priority": "pullover_tui.core.parsing",
    "Attachment": "pullover_tui.core.attachment",
    "Client": "pullover_tui.core.client",
    "AsyncClient": "pullover_tui.core.client",
    "SendResult": "pullover_tui.core.request",
    "RetryPolicy": "pullover_tui.core.retry",
    "RetryNotice": "pullover_tui.core.retry",
    "PulloverError": "pullover_tui.core.errors",
    "ValidationError": "pullover_tui.core.errors",
    "ClientSendError": "pullover_tui.core.errors",
    "QuotaExceededError": "pullover_tui.core.errors",
    "ServerSendError": "pullover_tui.core.errors",
    "ConfigError": "pullover_tui.core.errors",
    "Quota": "pullover_tui.core.errors",
}

__all__ = [
    "Application",
    "AsyncClient",
    "Attachment",
    "Client",
    "ClientSendError",
    "ConfigError",
    "Message",
    "Priority",
    "PulloverError",
    "Quota",
    "QuotaExceededError",
    "RetryNotice",
    "RetryPolicy",
    "SendResponse",
    "SendResult",
    "ServerSendError",
    "User",
    "ValidationError",
    "__version__",
    "send",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pullover_tui' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
