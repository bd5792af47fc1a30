"""The line above the footer: profile, what the last send did, and the quota left."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from textual.content import Content
from textual.style import Style as VisualStyle
from textual.widget import Widget

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


class StatusBar(Widget, can_focus=False):
    """Three parts, drawn by one widget: the profile, the quota and the state.

    The state comes last: it is the longest, and toasts cover the right end.
    Below ``QUOTA_MIN_WIDTH`` columns the quota is left out.
    """

    QUOTA_MIN_WIDTH = 78
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status-bar--quota",
        "status-bar--separator",
        "status-bar--busy",
        "status-bar--success",
        "status-bar--error",
    }
    DEFAULT_CSS = """
    StatusBar {
        text-wrap: nowrap;
        text-overflow: clip;
        height: 1;
        background: $panel;
        color: $text-muted;
        & > .status-bar--quota { color: $text-muted; }
        & > .status-bar--separator { color: $panel-lighten-2; }
        & > .status-bar--busy { color: $text-accent; text-style: bold; }
        & > .status-bar--success { color: $text-success; }
        & > .status-bar--error { color: $text-error; text-style: bold; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._profile = ""
        self._quota = quota_text(None)
        self._state = ""
        self._kind: StateKind = "idle"

    def set_profile(self, text: str) -> None:
        self._profile = text
        self.refresh()

    def set_state(self, text: str, kind: StateKind = "idle") -> None:
        self._state, self._kind = text, kind
        self.refresh()

    def set_quota(self, quota: Quota | None) -> None:
        self._quota = quota_text(quota)
        self.refresh()

    @property
    def state_text(self) -> str:
        return self._state

    @property
    def quota_text(self) -> str:
        return self._quota

    def render(self) -> Content:
        parts: list[Content | tuple[str, VisualStyle] | str] = [f" {self._profile} "]
        if self.size.width >= self.QUOTA_MIN_WIDTH:
            parts += [
                ("▏", self.get_visual_style("status-bar--separator")),
                (f" {self._quota} ", self.get_visual_style("status-bar--quota")),
            ]
        state = Content(f" {self._state}")
        if self._kind != "idle":
            state = state.stylize(self.get_visual_style(f"status-bar--{self._kind}"))
        return Content.assemble(*parts, state)
