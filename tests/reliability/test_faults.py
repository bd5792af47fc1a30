"""Faults over real sockets: the sandbox misbehaves, the library and the CLI report it.

Each fault ends in its documented error (library) or exit code (CLI), after the right
number of attempts, never less than 5 s apart (a fake clock for the library; the CLI
waits for real once in this file), and a message the CLI could not send stays in the
outbox until ``outbox flush`` delivers it, once.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import pullover_tui
from pullover_tui.core import account, receipts
from pullover_tui.core.client import AsyncClient, Client
from pullover_tui.core.errors import ClientSendError, QuotaExceededError, ServerSendError
from pullover_tui.core.limits import MIN_RETRY_WAIT
from pullover_tui.core.message import Message
from pullover_tui.core.retry import RetryNotice, RetryPolicy
from pullover_tui.sandbox import Sandbox, SandboxConfig, running_sandbox
from tests.conftest import TOKEN, USER, run_cli
from tests.fakes import FakeClock
from tests.reliability.helpers import (
    MESSAGES,
    closed_api_url,
    history_rows,
    instant_retries,
    json_line,
    run_main,
    send_args,
)

TIMEOUT = 0.25  # seconds per attempt where a fault makes the client wait for an answer


@dataclass(frozen=True)
class Fault:
    """A way for the sandbox to fail, and what the client must make of it."""

    name: str
    settings: dict[str, Any]
    reason: str  # ServerSendError.last_error
    status: int | None  # ServerSendError.status
    maybe_delivered: bool = False  # the request went out, no usable answer came back

    def gave_up(self, attempts: int) -> str:
        """str(ServerSendError): "not sent" only when the message surely did not arrive."""
        noun = "attempt" if attempts == 1 else "attempts"
        if self.maybe_delivered:
            return f"not confirmed after {attempts} {noun}: {self.reason}; it may have arrived"
        return f"not sent after {attempts} {noun}: {self.reason}"


FAULTS = [
    Fault("500", {"fail_status": 500}, "HTTP 500", 500),
    Fault("502", {"fail_status": 502}, "HTTP 502", 502),
    Fault("503", {"fail_status": 503}, "HTTP 503", 503),
    Fault(
        "dropped",
        {"drop_connections": True},
        "the connection closed without an answer",
        None,
        maybe_delivered=True,
    ),
    Fault("garbage 502", {"garbage_body": True}, "HTTP 502", 502),
    Fault(
        "garbage 200",
        {"garbage_body": True, "garbage_status": 200},
        "HTTP 200 with a body that is not Pushover's JSON",
        200,
        maybe_delivered=True,
    ),
    # The sandbox answers (and records the message) only after the test: a late answer
    # that does land is what "not confirmed: it may have arrived" is about.
    Fault("latency", {"latency": 60.0}, f"no answer within {TIMEOUT:g} s", None, True),
    Fault("hang", {"hang": True}, f"no answer within {TIMEOUT:g} s", None, True),
]
SLOW_FAULTS = {"latency", "hang"}  # each attempt costs TIMEOUT of real time


def arm(sb: Sandbox, fault: Fault, fail_first: int = 0) -> None:
    """Make ``sb`` fail: its first ``fail_first`` API requests, or (0) every one."""
    for name, value in fault.settings.items():
        setattr(sb.config, name, value)
    if fail_first:
        sb.config.fail_first = fail_first
    elif "fail_status" in fault.settings:
        sb.config.fail_rate = 1.0  # a failure mode alone fails every request; a status needs this


def disarm(sb: Sandbox) -> None:
    config = sb.config
    config.fail_first, config.fail_rate, config.latency = 0, 0.0, 0.0
    config.drop_connections = config.hang = config.garbage_body = False


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with running_sandbox(SandboxConfig()) as sandbox:
        yield sandbox


def client_for(sb: Sandbox, clock: FakeClock, notices: list[RetryNotice], **policy: Any) -> Client:
    policy.setdefault("timeout", TIMEOUT)
    return Client(
        sb.url,
        policy=RetryPolicy(**policy),
        sleep=clock.sleep,
        clock=clock,
        rng=random.Random(1),
        on_retry=notices.append,
    )


def assert_waits(clock: FakeClock, count: int) -> None:
    assert len(clock.waits) == count
    assert all(wait >= MIN_RETRY_WAIT for wait in clock.waits), clock.waits


# --- the library ------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_library_gives_up_after_every_attempt_with_the_documented_error(
    sb: Sandbox, fault: Fault
) -> None:
    attempts = 2 if fault.name in SLOW_FAULTS else 4
    arm(sb, fault)
    clock, notices = FakeClock(1000.0), list[RetryNotice]()
    with (
        client_for(sb, clock, notices, max_attempts=attempts) as client,
        pytest.raises(ServerSendError) as failed,
    ):
        client.send(Message("hi"), token=TOKEN, user=USER)
    error = failed.value
    assert (error.attempts, error.last_error, error.status) == (
        attempts,
        fault.reason,
        fault.status,
    )
    assert str(error) == fault.gave_up(attempts)
    assert error.maybe_delivered is fault.maybe_delivered
    assert sb.request_count(MESSAGES) == attempts
    assert_waits(clock, attempts - 1)
    assert [n.next_attempt for n in notices] == list(range(2, attempts + 1))
    assert sb.messages() == []


@pytest.mark.parametrize("fault", FAULTS[:6], ids=[f.name for f in FAULTS[:6]])
def test_library_rides_out_a_burst_shorter_than_its_attempts(sb: Sandbox, fault: Fault) -> None:
    arm(sb, fault, fail_first=3)
    clock, notices = FakeClock(1000.0), list[RetryNotice]()
    with client_for(sb, clock, notices, max_attempts=5) as client:
        result = client.send(Message("after the storm"), token=TOKEN, user=USER)
    assert result.attempts == 4
    assert sb.request_count(MESSAGES) == 4
    assert_waits(clock, 3)
    assert clock.waits == sorted(clock.waits)  # backing off, never hurrying
    assert [m["message"] for m in sb.messages()] == ["after the storm"]


def test_a_deadline_ends_the_burst_early(sb: Sandbox) -> None:
    arm(sb, FAULTS[2], fail_first=10)
    clock, notices = FakeClock(1000.0), list[RetryNotice]()
    with (
        client_for(sb, clock, notices, max_attempts=10, deadline=30) as client,
        pytest.raises(ServerSendError) as failed,
    ):
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert failed.value.last_error == "HTTP 503 (deadline reached)"
    assert failed.value.attempts == sb.request_count(MESSAGES) < 10
    assert clock.now - 1000.0 <= 30


@pytest.mark.parametrize("how", ["fault 429", "quota spent"])
def test_429_is_a_quota_error_after_one_attempt(sb: Sandbox, how: str) -> None:
    if how == "fault 429":
        sb.config.fail_status, sb.config.fail_first = 429, 3
    else:
        sb.config.quota = 0
    clock, notices = FakeClock(1000.0), list[RetryNotice]()
    with (
        client_for(sb, clock, notices) as client,
        pytest.raises(QuotaExceededError) as refused,
    ):
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert refused.value.status == 429
    assert refused.value.quota is not None and refused.value.quota.remaining == 0
    assert sb.request_count(MESSAGES) == 1 and clock.waits == [] and notices == []


def test_connection_refused_is_retried_then_temporary() -> None:
    clock = FakeClock(1000.0)
    client = Client(
        closed_api_url(), policy=RetryPolicy(max_attempts=3), sleep=clock.sleep, clock=clock
    )
    with client, pytest.raises(ServerSendError) as failed:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert failed.value.attempts == 3
    assert failed.value.last_error.startswith("cannot connect")
    assert_waits(clock, 2)


@pytest.mark.parametrize("fault", [FAULTS[2], FAULTS[3], FAULTS[7]], ids=["503", "drop", "hang"])
def test_async_client_fails_the_same_way(sb: Sandbox, fault: Fault) -> None:
    arm(sb, fault)
    clock = FakeClock(1000.0)

    async def attempt() -> None:
        policy = RetryPolicy(max_attempts=2, timeout=TIMEOUT)
        async with AsyncClient(
            sb.url, policy=policy, sleep=clock.asleep, clock=clock, rng=random.Random(1)
        ) as client:
            await client.send(Message("hi"), token=TOKEN, user=USER)

    with pytest.raises(ServerSendError) as failed:
        asyncio.run(attempt())
    assert (failed.value.attempts, failed.value.last_error) == (2, fault.reason)
    assert_waits(clock, 1)


@pytest.mark.parametrize("fault", [FAULTS[2], FAULTS[3], FAULTS[6]], ids=["503", "drop", "latency"])
def test_every_other_endpoint_fails_the_same_way(sb: Sandbox, fault: Fault) -> None:
    arm(sb, fault)
    calls: list[Callable[[Client], object]] = [
        lambda c: account.list_sounds(c, token=TOKEN),
        lambda c: account.app_limits(c, token=TOKEN),
        lambda c: account.validate_user(c, token=TOKEN, user=USER),
        lambda c: receipts.get_receipt(c, token=TOKEN, receipt="r" * 30),
        lambda c: receipts.cancel_by_tag(c, token=TOKEN, tag="deploy"),
    ]
    for call in calls:
        clock, notices = FakeClock(1000.0), list[RetryNotice]()
        with (
            client_for(sb, clock, notices, max_attempts=2) as client,
            pytest.raises(ServerSendError) as failed,
        ):
            call(client)
        assert (failed.value.attempts, failed.value.last_error) == (2, fault.reason)
        assert_waits(clock, 1)


@pytest.mark.parametrize("fault", [FAULTS[2], FAULTS[3]], ids=["503", "drop"])
def test_simple_api_returns_the_failure_instead_of_raising(sb: Sandbox, fault: Fault) -> None:
    arm(sb, fault)
    policy = RetryPolicy(max_attempts=1, timeout=TIMEOUT)
    response = pullover_tui.send("hi", USER, TOKEN, api_url=sb.url, policy=policy)
    assert not response.ok and response.id is None
    assert response.status == fault.status
    assert response.errors == (fault.gave_up(1),)
    with pytest.raises(ServerSendError):
        response.raise_for_status()


# --- the command line -------------------------------------------------------------------------

FAST = ["--retries", "0", "--timeout", str(TIMEOUT)]


@pytest.fixture
def cli(sb: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run the CLI in-process against ``sb``; returns the data directory."""
    monkeypatch.setenv("PUSHOVER_API_URL", sb.url)
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_cli_send_exits_3_and_keeps_the_message_until_a_flush_sends_it_once(
    sb: Sandbox, cli: Path, fault: Fault
) -> None:
    arm(sb, fault)
    code, out, err = run_main([*send_args("--json", "kept"), *FAST], b"")
    assert code == 3, err
    report = json_line(out)
    assert (report["exit_code"], report["attempts"], report["errors"]) == (3, 1, [fault.reason])
    assert f"kept in the outbox as entry {report['history_id']}" in err
    [row] = history_rows(cli)
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert row["last_error"] == fault.gave_up(1)
    assert report["maybe_delivered"] is fault.maybe_delivered
    disarm(sb)
    for _ in range(2):  # the second flush finds nothing left to send
        code, out, err = run_main(["outbox", "flush", "-a", TOKEN, "-u", USER, *FAST], b"")
        assert code == 0, err
    assert [m["message"] for m in sb.messages()] == ["kept"]
    assert sb.request_count(MESSAGES) == 2
    assert history_rows(cli)[0]["status"] == "sent"


