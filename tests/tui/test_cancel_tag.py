"""Stopping emergency alerts by tag from the app (ctrl+g), for alerts it did not send itself."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Static

from pullover_tui.core.client import Client
from pullover_tui.core.message import Message
from pullover_tui.tui.screens.cancel_tag import CancelByTagScreen
from tests.conftest import TOKEN, USER
from tests.tui.helpers import notifications, settle

SIZE = (100, 30)


def emergency(sandbox: Any, tags: str) -> str:
    """An emergency message sent as a cron job would, outside the app; its receipt."""
    message = Message("backup failed", priority="emergency", retry=60, expire=3600, tags=tags)
    with Client(sandbox.url) as client:
        receipt = client.send(message, token=TOKEN, user=USER).receipt
    assert receipt is not None
    return receipt


def outcome(app: Any) -> str:
    return str(app.screen.query_one("#cancel-tag-outcome", Static).content)


async def test_ctrl_g_stops_every_alert_with_the_tag(make_app: Any, configured: Any) -> None:
    tagged = [emergency(configured, "backup"), emergency(configured, "db,backup")]
    other = emergency(configured, "deploy")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, CancelByTagScreen)
        assert "profile 'personal'" in app.screen.query_one("#cancel-tag-about", Static).content
        await pilot.press("enter")  # no tag yet: the core's rule, no request
        await settle(pilot)
        assert outcome(app) == "tag: is required and must not be blank"
        app.screen.query_one("#tag", Input).value = "back,up"
        await pilot.press("enter")
        await settle(pilot)
        assert outcome(app) == "tag: must be one tag, without commas"
        assert configured.request_count("/1/receipts/cancel_by_tag/backup.json") == 0
        app.screen.query_one("#tag", Input).value = "backup"
        await pilot.press("enter")
        await settle(pilot)
        assert outcome(app) == "✓ 2 emergency messages tagged 'backup' stopped."
        assert notifications(app)[-1] == ("Alerts stopped", "2 messages tagged 'backup'")
        await pilot.press("enter")  # again: nothing left alerting with that tag
        await settle(pilot)
        assert outcome(app) == "✓ 0 emergency messages tagged 'backup' stopped."
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CancelByTagScreen)
    assert [configured.receipt(r)["expired"] for r in tagged] == [1, 1]
    assert configured.receipt(other)["expired"] == 0


async def test_a_refusal_is_shown_in_the_dialog(make_app: Any, configured: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        configured.config.fail_status, configured.config.fail_first = 400, 1
        app.screen.query_one("#tag", Input).value = "backup"
        await pilot.press("enter")
        await settle(pilot)
        assert outcome(app).startswith("Refused by Pushover: ")
        assert app.screen.query_one("#cancel-tag-outcome").has_class("-bad")
