"""Sans-I/O request building and answer reading."""

from __future__ import annotations

import json

import pytest

from pullover_tui.core.endpoint import check_api_url, resolve_api_url
from pullover_tui.core.errors import ClientSendError, QuotaExceededError, ValidationError
from pullover_tui.core.message import Message
from pullover_tui.core.request import TemporaryFailure, build_send, read_answer, read_send
from tests.conftest import TOKEN, USER

QUOTA = {"x-limit-app-limit": "10000", "x-limit-app-remaining": "9998", "x-limit-app-reset": "1"}


def body(**data: object) -> bytes:
    return json.dumps(data).encode()


def test_build_send_plain_fields() -> None:
    message = Message(
        "hi",
        title="t",
        priority="high",
        url="https://x",
        url_title="x",
        timestamp=100,
        sound="magic",
        device="a,b",
        ttl=60,
        html=True,
    )
    request = build_send(message, TOKEN, USER)
    assert (request.method, request.path, request.files) == ("POST", "/1/messages.json", None)
    assert request.data == {
        "token": TOKEN,
        "user": USER,
        "message": "hi",
        "title": "t",
        "priority": "1",
        "url": "https://x",
        "url_title": "x",
        "timestamp": "100",
        "sound": "magic",
        "device": "a,b",
        "ttl": "60",
        "html": "1",
    }
    assert TOKEN not in repr(request)


def test_build_send_leaves_out_defaults() -> None:
    assert build_send(Message("hi"), TOKEN, USER).data == {
        "token": TOKEN,
        "user": USER,
        "message": "hi",
    }


def test_build_send_emergency_and_attachment() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 8
    m = Message("hi", priority=2, retry=60, expire=600, tags=["a", "b"], attachment=png)
    request = build_send(m, TOKEN, USER)
    assert request.data["retry"] == "60" and request.data["tags"] == "a,b"
    assert request.files == {"attachment": ("image", png, "image/png")}


def test_build_send_checks_credentials() -> None:
    with pytest.raises(ValidationError) as info:
        build_send(Message("hi"), "bad", USER)
    assert info.value.field == "token"


def test_success_with_quota() -> None:
    result = read_send(200, QUOTA, body(status=1, request="r1"), 2)
    assert (result.request, result.receipt, result.attempts) == ("r1", None, 2)
    assert result.quota is not None and result.quota.remaining == 9998


def test_success_with_receipt() -> None:
    assert read_send(200, {}, body(status=1, request="r", receipt="R" * 30), 1).receipt == "R" * 30


def test_rejection_names_fields() -> None:
    answer = body(user="invalid", errors=["user identifier is invalid"], status=0, request="r2")
    with pytest.raises(ClientSendError) as info:
        read_answer(400, QUOTA, answer)
    err = info.value
    assert (err.status, err.errors, err.request, err.invalid_fields) == (
        400,
        ("user identifier is invalid",),
        "r2",
        ("user",),
    )
    assert err.quota is not None


def test_status_zero_on_200_is_a_rejection() -> None:
    with pytest.raises(ClientSendError):
        read_answer(200, {}, body(status=0, errors=["nope"]))


def test_429_is_quota_exceeded() -> None:
    with pytest.raises(QuotaExceededError) as info:
        read_answer(429, {}, b"")
    assert "quota" in info.value.errors[0]


@pytest.mark.parametrize(
    ("status", "payload"),
    [
        (500, b"{}"),
        (503, b"oops"),
        (200, b"<html>502</html>"),
        (200, b"[1]"),
        (302, b""),
        (199, b""),
    ],
)
def test_temporary_failures(status: int, payload: bytes) -> None:
    with pytest.raises(TemporaryFailure):
        read_answer(status, {}, payload)


def test_4xx_without_json_is_still_a_rejection() -> None:
    with pytest.raises(ClientSendError) as info:
        read_answer(404, {}, b"<html>not found</html>")
    assert info.value.errors == ("HTTP 404",)


class TestApiUrl:
    def test_default_and_env(self) -> None:
        assert resolve_api_url(env={}) == "https://api.pushover.net"
        assert resolve_api_url(env={"PUSHOVER_API_URL": "http://127.0.0.1:1/"}) == (
            "http://127.0.0.1:1"
        )
        assert resolve_api_url("https://relay.test", env={"PUSHOVER_API_URL": "x"}) == (
            "https://relay.test"
        )

    @pytest.mark.parametrize("url", ["http://localhost:8765", "http://[::1]:1", "http://127.9.9.9"])
    def test_plain_http_for_loopback(self, url: str) -> None:
        assert check_api_url(url) == url

    @pytest.mark.parametrize(
        "url", ["http://example.com", "http://10.0.0.1", "ftp://x", "https://", "nonsense"]
    )
    def test_refused(self, url: str) -> None:
        with pytest.raises(ValidationError) as info:
            check_api_url(url)
        assert info.value.field == "api_url"
