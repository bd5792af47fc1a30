"""Receipts: pure builders and readers, and the wait loop with a fake clock (no real sleeping)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import pytest

from pullover_tui.core import receipts
from pullover_tui.core.client import AsyncClient, Client
from pullover_tui.core.errors import ClientSendError, ServerSendError, ValidationError
from pullover_tui.core.receipts import (
    MIN_POLL_INTERVAL,
    ReceiptStatus,
    ReceiptWaitTimeout,
    await_acknowledgement,
    build_cancel_by_tag,
    build_cancel_receipt,
    build_get_receipt,
    read_cancel,
    read_cancel_by_tag,
    read_receipt,
    validate_receipt,
    validate_tag,
    wait_for_acknowledgement,
)
from pullover_tui.core.request import ApiRequest, TemporaryFailure
from pullover_tui.core.retry import RetryPolicy
from tests.conftest import TOKEN, USER
from tests.fakes import FakeClock

API = "https://api.pushover.test"
RECEIPT = "rLqVuqTRh62UzxtmqiaLzQmVcPgiCy"
PENDING = {
    "status": 1,
    "acknowledged": 0,
    "acknowledged_at": 0,
    "acknowledged_by": "",
    "acknowledged_by_device": "",
    "last_delivered_at": 1_700_000_060,
    "expired": 0,
    "expires_at": 1_700_003_600,
    "called_back": 0,
    "called_back_at": 0,
    "request": "req-1",
}
ACKED = {
    **PENDING,
    "acknowledged": 1,
    "acknowledged_at": 1_700_000_100,
    "acknowledged_by": USER,
    "acknowledged_by_device": "phone",
}
EXPIRED = {**PENDING, "expired": 1}


def body(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data).encode()


class FakeApi:
    """Answers each request with the next canned body, through the real reader."""

    def __init__(
        self, answers: Sequence[Mapping[str, Any]], clock: FakeClock | None = None
    ) -> None:
        self.answers = list(answers)
        self.requests: list[ApiRequest] = []
        self.polled_at: list[float] = []
        self.clock = clock

    def execute(self, request: ApiRequest, read: Any) -> Any:
        self.requests.append(request)
        if self.clock is not None:
            self.polled_at.append(self.clock.now)
            self.clock.now += 0.3  # each request takes a little time
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return read(200, {}, body(answer), 1)


class AsyncFakeApi(FakeApi):
    async def execute(self, request: ApiRequest, read: Any) -> Any:
        return FakeApi.execute(self, request, read)


class TestValidation:
    def test_receipt_must_be_30_letters_and_digits(self) -> None:
        assert validate_receipt(f" {RECEIPT} ") == RECEIPT
        for bad in ("", "   ", "abc", RECEIPT + "x", RECEIPT[:-1] + "/", None, 12):
            with pytest.raises(ValidationError) as info:
                validate_receipt(bad)
            assert info.value.field == "receipt"

    def test_tag(self) -> None:
        assert validate_tag(" deploy ") == "deploy"
        assert validate_tag("db/prod 1") == "db/prod 1"
        for bad in ("", "  ", "a,b", "x" * 101, "a\nb", None):
            with pytest.raises(ValidationError) as info:
                validate_tag(bad)
            assert info.value.field == "tag"


class TestBuilders:
    def test_get_receipt_puts_the_token_in_params(self) -> None:
        request = build_get_receipt(TOKEN, RECEIPT)
        assert (request.method, request.path) == ("GET", f"/1/receipts/{RECEIPT}.json")
        assert request.params == {"token": TOKEN}
        assert request.data == {}
        assert TOKEN not in repr(request)

    def test_cancel(self) -> None:
        request = build_cancel_receipt(TOKEN, RECEIPT)
        assert (request.method, request.path) == ("POST", f"/1/receipts/{RECEIPT}/cancel.json")
        assert request.data == {"token": TOKEN}

    def test_cancel_by_tag_encodes_the_tag(self) -> None:
        request = build_cancel_by_tag(TOKEN, "db/prod 1")
        assert request.path == "/1/receipts/cancel_by_tag/db%2Fprod%201.json"
        assert request.data == {"token": TOKEN}

    def test_bad_input_never_reaches_a_request(self) -> None:
        with pytest.raises(ValidationError, match="token"):
            build_get_receipt("short", RECEIPT)
        with pytest.raises(ValidationError, match="receipt"):
            build_cancel_receipt(TOKEN, "nope")
        with pytest.raises(ValidationError, match="tag"):
            build_cancel_by_tag(TOKEN, "a,b")


class TestReaders:
    def test_pending_receipt_zeros_are_none(self) -> None:
        status = read_receipt(200, {}, body(PENDING))
        assert status == ReceiptStatus(
            acknowledged=False,
            acknowledged_at=None,
            acknowledged_by=None,
            acknowledged_by_device=None,
            last_delivered_at=1_700_000_060,
            expired=False,
            expires_at=1_700_003_600,
            called_back=False,
            called_back_at=None,
        )
        assert (status.state, status.is_final) == ("pending", False)

    def test_acknowledged_receipt_masks_the_user_in_repr(self) -> None:
        status = read_receipt(200, {}, body(ACKED))
        assert status.acknowledged and status.acknowledged_by == USER
        assert status.acknowledged_by_device == "phone"
        assert (status.state, status.is_final) == ("acknowledged", True)
        assert USER not in repr(status) and USER not in str(status)
        assert status.acknowledged_by_masked == "uQiR…RsG"
        assert "uQiR…RsG" in repr(status)

    def test_expired(self) -> None:
        status = read_receipt(200, {}, body(EXPIRED))
        assert (status.state, status.is_final) == ("expired", True)

    def test_ints_as_text_are_read(self) -> None:
        status = read_receipt(200, {}, body({**ACKED, "acknowledged": "1", "expires_at": "9"}))
        assert status.acknowledged and status.expires_at == 9

    def test_missing_fields_are_a_temporary_failure(self) -> None:
        with pytest.raises(TemporaryFailure):
            read_receipt(200, {}, body({"status": 1, "request": "r"}))

    def test_unknown_receipt_is_a_rejection(self) -> None:
        answer = {
            "receipt": "not found",
            "errors": ["receipt not found; may be invalid or expired"],
            "status": 0,
            "request": "req-404",
        }
        with pytest.raises(ClientSendError) as info:
            read_receipt(404, {}, body(answer))
        assert info.value.status == 404 and info.value.request == "req-404"
        assert "receipt not found" in str(info.value)

    def test_cancel_readers(self) -> None:
        assert read_cancel(200, {}, body({"status": 1, "request": "req-c"})) == "req-c"
        assert read_cancel_by_tag(200, {}, body({"status": 1, "canceled": 3})) == 3
        assert read_cancel_by_tag(200, {}, body({"status": 1, "request": "r"})) == 0


class TestCalls:
    def test_get_and_cancel_go_through_the_client(self) -> None:
        api = FakeApi([ACKED])
        assert receipts.get_receipt(api, token=TOKEN, receipt=RECEIPT).acknowledged
        api.answers = [{"status": 1, "request": "req-c", "canceled": 2}]
        assert receipts.cancel_receipt(api, token=TOKEN, receipt=RECEIPT) == "req-c"
        assert receipts.cancel_by_tag(api, token=TOKEN, tag="deploy") == 2
        paths = [r.path for r in api.requests]
        assert paths == [
            f"/1/receipts/{RECEIPT}.json",
            f"/1/receipts/{RECEIPT}/cancel.json",
            "/1/receipts/cancel_by_tag/deploy.json",
        ]

    async def test_async_twins(self) -> None:
        api = AsyncFakeApi([PENDING])
        assert not (await receipts.aget_receipt(api, token=TOKEN, receipt=RECEIPT)).acknowledged
        api.answers = [{"status": 1, "request": "req-c", "canceled": 1}]
        assert await receipts.acancel_receipt(api, token=TOKEN, receipt=RECEIPT) == "req-c"
        assert await receipts.acancel_by_tag(api, token=TOKEN, tag="deploy") == 1

    def test_the_token_in_a_get_url_never_shows_in_an_error(self) -> None:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

        policy = RetryPolicy(max_attempts=1)
        client = Client(API, policy=policy, transport=httpx.MockTransport(refuse))
        with client, pytest.raises(ServerSendError) as info:
            receipts.get_receipt(client, token=TOKEN, receipt=RECEIPT)
        assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)
        assert TOKEN not in info.value.last_error

    async def test_real_async_client_reads_a_receipt(self) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            assert request.url.params["token"] == TOKEN
            return httpx.Response(200, json=ACKED)

        transport = httpx.MockTransport(answer)
        async with AsyncClient(API, transport=transport) as client:
            status = await receipts.aget_receipt(client, token=TOKEN, receipt=RECEIPT)
        assert status.acknowledged_by_device == "phone"


class TestWait:
    def run_wait(
        self, answers: Sequence[Mapping[str, Any]], **options: Any
    ) -> tuple[FakeApi, FakeClock, list[ReceiptStatus], ReceiptStatus | ReceiptWaitTimeout]:
        clock = FakeClock()
        api = FakeApi(answers, clock)
        seen: list[ReceiptStatus] = []
        options.setdefault("timeout", None)
        try:
            result: ReceiptStatus | ReceiptWaitTimeout = wait_for_acknowledgement(
                api,
                token=TOKEN,
                receipt=RECEIPT,
                sleep=clock.sleep,
                clock=clock,
                on_poll=seen.append,
                **options,
            )
        except ReceiptWaitTimeout as exc:
            result = exc
        return api, clock, seen, result

    def test_returns_when_acknowledged_and_tells_on_poll_each_time(self) -> None:
        api, _clock, seen, result = self.run_wait([PENDING, PENDING, ACKED])
        assert isinstance(result, ReceiptStatus) and result.acknowledged
        assert [s.state for s in seen] == ["pending", "pending", "acknowledged"]
        assert len(api.requests) == 3

    def test_polls_are_at_least_five_seconds_apart(self) -> None:
        api, clock, _seen, _result = self.run_wait([PENDING] * 6 + [ACKED])
        gaps = [b - a for a, b in zip(api.polled_at, api.polled_at[1:], strict=False)]
        assert gaps and all(gap >= MIN_POLL_INTERVAL for gap in gaps)
        # the request's own time counts towards the interval: no drift beyond it
        assert all(gap == pytest.approx(MIN_POLL_INTERVAL) for gap in gaps)
        assert all(s == pytest.approx(MIN_POLL_INTERVAL - 0.3) for s in clock.waits)

    @pytest.mark.parametrize("asked", [0.0, 1.0, -3.0, float("nan")])
    def test_faster_polling_is_raised_to_the_floor(self, asked: float) -> None:
        api, _clock, _seen, _result = self.run_wait([PENDING, PENDING, ACKED], poll_every=asked)
        gaps = [b - a for a, b in zip(api.polled_at, api.polled_at[1:], strict=False)]
        assert all(gap >= MIN_POLL_INTERVAL for gap in gaps)

    def test_slower_polling_is_kept(self) -> None:
        api, _clock, _seen, _result = self.run_wait([PENDING, ACKED], poll_every=30)
        assert api.polled_at[1] - api.polled_at[0] == pytest.approx(30)

    def test_returns_when_expired_or_cancelled(self) -> None:
        _api, _clock, seen, result = self.run_wait([PENDING, EXPIRED])
        assert isinstance(result, ReceiptStatus) and result.state == "expired"
        assert len(seen) == 2

    def test_deadline_raises_with_the_last_status(self) -> None:
        api, clock, seen, result = self.run_wait([PENDING], timeout=12)
        assert isinstance(result, ReceiptWaitTimeout)
        assert result.receipt == RECEIPT and result.timeout == 12
        assert result.status.state == "pending"
        assert api.polled_at == pytest.approx(
            [0.0, 5.0, 10.0]
        )  # a poll at 15 would be past the deadline
        assert clock.now <= 12
        assert len(seen) == 3
        assert "not acknowledged within 12 s" in str(result)

    def test_final_status_at_the_last_poll_wins_over_the_deadline(self) -> None:
        _api, _clock, _seen, result = self.run_wait([PENDING, PENDING, ACKED], timeout=10)
        assert isinstance(result, ReceiptStatus) and result.acknowledged

    def test_bad_arguments_fail_before_any_request(self) -> None:
        for options in ({"timeout": 0}, {"timeout": -1}, {"timeout": float("nan")}):
            clock = FakeClock()
            api = FakeApi([PENDING], clock)
            with pytest.raises(ValidationError, match="timeout"):
                wait_for_acknowledgement(
                    api, token=TOKEN, receipt=RECEIPT, sleep=clock.sleep, clock=clock, **options
                )
            assert api.requests == []
        with pytest.raises(ValidationError, match="receipt"):
            wait_for_acknowledgement(FakeApi([PENDING]), token=TOKEN, receipt="x", timeout=None)

    async def test_async_wait_has_the_same_rules(self) -> None:
        clock = FakeClock()
        api = AsyncFakeApi([PENDING, PENDING, ACKED], clock)
        seen: list[ReceiptStatus] = []
        status = await await_acknowledgement(
            api,
            token=TOKEN,
            receipt=RECEIPT,
            timeout=60,
            poll_every=1,
            sleep=clock.asleep,
            clock=clock,
            on_poll=seen.append,
        )
        assert status.acknowledged and len(seen) == 3
        gaps = [b - a for a, b in zip(api.polled_at, api.polled_at[1:], strict=False)]
        assert all(gap >= MIN_POLL_INTERVAL for gap in gaps)

    async def test_async_deadline(self) -> None:
        clock = FakeClock()
        api = AsyncFakeApi([PENDING], clock)
        with pytest.raises(ReceiptWaitTimeout) as info:
            await await_acknowledgement(
                api, token=TOKEN, receipt=RECEIPT, timeout=7, sleep=clock.asleep, clock=clock
            )
        assert info.value.status.state == "pending"
        assert api.polled_at == pytest.approx([0.0, 5.0])
