"""The title bar and the key bar: one widget each, following the screen, clickable."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input

from pullover_tui.tui.screens.history import HistoryScreen
from pullover_tui.tui.widgets.footer import FooterItem, KeyFooter
from pullover_tui.tui.widgets.title_bar import TitleBar
from tests.tui.helpers import settle


def item(app: App[Any], description: str) -> FooterItem:
    footer = app.screen.query_one(KeyFooter)
    return next(i for i in footer.items if i.description == description)


def line(app: App[Any]) -> str:
    return str(app.screen.query_one(KeyFooter).render())


class Host(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "shout", "Shout", tooltip="Says hello"),
        Binding("f5", "nothing", "Off"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shouted = 0

    def compose(self) -> ComposeResult:
        yield Input(id="field")
        yield KeyFooter()

    def action_shout(self) -> None:
        self.shouted += 1

    def action_nothing(self) -> None:
        raise AssertionError("a disabled key ran")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "nothing" else True  # None: shown, disabled


async def test_keys_are_drawn_in_order_and_a_click_presses_one() -> None:
    app = Host()
    async with app.run_test(size=(60, 5)) as pilot:
        text = line(app)
        assert text.index("f2 Shout") < text.index("f5 Off")
        assert text.rstrip().endswith("^p palette")
        shout = item(app, "Shout")
        await pilot.click(KeyFooter, offset=(shout.start + 1, 0))
        assert app.shouted == 1
        off = item(app, "Off")
        assert not off.enabled
        await pilot.click(KeyFooter, offset=(off.start + 1, 0))  # disabled: a bell, nothing else
        assert app.shouted == 1


async def test_hovering_a_key_shows_its_tooltip() -> None:
    app = Host()
    async with app.run_test(size=(60, 5)) as pilot:
        shout = item(app, "Shout")
        await pilot.hover(KeyFooter, offset=(shout.start + 1, 0))
        assert app.query_one(KeyFooter).tooltip == "Says hello"
        await pilot.hover("#field")
        assert app.query_one(KeyFooter).tooltip is None


async def test_a_narrow_footer_drops_whole_keys_and_keeps_the_palette() -> None:
    app = Host()
    async with app.run_test(size=(24, 5)):
        text = line(app)
        assert len(text) <= 24
        assert "^p palette" in text
        for shown in app.query_one(KeyFooter).items:
            assert shown.description not in text or f"{shown.display} {shown.description}" in text


async def test_the_keys_follow_the_screen(make_app: Any, configured: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click(KeyFooter, offset=(item(app, "History").start + 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert "esc Back" in line(app)
        assert not item(app, "Resend").enabled  # nothing sent yet: shown, disabled
        await pilot.press("escape")
        await settle(pilot)
        assert "Send" in line(app) and "Back" not in line(app)


async def test_the_title_follows_the_screen_and_the_icon_opens_the_palette(
    make_app: Any, configured: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(TitleBar).title_text == "Pullover — Compose"
        assert "Pullover — Compose" in str(app.screen.query_one(TitleBar).render())
        await pilot.press("f4")
        await settle(pilot)
        assert app.screen.query_one(TitleBar).title_text == "Pullover — History"
        await pilot.click(TitleBar, offset=(1, 0))
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
