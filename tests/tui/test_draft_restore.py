"""The compose draft kept on disk: restored at the next start, gone once sent."""

from __future__ import annotations

import json
import stat
from typing import Any

import pytest

from pullover_tui.core.parsing import Priority
from pullover_tui.tui.screens.compose import ComposeScreen
from tests.tui.helpers import choose, compose_screen, form, set_inputs, set_message, settle

SIZE = (100, 30)


async def test_a_restart_restores_the_draft_and_sending_clears_it(
    make_app: Any, configured: Any, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(ComposeScreen, "DRAFT_SAVE_DELAY", 0.1)  # 0.5 s for people
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        draft_file = app.draft_file
        assert draft_file is not None and not draft_file.exists()
        await choose(pilot, "profile", "ops")
        await settle(pilot)
        await set_message(pilot, "half-written thought")
        await set_inputs(pilot, title="keep this title")
        await choose(pilot, "priority", Priority.EMERGENCY)
        await set_inputs(pilot, retry="60", expire="600")
        # quit at once, before the pause that saves while typing: nothing is lost
    assert stat.S_IMODE(draft_file.stat().st_mode) == 0o600
    assert json.loads(draft_file.read_text())["profile"] == "ops"

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = compose_screen(app)
        draft = form(app).read_draft()
        assert screen.profile is not None and screen.profile.name == "ops"
        assert (draft.message, draft.title, draft.priority) == (
            "half-written thought",
            "keep this title",
            Priority.EMERGENCY,
        )
        assert (draft.retry, draft.expire, draft.sound) == ("60", "600", "siren")
        await choose(pilot, "priority", Priority.HIGH)  # no receipt to follow in this test
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert configured.messages()[0]["message"] == "half-written thought"
        await pilot.pause(screen.DRAFT_SAVE_DELAY + 0.1)
        await settle(pilot)
        assert json.loads(draft_file.read_text())["draft"]["message"] == ""
        await set_message(pilot, "typed, then saved after a pause")
        await pilot.pause(screen.DRAFT_SAVE_DELAY + 0.1)
        await settle(pilot)
        assert "typed, then saved" in draft_file.read_text()


async def test_with_no_profiles_the_empty_form_is_normal_priority_and_not_saved(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(ComposeScreen, "DRAFT_SAVE_DELAY", 0.1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(ComposeScreen.DRAFT_SAVE_DELAY + 0.2)
        await settle(pilot)
        compose = next(s for s in app.screen_stack if isinstance(s, ComposeScreen))
        assert compose.form.read_draft().priority == Priority.NORMAL
        draft_file = app.draft_file
    assert draft_file is not None and not draft_file.exists()
