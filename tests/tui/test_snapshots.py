"""SVG snapshots of every screen state (pytest-textual-snapshot).

Deterministic by construction: a fake API client with fixed answers (no ports,
no request ids but a fixed one), a relative config path, UTC, no cursor blink,
no animations. Update with ``pytest tests/tui --snapshot-update`` and look at
the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pullover_tui.core.errors import Quota
from pullover_tui.core.message import Message
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import save_config
from pullover_tui.core.request import SendResult
from pullover_tui.core.store import HistoryStore
from pullover_tui.tui.app import PulloverApp
from pullover_tui.tui.demo import start_demo
from tests.conftest import TOKEN, USER
from tests.tui.conftest import (
    FAKE_RECEIPT,
    FAKE_TIME,
    FakeClient,
    HangingFakeClient,
    sample_config,
)
from tests.tui.helpers import choose, set_inputs, set_message, settle

SIZE = (100, 30)
Snap = Callable[..., bool]
SENT_RESULT = SendResult(
    request="5042853c-402d-4a18-abcb-168734a801de",
    quota=Quota(limit=10_000, remaining=9_876, reset=FAKE_TIME),
)


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


async def stop_tagged(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("ctrl+g")
    await settle(pilot)
    await pilot.press(*"backup", "enter")
    await settle(pilot)
    pilot.app.clear_notifications()


def test_cancel_by_tag(snap_compare: Snap, app_in: Any) -> None:
    assert snap_compare(app_in(), terminal_size=SIZE, run_before=stop_tagged)


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


def record_history(path: Path) -> None:
    """Six entries of every status, at fixed times (the table shows them)."""
    times = iter(range(FAKE_TIME, FAKE_TIME + 6 * 600, 300))
    with HistoryStore(path, clock=lambda: float(next(times))) as store:

        def add(text: str, profile: str = "personal", **fields: Any) -> int:
            return store.add_pending(
                Message(text, **fields), profile=profile, token=TOKEN, user=USER, api_url=None
            )

        store.mark_sent(add("Nightly backup of db-01 finished", title="Backup"), SENT_RESULT)
        deploy = add("api 2.4.1 is live on all 6 hosts", "ops", title="Deploy", priority="high")
        store.mark_sent(deploy, SENT_RESULT)
        alert = add(
            "db-01 is down: replication stopped",
            title="Database alert",
            priority="emergency",
            retry=60,
            expire=3600,
            tags="db",
        )
        store.mark_sent(alert, replace(SENT_RESULT, receipt=FAKE_RECEIPT))
        disk = add("web-02: /var is 97% full", "ops", title="Disk alert", priority="high")
        store.mark_failed(disk, "not sent after 5 attempts: HTTP 503", attempts=5)
        store.mark_rejected(add("Doorbell!", sound="doorbell"), "HTTP 400: sound is invalid")
        store.release(add("Lunch at 12:30?"))


async def open_history(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)


def test_history(snap_compare: Snap, app_in: Any) -> None:
    app = app_in()
    record_history(app.history_file)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_history)


async def open_emergency_entry(pilot: Any) -> None:
    await open_history(pilot)
    await pilot.press("down", "down", "down", "enter")
    await settle(pilot)


def test_history_entry_with_receipt(snap_compare: Snap, app_in: Any) -> None:
    app = app_in()
    record_history(app.history_file)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_emergency_entry)


async def send_emergency_with_an_image(pilot: Any) -> None:
    await settle(pilot)
    Path("disk-usage.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 1200)
    await choose(pilot, "priority", Priority.EMERGENCY)
    await set_inputs(pilot, title="Disk alert", attachment="disk-usage.png")
    await set_inputs(pilot, retry="60", expire="3600", tags="db")
    await set_message(pilot, "db-01 is almost full")
    await pilot.press("ctrl+s")
    await settle(pilot)
    pilot.app.clear_notifications()
    await choose(pilot, "priority", Priority.NORMAL)
    await set_message(pilot, "Free space over the last week")
    await set_inputs(pilot, attachment="disk-usage.png")  # the send emptied it with the text
    await settle(pilot)


def test_compose_image_and_receipt_panel(snap_compare: Snap, app_in: Any) -> None:
    """After an emergency send, its receipt followed; the next message with an image."""
    app = app_in()
    assert snap_compare(app, terminal_size=SIZE, run_before=send_emergency_with_an_image)
