"""The key bar at the bottom: the screen's keys, drawn by one widget.

Textual's ``Footer`` is one widget per key (eight on the compose screen), and
it removes and mounts them all again whenever the keys change (as focus moves
between fields with keys of their own). This bar draws the same keys as one
line and repaints it; a click or a tap on a key presses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NamedTuple

from textual import events
from textual.content import Content
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen


class FooterItem(NamedTuple):
    """One key shown: what it is, what it does, and where it is on the line."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
    start: int = 0
    end: int = 0


class KeyFooter(Widget, can_focus=False):
    """The bindings the focused widget and its screen show, then the palette key on the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--separator",
    }
    DEFAULT_CSS = """
    KeyFooter {
        text-wrap: nowrap;
        text-overflow: clip;
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--hover { background: $block-hover-background; }
        & > .key-footer--separator { color: $foreground 20%; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._items: tuple[FooterItem, ...] = ()
        self._palette: FooterItem | None = None
        self._hover: str | None = None
        self._placed: list[FooterItem] = []
        """The keys as last drawn, with their columns (for the mouse)."""

    @property
    def items(self) -> tuple[FooterItem, ...]:
        """The keys as last drawn, left to right (the palette's last), with their columns."""
        return tuple(self._placed)

    def on_mount(self) -> None:
        self._read_bindings()
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self._read_bindings()

    def _read_bindings(self) -> None:
        """The keys to show; repaints only when they changed."""
        app = self.app
        active = self.screen.active_bindings
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        items: list[FooterItem] = []
        seen_actions: set[str] = set()
        for key, (_, binding, enabled, tooltip) in active.items():
            if not binding.show or key == palette_key or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)  # one key per action, as Textual's footer
            display = app.get_key_display(binding)
            items.append(FooterItem(key, display, binding.description, enabled, tooltip))
        palette = None
        if palette_key is not None and palette_key in active:
            _, binding, enabled, tooltip = active[palette_key]
            palette = FooterItem(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                enabled,
                tooltip or binding.tooltip or binding.description,
            )
        if (tuple(items), palette) != (self._items, self._palette):
            self._items = tuple(items)
            self._palette = palette
            self.refresh()

    # Drawing ---------------------------------------------------------------------------

    def _item_content(self, item: FooterItem, *, lead: str = " ") -> Content:
        key_style = self.get_visual_style("key-footer--key")
        description_style = self.get_visual_style("key-footer--description")
        parts = [(f"{lead}{item.display} ", key_style)]
        if item.description:
            parts.append((f"{item.description} ", description_style))
        content = Content.assemble(*parts)
        if item.key == self._hover:
            content = content.stylize(self.get_visual_style("key-footer--hover"))
        return content.stylize("dim") if not item.enabled else content

    def render(self) -> Content:
        width = self.content_size.width
        right = Content("")
        if self._palette is not None:
            separator = self.get_visual_style("key-footer--separator")
            palette = self._item_content(self._palette, lead="")
            right = Content.assemble(("▏", separator), palette)
        left_width = max(width - right.cell_length, 0)
        parts: list[Content] = []
        placed: list[FooterItem] = []
        x = 0
        for item in self._items:
            content = self._item_content(item)
            if x + content.cell_length - 1 > left_width:
                break  # no room for it: keys are never shown cut
            content = content.truncate(left_width - x)  # its trailing blank may go
            placed.append(item._replace(start=x, end=x + content.cell_length))
            parts.append(content)
            x += content.cell_length
        if self._palette is not None and right.cell_length <= width:
            start = width - right.cell_length + 1
            placed.append(self._palette._replace(start=start, end=width))
        self._placed = placed
        line = Content("").join(parts).pad_right(max(left_width - x, 0))
        return Content.assemble(line, right) if right.cell_length <= width else line

    # Mouse -----------------------------------------------------------------------------

    def _item_at(self, x: int) -> FooterItem | None:
        return next((item for item in self._placed if item.start <= x < item.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._item_at(event.x)
        key = item.key if item is not None else None
        if key != self._hover:
            self._hover = key
            self.tooltip = (item.tooltip or None) if item is not None else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self._item_at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
