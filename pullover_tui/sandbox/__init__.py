"""A local stand-in for the Pushover API, like Mailpit for SMTP (standard library only).

In-process::

    with running_sandbox(SandboxConfig(fail_first=1)) as sandbox:
        ...  # point a client at sandbox.url
        sandbox.messages()

From a terminal: ``pullover-tui sandbox``. It must not import the core: tests
of the client against it are only meaningful if it is written independently.
"""

from pullover_tui.sandbox.config import DEFAULT_PORT, DEFAULT_QUOTA, SandboxConfig
from pullover_tui.sandbox.rules import BUILTIN_SOUNDS, DEFAULT_DEVICES
from pullover_tui.sandbox.runner import Sandbox, running_sandbox
from pullover_tui.sandbox.state import NotARecipient, ReceiptClosed, UnknownReceipt, mask

__all__ = [
    "BUILTIN_SOUNDS",
    "DEFAULT_DEVICES",
    "DEFAULT_PORT",
    "DEFAULT_QUOTA",
    "NotARecipient",
    "ReceiptClosed",
    "Sandbox",
    "SandboxConfig",
    "UnknownReceipt",
    "mask",
    "running_sandbox",
]
