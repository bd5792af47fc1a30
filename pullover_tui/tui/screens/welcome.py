"""First run: what a token and a user key are, where to get them, and two ways on."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Markdown, Static

from pullover_tui.core.profiles import Profile
from pullover_tui.tui.screens.common import pullover_app
from pullover_tui.tui.screens.profile_form import ProfileFormScreen
from pullover_tui.tui.widgets.footer import KeyFooter
from pullover_tui.tui.widgets.title_bar import TitleBar

WELCOME_TEXT = """\
Pullover sends [Pushover](https://pushover.net) notifications to your phone.
To send for real it needs a **profile** with two keys from pushover.net:

- **User key**: who gets the message. It is on your pushover.net dashboard once
  you log in: 30 letters and digits (a group key works too).
- **App token**: which app sends it. Create an application at
  pushover.net/apps/build to get one (10,000 free messages a month).

No account yet? **Try the demo**: a local stand-in for Pushover and a pretend
phone that shows what arrives. No network, nothing saved.
"""


class WelcomeScreen(Screen[None]):
    """Shown when there are no profiles: create one, or try the demo."""

    SUB_TITLE = "Welcome"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "p",
            "create_profile",
            "Create profile",
            id="welcome_create",
            tooltip="Create your first profile",
        ),
        Binding(
            "d",
            "try_demo",
            "Try demo",
            id="welcome_demo",
            tooltip="Send to a built-in sandbox, no account needed",
        ),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="welcome-body"), Vertical(id="welcome", classes="panel"):
            yield Static("Welcome to Pullover", classes="panel-title")
            yield Markdown(WELCOME_TEXT, id="welcome-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create a profile (p)", id="create", variant="primary", compact=True)
                yield Button("Try the demo (d)", id="demo", variant="success", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#create", Button).focus()

    @on(Button.Pressed, "#create")
    def action_create_profile(self) -> None:
        self.app.push_screen(ProfileFormScreen(None), self._created)

    def _created(self, profile: Profile | None) -> None:
        if profile is not None:
            self.dismiss()

    @on(Button.Pressed, "#demo")
    def action_try_demo(self) -> None:
        self.start_demo()

    @work(exclusive=True, group="demo", exit_on_error=False)
    async def start_demo(self) -> None:
        app = pullover_app(self)
        if app.demo is None:
            self.query_one("#demo", Button).loading = True
            try:
                demo = await asyncio.to_thread(app.demo_starter)
            except OSError as exc:
                self.notify(f"The sandbox did not start: {exc}", severity="error", markup=False)
                self.query_one("#demo", Button).loading = False
                return
            app.begin_demo(demo)
        self.dismiss()
