"""The line at the top: the app's title and the screen's, and the command palette's icon.

Textual's ``Header`` draws the same with four widgets; this is one.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.content import Content
from textual.widget import Widget

ICON = "⭘"
ICON_WIDTH = 8
"""Columns of the icon's part of the line: a click there opens the command palette."""


class TitleBar(Widget, can_focus=False):
    """``⭘        Pullover — Compose``: the title follows the app's and the screen's."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {"title-bar--icon-hover"}
    DEFAULT_CSS = """
    TitleBar {
        text-wrap: nowrap;
        text-overflow: clip;
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
        & > .title-bar--icon-hover { background: $foreground 10%; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._icon_hover = False

    def on_mount(self) -> None:
        for owner in (self.app, self.screen):
            self.watch(owner, "title", self._retitle, init=False)
            self.watch(owner, "sub_title", self._retitle, init=False)

    def _retitle(self) -> None:
        self.refresh()

    @property
    def title_text(self) -> str:
        """The title as shown, in plain text."""
        return self._title().plain

    def _title(self) -> Content:
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        return app.format_title(title, sub_title)

    def render(self) -> Content:
        width = self.content_size.width
        icon = Content(f" {ICON}").pad_right(ICON_WIDTH - 2)
        if self._icon_hover:
            icon = icon.stylize(self.get_visual_style("title-bar--icon-hover"))
        if width <= ICON_WIDTH:
            return icon.truncate(width)
        title = self._title().center(width - 2 * ICON_WIDTH, ellipsis=True)
        return Content.assemble(icon, title).pad_right(
            max(width - ICON_WIDTH - title.cell_length, 0)
        )

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover_icon(event.x < ICON_WIDTH)

    def on_leave(self, event: events.Leave) -> None:
        self._hover_icon(False)

    def _hover_icon(self, hover: bool) -> None:
        if hover != self._icon_hover:
            self._icon_hover = hover
            palette = hover and self.app.ENABLE_COMMAND_PALETTE
            self.tooltip = "Open the command palette" if palette else None
            self.refresh()

    async def on_click(self, event: events.Click) -> None:
        if event.x < ICON_WIDTH and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            await self.run_action("app.command_palette")