@pytest.mark.parametrize("fault", [FAULTS[2], FAULTS[3], FAULTS[4]], ids=["503", "drop", "garbage"])
def test_cli_default_policy_makes_five_attempts_at_least_5_s_apart(
    sb: Sandbox, cli: Path, monkeypatch: pytest.MonkeyPatch, fault: Fault
) -> None:
    waits = instant_retries(monkeypatch)  # noted, not slept: the real wait is tested below
    arm(sb, fault)
    code, out, err = run_main(list(send_args("-v", "--json", "hi")), b"")
    assert code == 3, err
    assert json_line(out)["attempts"] == 5
    notices = [line for line in err.splitlines() if re.search(r"attempt \d/5 in ", line)]
    assert len(notices) == len(waits) == 4
    assert all(wait >= MIN_RETRY_WAIT for wait in waits) and waits == sorted(waits)
    assert all(line.endswith(fault.reason) for line in notices)
    assert sb.request_count(MESSAGES) == 5
    assert history_rows(cli)[0]["attempts"] == 5


def test_cli_quota_spent_exits_1_but_keeps_the_message(sb: Sandbox, cli: Path) -> None:
    sb.config.quota = 0
    code, out, err = run_main([*send_args("--json", "next month"), *FAST], b"")
    assert code == 1, err
    assert err.startswith("pullover-tui: quota: application has exceeded its monthly")
    assert json_line(out)["http_status"] == 429
    [row] = history_rows(cli)
    assert row["status"] == "failed" and row["last_error"].startswith("quota spent")
    flush = run_main(["outbox", "flush", "-a", TOKEN, "-u", USER, *FAST], b"")
    assert flush[0] == 3  # still spent: the flush stops, the message stays
    sb.config.quota = 10
    assert run_main(["outbox", "flush", "-a", TOKEN, "-u", USER, *FAST], b"")[0] == 0
    assert [m["message"] for m in sb.messages()] == ["next month"]


