"""Make ``screenshots/*.svg`` from the real app: every screen the README shows.

Run it from the repository root whenever a screen changes::

    python scripts/screenshots.py            # all of them, at 120x40
    python scripts/screenshots.py demo help  # only these

Each shot runs the app headless (``run_test``) against an in-process sandbox,
with a throwaway config and data directory (history, draft) in a temporary
directory and fake, well-formed keys: no real account, no network, and every
secret on screen is masked anyway.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

from textual.pilot import Pilot

from pullover_tui.core.client import AsyncClient
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import Config, EnvSecret, Profile, save_config
from pullover_tui.core.retry import RetryPolicy
from pullover_tui.sandbox import Sandbox, SandboxConfig, running_sandbox
from pullover_tui.tui.app import PulloverApp
from pullover_tui.tui.demo import start_demo
from pullover_tui.tui.draft_store import DRAFT_FILENAME
from pullover_tui.tui.screens.compose import ComposeScreen

SIZE = (120, 40)
OUT = Path(__file__).resolve().parent.parent / "screenshots"
TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"  # the examples of Pushover's documentation
USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"

Steps = Callable[[Pilot[None], PulloverApp], Awaitable[None]]
# A tiny valid PNG (1x1, grey): the image of the attachment shot.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c63680000000201010000182dd5a70000000049454e44ae426082"
)


async def no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


def no_wait_factory(api_url: str | None, policy: RetryPolicy, on_retry: object) -> AsyncClient:
    """Retries without the 5 s waits, so a failing send ends quickly in the history shot."""
    return AsyncClient(api_url, policy=policy, on_retry=on_retry, sleep=no_wait)  # type: ignore[arg-type]


def sample_config(api_url: str) -> Config:
    personal = Profile("personal", TOKEN, USER, sound="magic", api_url=api_url)
    ops = Profile(
        "ops",
        EnvSecret("OPS_PUSHOVER_TOKEN"),
        USER,
        priority=Priority.HIGH,
        device="pager",
        title="ops alert",
        api_url=api_url,
    )
    return Config({"personal": personal, "ops": ops}, default_profile="personal")


async def shoot(name: str, app: PulloverApp, steps: Steps) -> None:
    draft = Path(os.environ["PULLOVER_TUI_DATA"]) / DRAFT_FILENAME
    draft.unlink(missing_ok=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause(0.3)
        await steps(pilot, app)
        await pilot.pause(0.3)
        await pilot.wait_for_scheduled_animations()
        app.save_screenshot(f"{name}.svg", str(OUT))
        # The draft is written in a thread after a pause in typing: let that write end
        # now, or it could land after the next scene has begun and fill its form.
        await pilot.pause(ComposeScreen.DRAFT_SAVE_DELAY + 0.2)
        await settle(app)
    draft.unlink(missing_ok=True)
    print(f"screenshots/{name}.svg")


async def settle(app: PulloverApp) -> None:
    """Wait for the workers, but not for a receipt panel's poll (it runs until acknowledged)."""
    workers = [w for w in app.workers if w.group != "receipt-poll"]
    if workers:  # an empty list would mean "every worker"
        await app.workers.wait_for_complete(workers)


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*["enter" if ch == "\n" else ch for ch in text])


async def fill(pilot: Pilot[None], app: PulloverApp, **values: str) -> None:
    """Set inputs directly (typing every character of a long field is slow)."""
    from textual.widgets import Input

    for name, value in values.items():
        app.screen.query_one(f"#{name}", Input).value = value
    await pilot.pause()


async def choose(pilot: Pilot[None], app: PulloverApp, name: str, value: object) -> None:
    from pullover_tui.tui.widgets.choice_field import ChoiceField

    app.screen.query_one(f"#{name}", ChoiceField).value = value
    await pilot.pause()


async def compose_empty(pilot: Pilot[None], app: PulloverApp) -> None:
    await pilot.pause(0.3)


async def compose_filled(pilot: Pilot[None], app: PulloverApp) -> None:
    await type_text(pilot, "Backup of <b>db-01</b> finished in <i>4 min</i>.\n")
    await type_text(pilot, '<font color="#2ecc71">All 3 checks passed</font>')
    await fill(pilot, app, title="Nightly backup", url="https://example.com/backups/db-01")
    await fill(pilot, app, url_title="Open the report", timestamp="2026-11-28T03:15")
    await choose(pilot, app, "format", "html")
    await choose(pilot, app, "priority", Priority.HIGH)


