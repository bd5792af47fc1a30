"""Faults over a real loopback socket, seen through the TUI: the sandbox misbehaves, the app
tells the truth.

Each case drives the real app with Pilot against a sandbox with one fault and checks what
the screen says (status line, banner, toast), how many requests the sandbox saw, that the
waits between attempts are at least 5 s (a fake clock: the client's ``sleep`` and ``clock``
are injected through ``client_factory``, so no test here waits them), that a message not
sent stays in the form, and what its history row says: in the outbox (``failed``) after a
temporary failure, so that ``pullover-tui outbox flush`` delivers it later, once;
``rejected`` after a 4xx. Where a fault makes the client wait for an answer, the send gets
2 attempts of 0.5 s each (the app's policy: 5 of 15 s). A real-time run of the waits is
marked ``slow``.
"""

from __future__ import annotations

import asyncio
import html
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from pullover_tui.core.client import AsyncClient
from pullover_tui.core.history_entry import FAILED, REJECTED, SENT
from pullover_tui.core.limits import MIN_RETRY_WAIT
from pullover_tui.core.retry import RetryPolicy
from pullover_tui.sandbox import Sandbox
from pullover_tui.tui.api import SEND_POLICY, RetryListener
from pullover_tui.tui.app import PulloverApp
from tests.conftest import TOKEN, USER
from tests.reliability.helpers import run_main
from tests.tui.helpers import (
    compose_screen,
    form,
    history,
    notifications,
    set_message,
    settle,
    wait_until,
)

SIZE = (100, 30)
MESSAGES = "/1/messages.json"
ATTEMPTS = SEND_POLICY.max_attempts
TIMEOUT = 0.5  # seconds per attempt where a fault gives no answer (the app's own is 15 s)
SLOW_ATTEMPTS = 2  # where each attempt costs TIMEOUT of real time


@dataclass
class SendClock:
    """Makes the app's clients with a fake clock: time passes only when a client sleeps.

    The app's retry policies are kept, but ``timeout`` and ``attempts`` (when given)
    replace the send policy's. Every wait of a send (not of a lookup) is noted with
    what the status line said while it lasted.
    """

    timeout: float | None = None
    attempts: int | None = None
    now: float = 1000.0
    waits: list[float] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    app: PulloverApp | None = None

    def clock(self) -> float:
        return self.now

    def factory(
        self, api_url: str | None, policy: RetryPolicy, on_retry: RetryListener | None
    ) -> AsyncClient:
        sending = policy is SEND_POLICY
        if sending and self.timeout is not None:
            policy = replace(policy, timeout=self.timeout)
        if sending and self.attempts is not None:
            policy = replace(policy, max_attempts=self.attempts)

        async def sleep(seconds: float) -> None:
            if sending:
                self.waits.append(seconds)
                if self.app is not None:
                    self.shown.append(compose_screen(self.app).status.state_text)
            self.now += seconds
            await asyncio.sleep(0)

        return AsyncClient(
            api_url,
            policy=policy,
            on_retry=on_retry,
            sleep=sleep,
            clock=self.clock,
            rng=random.Random(1),
        )


@dataclass(frozen=True)
class Fault:
    """A way for the sandbox to fail every attempt, and the reason the app must give."""

    name: str
    settings: dict[str, Any]
    reason: str
    slow: bool = False  # each attempt waits for an answer that does not come
    maybe_delivered: bool = False  # the request went out and no usable answer came back

    @property
    def attempts(self) -> int:
        return SLOW_ATTEMPTS if self.slow else ATTEMPTS

    @property
    def title(self) -> str:
        """What the app calls it: "Not sent" only when the message surely did not arrive."""
        return "Not confirmed" if self.maybe_delivered else "Not sent"

    @property
    def gave_up(self) -> str:
        if self.maybe_delivered:
            return (
                f"not confirmed after {self.attempts} attempts: {self.reason}; it may have arrived"
            )
        return f"not sent after {self.attempts} attempts: {self.reason}"


EVERY_ATTEMPT = [
    Fault("500", {"fail_status": 500, "fail_rate": 1.0}, "HTTP 500"),
    Fault(
        "dropped",
        {"drop_connections": True},
        "the connection closed without an answer",
        maybe_delivered=True,
    ),
    # it answers only after the test (a shorter latency delivers late: see the test below)
    Fault(
        "latency",
        {"latency": 60.0},
        f"no answer within {TIMEOUT:g} s",
        slow=True,
        maybe_delivered=True,
    ),
    Fault(
        "garbage",
        {"garbage_body": True, "garbage_status": 200},
        "HTTP 200 with a body that is not Pushover's JSON",
        maybe_delivered=True,
    ),
    Fault(
        "hang", {"hang": True}, f"no answer within {TIMEOUT:g} s", slow=True, maybe_delivered=True
    ),
]


