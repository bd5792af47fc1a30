"""The line above the footer: profile, what the last send did, and the quota left."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from pullover_tui.core.errors import Quota

StateKind = Literal["idle", "busy", "success", "error"]


def quota_text(quota: Quota | None) -> str:
    """``quota 9,876/10,000 · resets 1 Dec``: messages left this month, and when it resets."""
    if quota is None:
        return "quota: ?"
    text = f"quota {quota.remaining:,}/{quota.limit:,}"
    try:
        reset = datetime.fromtimestamp(quota.reset) if quota.reset > 0 else None
    except (OverflowError, OSError, ValueError):
        reset = None
    return text if reset is None else f"{text} · resets {reset.day} {reset:%b}"


class StatusBar(Horizontal):
    """Three parts: ``#status-profile``, ``#status-quota`` and ``#status-state``.

    The state comes last: it is the longest, and toasts cover the right end.
    """

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        & > Static { width: auto; padding: 0 1; }
        & > #status-quota { color: $text-muted; border-left: vkey $panel-lighten-2; }
        & > #status-state { width: 1fr; }
        & > #status-state.-busy { color: $text-accent; text-style: bold; }
        & > #status-state.-success { color: $text-success; }
        & > #status-state.-error { color: $text-error; text-style: bold; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="status-profile", markup=False)
        yield Static(quota_text(None), id="status-quota", markup=False)
        yield Static("", id="status-state", markup=False)

    def set_profile(self, text: str) -> None:
        self.query_one("#status-profile", Static).update(text)

    def set_state(self, text: str, kind: StateKind = "idle") -> None:
        state = self.query_one("#status-state", Static)
        for name in ("busy", "success", "error"):
            state.set_class(kind == name, f"-{name}")
        state.update(text)

    def set_quota(self, quota: Quota | None) -> None:
        self.query_one("#status-quota", Static).update(quota_text(quota))

    @property
    def state_text(self) -> str:
        return str(self.query_one("#status-state", Static).content)
