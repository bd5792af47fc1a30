"""``PulloverApp``: the one factory behind ``pullover-tui``, ``pullover-tui demo`` and the tests.

The app owns the state every screen shares: the loaded config, the demo
session (if any), the per-profile catalog of sounds and devices, and how to
make API clients. Screens read it and call ``apply_config`` after a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen
from textual.signal import Signal

from pullover_tui.core.errors import ConfigError
from pullover_tui.core.profiles import Config, Profile, load_config
from pullover_tui.tui.api import ClientFactory, ProfileCatalog, default_client_factory
from pullover_tui.tui.demo import DemoSession, start_demo
from pullover_tui.tui.screens.compose import ComposeScreen
from pullover_tui.tui.screens.config_error import ConfigErrorScreen
from pullover_tui.tui.screens.help import HelpScreen
from pullover_tui.tui.screens.profiles import ProfilesScreen
from pullover_tui.tui.screens.welcome import WelcomeScreen

EXIT_CONFIG_ERROR = 2  # the CLI's "unreadable config file" code


class PulloverApp(App[None]):
    """Compose and send Pushover messages, manage profiles, try it all against the sandbox."""

    CSS_PATH = "app.tcss"
    TITLE = "Pullover"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Keys", id="help", tooltip="Show every key binding"),
        Binding("f2", "show_compose", "Compose", id="compose", tooltip="Write and send a message"),
        Binding("f3", "show_profiles", "Profiles", id="profiles", tooltip="Manage profiles"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, tooltip="Quit Pullover"),
    ]

    def __init__(
        self,
        config_path: Path,
        *,
        demo: DemoSession | None = None,
        demo_starter: Callable[[], DemoSession] = start_demo,
        client_factory: ClientFactory = default_client_factory,
        cursor_blink: bool = True,
        animate: bool = True,
    ) -> None:
        super().__init__()
        self.config_path = config_path
        self.config = Config()
        self.config_error: ConfigError | None = None
        self.demo = demo
        self.demo_starter = demo_starter
        self.client_factory = client_factory
        self.catalog = ProfileCatalog()
        self.cursor_blink = cursor_blink
        if not animate:
            self.animation_level = "none"
        self.profiles_changed: Signal[None] = Signal(self, "profiles_changed")

    # State shared by the screens -------------------------------------------------------

    @property
    def profiles(self) -> dict[str, Profile]:
        """Every usable profile: the demo's (if any) first, then the config's."""
        profiles = {} if self.demo is None else {self.demo.profile.name: self.demo.profile}
        for name, profile in self.config.profiles.items():
            profiles.setdefault(name, profile)
        return profiles

    def is_demo_profile(self, name: str) -> bool:
        return self.demo is not None and name == self.demo.profile.name

    def starting_profile(self) -> str | None:
        """The profile the compose screen starts with: demo, the default, else the first."""
        if self.demo is not None:
            return self.demo.profile.name
        if self.config.default_profile is not None:
            return self.config.default_profile
        return next(iter(self.config.profiles), None)

    def apply_config(self, config: Config, *, changed: str | None = None) -> None:
        """Take a config just saved by the core; screens refresh at once."""
        self.config = config
        if changed is not None:
            self.catalog.forget(changed)
        self.profiles_changed.publish(None)

    def begin_demo(self, demo: DemoSession) -> None:
        """Switch to demo mode (from the welcome screen)."""
        self.demo = demo
        self.profiles_changed.publish(None)

    # Lifecycle -------------------------------------------------------------------------

    def on_mount(self) -> None:
        try:
            self.config = load_config(self.config_path)
        except ConfigError as exc:
            self.config_error = exc
            self.push_screen(ConfigErrorScreen(exc, self.config_path))
            return
        self.push_screen(ComposeScreen())
        if not self.profiles:
            self.push_screen(WelcomeScreen())

    def on_unmount(self) -> None:
        if self.demo is not None:
            self.demo.close()

    # Actions ---------------------------------------------------------------------------

    def _working_screen(self) -> Screen[Any]:
        """The screen the user works on: the command palette does not count."""
        working: list[Screen[Any]] = [
            screen for screen in self.screen_stack if not isinstance(screen, CommandPalette)
        ]
        return working[-1] if working else self.screen

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("show_compose", "show_profiles"):
            screen = self._working_screen()
            if self.config_error is not None or isinstance(screen, ModalScreen):
                return False
            target = ComposeScreen if action == "show_compose" else ProfilesScreen
            return not isinstance(screen, target)
        return True

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_show_compose(self) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, ComposeScreen):
            self.pop_screen()

    def action_show_profiles(self) -> None:
        if isinstance(self.screen, WelcomeScreen):
            self.pop_screen()
        if not isinstance(self.screen, ProfilesScreen):
            self.push_screen(ProfilesScreen())

    async def action_quit(self) -> None:
        self.exit(return_code=EXIT_CONFIG_ERROR if self.config_error else 0)

    # Command palette -------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action bound on the screen and the app, then Textual's own commands."""
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding, node = active.binding, active.node
            if not (active.enabled and binding.show and binding.description):
                continue
            if binding.action in seen:
                continue
            if node is not screen and node is not self:
                continue
            seen.add(binding.action)
            key = self.get_key_display(binding)
            yield SystemCommand(
                f"{binding.description} ({key})",
                binding.tooltip or binding.description,
                self._runner(binding.action, node),
            )
        yield from super().get_system_commands(screen)

    def _runner(self, action: str, node: object) -> Callable[[], object]:
        def run() -> object:
            return self.run_action(action, node)  # type: ignore[arg-type]

        return run