def test_cli_connection_refused_exits_3_and_keeps_the_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PUSHOVER_API_URL", closed_api_url())
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(tmp_path / "data"))
    code, out, _err = run_main([*send_args("--json", "later"), *FAST], b"")
    assert code == 3
    assert json_line(out)["errors"][0].startswith("cannot connect")
    assert history_rows(tmp_path / "data")[0]["status"] == "failed"


@pytest.mark.parametrize("fault", [FAULTS[2], FAULTS[3], FAULTS[7]], ids=["503", "drop", "hang"])
@pytest.mark.parametrize(
    "command",
    [
        ["sounds"],
        ["limits"],
        ["validate", "-u", USER],
        ["receipt", "r" * 30],
        ["cancel", "--tag", "x"],
    ],
    ids=["sounds", "limits", "validate", "receipt", "cancel"],
)
def test_cli_api_commands_exit_3(sb: Sandbox, cli: Path, fault: Fault, command: list[str]) -> None:
    arm(sb, fault)
    code, out, err = run_main([*command, "-a", TOKEN, "--json", *FAST], b"")
    assert code == 3, err
    assert json_line(out)["errors"] == [fault.reason]


def test_cli_queue_tries_once_and_keeps_it(sb: Sandbox, cli: Path) -> None:
    arm(sb, FAULTS[7])  # a server that never answers
    code, out, err = run_main(
        [*send_args("--queue", "--json", "nightly"), "--timeout", "0.25"], b""
    )
    assert code == 0, err
    assert json_line(out)["queued"] is True
    assert sb.request_count(MESSAGES) == 1
    assert history_rows(cli)[0]["status"] == "failed"


