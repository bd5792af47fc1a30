"""The retry policy and both clients' loops, with a fake clock: no test sleeps for real."""

from __future__ import annotations

import random

import httpx
import pytest
import respx

from pullover_tui.core.client import AsyncClient, Client
from pullover_tui.core.errors import ClientSendError, QuotaExceededError, ServerSendError
from pullover_tui.core.limits import MIN_RETRY_WAIT
from pullover_tui.core.message import Message
from pullover_tui.core.retry import RetryNotice, RetryPolicy
from tests.conftest import TOKEN, USER
from tests.fakes import FakeClock

API = "https://api.pushover.test"
OK = httpx.Response(200, json={"status": 1, "request": "req-ok"})


def make_client(clock: FakeClock, **policy: object) -> tuple[Client, list[RetryNotice]]:
    notices: list[RetryNotice] = []
    client = Client(
        API,
        policy=RetryPolicy(**policy),  # type: ignore[arg-type]
        sleep=clock.sleep,
        clock=clock,
        rng=random.Random(7),
        on_retry=notices.append,
        # respx intercepts httpx's own transport; the default StdlibTransport is tested
        # over real sockets in tests/integration/test_transport.py.
        transport=httpx.HTTPTransport(),
    )
    return client, notices


class TestPolicy:
    def test_waits_never_under_five_seconds(self) -> None:
        rng = random.Random(1)
        policy = RetryPolicy(first_wait=0.1, max_wait=1.0)
        assert all(policy.wait_before(n, rng) >= MIN_RETRY_WAIT for n in range(2, 20))

    def test_waits_grow_and_are_capped(self) -> None:
        policy = RetryPolicy(jitter=0.0, first_wait=5, multiplier=2, max_wait=30)
        rng = random.Random(1)
        assert [policy.wait_before(n, rng) for n in range(2, 7)] == [5, 10, 20, 30, 30]

    def test_jitter_stays_within_its_share(self) -> None:
        policy = RetryPolicy(jitter=0.5, first_wait=10, max_wait=100)
        rng = random.Random(3)
        waits = [policy.wait_before(2, rng) for _ in range(200)]
        assert min(waits) >= 10 and max(waits) <= 15 and len(set(waits)) > 100


@respx.mock
def test_5xx_then_success_is_retried_with_waits() -> None:
    route = respx.post(f"{API}/1/messages.json").mock(
        side_effect=[httpx.Response(503), httpx.Response(502), OK]
    )
    clock = FakeClock()
    client, notices = make_client(clock)
    result = client.send(Message("hi"), token=TOKEN, user=USER)
    assert (result.request, result.attempts, route.call_count) == ("req-ok", 3, 3)
    assert len(clock.waits) == 2 and all(w >= 5 for w in clock.waits)
    assert clock.waits[1] > clock.waits[0]
    assert [str(n).split(" in ")[0] for n in notices] == ["attempt 2/5", "attempt 3/5"]
    assert notices[0].reason == "HTTP 503"


@respx.mock
def test_4xx_is_never_retried() -> None:
    route = respx.post(f"{API}/1/messages.json").mock(
        return_value=httpx.Response(400, json={"status": 0, "token": "invalid", "errors": ["x"]})
    )
    clock = FakeClock()
    client, _ = make_client(clock)
    with pytest.raises(ClientSendError) as info:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert route.call_count == 1 and clock.waits == []
    assert info.value.invalid_fields == ("token",)


@respx.mock
def test_429_is_not_retried() -> None:
    route = respx.post(f"{API}/1/messages.json").mock(return_value=httpx.Response(429))
    client, _ = make_client(FakeClock())
    with pytest.raises(QuotaExceededError):
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert route.call_count == 1


@respx.mock
def test_gives_up_after_max_attempts() -> None:
    route = respx.post(f"{API}/1/messages.json").mock(return_value=httpx.Response(500))
    clock = FakeClock()
    client, notices = make_client(clock, max_attempts=3)
    with pytest.raises(ServerSendError) as info:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert (info.value.attempts, info.value.status, route.call_count) == (3, 500, 3)
    assert str(info.value) == "not sent after 3 attempts: HTTP 500"
    assert len(notices) == 2


@respx.mock
def test_deadline_stops_retrying_early() -> None:
    respx.post(f"{API}/1/messages.json").mock(return_value=httpx.Response(500))
    clock = FakeClock()
    client, _ = make_client(clock, max_attempts=10, jitter=0.0, deadline=20)
    with pytest.raises(ServerSendError) as info:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert clock.waits == [5, 10]  # a third wait of 20 s would pass the 20 s deadline
    assert "deadline" in info.value.last_error


@respx.mock
@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (httpx.ConnectError("refused"), "cannot connect: refused"),
        (httpx.ReadTimeout("slow"), "no answer within 15 s"),
        (httpx.RemoteProtocolError("closed"), "the connection closed without an answer"),
    ],
)
def test_transport_errors_are_retried_and_never_escape(exc: Exception, reason: str) -> None:
    route = respx.post(f"{API}/1/messages.json").mock(side_effect=exc)
    client, _ = make_client(FakeClock(), max_attempts=2)
    with pytest.raises(ServerSendError) as info:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert info.value.last_error == reason and route.call_count == 2


@respx.mock
def test_errors_never_carry_secrets() -> None:
    respx.post(f"{API}/1/messages.json").mock(side_effect=httpx.ConnectError(f"bad {TOKEN}"))
    client, notices = make_client(FakeClock(), max_attempts=2)
    with pytest.raises(ServerSendError) as info:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert TOKEN not in str(info.value) and TOKEN not in str(notices[0])


@respx.mock
def test_user_agent_and_form_body() -> None:
    route = respx.post(f"{API}/1/messages.json").mock(return_value=OK)
    client, _ = make_client(FakeClock())
    client.send(Message("hi", title="t"), token=TOKEN, user=USER)
    request = route.calls.last.request
    assert request.headers["user-agent"].startswith("pullover-tui/")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert b"title=t" in request.content


@respx.mock
async def test_async_client_shares_the_policy() -> None:
    route = respx.post(f"{API}/1/messages.json").mock(side_effect=[httpx.Response(503), OK])
    clock = FakeClock()
    notices: list[RetryNotice] = []
    async with AsyncClient(
        API, sleep=clock.asleep, clock=clock, rng=random.Random(1), on_retry=notices.append
    ) as client:
        result = await client.send(Message("hi"), token=TOKEN, user=USER)
    assert result.attempts == 2 and route.call_count == 2 and clock.waits[0] >= 5
    assert len(notices) == 1


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(timeout=0)