async def validation_errors(pilot: Pilot[None], app: PulloverApp) -> None:
    await type_text(pilot, "Disk almost full on web-02")
    await choose(pilot, app, "priority", Priority.EMERGENCY)
    await fill(pilot, app, timestamp="tomorrow", ttl="soon", retry="10")
    await pilot.press("ctrl+s")


async def sending(sandbox: Sandbox, pilot: Pilot[None], app: PulloverApp) -> None:
    await settle(app)  # sounds and devices first
    sandbox.config.fail_first = 10**6  # from now on every send fails and is retried
    await type_text(pilot, "Deploy of v2.4.1 started")
    await pilot.press("ctrl+s")
    await pilot.pause(1.0)


async def sent(pilot: Pilot[None], app: PulloverApp) -> None:
    await type_text(pilot, "Deploy of v2.4.1 finished")
    await pilot.press("ctrl+s")
    await settle(app)
    await pilot.pause(0.3)


async def profiles(pilot: Pilot[None], app: PulloverApp) -> None:
    await pilot.press("f3")
    await pilot.pause(0.2)
    await pilot.press("v")
    await settle(app)


async def profile_form(pilot: Pilot[None], app: PulloverApp) -> None:
    await pilot.press("f3")
    await pilot.pause(0.2)
    await pilot.press("down", "e")
    await pilot.pause(0.3)


async def welcome(pilot: Pilot[None], app: PulloverApp) -> None:
    await pilot.pause(0.3)


async def demo(pilot: Pilot[None], app: PulloverApp) -> None:
    await type_text(pilot, "Coffee is ready")
    await pilot.press("ctrl+s")
    await settle(app)
    await fill(pilot, app, title="Build failed", url="https://ci.example.com/builds/812")
    await choose(pilot, app, "priority", Priority.HIGH)
    await type_text(pilot, "main: 2 tests failed in test_api.py")
    await pilot.press("ctrl+s")
    await settle(app)
    await pilot.pause(0.5)
    app.clear_notifications()
    await type_text(pilot, "Lunch at 12:30?")


async def attachment(pilot: Pilot[None], app: PulloverApp) -> None:
    await type_text(pilot, "Free space on db-01 over the last week")
    await fill(pilot, app, title="Disk usage", attachment="~/Pictures/disk-usage-week.png")
    await settle(app)
    await pilot.pause(0.3)


async def receipt(sandbox: Sandbox, pilot: Pilot[None], app: PulloverApp) -> None:
    await settle(app)
    await choose(pilot, app, "priority", Priority.EMERGENCY)
    await fill(pilot, app, retry="60", expire="3600", tags="db")
    await type_text(pilot, "db-01 is down: replication stopped")
    await fill(pilot, app, title="Database alert")
    await pilot.press("ctrl+s")
    await settle(app)
    await pilot.pause(0.5)
    sandbox.acknowledge(sandbox.messages()[-1]["receipt"], device="iphone")
    await pilot.pause(5.5)  # the panel polls every 5 s, as Pushover asks


async def send_some(sandbox: Sandbox, pilot: Pilot[None], app: PulloverApp) -> None:
    """A few messages for the history: sent ones, one in the outbox after Pushover failed."""
    await settle(app)
    for title, text in [
        ("Backup", "Nightly backup of db-01 finished in 4 min, 3 checks passed"),
        ("Deploy", "api 2.4.1 is live on all 6 hosts"),
        ("Cron", "certificate renewal for example.com done"),
    ]:
        await fill(pilot, app, title=title)
        await type_text(pilot, text)
        await pilot.press("ctrl+s")
        await settle(app)
    sandbox.config.fail_first = 5
    await fill(pilot, app, title="Disk alert")
    await type_text(pilot, "web-02: /var is 97% full")
    await pilot.press("ctrl+s")
    await settle(app)
    sandbox.config.fail_first = 0


async def history(pilot: Pilot[None], app: PulloverApp) -> None:
    await pilot.press("f4")
    await settle(app)
    await pilot.pause(0.3)


async def history_entry(pilot: Pilot[None], app: PulloverApp) -> None:
    """The emergency message in full, with its acknowledged receipt."""
    from pullover_tui.tui.screens.history import HistoryScreen

    await pilot.press("f4")
    await settle(app)
    await pilot.pause(0.3)
    screen = app.screen
    assert isinstance(screen, HistoryScreen)
    titles = [entry.title for entry in screen.entries.values()]
    screen.table.move_cursor(row=titles.index("Database alert"))
    await pilot.press("enter")
    await pilot.pause(1.0)