def test_cli_retries_wait_at_least_5_seconds_for_real(sb: Sandbox, tmp_path: Path) -> None:
    """The one real wait of this file: ``--retries 1`` against a server failing every time."""
    sb.config.fail_rate = 1.0
    env = {"PUSHOVER_API_URL": sb.url, "PULLOVER_TUI_DATA": str(tmp_path / "data")}
    started = time.monotonic()
    proc = run_cli(*send_args("-v", "--json", "--retries", "1", "hi"), env=env)
    elapsed = time.monotonic() - started
    assert proc.returncode == 3, proc.stderr
    assert elapsed >= MIN_RETRY_WAIT
    assert json_line(proc.stdout)["attempts"] == 2
    [notice] = [line for line in proc.stderr.splitlines() if "attempt 2/2 in" in line]
    assert float(notice.split(" in ")[1].split(" s")[0]) >= MIN_RETRY_WAIT
    assert sb.request_count(MESSAGES) == 2
    [row] = history_rows(tmp_path / "data")
    assert (row["status"], row["attempts"]) == ("failed", 2)


def test_cli_flush_under_faults_stops_and_keeps_order(sb: Sandbox, cli: Path) -> None:
    sb.config.fail_rate = 1.0
    for text in ("one", "two", "three"):
        assert run_main([*send_args(text), *FAST], b"")[0] == 3
    for fault in (FAULTS[3], FAULTS[7]):  # dropped, then never answered
        disarm(sb)
        arm(sb, fault)
        code, out, err = run_main(
            ["outbox", "flush", "--json", "-a", TOKEN, "-u", USER, *FAST], b""
        )
        assert code == 3, err
        data = json_line(out)
        assert (data["stopped"], data["left"]) == (True, 3)
        assert [o["id"] for o in data["outcomes"]] == [1]  # oldest first, stops at once
    disarm(sb)
    assert run_main(["outbox", "flush", "-a", TOKEN, "-u", USER, *FAST], b"")[0] == 0
    assert [m["message"] for m in sb.messages()] == ["one", "two", "three"]
    assert [row["attempts"] for row in history_rows(cli)] == [4, 2, 2]
    assert json.loads(json.dumps(history_rows(cli)[0]["status"])) == "sent"


def test_a_refusal_is_never_retried(sb: Sandbox, cli: Path) -> None:
    sb.config.user_keys = (USER,)
    other = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"
    code, _, _err = run_main(["send", "-a", TOKEN, "-u", other, "no", "--retries", "4"], b"")
    assert code == 1
    assert sb.request_count(MESSAGES) == 1
    assert history_rows(cli)[0]["status"] == "rejected"
    assert run_main(["outbox", "flush", "-a", TOKEN, "-u", other, *FAST], b"")[0] == 0
    assert sb.request_count(MESSAGES) == 1
    with (
        Client(sb.url, policy=RetryPolicy(max_attempts=5)) as client,
        pytest.raises(ClientSendError) as refused,
    ):
        client.send(Message("no"), token=TOKEN, user=other)
    assert refused.value.invalid_fields == ("user",)
    assert sb.request_count(MESSAGES) == 2  # one more request: never a retry
