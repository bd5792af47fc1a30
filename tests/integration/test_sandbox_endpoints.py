"""The sandbox's other Pushover endpoints and its inspection API, over loopback."""

from __future__ import annotations

import io
import ssl
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import httpx
import pytest

from pullover_tui.sandbox import (
    BUILTIN_SOUNDS,
    NotARecipient,
    ReceiptClosed,
    Sandbox,
    SandboxConfig,
    UnknownReceipt,
    running_sandbox,
)
from tests.conftest import OTHER_USER, TOKEN, USER

MESSAGES = "/1/messages.json"
TLS = ssl.create_default_context()  # made once: httpx would build one per client (slow)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sb(clock: FakeClock) -> Iterator[Sandbox]:
    config = SandboxConfig(user_keys=(USER, OTHER_USER), custom_sounds=("klaxon",), clock=clock)
    with running_sandbox(config) as sandbox:
        yield sandbox


@pytest.fixture
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.url, timeout=5, verify=TLS) as client:
        yield client


def send(http: httpx.Client, **extra: Any) -> dict[str, Any]:
    answer = http.post(MESSAGES, data={"token": TOKEN, "user": USER, "message": "hi", **extra})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def emergency(http: httpx.Client, **extra: Any) -> str:
    receipt: str = send(http, priority=2, retry=60, expire=600, **extra)["receipt"]
    return receipt


def receipt_status(http: httpx.Client, receipt: str) -> dict[str, Any]:
    answer = http.get(f"/1/receipts/{receipt}.json", params={"token": TOKEN})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


# users/validate.json


def test_validate_a_user(http: httpx.Client) -> None:
    body = http.post("/1/users/validate.json", data={"token": TOKEN, "user": USER}).json()
    assert body["status"] == 1 and body["group"] == 0 and uuid.UUID(body["request"])
    assert body["devices"] == ["phone", "tablet"]
    assert body["licenses"] == ["Android", "iOS", "Desktop"]


def test_validate_with_a_device(http: httpx.Client) -> None:
    data = {"token": TOKEN, "user": USER, "device": "tablet"}
    assert http.post("/1/users/validate.json", data=data).json()["devices"] == ["tablet"]
    answer = http.post("/1/users/validate.json", data={**data, "device": "toaster"})
    assert answer.status_code == 400 and answer.json()["device"] == "invalid"


@pytest.mark.parametrize(
    ("data", "bad"),
    [
        ({"token": TOKEN, "user": "A" * 30}, "user"),  # well-formed, unknown here
        ({"token": TOKEN, "user": "short"}, "user"),
        ({"token": TOKEN}, "user"),
        ({"token": TOKEN, "user": f"{USER},{OTHER_USER}"}, "user"),
        ({"token": "nope", "user": USER}, "token"),
    ],
)
def test_validate_refusals(http: httpx.Client, data: dict[str, str], bad: str) -> None:
    answer = http.post("/1/users/validate.json", data=data)
    assert answer.status_code == 400
    body = answer.json()
    assert body[bad] == "invalid" and body["status"] == 0 and body["errors"]


def test_validate_lists_configured_devices() -> None:
    with running_sandbox(SandboxConfig(devices=("iphone", "desk"))) as sb:
        answer = httpx.post(
            f"{sb.url}/1/users/validate.json", data={"token": TOKEN, "user": USER}, verify=TLS
        )
    assert answer.json()["devices"] == ["iphone", "desk"]


# sounds.json and apps/limits.json


def test_sounds_lists_builtin_and_custom_sounds(http: httpx.Client) -> None:
    body = http.get("/1/sounds.json", params={"token": TOKEN}).json()
    assert body["status"] == 1 and uuid.UUID(body["request"])
    assert body["sounds"] == {**BUILTIN_SOUNDS, "klaxon": "klaxon"}
    assert body["sounds"]["pushover"] == "Pushover (default)"
    assert len(BUILTIN_SOUNDS) == 23


def test_sounds_and_limits_need_a_token(http: httpx.Client) -> None:
    for path in ("/1/sounds.json", "/1/apps/limits.json"):
        answer = http.get(path)
        assert answer.status_code == 400 and answer.json()["token"] == "invalid"
        assert http.get(path, params={"token": "x" * 30 + "!"}).status_code == 400


