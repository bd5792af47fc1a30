"""Textual's ``Select``, with what it changes right after mounting set up before it."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Select

try:  # Textual's own parts of a Select (not public API: without them, a plain Select)
    from textual.widgets._select import SelectCurrent, SelectOverlay
except ImportError:  # pragma: no cover - depends on the Textual release
    SelectCurrent = SelectOverlay = None  # type: ignore[assignment,misc]


class FormSelect(Select[Any]):
    """A ``Select`` that costs one styling pass per part instead of two.

    Once mounted, a ``Select`` makes its drop-down as compact as itself (a data
    binding) and marks its current-value line as having a value. Each is a
    class change, and each class change restyles that part: about 6 ms per
    select, before the first frame. Setting both while composing, to what they
    would become, leaves nothing to change after the mount.
    """

    def compose(self) -> ComposeResult:
        if SelectCurrent is None or SelectOverlay is None:
            yield from super().compose()
            return
        # Without a blank, mounting picks a value (the given one or the first option).
        will_have_value = not getattr(self, "_allow_blank", True)
        for widget in super().compose():
            if isinstance(widget, SelectOverlay):
                widget.set_reactive(SelectOverlay.compact, self.compact)
                widget.set_class(self.compact, "-textual-compact", update=False)
            elif isinstance(widget, SelectCurrent) and will_have_value:
                widget.set_reactive(SelectCurrent.has_value, True)
                widget.add_class("-has-value", update=False)
            yield widget
