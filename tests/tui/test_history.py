"""The history: sends recorded through the core, the F4 screen, resend and the outbox."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static

from pullover_tui.core.message import Message
from pullover_tui.core.store import HistoryStore
from pullover_tui.tui.screens.history import HistoryScreen
from pullover_tui.tui.screens.history_entry import HistoryEntryScreen
from pullover_tui.tui.widgets.choice_field import ChoiceField
from tests.conftest import TOKEN, USER
from tests.tui.helpers import compose_screen, form, history, set_message, settle

SIZE = (110, 30)
DISK = "Disk full on db-1"
MESSAGE = 5  # columns: time, status, profile, priority, title, message


def table_rows(app: Any) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_history(pilot: Any) -> HistoryScreen:
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


async def search(pilot: Any, screen: HistoryScreen, text: str) -> None:
    screen.query_one("#history-search", Input).value = text
    await pilot.pause(screen.SEARCH_DELAY + 0.05)
    await settle(pilot)


async def test_sends_are_recorded_listed_searched_resent_and_flushed(
    make_app: Any, configured: Any
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_message(pilot, "Backup done")
        await pilot.press("ctrl+s")
        await settle(pilot)
        configured.config.fail_first = 100  # Pushover down: kept in the form and the outbox
        await set_message(pilot, "Disk full on db-1")
        await pilot.press("ctrl+s")
        await settle(pilot)
        newest, oldest = history(app)
        assert (oldest.message, oldest.status) == ("Backup done", "sent")
        assert oldest.profile == "personal"
        assert oldest.request and oldest.recipients == "uQiR…RsG" and oldest.attempts == 1
        assert (newest.message, newest.status, newest.attempts) == (DISK, "failed", 5)
        assert form(app).read_draft().message == "Disk full on db-1"
        banner = compose_screen(app).banner_text
        assert f"Kept in the outbox as #{newest.id}" in banner
        await pilot.press("ctrl+s")  # the same message again: the same outbox entry, no twin
        await settle(pilot)
        again, _ = history(app)
        assert (again.id, again.status, again.attempts) == (newest.id, "failed", 10)

        screen = await open_history(pilot)
        rows = table_rows(app)
        assert [(r[2], r[3], r[5], r[1]) for r in rows] == [
            ("personal", "normal", "Disk full on db-1", "✗ failed"),
            ("personal", "normal", "Backup done", "✓ sent"),
        ]
        assert str(screen.query_one("#history-info", Static).content) == "2 of 2 shown"
        await search(pilot, screen, "disk fu")  # word beginnings, any case
        assert [r[MESSAGE] for r in table_rows(app)] == ["Disk full on db-1"]
        await search(pilot, screen, "")
        screen.query_one("#history-status", ChoiceField).value = "sent"
        await settle(pilot)
        assert [r[MESSAGE] for r in table_rows(app)] == ["Backup done"]
        screen.query_one("#history-status", ChoiceField).value = "outbox"
        await settle(pilot)
        assert [r[MESSAGE] for r in table_rows(app)] == ["Disk full on db-1"]

        # send now: claimed, sent, marked; the table follows
        configured.config.fail_first = 0
        screen.query_one(DataTable).focus()
        await pilot.press("n")
        await settle(pilot)
        assert history(app)[0].status == "sent"
        assert [m["message"] for m in configured.messages()] == ["Backup done", "Disk full on db-1"]
        assert table_rows(app) == []  # no longer in the outbox
        screen.query_one("#history-status", ChoiceField).value = ""
        await settle(pilot)
        assert not app.screen.check_action("send_now", ())  # sent: nothing to send now

        # open one in full, then resend it from there: a new entry
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryEntryScreen)
        shown = app.export_screenshot()
        assert "uQiR…RsG" in shown and oldest.request in shown
        assert TOKEN not in shown and USER not in shown
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert [e.message for e in history(app)] == ["Backup done", DISK, "Backup done"]
        assert len(configured.messages()) == 3
        assert len(table_rows(app)) == 3

        # edit and resend: back on compose with the message in the form
        await pilot.press("up", "e")  # the cursor stayed on the entry it was on: the oldest
        await settle(pilot)
        assert form(app).read_draft().message == "Disk full on db-1"
        assert compose_screen(app).profile is not None


async def test_paging_reads_a_page_at_a_time(make_app: Any, configured: Any):
    app = make_app()
    with HistoryStore(app.history_file, clock=lambda: 1_795_850_000.0) as store, store.batch():
        for number in range(250):
            text = f"job {number} finished" + (" needle" if number % 100 == 7 else "")
            store.add_pending(
                Message(text), profile="ops", token=TOKEN, user=USER, api_url=None, claim=False
            )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_history(pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 100
        assert str(screen.query_one("#history-info", Static).content) == "100 of 250 shown"
        assert table_rows(app)[0][MESSAGE] == "job 249 finished"
        table.move_cursor(row=95)
        await settle(pilot)
        assert table.row_count == 200
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.row_count == 250
        assert table_rows(app)[-1][MESSAGE] == "job 0 finished"
        await search(pilot, screen, "NEEDLE")
        assert [r[MESSAGE] for r in table_rows(app)] == [
            "job 207 finished needle",
            "job 107 finished needle",
            "job 7 finished needle",
        ]
        assert all(r[1] == "◷ pending" for r in table_rows(app))


@pytest.mark.slow
async def test_a_history_of_100000_messages_opens_and_filters_fast(make_app: Any, configured: Any):
    """Issue 7's scale: the screen reads one page of 100, never every row."""
    app = make_app()
    words = ("deploy", "backup", "disk", "cron", "certificate", "build", "job")
    with HistoryStore(app.history_file) as store, store.batch(defer_index=True):
        for number in range(100_000):
            word = words[number % len(words)]
            message = Message(f"{word} {number} finished on host-{number % 97}")
            store.add_pending(
                message, profile="ops", token=TOKEN, user=USER, api_url=None, claim=False
            )
    async with app.run_test(size=SIZE) as pilot:
        # How long these take is measured by benchmarks/history_bench.py, not asserted here.
        await settle(pilot)
        screen = await open_history(pilot)
        assert screen.query_one(DataTable).row_count == 100 and screen.total == 100_000
        screen.query_one("#history-search", Input).value = "certificate"
        await screen.workers.wait_for_complete()
        screen._run_search()  # as the pause after typing would
        await settle(pilot)
        assert screen.total == 100_000 // len(words) + 1
        assert screen.query_one(DataTable).row_count == 100
        await pilot.press("escape")
        await settle(pilot)
        assert await open_history(pilot) is screen  # built once, kept


async def test_send_now_goes_to_the_api_root_the_entry_was_recorded_for(
    make_app: Any, configured: Any
):
    """As ``outbox flush`` does: a profile that points elsewhere today does not redirect it."""
    from pullover_tui.sandbox import SandboxConfig, running_sandbox

    with running_sandbox(SandboxConfig()) as recorded_for:
        app = make_app()
        with HistoryStore(app.history_file) as store:
            entry_id = store.add_pending(
                Message("queued while the other root was in use"),
                profile="personal",
                token=TOKEN,
                user=USER,
                api_url=recorded_for.url,
                attachment_path=None,
            )
            store.release(entry_id)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = await open_history(pilot)
            screen.query_one(DataTable).focus()
            await pilot.press("n")
            await settle(pilot)
            for _ in range(40):
                if recorded_for.messages():
                    break
                await pilot.pause(0.05)
            assert history(app)[0].status == "sent"
        assert [m["message"] for m in recorded_for.messages()] == [
            "queued while the other root was in use"
        ]
        assert configured.messages() == []