def test_limits_count_down(http: httpx.Client, clock: FakeClock) -> None:
    before = http.get("/1/apps/limits.json", params={"token": TOKEN}).json()
    assert (before["status"], before["limit"], before["remaining"]) == (1, 10_000, 10_000)
    send(http)
    after = http.get("/1/apps/limits.json", params={"token": TOKEN}).json()
    assert after["remaining"] == 9_999
    assert after["reset"] == 1_701_388_800  # 2023-12-01 00:00 UTC, after 2023-11-14
    clock.now = after["reset"] + 1.0  # a new month: a fresh quota
    assert http.get("/1/apps/limits.json", params={"token": TOKEN}).json()["remaining"] == 10_000


# receipts


def test_receipt_of_a_fresh_emergency(http: httpx.Client, clock: FakeClock) -> None:
    receipt = emergency(http)
    body = receipt_status(http, receipt)
    assert body == {
        "status": 1,
        "acknowledged": 0,
        "acknowledged_at": 0,
        "acknowledged_by": "",
        "acknowledged_by_device": "",
        "last_delivered_at": int(clock.now),
        "expired": 0,
        "expires_at": int(clock.now) + 600,
        "called_back": 0,
        "called_back_at": 0,
        "request": body["request"],
    }


def test_receipt_redelivers_then_expires(http: httpx.Client, clock: FakeClock) -> None:
    receipt = emergency(http)
    start = int(clock.now)
    clock.now += 150
    assert receipt_status(http, receipt)["last_delivered_at"] == start + 120
    clock.now += 1000
    body = receipt_status(http, receipt)
    assert body["expired"] == 1 and body["last_delivered_at"] == start + 600


def test_acknowledge_through_the_inspection_api(http: httpx.Client, clock: FakeClock) -> None:
    receipt = emergency(http, user=f"{USER},{OTHER_USER}", device="phone")
    clock.now += 70
    answer = http.post(f"/sandbox/receipts/{receipt}/acknowledge", data={"user": OTHER_USER})
    assert answer.status_code == 200 and answer.json()["acknowledged"] == 1
    body = receipt_status(http, receipt)
    assert (body["acknowledged"], body["acknowledged_at"]) == (1, int(clock.now))
    assert (body["acknowledged_by"], body["acknowledged_by_device"]) == (OTHER_USER, "phone")
    clock.now += 1000
    assert receipt_status(http, receipt)["last_delivered_at"] == int(clock.now) - 1000 - 10
    again = http.post(f"/sandbox/receipts/{receipt}/acknowledge", json={})
    assert again.status_code == 409 and again.json()["status"] == 0


def test_acknowledge_defaults_and_refusals(sb: Sandbox, http: httpx.Client) -> None:
    receipt = emergency(http)
    wrong_user = http.post(f"/sandbox/receipts/{receipt}/acknowledge", json={"user": OTHER_USER})
    assert wrong_user.status_code == 400 and wrong_user.json()["user"] == "invalid"
    answer = http.post(f"/sandbox/receipts/{receipt}/acknowledge")  # no body at all
    assert answer.status_code == 200
    assert (answer.json()["acknowledged_by"], answer.json()["acknowledged_by_device"]) == (
        USER,
        "phone",
    )
    missing = http.post(f"/sandbox/receipts/{'Z' * 30}/acknowledge")
    assert missing.status_code == 404 and missing.json()["receipt"] == "not found"


def test_acknowledge_in_process(sb: Sandbox, http: httpx.Client) -> None:
    receipt = emergency(http)
    with pytest.raises(NotARecipient):
        sb.acknowledge(receipt, user="Q" * 30)
    status = sb.acknowledge(receipt, device="tablet")
    assert status["acknowledged"] == 1 and status["acknowledged_by_device"] == "tablet"
    with pytest.raises(ReceiptClosed):
        sb.acknowledge(receipt)
    with pytest.raises(UnknownReceipt):
        sb.acknowledge("Z" * 30)
    with pytest.raises(LookupError):
        sb.receipt("Z" * 30)


