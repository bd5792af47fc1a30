"""Welcome, demo mode, the broken-config screen, and ``launch`` as the CLI calls it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from pullover_tui.tui.app import PulloverApp
from pullover_tui.tui.demo import DEMO_APP_TOKEN, DemoSession
from pullover_tui.tui.screens.config_error import ConfigErrorScreen
from pullover_tui.tui.screens.profile_form import ProfileFormScreen
from pullover_tui.tui.screens.profiles import ProfilesScreen
from pullover_tui.tui.screens.welcome import WelcomeScreen
from pullover_tui.tui.widgets.inbox import InboxPane
from tests.conftest import TOKEN, USER
from tests.tui.helpers import (
    compose_screen,
    form,
    history,
    profile_choices,
    set_inputs,
    set_message,
    settle,
)

SIZE = (100, 30)


async def test_no_profiles_opens_the_welcome_screen_then_create_one(
    make_app: Any, config_path: Path
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        text = str(app.screen.query_one("#welcome-text").source)  # type: ignore[attr-defined]
        assert "User key" in text and "App token" in text and "pushover.net" in text
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProfileFormScreen)
        await set_inputs(pilot, name="me", app_token=TOKEN, user_key=USER)
        await pilot.press("ctrl+s")
        await settle(pilot)
        compose_screen(app)
        assert profile_choices(app) == ["me"]
        assert compose_screen(app).profile is not None
    assert config_path.exists()


async def test_welcome_try_the_demo_then_its_inbox_shows_what_the_sandbox_received(
    make_app: Any, config_path: Path, demo_session: DemoSession, isolated_environment: Path
):
    app = make_app(demo_starter=lambda: demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("d")
        await settle(pilot)
        screen = compose_screen(app)
        assert app.demo is demo_session and screen.has_class("-demo")
        assert screen.profile is not None and screen.profile.name == "demo"
        inbox = app.screen.query_one(InboxPane)
        assert inbox.display and inbox.items == []
        await set_message(pilot, "one")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await set_inputs(pilot, title="Second title")
        await set_message(pilot, "two")
        await pilot.press("ctrl+s")
        await settle(pilot)
        for _ in range(20):
            if len(inbox.items) == 2:
                break
            await pilot.pause(0.05)
        assert [(i.title, i.message) for i in inbox.items] == [
            ("Second title", "two"),
            ("Hello from the demo", "one"),
        ]
        assert inbox.border_subtitle == "2 received"
        assert form(app).read_draft().message == ""
        # recorded, but in the demo's own throwaway directory
        assert [e.message for e in history(app)] == ["two", "one"]
        assert app.history_file.parent == demo_session.data_dir
        # the demo profile is listed but built in: neither edited nor deleted
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, ProfilesScreen)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ProfilesScreen)
    assert not config_path.exists()
    assert not (isolated_environment / ".local" / "share" / "pullover-tui").exists()
    assert demo_session.sandbox.messages()[0]["token"] == f"{DEMO_APP_TOKEN[:4]}…001"


async def test_broken_config_shows_where_and_quits_without_writing(
    make_app: Any, config_path: Path
):
    config_path.parent.mkdir(parents=True)
    broken = '[profiles.home]\napp_token = "abc"\nuser_key = "also bad"\n'
    config_path.write_text(broken)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfigErrorScreen)
        problems = str(app.screen.query_one("#problems", Static).content)
        assert "line 2, column 13" in problems and "profiles.home.app_token" in problems
        assert str(config_path) in str(app.screen.query_one("#path", Static).content)
        await pilot.press("f3")  # nothing else is reachable
        await pilot.pause()
        assert isinstance(app.screen, ConfigErrorScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 2
    assert config_path.read_text() == broken


def test_launch_demo_runs_the_app_against_a_running_sandbox(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from pullover_tui.tui import launch as launch_module

    seen: dict[str, Any] = {}

    def fake_run(self: PulloverApp, *args: Any, **kwargs: Any) -> None:
        assert self.demo is not None
        seen["running"] = self.demo.sandbox.running
        seen["path"] = self.config_path
        seen["demo"] = self.demo

    monkeypatch.setattr(PulloverApp, "run", fake_run)
    config = tmp_path / "c.toml"
    assert launch_module.launch(config_path=str(config), demo=True) == 0
    assert seen["running"] and seen["path"] == config
    assert not seen["demo"].sandbox.running  # stopped on the way out
    assert not config.exists()
