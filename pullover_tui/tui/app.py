"""``PulloverApp``: the one factory behind ``pullover-tui``, ``pullover-tui demo`` and the tests.

The app owns the state every screen shares: the loaded config, the demo
session (if any), the per-profile catalog of sounds, devices and quota, where
the history and the draft live, and how to make API clients. Screens read it
and call ``apply_config`` after a change.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import cached_property
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.signal import Signal

from pullover_tui._collector import resume_collector
from pullover_tui.core.errors import ConfigError
from pullover_tui.core.paths import HISTORY_FILENAME, data_dir
from pullover_tui.core.profiles import Config, Profile, load_config
from pullover_tui.tui.draft_store import DRAFT_FILENAME
from pullover_tui.tui.screens.compose import ComposeScreen

# The other screens are imported when first shown: the first frame needs only the
# compose screen, and the welcome screen alone (Markdown) would add a tenth to start-up.

if TYPE_CHECKING:
    from pullover_tui.core.account import SoundCache
    from pullover_tui.core.history_entry import HistoryEntry
    from pullover_tui.tui.api import ClientFactory, ProfileApi, ProfileCatalog, Sleep
    from pullover_tui.tui.demo import DemoSession

EXIT_CONFIG_ERROR = 2  # the CLI's "unreadable config file" code


LATER_SCREENS = (
    "pullover_tui.tui.screens.history",
    "pullover_tui.tui.screens.history_entry",
    "pullover_tui.tui.screens.profiles",
    "pullover_tui.tui.screens.help",
)
"""Screens left out of the start-up, imported in a thread once the first frame is shown so
that F4 (about 115 ms of imports: SQLite, the store, DataTable), F3 and F1 open at once."""


def _import_later_screens() -> None:
    for name in LATER_SCREENS:
        import_module(name)


class PulloverApp(App[None]):
    """Compose and send Pushover messages, manage profiles, try it all against the sandbox."""

    CSS_PATH = "app.tcss"
    TITLE = "Pullover"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Keys", id="help", tooltip="Show every key binding"),
        Binding("f2", "show_compose", "Compose", id="compose", tooltip="Write and send a message"),
        Binding("f3", "show_profiles", "Profiles", id="profiles", tooltip="Manage profiles"),
        Binding(
            "f4",
            "show_history",
            "History",
            id="history",
            tooltip="Messages sent and waiting in the outbox: search, resend",
        ),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, tooltip="Quit Pullover"),
    ]

    def __init__(
        self,
        config_path: Path,
        *,
        demo: DemoSession | None = None,
        demo_starter: Callable[[], DemoSession] | None = None,
        client_factory: ClientFactory | None = None,
        data_dir: Path | None = None,
        receipt_sleep: Sleep | None = None,
        cursor_blink: bool = True,
        animate: bool = True,
    ) -> None:
        """``data_dir`` overrides where history and draft live (else the core's choice);
        ``client_factory`` makes the API clients (default: the core's ``AsyncClient``);
        ``receipt_sleep`` replaces the wait between receipt polls (tests only: the
        core still spaces polls 5 s apart, a fake sleep just does not wait them)."""
        super().__init__()
        self.config_path = config_path
        self.config = Config()
        self.config_error: ConfigError | None = None
        self.demo = demo
        self._demo_starter = demo_starter
        self.client_factory = client_factory
        self.receipt_sleep = receipt_sleep
        self.cursor_blink = cursor_blink
        self._gc_paused = False
        self._data_dir = data_dir
        if not animate:
            self.animation_level = "none"
        self.profiles_changed: Signal[None] = Signal(self, "profiles_changed")
        self.history_changed: Signal[None] = Signal(self, "history_changed")

    # State shared by the screens -------------------------------------------------------

    @property
    def demo_starter(self) -> Callable[[], DemoSession]:
        """What starts the demo's sandbox (imported only if a demo is started)."""
        if self._demo_starter is None:
            from pullover_tui.tui.demo import start_demo

            self._demo_starter = start_demo
        return self._demo_starter

    @property
    def demo_profile(self) -> Profile | None:
        """The demo's profile, named so that it hides none of the user's profiles."""
        return None if self.demo is None else self.demo.profile_avoiding(self.config.profiles)

    @property
    def profiles(self) -> dict[str, Profile]:
        """Every usable profile: the demo's (if any) first, then the config's."""
        demo = self.demo_profile
        profiles = {} if demo is None else {demo.name: demo}
        profiles.update(self.config.profiles)
        return profiles

    def is_demo_profile(self, name: str) -> bool:
        demo = self.demo_profile
        return demo is not None and name == demo.name

    # The network side (httpx and the core's client) is imported on first use, after
    # the first frame: the lookups of the first profile start only then anyway.

    @cached_property
    def catalog(self) -> ProfileCatalog:
        """Sounds, devices and quota fetched so far, per profile."""
        from pullover_tui.tui.api import ProfileCatalog

        return ProfileCatalog()

    @cached_property
    def sounds_cache(self) -> SoundCache:
        from pullover_tui.core.account import SoundCache

        return SoundCache()

    def api_for(self, profile: Profile) -> ProfileApi:
        """The API of a profile: ``PUSHOVER_API_URL`` before its ``api_url``; the demo's
        profile always sends to the demo's sandbox."""
        from pullover_tui.tui.api import ProfileApi, default_client_factory, profile_api_url

        demo = self.demo
        url = demo.url if demo is not None and profile == demo.profile else None
        return ProfileApi(
            profile,
            self.client_factory or default_client_factory,
            api_url=url or profile_api_url(profile),
            sounds_cache=self.sounds_cache,
        )

    @property
    def files_dir(self) -> Path:
        """Where history and draft live: the demo's throwaway directory in demo mode."""
        if self.demo is not None:
            return self.demo.data_dir
        return self._data_dir if self._data_dir is not None else data_dir()

    @property
    def history_on(self) -> bool:
        """Whether sends are recorded: always in the demo, else the config's ``history``."""
        return self.demo is not None or self.config.history

    @property
    def history_file(self) -> Path:
        """The history file (it may hold earlier entries even when recording is off)."""
        return self.files_dir / HISTORY_FILENAME

    @property
    def draft_file(self) -> Path | None:
        """The saved draft; None with ``history = false`` (no record kept of messages)."""
        return self.files_dir / DRAFT_FILENAME if self.history_on else None

    def starting_profile(self) -> str | None:
        """The profile the compose screen starts with: demo, the default, else the first."""
        if (demo := self.demo_profile) is not None:
            return demo.name
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

    def run(self, **options: Any) -> None:
        """Run the app; the cyclic garbage collector pauses until the first frame.

        Start-up makes tens of thousands of objects that live as long as the app
        (widgets, styles, rules); without the pause the collector scans them over
        and over, a third of the start-up time. Tests (``run_test``) keep the
        collector as it is.
        """
        self._gc_paused = gc.isenabled()
        gc.disable()
        try:
            return super().run(**options)
        finally:
            self._resume_gc()

    def on_ready(self) -> None:
        self._resume_gc()
        self.run_worker(_import_later_screens, thread=True, group="warm-up", exit_on_error=False)

    def _resume_gc(self) -> None:
        """After the first frame: the objects made so far stay for the app's life, so they
        are frozen (later full collections and the one at exit skip them)."""
        if self._gc_paused:
            self._gc_paused = False
            resume_collector()

    def update_styles(self, node: DOMNode, animate: bool = True) -> None:
        """Restyle a node whose classes changed, unless it is not mounted yet.

        Textual restyles a node (and all below it) on every class change, even
        before it is mounted, and styles it again when it is. Widgets made with
        ``compact=True`` change a class in their constructor, so the form paid
        for each of them twice before its first frame.
        """
        if node is self or node.is_attached:
            super().update_styles(node, animate)

    def get_default_screen(self) -> Screen[Any]:
        """The first screen: compose, or what is wrong with the config file.

        The first screen rather than one pushed over Textual's blank default, so
        the first frame is the compose screen's and its styles are applied once.
        """
        try:
            self.config = load_config(self.config_path)
        except ConfigError as exc:
            from pullover_tui.tui.screens.config_error import ConfigErrorScreen

            self.config_error = exc
            return ConfigErrorScreen(exc, self.config_path)
        return ComposeScreen()

    def on_mount(self) -> None:
        if self.config_error is None and not self.profiles:
            from pullover_tui.tui.screens.welcome import WelcomeScreen

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

    SCREEN_ACTIONS: ClassVar[dict[str, str]] = {
        "show_compose": "ComposeScreen",
        "show_profiles": "ProfilesScreen",
        "show_history": "HistoryScreen",
    }
    """The actions that open a main screen, and the screen each opens (by class name, so
    that deciding whether an action applies imports no screen)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.SCREEN_ACTIONS:
            screen = self._working_screen()
            if self.config_error is not None or isinstance(screen, ModalScreen):
                return False
            shown = {cls.__name__ for cls in type(screen).__mro__}
            return self.SCREEN_ACTIONS[action] not in shown
        return True

    def action_help(self) -> None:
        from pullover_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def back_to_compose(self) -> ComposeScreen | None:
        """Close every screen above the compose screen; the compose screen (None if absent)."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ComposeScreen):
            self.pop_screen()
        return self.screen if isinstance(self.screen, ComposeScreen) else None

    def action_show_compose(self) -> None:
        self.back_to_compose()

    def action_show_profiles(self) -> None:
        from pullover_tui.tui.screens.profiles import ProfilesScreen

        self.back_to_compose()
        self.push_screen(ProfilesScreen())

    def action_show_history(self) -> None:
        """The history screen is built once and kept: opening it again only reloads a page."""
        from pullover_tui.tui.screens.history import HistoryScreen

        self.back_to_compose()
        if not self.is_screen_installed("history"):
            self.install_screen(HistoryScreen(), "history")
        self.push_screen("history")

    def edit_in_compose(self, entry: HistoryEntry) -> None:
        """ "Edit and resend": the recorded message back in the compose form."""
        compose = self.back_to_compose()
        if compose is not None:
            compose.load_entry(entry)

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