def test_unknown_receipts_are_404(http: httpx.Client) -> None:
    for answer in (
        http.get(f"/1/receipts/{'Z' * 30}.json", params={"token": TOKEN}),
        http.post(f"/1/receipts/{'Z' * 30}/cancel.json", data={"token": TOKEN}),
    ):
        assert answer.status_code == 404
        body = answer.json()
        assert body["receipt"] == "not found" and body["status"] == 0 and body["errors"]
        assert uuid.UUID(body["request"])


def test_receipts_belong_to_their_app(http: httpx.Client) -> None:
    receipt = emergency(http)
    answer = http.get(f"/1/receipts/{receipt}.json", params={"token": "B" * 30})
    assert answer.status_code == 404
    assert http.get(f"/1/receipts/{receipt}.json").status_code == 400  # no token at all


def test_cancel_stops_re_alerting(http: httpx.Client, clock: FakeClock) -> None:
    receipt = emergency(http)
    clock.now += 61
    answer = http.post(f"/1/receipts/{receipt}/cancel.json", data={"token": TOKEN})
    assert answer.status_code == 200 and answer.json()["status"] == 1
    clock.now += 300
    body = receipt_status(http, receipt)
    assert body["expired"] == 1 and body["acknowledged"] == 0
    assert body["last_delivered_at"] == int(clock.now) - 300 - 1
    ack = http.post(f"/sandbox/receipts/{receipt}/acknowledge")
    assert ack.status_code == 409
    again = http.post(f"/1/receipts/{receipt}/cancel.json", data={"token": TOKEN})
    assert again.status_code == 200


def test_cancel_by_tag(http: httpx.Client) -> None:
    tagged = [emergency(http, tags="deploy"), emergency(http, tags="db,deploy")]
    other = emergency(http, tags="backup")
    acked = emergency(http, tags="deploy")
    http.post(f"/sandbox/receipts/{acked}/acknowledge")
    path = "/1/receipts/cancel_by_tag/deploy.json"
    body = http.post(path, data={"token": TOKEN}).json()
    assert (body["status"], body["canceled"]) == (1, 2) and uuid.UUID(body["request"])
    assert http.post(path, data={"token": TOKEN}).json()["canceled"] == 0
    assert [receipt_status(http, r)["expired"] for r in tagged] == [1, 1]
    assert receipt_status(http, other)["expired"] == 0
    assert receipt_status(http, acked)["acknowledged"] == 1
    assert http.post(path, data={"token": "B" * 30}).json()["canceled"] == 0


def test_cancel_by_tag_decodes_the_tag(http: httpx.Client) -> None:
    emergency(http, tags="db/prod 1")
    answer = http.post("/1/receipts/cancel_by_tag/db%2Fprod%201.json", data={"token": TOKEN})
    assert answer.json()["canceled"] == 1


def test_cancel_needs_a_valid_token(http: httpx.Client) -> None:
    receipt = emergency(http)
    answer = http.post(f"/1/receipts/{receipt}/cancel.json", data={"token": "nope"})
    assert answer.status_code == 400 and answer.json()["token"] == "invalid"
    assert http.post("/1/receipts/cancel_by_tag/x.json").status_code == 400


class CallbackRecorder(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, list[str]]]] = []
    arrived = threading.Event()

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(parse_qs(self.rfile.read(length).decode()))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.arrived.set()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_acknowledgement_is_posted_to_the_callback_url(sb: Sandbox, http: httpx.Client) -> None:
    receiver = HTTPServer(("127.0.0.1", 0), CallbackRecorder)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/acked"
        receipt = emergency(http, callback=url)
        assert sb.messages()[0]["callback"] == url
        sb.acknowledge(receipt, device="tablet")
        assert CallbackRecorder.arrived.wait(5)
    finally:
        receiver.shutdown()
        receiver.server_close()
    [form] = CallbackRecorder.received
    assert form["receipt"] == [receipt] and form["acknowledged"] == ["1"]
    assert form["acknowledged_by"] == [USER] and form["acknowledged_by_device"] == ["tablet"]
    for _ in range(100):  # the sandbox notes the delivery just after the answer
        if sb.receipt(receipt)["called_back"]:
            break
        threading.Event().wait(0.01)
    assert sb.receipt(receipt)["called_back"] == 1


