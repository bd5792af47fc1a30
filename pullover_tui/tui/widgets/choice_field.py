"""A one-line choice field: the chosen option and ▼; its list opens below it.

Textual's ``Select`` is six widgets (itself, the current-value line and its
three labels, and the drop-down list) whether or not its list is ever opened,
and each widget costs start-up time. This field is one widget that draws its
own line; its list (an ``OptionList``) is made the first time it opens.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

Choice = tuple[str, Hashable]
"""An option: its label and its value."""


class ChoiceList(OptionList):
    """The open list of a ``ChoiceField``: Enter or a click picks, escape or leaving closes.

    Typing jumps to the next option whose label starts with what was typed.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", show=False)]

    DEFAULT_CSS = """
    ChoiceList {
        overlay: screen;
        constrain: none inside;
        width: 1fr;
        height: auto;
        max-height: 12;
        offset-y: 1;
        border: none;
        padding: 0;
        background: $surface;
        &:focus { border: none; }
        & > .option-list--option { padding: 0; }
    }
    """

    class Closed(Message):
        """The list closed; ``index`` is the option picked, or None."""

        def __init__(self, index: int | None) -> None:
            super().__init__()
            self.index = index

    def action_close(self) -> None:
        self.post_message(self.Closed(None))

    def on_key(self, event: events.Key) -> None:
        if event.character is None or not event.is_printable or not self.option_count:
            return
        event.stop()
        event.prevent_default()
        typed = event.character.lower()
        start = 0 if self.highlighted is None else self.highlighted + 1
        for step in range(self.option_count):
            index = (start + step) % self.option_count
            if str(self.get_option_at_index(index).prompt).lower().startswith(typed):
                self.highlighted = index
                return

    def on_blur(self, event: events.Blur) -> None:
        self.post_message(self.Closed(None))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Closed(event.option_index))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()


class ChoiceField(Widget, can_focus=True):
    """One of a list of options; ``value`` is the chosen option's value (None: no choice).

    Enter, space, up or down opens the list; so does a click. ``Changed`` is
    posted whenever the value changes. With ``allow_blank``, no choice is allowed,
    and offered first in the list when there is a ``prompt`` to show for it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter,space,down,up",
            "open",
            "Choose",
            show=False,
            key_display="enter / space",
            tooltip="Open its list: a letter jumps, enter picks, escape closes",
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"choice-field--arrow"}

    DEFAULT_CSS = """
    ChoiceField {
        text-wrap: nowrap;
        text-overflow: clip;
        width: 1fr;
        height: 1;
        padding: 0 1 0 0;
        background: $surface;
        color: $foreground;
        pointer: pointer;
        &:focus { background-tint: $foreground 5%; }
        &.-blank { color: $foreground 50%; }
        &:disabled { opacity: 50%; }
        & > .choice-field--arrow { color: $foreground 50%; }
    }
    """

    value: var[Any] = var(None, init=False)

    class Changed(Message):
        """The chosen value changed (None: no choice)."""

        def __init__(self, field: ChoiceField, value: Any) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> ChoiceField:
            return self.field

    def __init__(
        self,
        options: Iterable[Choice] = (),
        *,
        value: Any = None,
        allow_blank: bool = False,
        prompt: str = "",
        id: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(id=id, disabled=disabled)
        self._allow_blank = allow_blank
        self._prompt = prompt
        self._options: list[Choice] = list(options)
        self._list: ChoiceList | None = None
        self._open_at_press = False
        """Whether the list was open when the mouse button went down (see ``on_click``)."""
        self.set_reactive(ChoiceField.value, self._valid(value))
        self.set_class(self.value is None, "-blank", update=False)

    # Options and value -----------------------------------------------------------------

    @property
    def options(self) -> Sequence[Choice]:
        return tuple(self._options)

    def _valid(self, value: Any) -> Any:
        """The option equal to ``value``, else no choice when blank is allowed, else the
        first option."""
        for _, option_value in self._options:
            if option_value == value:
                return option_value  # the option's own (an enum member, not an int)
        if self._allow_blank or not self._options:
            return None
        return self._options[0][1]

    def validate_value(self, value: Any) -> Any:
        return self._valid(value)

    def set_options(self, options: Iterable[Choice]) -> None:
        """Offer ``options``; the value stays if it is still offered."""
        self._options = list(options)
        if self._list is not None:
            self._list.set_options(self._list_options())
        self.value = self.value  # re-validated against the new options
        self._highlight_value()
        self.refresh()

    def watch_value(self, value: Any) -> None:
        self.set_class(value is None, "-blank")
        self._highlight_value()
        self.refresh()
        self.post_message(self.Changed(self, value))

    @property
    def label(self) -> str:
        """The chosen option's label (the prompt when there is no choice)."""
        for label, option_value in self._options:
            if option_value == self.value:
                return label
        return self._prompt

    def render(self) -> Content:
        width = max(self.content_size.width - 2, 1)
        label = Content(self.label).truncate(width, ellipsis=True)
        arrow = self.get_visual_style("choice-field--arrow")
        return Content.assemble(label.truncate(width, pad=True), (" ▼", arrow))

    # The list --------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._list is not None and self._list.display

    def _choices(self) -> list[Choice]:
        """What the list offers: the options, after the prompt (no choice) if it has one."""
        blank: list[Choice] = [(self._prompt, None)] if self._allow_blank and self._prompt else []
        return blank + self._options

    def _list_options(self) -> list[Option]:
        return [Option(Content(label)) for label, _ in self._choices()]

    def _highlight_value(self) -> None:
        """The open list's cursor on the current value (new options reset it)."""
        if self._list is None:
            return
        choices = self._choices()
        self._list.highlighted = next(
            (i for i, (_, value) in enumerate(choices) if value == self.value),
            0 if choices else None,
        )

    def action_open(self) -> None:
        if not self._choices():
            return
        if self._list is None:
            self._list = ChoiceList(*self._list_options())
            self.mount(self._list)
        self._list.display = True
        self._highlight_value()
        self._list.focus()
        self.call_after_refresh(self._list.scroll_to_highlight)

    def on_choice_list_closed(self, event: ChoiceList.Closed) -> None:
        event.stop()
        if self._list is None or not self._list.display:
            return
        self._list.display = False
        if self.screen.focused is None or self.screen.focused is self._list:
            self.focus()  # before the value: what the change scrolls into view stays in view
        choices = self._choices()
        if event.index is not None and 0 <= event.index < len(choices):
            self.value = choices[event.index][1]

    def on_mouse_down(self, event: events.MouseDown) -> None:
        # The press moves focus to the field, so the open list closes on losing it
        # before the click arrives: the click must not open it again.
        self._open_at_press = self.is_open

    def on_click(self, event: events.Click) -> None:
        event.stop()
        if self._list is not None and event.widget is self._list:
            return  # a click in the open list: it picks there
        if self._open_at_press or self.is_open:
            self._open_at_press = False
            if self._list is not None and self._list.display:
                self._list.action_close()
        else:
            self.action_open()
