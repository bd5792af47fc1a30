"""The compose form's Send button: one line, drawn like Textual's compact primary button.

Textual's ``Button`` brings 7 KB of CSS for every variant and style, parsed at
start-up (about a tenth of the stylesheet); the form needs one button.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

ACTIVE_EFFECT = 0.2
"""Seconds the button shows as pressed."""


class SendButton(Widget, can_focus=True):
    """``Send``: Enter, space or a click posts ``Pressed``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter,space", "press", "Send", show=False)]
    DEFAULT_CSS = """
    SendButton {
        width: 16;
        height: 1;
        content-align: center middle;
        text-style: bold;
        color: $button-color-foreground;
        background: $primary;
        pointer: pointer;
        &:hover { background: $primary-darken-2; }
        &:focus { text-style: $button-focus-text-style; background-tint: $foreground 5%; }
        &.-active { tint: $background 30%; }
        &:disabled { text-opacity: 0.6; pointer: not-allowed; }
    }
    """

    class Pressed(Message):
        """The button was pressed."""

        def __init__(self, button: SendButton) -> None:
            super().__init__()
            self.button = button

        @property
        def control(self) -> SendButton:
            return self.button

    def __init__(self, label: str = "Send", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label

    def render(self) -> str:
        return self.label

    def press(self) -> None:
        """Press it, as a click would (nothing while disabled)."""
        if self.disabled or not self.display:
            return
        self.add_class("-active")
        self.set_timer(ACTIVE_EFFECT, lambda: self.remove_class("-active"))
        self.post_message(self.Pressed(self))

    def action_press(self) -> None:
        self.press()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.press()