# the inspection API


def test_inspection_lists_messages_oldest_first_with_keys_masked(http: httpx.Client) -> None:
    first = send(http, message="one")
    second = send(http, message="two", user=f"{USER},{OTHER_USER}")
    listed = http.get("/sandbox/messages").json()
    assert [m["request"] for m in listed] == [first["request"], second["request"]]
    assert [m["id"] for m in listed] == [1, 2]
    assert listed[1]["user"] == f"{USER[:4]}…{USER[-3:]},{OTHER_USER[:4]}…{OTHER_USER[-3:]}"
    assert listed[0]["token"] == "azGD…yUi"
    text = http.get("/sandbox/messages").text
    assert TOKEN not in text and USER not in text and OTHER_USER not in text
    expected_keys = {
        "id", "request", "receipt", "received_at", "encoding", "token", "user", "message",
        "title", "url", "url_title", "device", "html", "monospace", "priority", "sound",
        "timestamp", "ttl", "retry", "expire", "callback", "tags", "attachment",
    }  # fmt: skip
    assert set(listed[0]) == expected_keys
    assert http.get("/sandbox/messages", params={"since": 1}).json() == listed[1:]
    assert http.get("/sandbox/messages", params={"since": "x"}).status_code == 400


def test_inspection_delete_clears_messages(sb: Sandbox, http: httpx.Client) -> None:
    send(http)
    send(http)
    answer = http.delete("/sandbox/messages")
    assert answer.json() == {"status": 1, "deleted": 2}
    assert http.get("/sandbox/messages").json() == [] and sb.messages() == []
    send(http)
    assert sb.messages()[0]["id"] == 3  # ids keep counting
    assert sb.clear() == 1


def test_rejected_requests_are_not_recorded_but_counted(sb: Sandbox, http: httpx.Client) -> None:
    http.post(MESSAGES, data={"token": TOKEN, "user": USER})
    http.post(MESSAGES, data={"token": TOKEN, "user": USER, "message": "ok"})
    assert len(sb.messages()) == 1
    assert sb.request_count(MESSAGES) == 2
    http.get("/sandbox/messages")
    assert sb.request_count("/sandbox/messages") == 1 and sb.request_count() == 3


def test_on_message_and_log_lines(clock: FakeClock) -> None:
    seen: list[dict[str, Any]] = []
    log = io.StringIO()
    config = SandboxConfig(log=log, on_message=seen.append, clock=clock)
    with running_sandbox(config) as sb, httpx.Client(base_url=sb.url, verify=TLS) as http:
        plain = send(http, title="Backup", message="done\nin 3 min")
        urgent = send(http, priority=2, retry=30, expire=60)
        http.post(MESSAGES, data={"token": TOKEN, "user": USER, "message": ""})
    assert [m["request"] for m in seen] == [plain["request"], urgent["request"]]
    assert seen == sb.messages()
    lines = log.getvalue().splitlines()
    assert len(lines) == 2
    assert "normal" in lines[0] and "Backup: done in 3 min" in lines[0]
    assert plain["request"] in lines[0]
    assert "emergency" in lines[1] and urgent["receipt"] in lines[1]
    assert TOKEN not in log.getvalue() and USER not in log.getvalue()


def test_a_failing_listener_does_not_break_the_answer() -> None:
    def explode(message: dict[str, Any]) -> None:
        raise RuntimeError("listener bug")

    with running_sandbox(SandboxConfig(on_message=explode)) as sb:
        answer = httpx.post(
            f"{sb.url}{MESSAGES}",
            data={"token": TOKEN, "user": USER, "message": "hi"},
            verify=TLS,
        )
        assert answer.status_code == 200 and len(sb.messages()) == 1


def test_quiet_by_default(capsys: pytest.CaptureFixture[str], http: httpx.Client) -> None:
    send(http)
    http.get("/nope")
    assert capsys.readouterr() == ("", "")
