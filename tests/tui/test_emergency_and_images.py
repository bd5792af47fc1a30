"""Emergency receipts followed live, images attached, quota, and where requests go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from pullover_tui.core.limits import ATTACHMENT_MAX_BYTES
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import Profile, save_config
from pullover_tui.tui.screens.history_entry import HistoryEntryScreen
from pullover_tui.tui.widgets.form_row import FormRow
from pullover_tui.tui.widgets.preview import NotificationPreview
from pullover_tui.tui.widgets.receipt_panel import ReceiptPanel
from tests.conftest import TOKEN, USER
from tests.tui.conftest import sample_config
from tests.tui.helpers import (
    choose,
    compose_screen,
    form,
    history,
    profile_choices,
    set_inputs,
    set_message,
    settle,
    wait_until,
)

SIZE = (110, 32)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 120


async def send_emergency(pilot: Any, text: str, **fields: str) -> ReceiptPanel:
    await choose(pilot, "priority", Priority.EMERGENCY)
    await set_inputs(pilot, retry="30", expire="600", **fields)
    await set_message(pilot, text)
    await pilot.press("ctrl+s")
    await settle(pilot)
    return compose_screen(pilot.app).query_one(ReceiptPanel)


async def test_receipt_panel_follows_acknowledgement_and_stops_alerts(
    make_app: Any, configured: Any
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        callback = "http://127.0.0.1:9/acknowledged"
        panel = await send_emergency(pilot, "db down", callback=callback, tags="db")
        received = configured.messages()[-1]
        assert (received["callback"], received["tags"]) == (callback, "db")
        await wait_until(pilot, lambda: panel.state == "pending")
        assert app.screen.check_action("stop_alert", ())
        configured.acknowledge(received["receipt"], device="phone")
        await wait_until(pilot, lambda: panel.state == "acknowledged")
        text = str(panel.query_one("#receipt-state", Static).content)
        assert "Acknowledged" in text and "by uQiR…RsG on phone" in text
        assert not app.screen.check_action("stop_alert", ())
        # the history shows the receipt's status too
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryEntryScreen)
        entry_panel = app.screen.query_one(ReceiptPanel)
        await wait_until(pilot, lambda: entry_panel.state == "acknowledged")
        await pilot.press("escape", "escape")
        await pilot.pause()
        # a second one, stopped from the compose screen
        panel = await send_emergency(pilot, "disk full")
        receipt = configured.messages()[-1]["receipt"]
        await wait_until(pilot, lambda: panel.state == "pending")
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: panel.state == "cancelled")
        assert configured.receipt(receipt)["expired"] == 1  # Pushover reports cancelled so
        assert [e.receipt for e in history(app)] == [receipt, received["receipt"]]


async def test_an_image_is_picked_checked_previewed_and_sent(
    make_app: Any, configured: Any, tmp_path: Path
):
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "cat.png").write_bytes(PNG)
    (pictures / "notes.txt").write_text("not an image")
    with (pictures / "huge.png").open("wb") as huge:
        huge.truncate(ATTACHMENT_MAX_BYTES + 1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#attachment", Input)
        row = app.screen.query_one("#row-attachment", FormRow)
        field.focus()
        field.value = f"{pictures}/ca"
        await wait_until(pilot, lambda: field._suggestion.endswith("cat.png"))
        await pilot.press("right")  # accepts the completion
        await settle(pilot)
        assert field.value == f"{pictures}/cat.png"
        assert row.note == f"→ cat.png · image/png · {len(PNG)} bytes"
        preview = app.screen.query_one(NotificationPreview)
        assert preview.attachment is not None and preview.attachment.name == "cat.png"
        for name, problem in [
            ("notes.txt", "notes.txt is not an image"),
            ("huge.png", f"must be at most {ATTACHMENT_MAX_BYTES:,} bytes"),
            ("gone.png", "no such file"),
        ]:
            await set_inputs(pilot, attachment=str(pictures / name))
            await settle(pilot)
            assert row.note is not None and problem in row.note
            assert preview.attachment is None
        await set_message(pilot, "look")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "no such file" in (form(app).errors()["attachment"])
        assert configured.messages() == []
        await set_inputs(pilot, attachment=str(pictures / "cat.png"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        [sent] = configured.messages()
        assert sent["attachment"] == {"name": "cat.png", "type": "image/png", "size": len(PNG)}
        [entry] = history(app)
        assert entry.attachment is not None and entry.attachment.path == str(pictures / "cat.png")
        assert (form(app).read_draft().attachment, preview.attachment) == ("", None)  # sent


async def test_where_requests_go_and_the_demo_profile_hides_no_user_profile(
    make_app: Any,
    config_path: Path,
    sandbox: Any,
    sandbox_strict: Any,
    demo_session: Any,
    monkeypatch: pytest.MonkeyPatch,
):
    """DESIGN.md: PUSHOVER_API_URL before a profile's api_url; the demo's profile always
    sends to the demo's sandbox, and is renamed rather than hide a user's "demo" profile."""
    monkeypatch.setenv("PUSHOVER_API_URL", sandbox_strict.url)
    config = sample_config(sandbox.url)  # every profile names ``sandbox`` as its api_url
    save_config(config_path, config.with_profile(Profile("demo", TOKEN, USER, api_url=sandbox.url)))
    app = make_app(demo=demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert profile_choices(app) == ["demo-sandbox", "personal", "ops", "demo"]
        assert compose_screen(app).profile == app.demo_profile
        await set_message(pilot, "to the demo's sandbox")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [m["message"] for m in demo_session.sandbox.messages()] == ["to the demo's sandbox"]
        await choose(pilot, "profile", "demo")  # the user's own "demo"
        await settle(pilot)
        await set_message(pilot, "to the user's")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [m["message"] for m in sandbox_strict.messages()] == ["to the user's"]
        assert sandbox.request_count() == 0  # the environment won, lookups included
