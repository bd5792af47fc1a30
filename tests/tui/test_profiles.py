"""The profiles screen and its form: every change goes through the core's config code."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, Static

from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import load_config, save_config, update_config
from pullover_tui.tui.screens.confirm import ConfirmScreen
from pullover_tui.tui.screens.profile_form import ProfileFormScreen
from pullover_tui.tui.screens.profiles import ProfilesScreen
from pullover_tui.tui.widgets.choice_field import ChoiceField
from pullover_tui.tui.widgets.form_row import FormRow
from tests.conftest import OTHER_USER, TOKEN
from tests.tui.conftest import sample_config
from tests.tui.helpers import (
    choose,
    compose_screen,
    form,
    profile_choices,
    set_inputs,
    set_message,
    settle,
)

SIZE = (100, 30)


def form_errors(app: Any) -> dict[str, str]:
    return {row.field: row.error for row in app.screen.query(FormRow) if row.error}


async def open_profiles(pilot: Any) -> ProfilesScreen:
    await settle(pilot)
    await pilot.press("f3")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ProfilesScreen)
    return screen


async def test_table_validate_and_a_refused_user_key(
    make_app: Any, config_path: Path, sandbox_strict: Any
):
    save_config(config_path, sample_config(sandbox_strict.url))  # "ops" has an unknown key
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_profiles(pilot)
        table = screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert [row[1] for row in rows] == ["personal", "ops"]
        assert rows[0][0] == "★" and rows[1][0] == ""
        assert rows[0][2] == "azGD…yUi" and rows[1][3] == "gzne…kzF"
        assert "priority high" in rows[1][4] and "sound siren" in rows[1][4]
        await pilot.press("v")
        await settle(pilot)
        details = str(screen.query_one("#profile-details", Static).content)
        assert details == "✓ personal: token and user key are valid. Devices: phone, tablet"
        await pilot.press("down", "v")
        await settle(pilot)
        details = str(screen.query_one("#profile-details", Static).content)
        assert details.startswith("✗ ops: refused by Pushover")
        # sending with it: Pushover's refusal is marked on the profile field
        await pilot.press("escape")
        await pilot.pause()
        await choose(pilot, "profile", "ops")
        await set_message(pilot, "hi")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "profile" in form(app).errors()
        assert sandbox_strict.messages() == []


async def test_add_and_edit_validate_inline_then_save_atomically(
    make_app: Any, configured: Any, config_path: Path
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profiles(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ProfileFormScreen)
        await set_inputs(pilot, name="bad name", app_token="short", ttl="-5")
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = form_errors(app)
        assert set(errors) == {"name", "app_token", "user_key", "ttl"}
        assert "got 5" in errors["app_token"] and "short" not in errors["app_token"]
        assert load_config(config_path).profiles.keys() == {"personal", "ops"}
        await set_inputs(pilot, name="work", app_token=TOKEN, user_key=OTHER_USER, ttl="3600")
        app.screen.query_one("#priority", ChoiceField).value = Priority.LOW
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ProfilesScreen)
        saved = load_config(config_path).profiles["work"]
        assert (saved.app_token, saved.user_key, saved.ttl) == (TOKEN, OTHER_USER, 3600)
        assert saved.priority is Priority.LOW
        assert stat.S_IMODE(config_path.stat().st_mode) == 0o600
        # edit "ops": empty secret fields keep the secrets; a new name renames
        await pilot.press("up", "e")  # the cursor sits on the new profile
        await pilot.pause()
        assert isinstance(app.screen, ProfileFormScreen)
        token_input = app.screen.query_one("#app_token", Input)
        assert token_input.value == "" and token_input.password
        assert token_input.placeholder == "unchanged: azGD…yUi"
        await set_inputs(pilot, name="oncall", title="")
        await pilot.press("ctrl+s")
        await settle(pilot)
        config = load_config(config_path)
        assert list(config.profiles) == ["personal", "oncall", "work"]
        assert config.profiles["oncall"].user_key == OTHER_USER
        assert config.profiles["oncall"].title is None
        await pilot.press("escape")
        await pilot.pause()
        assert profile_choices(app) == ["personal", "oncall", "work"]  # at once on compose


async def test_delete_asks_first_and_set_default(make_app: Any, configured: Any, config_path: Path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_profiles(pilot)
        await pilot.press("down", "s")
        await settle(pilot)
        assert load_config(config_path).default_profile == "ops"
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert "ops" in load_config(config_path).profiles
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        config = load_config(config_path)
        assert list(config.profiles) == ["personal"] and config.default_profile is None
        # another process changes the file meanwhile: the next change keeps its work
        update_config(
            config_path, lambda c: c.with_profile(replace(c.profiles["personal"], name="other"))
        )
        await pilot.press("s")
        await settle(pilot)
        config = load_config(config_path)
        assert list(config.profiles) == ["personal", "other"]
        assert config.default_profile == "personal"
        await pilot.press("escape")
        await pilot.pause()
        assert profile_choices(app) == ["personal", "other"]  # follows the saved file
        assert compose_screen(app).profile is not None
        assert compose_screen(app).profile.name == "personal"  # type: ignore[union-attr]
