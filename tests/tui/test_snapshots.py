"""SVG snapshots of every screen state (pytest-textual-snapshot).

Deterministic by construction: a fake API client with fixed answers (no ports,
no request ids but a fixed one), a relative config path, UTC, no cursor blink,
no animations. Update with ``pytest tests/tui --snapshot-update`` and look at
the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import save_config
from pullover_tui.tui.app import PulloverApp
from pullover_tui.tui.demo import start_demo
from tests.tui.conftest import FakeClient, HangingFakeClient, sample_config
from tests.tui.helpers import choose, set_inputs, set_message, settle

SIZE = (100, 30)
Snap = Callable[..., bool]


@pytest.fixture
def app_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., PulloverApp]:
    """An app reading ``config.toml`` relative to a temporary working directory."""
    monkeypatch.chdir(tmp_path)

    def make(*, profiles: bool = True, **options: Any) -> PulloverApp:
        if profiles:
            save_config(Path("config.toml"), sample_config())
        options.setdefault("client_factory", FakeClient)
        return PulloverApp(Path("config.toml"), cursor_blink=False, animate=False, **options)

    return make


def test_compose_empty_at_80x24(snap_compare: Snap, app_in: Any) -> None:
    assert snap_compare(app_in(), terminal_size=(80, 24), run_before=settle)


RICH_MESSAGE = (
    'Backup of <b>db-01</b> took <i>4 min</i>.\n<font color="#2ecc71">All checks passed</font>'
)


async def fill_rich_message(pilot: Any) -> None:
    await settle(pilot)
    await set_message(pilot, RICH_MESSAGE)
    await set_inputs(pilot, title="Nightly backup", url="https://example.com/r/1")
    await set_inputs(pilot, url_title="Open the report", timestamp="2026-11-28T03:15")
    await choose(pilot, "format", "html")
    await choose(pilot, "priority", Priority.HIGH)


def test_compose_filled_with_preview(snap_compare: Snap, app_in: Any) -> None:
    assert snap_compare(app_in(), terminal_size=SIZE, run_before=fill_rich_message)


async def make_mistakes(pilot: Any) -> None:
    await settle(pilot)
    await choose(pilot, "priority", Priority.EMERGENCY)
    await set_inputs(pilot, ttl="soon", timestamp="tomorrow", retry="10")
    await pilot.press("ctrl+s")
    await pilot.pause()


def test_compose_validation_errors(snap_compare: Snap, app_in: Any) -> None:
    assert snap_compare(app_in(), terminal_size=SIZE, run_before=make_mistakes)


async def send(pilot: Any) -> None:
    await settle(pilot)
    await set_message(pilot, "Deploy finished")
    await pilot.press("ctrl+s")
    await pilot.pause(0.1)


def test_compose_sending_with_retry_progress(snap_compare: Snap, app_in: Any) -> None:
    app = app_in(client_factory=HangingFakeClient)
    assert snap_compare(app, terminal_size=SIZE, run_before=send)


def test_compose_sent(snap_compare: Snap, app_in: Any) -> None:
    assert snap_compare(app_in(), terminal_size=SIZE, run_before=send)


async def validate_profile(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("f3", "v")
    await settle(pilot)


def test_profiles(snap_compare: Snap, app_in: Any) -> None:
    assert snap_compare(app_in(), terminal_size=SIZE, run_before=validate_profile)


async def edit_profile(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("f3", "down", "e")
    await pilot.pause()


def test_profile_form(snap_compare: Snap, app_in: Any) -> None:
    assert snap_compare(app_in(), terminal_size=SIZE, run_before=edit_profile)


def test_welcome(snap_compare: Snap, app_in: Any) -> None:
    assert snap_compare(app_in(profiles=False), terminal_size=SIZE)


def test_config_error(snap_compare: Snap, app_in: Any) -> None:
    Path("config.toml").write_text('default_profile = "home"\n[profiles.home]\nttl = -1\n')
    assert snap_compare(app_in(profiles=False), terminal_size=SIZE)


async def open_help(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("f1")


def test_help(snap_compare: Snap, app_in: Any) -> None:
    assert snap_compare(app_in(), terminal_size=SIZE, run_before=open_help)


async def send_two_to_the_sandbox(pilot: Any) -> None:
    await settle(pilot)
    await set_message(pilot, "Coffee is ready")
    await pilot.press("ctrl+s")
    await settle(pilot)
    await set_inputs(pilot, title="Build failed")
    await choose(pilot, "priority", Priority.HIGH)
    await set_message(pilot, "2 tests failed")
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.pause(0.2)
    pilot.app.clear_notifications()  # they carry the sandbox's random request ids


def test_demo_with_inbox(snap_compare: Snap, app_in: Any) -> None:
    from tests.tui.conftest import fast_factory

    session = start_demo()
    try:
        app = app_in(profiles=False, demo=session, client_factory=fast_factory)
        assert snap_compare(app, terminal_size=SIZE, run_before=send_two_to_the_sandbox)
    finally:
        session.close()