def arm(sb: Sandbox, settings: dict[str, Any]) -> None:
    for name, value in settings.items():
        setattr(sb.config, name, value)


def disarm(sb: Sandbox) -> None:
    config = sb.config
    config.fail_first, config.fail_rate, config.latency = 0, 0.0, 0.0
    config.drop_connections = config.hang = config.garbage_body = False


@pytest.fixture
def send_clock() -> SendClock:
    return SendClock()


def start(make_app: Callable[..., PulloverApp], clock: SendClock) -> PulloverApp:
    app = make_app(client_factory=clock.factory)
    clock.app = app
    return app


async def send(pilot: Any, text: str) -> None:
    await set_message(pilot, text)
    await pilot.press("ctrl+s")
    await settle(pilot)


_SVG_TEXT = re.compile(
    r'<text [^>]*x="([\d.]+)"[^>]*'
    r'clip-path="url\(#terminal-(?:\d+-)?line-(\d+)\)"[^>]*>([^<]*)</text>'
)
CELL_WIDTH = 12.2  # pixels per column in Rich's SVG export


def screen_lines(app: PulloverApp) -> list[str]:
    """The terminal as the user sees it, line by line (read back from the SVG screenshot)."""
    width, height = app.size
    grid = [[" "] * width for _ in range(height)]
    for x, line, text in _SVG_TEXT.findall(app.export_screenshot()):
        column, row = round(float(x) / CELL_WIDTH), int(line)
        for offset, char in enumerate(html.unescape(text).replace("\xa0", " ").rstrip("\n")):
            if row < height and column + offset < width:
                grid[row][column + offset] = char
    return ["".join(row).rstrip() for row in grid]


def on_screen(app: PulloverApp, text: str) -> bool:
    return any(text in line for line in screen_lines(app))


def banner(app: PulloverApp) -> str:
    return compose_screen(app).banner_text


def assert_waited_between_attempts(
    clock: SendClock, count: int, reason: str, attempts: int = ATTEMPTS
) -> None:
    """``count`` waits, none under 5 s, growing; the status said so during each."""
    assert len(clock.waits) == count, clock.waits
    assert all(wait >= MIN_RETRY_WAIT for wait in clock.waits), clock.waits
    assert clock.waits == sorted(clock.waits)
    for number, (wait, shown) in enumerate(zip(clock.waits, clock.shown, strict=True), 2):
        notice = f"attempt {number}/{attempts} in {wait:.1f} s: {reason}"
        assert shown == f"Not delivered yet, {notice} · esc cancels"


