"""Sending from the compose screen against a real sandbox over loopback."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import save_config
from pullover_tui.tui.widgets.send_button import SendButton
from tests.conftest import TOKEN, USER
from tests.tui.conftest import real_wait_factory, sample_config
from tests.tui.helpers import (
    choose,
    compose_screen,
    form,
    history,
    notifications,
    set_inputs,
    set_message,
    settle,
    type_keys,
)

SIZE = (100, 30)


async def test_send_success_clears_only_the_message_and_shows_quota(make_app: Any, configured: Any):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_message(pilot, "Backup done")
        await set_inputs(pilot, title="nightly", url="https://example.com/r", url_title="report")
        await pilot.press("ctrl+s")
        await settle(pilot)
        [received] = configured.messages()
        assert (received["message"], received["title"]) == ("Backup done", "nightly")
        assert (received["url"], received["url_title"]) == ("https://example.com/r", "report")
        assert received["token"] == "azGD…yUi"  # the sandbox masks what it shows
        draft = form(app).read_draft()
        assert draft.message == ""
        assert (draft.title, draft.url_title) == ("nightly", "report")
        screen = compose_screen(app)
        assert screen.status.state_text == "Sent ✓"
        assert "quota 9,999/10,000 · resets 1 " in screen.status.quota_text
        [(title, text)] = notifications(app)
        assert title == "Sent" and text.startswith("Request ")
        assert len(text.removeprefix("Request ")) >= 20  # the request id, for support
        # secrets are masked on screen
        svg = app.export_screenshot()
        assert TOKEN not in svg and USER not in svg and "uQiR…RsG" in svg
        # the Send button sends too, with format, sound and device
        await set_message(pilot, "<b>bold</b>")
        await choose(pilot, "format", "html")
        await choose(pilot, "sound", "magic")
        await choose(pilot, "device", "tablet")
        app.screen.query_one("#send", SendButton).press()
        await settle(pilot)
        second = configured.messages()[1]
        assert (second["html"], second["monospace"]) == (1, 0)
        assert (second["sound"], second["device"]) == ("magic", "tablet")
        # and from the keyboard, and by a click
        await set_message(pilot, "by keyboard")
        app.screen.query_one("#send", SendButton).focus()
        await pilot.press("enter")
        await settle(pilot)
        await set_message(pilot, "by mouse")
        await pilot.click("#send")
        await settle(pilot)
        assert [m["message"] for m in configured.messages()[2:]] == ["by keyboard", "by mouse"]


async def test_emergency_fields_are_sent_only_with_emergency_priority(
    make_app: Any, configured: Any
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "priority", Priority.EMERGENCY)
        await set_inputs(pilot, retry="60", expire="3600", tags="db,backup")
        await set_message(pilot, "wake up")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # hidden again: filled emergency fields must not ride along
        await choose(pilot, "priority", Priority.HIGH)
        await set_message(pilot, "second")
        await pilot.press("ctrl+s")
        await settle(pilot)
        first, second = configured.messages()
        assert (first["priority"], first["retry"], first["expire"]) == (2, 60, 3600)
        assert first["tags"] == "db,backup" and first["receipt"]
        assert second["priority"] == 1 and second["retry"] is None and second["tags"] is None
        assert any("Receipt" in text for _, text in notifications(app))


async def test_rejection_marks_the_fields_pushover_named(
    make_app: Any, config_path: Any, sandbox: Any
):
    config = sample_config(sandbox.url)
    ops = config.profiles["ops"]
    config = config.with_profile(type(ops)(**{**vars(ops), "sound": "doorbell"}))
    save_config(config_path, config)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "profile", "ops")
        await settle(pilot)
        await set_message(pilot, "hello")
        await pilot.press("ctrl+s")
        await settle(pilot)
        errors = form(app).errors()
        assert set(errors) == {"sound"} and "refused by Pushover" in errors["sound"]
        assert sandbox.messages() == []
        assert form(app).read_draft().message == "hello"
        assert notifications(app)[-1][0] == "Refused by Pushover"
        [entry] = history(app)  # recorded, and final: never in the outbox
        assert (entry.status, entry.profile, entry.in_outbox) == ("rejected", "ops", False)
        assert entry.last_error is not None and "sound" in entry.last_error


async def test_retry_progress_then_success_then_temporary_failure(make_app: Any, configured: Any):
    progress: list[str] = []
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = compose_screen(app)
        real_on_retry = screen._on_retry

        def spy(notice: Any) -> None:
            real_on_retry(notice)
            progress.append(screen.status.state_text)

        screen._on_retry = spy  # type: ignore[method-assign]
        configured.config.fail_first = 2
        await set_message(pilot, "flaky")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert progress[0].startswith("Not delivered yet, attempt 2/5 in ")
        assert "HTTP 503" in progress[0]
        assert len(configured.messages()) == 1
        assert screen.status.state_text == "Sent after 3 attempts ✓"
        # every attempt fails: the message stays, with a clear "not sent"
        configured.config.fail_first = 100
        await set_message(pilot, "important")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form(app).read_draft().message == "important"
        assert screen.status.state_text.startswith("Not sent: not sent after 5 attempts")
        banner = screen.banner_text
        assert "Not sent" in banner and "still here" in banner
        assert not screen.sending
        assert notifications(app)[-1][0] == "Not sent"


async def test_escape_cancels_a_waiting_retry(make_app: Any, configured: Any):
    app = make_app(client_factory=real_wait_factory)  # a real 5 s wait before attempt 2
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        configured.config.fail_first = 100
        await set_message(pilot, "cancel me")
        await pilot.press("ctrl+s")
        screen = compose_screen(app)
        for _ in range(50):
            await pilot.pause(0.05)
            if "attempt 2/5" in screen.status.state_text:
                break
        assert screen.sending and "esc cancels" in screen.status.state_text
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.sending
        assert screen.status.state_text == "Cancelled: not confirmed by Pushover"
        assert form(app).read_draft().message == "cancel me"
        assert configured.request_count("/1/messages.json") == 1


async def test_ui_stays_responsive_against_a_hanging_server_and_history_off_records_nothing(
    make_app: Any, config_path: Path, sandbox: Any, isolated_environment: Path
):
    config = sample_config(sandbox.url)
    save_config(config_path, replace(config, history=False))
    configured = sandbox
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        configured.config.hang = True
        await set_message(pilot, "into the void")
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        screen = compose_screen(app)
        assert screen.sending
        await pilot.press("tab")
        await type_keys(pilot, "ok")
        assert form(app).read_draft().title.endswith("ok")
        await pilot.press("ctrl+s")  # a second send while one runs is refused, not queued
        await pilot.press("escape")
        await asyncio.wait_for(settle(pilot), timeout=5)
        assert not screen.sending
        assert form(app).read_draft().message == "into the void"
        assert "Kept in the outbox" not in screen.banner_text
        await pilot.press("f4")
        await settle(pilot)
        info = str(app.screen.query_one("#history-info").content)
        assert "Recording is off (history = false" in info
    data = isolated_environment / ".local" / "share" / "pullover-tui"
    assert not data.exists()  # neither history nor draft
