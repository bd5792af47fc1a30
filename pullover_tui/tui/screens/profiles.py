"""The profiles table: add, edit, delete, set the default, validate against the API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from pullover_tui.core.errors import ClientSendError, ConfigError, PulloverError
from pullover_tui.core.profiles import Config, Profile, describe_secret
from pullover_tui.tui.config_changes import delete_profile, set_default_profile
from pullover_tui.tui.screens.common import display_path, pullover_app
from pullover_tui.tui.screens.confirm import ConfirmScreen
from pullover_tui.tui.screens.profile_form import ProfileFormScreen
from pullover_tui.tui.widgets.footer import KeyFooter
from pullover_tui.tui.widgets.title_bar import TitleBar

COLUMNS = ("", "Name", "App token", "User key", "Message defaults", "API")
EMPTY_HINT = "No profiles yet. Press a to add one."


def defaults_text(profile: Profile) -> str:
    """A profile's message defaults, in a few words."""
    parts = []
    for key, value in profile.settings().items():
        if key == "api_url":
            continue
        shown = value.label if hasattr(value, "label") else value
        parts.append(key.replace("_", " ") if value is True else f"{key.replace('_', ' ')} {shown}")
    return " · ".join(parts) or "none"


def api_text(api_url: str | None) -> str:
    """Where a profile sends to, briefly: Pushover's API or a host (e.g. a sandbox)."""
    if api_url is None:
        return "Pushover"
    return api_url.split("://", 1)[-1]


class ProfilesScreen(Screen[None]):
    """Every profile; changes go through the core's config code and show up at once."""

    SUB_TITLE = "Profiles"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="profile_add", tooltip="Add a profile"),
        Binding("e", "edit", "Edit", id="profile_edit", tooltip="Edit the selected profile"),
        Binding(
            "d",
            "delete",
            "Delete",
            id="profile_delete",
            tooltip="Delete the selected profile (asks first)",
        ),
        Binding(
            "s",
            "set_default",
            "Default",
            id="profile_default",
            tooltip="Make the selected profile the default",
        ),
        Binding(
            "v",
            "validate",
            "Validate",
            id="profile_validate",
            tooltip="Ask the API whether the user key is valid, and list its devices",
        ),
        Binding(
            "escape",
            "app.show_compose",
            "Back",
            id="profiles_back",
            tooltip="Back to the compose screen",
        ),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="profiles-body"):
            yield DataTable(id="profiles-table", cursor_type="row", zebra_stripes=True)
            yield Static(EMPTY_HINT, id="profiles-empty", classes="muted")
            yield Static("", id="profile-details", markup=False)
            yield Static("", id="config-file", classes="muted", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        config_file = (
            f"Saved in {display_path(pullover_app(self).config_path)} (only you can read it)"
        )
        self.query_one("#config-file", Static).update(config_file)
        pullover_app(self).profiles_changed.subscribe(self, self._refresh)
        self._refresh(None)
        table.focus()

    def _refresh(self, _: None) -> None:
        app = pullover_app(self)
        table = self.query_one(DataTable)
        selected = self.selected_name
        table.clear()
        for name, profile in app.profiles.items():
            marker = "★" if name == app.config.default_profile else ""
            label = Text(name, style="bold")
            if app.is_demo_profile(name):
                marker = "demo"
                label.append(" (built in)", style="dim")
            table.add_row(
                marker,
                label,
                describe_secret(profile.app_token),
                describe_secret(profile.user_key),
                defaults_text(profile),
                api_text(profile.api_url),
                key=name,
            )
        names = list(app.profiles)
        if selected in names:
            table.move_cursor(row=names.index(selected))
        self.query_one("#profiles-empty").display = not names
        self.refresh_bindings()

    @property
    def selected_name(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    @property
    def selected(self) -> Profile | None:
        name = self.selected_name
        return None if name is None else pullover_app(self).profiles.get(name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete", "set_default", "validate"):
            return None if self.selected is None else True
        return True

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._details(None)

    def _details(self, text: str | None, *, bad: bool = False) -> None:
        details = self.query_one("#profile-details", Static)
        details.set_class(bad, "-bad")
        details.update(text or "")

    def _refuse_demo(self, what: str) -> bool:
        profile = self.selected
        if profile is not None and pullover_app(self).is_demo_profile(profile.name):
            self.notify(f"The demo profile is built in: it cannot be {what}.", severity="warning")
            return True
        return False

    # Actions ---------------------------------------------------------------------------

    def action_add(self) -> None:
        self.app.push_screen(ProfileFormScreen(None), self._select_saved)

    @on(DataTable.RowSelected)
    def action_edit(self) -> None:
        profile = self.selected
        if profile is None or self._refuse_demo("edited"):
            return
        is_default = profile.name == pullover_app(self).config.default_profile
        self.app.push_screen(
            ProfileFormScreen(profile, make_default=is_default), self._select_saved
        )

    def _select_saved(self, profile: Profile | None) -> None:
        if profile is not None:
            names = list(pullover_app(self).profiles)
            if profile.name in names:
                self.query_one(DataTable).move_cursor(row=names.index(profile.name))

    def action_delete(self) -> None:
        profile = self.selected
        if profile is None or self._refuse_demo("deleted"):
            return
        question = f"Delete the profile {profile.name!r}?\nIts keys leave the config file."

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(delete_profile, profile.name)

        self.app.push_screen(ConfirmScreen(question, yes="Delete"), answered)

    def action_set_default(self) -> None:
        profile = self.selected
        if profile is None or self._refuse_demo("the default (it is the demo's anyway)"):
            return
        self.change(set_default_profile, profile.name)

    @work(exclusive=True, group="config", exit_on_error=False)
    async def change(self, change: Callable[..., Config], name: str) -> None:
        """Run one config change in a thread and show its result everywhere."""
        app = pullover_app(self)
        try:
            config = await asyncio.to_thread(change, app.config_path, name)
        except ConfigError as exc:
            self.notify(str(exc), title="Not changed", severity="error", timeout=15, markup=False)
            return
        app.apply_config(config, changed=name)
        done = "deleted" if change is delete_profile else "is now the default"
        self.notify(f"Profile {name!r} {done}.", markup=False)

    @work(exclusive=True, group="validate", exit_on_error=False)
    async def action_validate(self) -> None:
        """users/validate for the selected profile: valid or not, and its devices."""
        profile = self.selected
        if profile is None:
            return
        app = pullover_app(self)
        self._details(f"Validating {profile.name}…")
        try:
            devices = await app.api_for(profile).devices()
        except ClientSendError as exc:
            self._details(f"✗ {profile.name}: refused by Pushover: {exc}", bad=True)
            return
        except PulloverError as exc:
            self._details(f"✗ {profile.name}: could not check: {exc}", bad=True)
            return
        app.catalog.devices[profile.name] = devices
        listed = ", ".join(devices) if devices else "none active"
        self._details(f"✓ {profile.name}: token and user key are valid. Devices: {listed}")