def flush_outbox(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> int:
    """``pullover-tui outbox flush`` (in-process) with the profile's keys; its exit code."""
    monkeypatch.setenv("PUSHOVER_API_URL", sb.url)
    args = ["outbox", "flush", "-a", TOKEN, "-u", USER, "--retries", "0", "--timeout", "1"]
    code, _out, err = run_main(args, b"")
    assert code in (0, 3), err
    return code


# --- temporary failures ------------------------------------------------------------------------


async def test_a_5xx_burst_then_success_is_sent_once(
    make_app: Callable[..., PulloverApp], configured: Sandbox, send_clock: SendClock
) -> None:
    app = start(make_app, send_clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        configured.config.fail_status, configured.config.fail_first = 503, 3
        await send(pilot, "after the storm")
        screen = compose_screen(app)
        assert screen.status.state_text == "Sent after 4 attempts ✓"
        assert notifications(app)[-1][0] == "Sent after 4 attempts"
        assert not banner(app) and not screen.sending
        assert form(app).read_draft().message == ""  # sent: the form is ready for the next
    assert configured.request_count(MESSAGES) == 4
    assert [m["message"] for m in configured.messages()] == ["after the storm"]
    assert_waited_between_attempts(send_clock, 3, "HTTP 503")
    [entry] = history(app)
    assert (entry.status, entry.attempts, entry.in_outbox) == (SENT, 4, False)


@pytest.mark.parametrize("fault", EVERY_ATTEMPT, ids=[f.name for f in EVERY_ATTEMPT])
async def test_failing_every_attempt_says_not_sent_and_keeps_it_for_the_outbox(
    make_app: Callable[..., PulloverApp],
    configured: Sandbox,
    send_clock: SendClock,
    monkeypatch: pytest.MonkeyPatch,
    fault: Fault,
) -> None:
    attempts = fault.attempts
    if fault.slow:
        send_clock.timeout, send_clock.attempts = TIMEOUT, attempts
    app = start(make_app, send_clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        arm(configured, fault.settings)
        await send(pilot, "disk almost full")
        screen = compose_screen(app)
        gave_up, told = fault.gave_up, fault.title
        mark = "?" if fault.maybe_delivered else "✗"
        assert screen.status.state_text == f"{told}: {gave_up}"
        assert "Sent" not in screen.status.state_text.replace("Not sent", "")
        assert banner(app).startswith(f"{mark} {told}: {gave_up}. The message is still here")
        assert "Kept in the outbox as #1 (F4)" in banner(app)
        title, text = notifications(app)[-1]
        assert title == told and text.startswith(gave_up)
        assert "still in the form" in text and "Kept in the outbox as #1" in text
        assert on_screen(app, f"{mark} {told}: {gave_up[:30]}")  # visible
        assert form(app).read_draft().message == "disk almost full"
        assert not screen.sending
        # the server thread may read the last request only after the client gave up on it
        await wait_until(pilot, lambda: configured.request_count(MESSAGES) >= attempts)
        assert configured.request_count(MESSAGES) == attempts
        assert configured.messages() == []
        assert_waited_between_attempts(send_clock, attempts - 1, fault.reason, attempts)
        [entry] = history(app)
        assert (entry.status, entry.attempts, entry.in_outbox) == (FAILED, attempts, True)
        assert entry.last_error == gave_up and entry.claimed_by is None
    # later, the outbox delivers it, once
    disarm(configured)
    assert flush_outbox(configured, monkeypatch) == 0
    assert flush_outbox(configured, monkeypatch) == 0
    assert [m["message"] for m in configured.messages()] == ["disk almost full"]
    assert configured.request_count(MESSAGES) == attempts + 1
    assert [e.status for e in history(app)] == [SENT]


async def test_quota_spent_is_one_attempt_kept_for_next_month(
    make_app: Callable[..., PulloverApp],
    configured: Sandbox,
    send_clock: SendClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = start(make_app, send_clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        configured.config.quota = 0
        await send(pilot, "next month")
        screen = compose_screen(app)
        state = screen.status.state_text
        assert state.startswith("Not sent: the app's monthly quota is spent (")
        assert "exceeded its monthly message quota" in state
        assert screen.status.quota_text.startswith("quota 0/")
        assert "Kept in the outbox as #1" in banner(app)
        assert notifications(app)[-1][0] == "Not sent"
        assert form(app).read_draft().message == "next month"
    assert configured.request_count(MESSAGES) == 1  # 429: never retried
    assert send_clock.waits == []
    [entry] = history(app)
    assert (entry.status, entry.in_outbox) == (FAILED, True)
    assert entry.last_error is not None and entry.last_error.startswith("quota spent")
    assert flush_outbox(configured, monkeypatch) == 3  # still spent: it stays
    configured.config.quota = 10
    assert flush_outbox(configured, monkeypatch) == 0
    assert [m["message"] for m in configured.messages()] == ["next month"]


# --- a refusal --------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["fault 400", "unknown user key"])
async def test_a_4xx_is_not_retried_and_recorded_as_rejected(
    make_app: Callable[..., PulloverApp],
    configured: Sandbox,
    send_clock: SendClock,
    how: str,
) -> None:
    app = start(make_app, send_clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if how == "fault 400":
            arm(configured, {"fail_status": 400, "fail_rate": 1.0})
            said = "bad request (a failure made by the sandbox on purpose)"
        else:
            configured.config.user_keys = ("gznej3rKEVAvPUxu9vvNnqpmZpokzF",)
            said = "user identifier is not a valid user, group, or subuser key"
        await send(pilot, "refused")
        screen = compose_screen(app)
        state = screen.status.state_text
        assert state.startswith("Not sent: refused by Pushover")
        errors = form(app).errors()
        if "marked fields" in state:  # only when a field is marked
            assert errors
        assert said in state or any(said in error for error in errors.values())
        assert banner(app).startswith("✗ Not sent: Pushover refused it: ")
        assert said in banner(app)
        assert "outbox" not in banner(app)
        title, text = notifications(app)[-1]
        assert title == "Refused by Pushover" and said in text and "(request " in text
        assert form(app).read_draft().message == "refused"
        assert not screen.sending
    assert configured.request_count(MESSAGES) == 1
    assert configured.messages() == [] and send_clock.waits == []
    [entry] = history(app)
    assert (entry.status, entry.attempts, entry.in_outbox) == (REJECTED, 1, False)
    assert entry.last_error is not None and entry.last_error.startswith("HTTP 400: ")


# --- real time ----------------------------------------------------------------------------------


@pytest.mark.slow
async def test_the_app_really_waits_5_s_before_a_retry(
    make_app: Callable[..., PulloverApp], configured: Sandbox
) -> None:
    """The default client, real sleep and clock: two attempts against a failing server."""

    def two_attempts(
        api_url: str | None, policy: RetryPolicy, on_retry: RetryListener | None
    ) -> AsyncClient:
        if policy is SEND_POLICY:
            policy = replace(policy, max_attempts=2)
        return AsyncClient(api_url, policy=policy, on_retry=on_retry)

    app = make_app(client_factory=two_attempts)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        configured.config.fail_rate = 1.0
        await set_message(pilot, "slowly")
        started = time.monotonic()
        await pilot.press("ctrl+s")
        await settle(pilot)
        elapsed = time.monotonic() - started
        state = compose_screen(app).status.state_text
    assert state == "Not sent: not sent after 2 attempts: HTTP 503"
    assert elapsed >= MIN_RETRY_WAIT
    assert configured.request_count(MESSAGES) == 2


async def test_an_answer_later_than_the_timeout_is_not_called_not_sent(
    make_app: Callable[..., PulloverApp], configured: Sandbox
) -> None:
    clock = SendClock(timeout=TIMEOUT, attempts=SLOW_ATTEMPTS)
    app = start(make_app, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        configured.config.latency = 2 * TIMEOUT  # answers, but after the client gave up
        await send(pilot, "late")
        await wait_until(pilot, lambda: len(configured.messages()) == SLOW_ATTEMPTS)
        state = compose_screen(app).status.state_text
    assert [m["message"] for m in configured.messages()] == ["late"] * SLOW_ATTEMPTS
    assert not state.startswith("Not sent"), state
    assert state.startswith("Not confirmed: not confirmed after") and "may have arrived" in state


# --- small and colourless terminals -----------------------------------------------------------

_FILL = re.compile(r"fill: #([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})")


def colours_are_grey(svg: str) -> bool:
    """Every colour of a screenshot is a grey (Rich's default text colour #c5c8c6 allowed)."""
    fills = [tuple(int(part, 16) for part in fill) for fill in _FILL.findall(svg)]
    return bool(fills) and all(max(rgb) - min(rgb) <= 3 for rgb in fills)


async def test_a_small_colourless_terminal_still_says_not_sent(
    make_app: Callable[..., PulloverApp],
    configured: Sandbox,
    send_clock: SendClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """60x20 with NO_COLOR: no crash, all grey, help and history open, and a failure reads in
    words ("✗ Not sent"), not only as red; down to 40x12 the banner and ctrl+s remain."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = start(make_app, send_clock)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        assert app.no_color
        message = compose_screen(app).query_one("#message")
        assert message.region.width >= 20
        assert message.region.right <= 60 and message.region.bottom <= 20
        assert screen_lines(app)[-1].startswith(" ^s Send")
        arm(configured, {"fail_rate": 1.0})
        await send(pilot, "small")
        assert on_screen(app, f"✗ Not sent: not sent after {ATTEMPTS} attempts:")
        assert on_screen(app, "│ small")  # the message, still in the form
        assert colours_are_grey(app.export_screenshot())
        assert configured.request_count(MESSAGES) == ATTEMPTS
        assert [(e.status, e.in_outbox) for e in history(app)] == [(FAILED, True)]
        await pilot.press("f1")
        await settle(pilot)
        assert on_screen(app, "Keys") and on_screen(app, "f4  Messages sent")
        await pilot.press("escape")
        await pilot.press("f4")
        await settle(pilot)
        assert on_screen(app, "✗ failed") and on_screen(app, "small")
        assert colours_are_grey(app.export_screenshot())
        await pilot.press("f2")
        await settle(pilot)
        await pilot.resize_terminal(40, 12)
        await settle(pilot)
        assert on_screen(app, "✗ Not sent: not sent after")
        assert screen_lines(app)[-1].startswith(" ^s Send")
        assert form(app).read_draft().message == "small"


async def test_nothing_is_cut_off_at_60_columns(
    make_app: Callable[..., PulloverApp], configured: Sandbox
) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        screen = compose_screen(app)
        for widget in screen.query("#form-column, #side, StatusBar"):
            if widget.display:
                assert widget.region.right <= 60, widget
        assert not screen.query_one("#side").display  # the preview gives way to the form
        assert not on_screen(app, "quota")  # and the quota to the state
        await send(pilot, "fits")
        assert on_screen(app, "Sent ✓")  # the status line's state is not pushed off
        assert [m["message"] for m in configured.messages()] == ["fits"]
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert screen.query_one("#side").display and on_screen(app, "quota 9,9")