async def config_error(pilot: Pilot[None], app: PulloverApp) -> None:
    await pilot.pause(0.2)


async def help_keys(pilot: Pilot[None], app: PulloverApp) -> None:
    await pilot.press("f1")
    await pilot.pause(0.2)


async def cancel_tag(sandbox: Sandbox, pilot: Pilot[None], app: PulloverApp) -> None:
    """Two alerts tagged "backup" from a cron job (not this app), then ctrl+g stops them."""
    from pullover_tui.core.client import Client
    from pullover_tui.core.message import Message

    with Client(sandbox.url) as client:
        for host in ("db-01", "db-02"):
            text = f"Backup of {host} failed"
            alert = Message(text, priority="emergency", retry=60, expire=3600, tags="backup")
            client.send(alert, token=TOKEN, user=USER)
    await settle(app)
    await pilot.press("ctrl+g")
    await pilot.pause(0.2)
    await type_text(pilot, "backup")
    await pilot.press("enter")
    await pilot.pause(0.3)
    await settle(app)
    app.clear_notifications()
    await pilot.pause(0.1)


def in_home(home: Path, app: PulloverApp) -> PulloverApp:
    """Make ``home`` the home directory from now on (it shows as ``~`` on screen)."""
    os.environ["HOME"] = str(home)
    return app


async def main(wanted: set[str]) -> None:
    OUT.mkdir(exist_ok=True)
    os.environ["OPS_PUSHOVER_TOKEN"] = TOKEN
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HOME"] = tmp  # paths on screen read ~/.config/pullover-tui/...
        os.environ["PULLOVER_TUI_DATA"] = str(Path(tmp) / "data")  # never the real history
        pictures = Path(tmp) / "Pictures"
        pictures.mkdir()
        (pictures / "disk-usage-week.png").write_bytes(PNG)
        config = Path(tmp) / ".config" / "pullover-tui" / "config.toml"
        empty = Path(tmp) / "none.toml"
        broken_home = Path(tmp) / "other-home"
        broken = broken_home / ".config" / "pullover-tui" / "config.toml"
        broken.parent.mkdir(parents=True)
        broken.write_text('[profiles.home]\napp_token = "abc"\npriority = "urgent"\n')
        with running_sandbox(SandboxConfig(devices=("iphone", "pager"))) as sandbox:
            save_config(config, sample_config(sandbox.url))
            shots: list[tuple[str, Callable[[], PulloverApp], Steps]] = [
                ("compose-empty", lambda: PulloverApp(config), compose_empty),
                ("compose-filled", lambda: PulloverApp(config), compose_filled),
                ("validation-errors", lambda: PulloverApp(config), validation_errors),
                ("sent", lambda: PulloverApp(config), sent),
                ("profiles", lambda: PulloverApp(config), profiles),
                ("profile-form", lambda: PulloverApp(config), profile_form),
                ("welcome", lambda: PulloverApp(empty), welcome),
                ("help", lambda: PulloverApp(config), help_keys),
                ("config-error", lambda: in_home(broken_home, PulloverApp(broken)), config_error),
            ]
            for name, make, steps in shots:
                if not wanted or name in wanted:
                    await shoot(name, make(), steps)
            if not wanted or "sending" in wanted:
                await shoot("sending", PulloverApp(config), partial(sending, sandbox))
                sandbox.config.fail_first = 0
            if not wanted or "cancel-tag" in wanted:
                await shoot("cancel-tag", PulloverApp(config), partial(cancel_tag, sandbox))
            if not wanted or "compose-attachment" in wanted:
                await shoot("compose-attachment", PulloverApp(config), attachment)
            if not wanted or wanted & {"receipt", "history", "history-entry"}:
                await shoot("receipt", PulloverApp(config), partial(receipt, sandbox))
                draft = Path(os.environ["PULLOVER_TUI_DATA"]) / DRAFT_FILENAME
                draft.unlink(missing_ok=True)
                fast = PulloverApp(config, client_factory=no_wait_factory)
                async with fast.run_test(size=SIZE) as pilot:
                    await send_some(sandbox, pilot, fast)
                await shoot("history", PulloverApp(config), history)
                await shoot("history-entry", PulloverApp(config), history_entry)
        if not wanted or "demo" in wanted:
            session = start_demo()
            try:
                await shoot("demo", PulloverApp(empty, demo=session), demo)
            finally:
                session.close()


if __name__ == "__main__":
    asyncio.run(main(set(sys.argv[1:])))
