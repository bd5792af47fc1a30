"""The key bar at the bottom: Textual's ``Footer``, rebuilt only when what it shows changes."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Footer

try:  # the footer's key widget (not public API: without it, keys are left as Textual makes them)
    from textual.widgets._footer import FooterKey
except ImportError:  # pragma: no cover - depends on the Textual release
    FooterKey = None  # type: ignore[assignment,misc]


class KeyFooter(Footer):
    """Textual's footer rebuilds all its keys after every focus or screen change (tens of
    milliseconds each, several times per keystroke at times); this one skips a rebuild
    that would show the same keys, or that happens while another screen covers its own
    (it rebuilds when its screen comes back)."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: Hashable = None

    def _what_it_shows(self) -> Hashable:
        keys = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show
        )
        return (keys, self.compact, self.show_command_palette)

    def compose(self) -> ComposeResult:
        """The keys right away: Textual's footer is empty in the first frame and fills
        after it, a second layout of the whole screen just for the footer."""
        self._bindings_ready = True
        self._shown = self._what_it_shows()
        for widget in super().compose():
            if FooterKey is not None and isinstance(widget, FooterKey):
                # Each key but the palette's is bound to the footer's ``compact``, which it
                # gets only once mounted, and each shows its own as a class: two class
                # changes and restyles per key. Set now, nothing changes then.
                if not widget.has_class("-command-palette"):
                    widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(widget.compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        top = self.app.screen
        if not self.is_attached or (top is not self.screen and not isinstance(top, ModalScreen)):
            return  # hidden under another screen (under a dialog it still shows)
        shown = self._what_it_shows()
        if shown == self._shown:
            return
        self._shown = shown
        await super().recompose()
