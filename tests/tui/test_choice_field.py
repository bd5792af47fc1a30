"""The one-widget choice field: keyboard and mouse, its list, its value and its messages."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Input

from pullover_tui.core.parsing import Priority
from pullover_tui.tui.widgets.choice_field import ChoiceField, ChoiceList
from tests.tui.helpers import form, settle

SOUNDS = [("pushover", "pushover"), ("bike", "bike"), ("bugle", "bugle"), ("magic", "magic")]


class Host(App[None]):
    def __init__(self, **options: Any) -> None:
        super().__init__()
        self.options = options
        self.changes: list[object] = []

    def compose(self) -> ComposeResult:
        yield Input(id="before")
        yield ChoiceField(SOUNDS, id="sound", **self.options)
        yield Input(id="after")

    def on_choice_field_changed(self, event: ChoiceField.Changed) -> None:
        self.changes.append(event.value)


def field(app: App[Any]) -> ChoiceField:
    return app.query_one("#sound", ChoiceField)


async def test_one_widget_until_its_list_first_opens() -> None:
    app = Host(value="bike")
    async with app.run_test() as pilot:
        assert field(app).value == "bike" and field(app).label == "bike"
        assert list(field(app).children) == []
        await pilot.press("tab", "enter")
        assert field(app).is_open and isinstance(app.focused, ChoiceList)
        assert app.focused.highlighted == 1  # the list opens on the current value


async def test_keyboard_picks_and_escape_keeps_the_value() -> None:
    app = Host()
    async with app.run_test() as pilot:
        assert field(app).value == "pushover"  # no blank allowed: the first option
        await pilot.press("tab", "enter", "down", "down", "enter")
        assert field(app).value == "bugle" and not field(app).is_open
        assert app.focused is field(app)
        await pilot.press("enter", "down", "escape")
        assert field(app).value == "bugle" and not field(app).is_open
        assert app.focused is field(app)
        assert app.changes == ["bugle"]


async def test_typing_in_the_list_jumps_to_a_label() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press("tab", "space", "b")
        assert isinstance(app.focused, ChoiceList) and app.focused.highlighted == 1
        await pilot.press("b")  # the next one starting with b
        assert app.focused.highlighted == 2
        await pilot.press("m", "enter")
        assert field(app).value == "magic"


async def test_a_click_opens_and_a_click_in_the_list_picks() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.click("#sound")
        assert field(app).is_open
        await pilot.click(ChoiceList, offset=(2, 3))
        assert field(app).value == "magic" and not field(app).is_open


async def test_leaving_the_open_list_closes_it() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.press("tab", "enter", "down")
        app.query_one("#after", Input).focus()
        await pilot.pause()
        assert not field(app).is_open and field(app).value == "pushover"


async def test_new_options_keep_a_value_still_offered() -> None:
    app = Host(value="bugle", allow_blank=True)
    async with app.run_test() as pilot:
        field(app).set_options([("bugle", "bugle"), ("siren", "siren")])
        await pilot.pause()
        assert field(app).value == "bugle"
        field(app).set_options([("siren", "siren")])
        await pilot.pause()
        assert field(app).value is None and field(app).has_class("-blank")
        field(app).value = "not offered"
        assert field(app).value is None
        assert app.changes == [None]


async def test_the_priority_field_of_the_compose_form_by_keyboard(
    make_app: Any, configured: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form(app).query_one("#priority", ChoiceField).focus()
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        assert form(app).read_draft().priority == Priority.HIGH
        assert "high" in str(app.screen.query_one("#notification-meta").render())


async def test_a_prompt_offers_no_choice_first_in_the_list() -> None:
    app = Host(value="bike", allow_blank=True, prompt="not set")
    async with app.run_test() as pilot:
        await pilot.press("tab", "enter")
        assert isinstance(app.focused, ChoiceList)
        assert str(app.focused.get_option_at_index(0).prompt) == "not set"
        assert app.focused.highlighted == 2  # bike, after the prompt and pushover
        await pilot.press("home", "enter")
        assert field(app).value is None and field(app).label == "not set"
        assert field(app).has_class("-blank")


async def test_a_second_click_closes_the_open_list() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.click("#sound")
        assert field(app).is_open
        await pilot.click("#sound")
        assert not field(app).is_open and app.focused is field(app)
        await pilot.click("#sound")
        assert field(app).is_open


async def test_new_options_or_a_new_value_move_the_open_lists_cursor() -> None:
    app = Host(value="bugle")
    async with app.run_test() as pilot:
        await pilot.press("tab", "enter")
        assert isinstance(app.focused, ChoiceList)
        field(app).set_options([("siren", "siren"), *SOUNDS])  # e.g. the sounds arriving
        await pilot.pause()
        assert app.focused.highlighted == 3  # still on bugle, one further down
        field(app).value = "bike"
        await pilot.pause()
        assert app.focused.highlighted == 2
        await pilot.press("enter")
        assert field(app).value == "bike"


async def test_the_emergency_section_scrolls_into_view_when_it_first_appears(
    make_app: Any, configured: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form(app).query_one("#priority", ChoiceField).focus()
        await pilot.press("enter", "down", "down", "enter")  # normal -> emergency
        await settle(pilot)
        assert form(app).read_draft().priority == Priority.EMERGENCY
        title = app.screen.query_one("#emergency-title")
        assert form(app).scroll_y > 0
        assert form(app).region.contains_region(title.region), (form(app).region, title.region)
