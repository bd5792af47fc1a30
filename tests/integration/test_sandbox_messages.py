"""The sandbox's POST /1/messages.json: Pushover's rules, answers and quota headers."""

from __future__ import annotations

import base64
import re
import ssl
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pullover_tui.sandbox import BUILTIN_SOUNDS, Sandbox, SandboxConfig, running_sandbox
from tests.conftest import OTHER_USER, TOKEN, USER

MESSAGES = "/1/messages.json"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
IMAGES = {
    "png": PNG,
    "jpeg": b"\xff\xd8\xff\xe0" + b"\x00" * 16,
    "gif": b"GIF89a" + b"\x00" * 16,
    "webp": b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8,
    "bmp": b"BM" + b"\x00" * 16,
    "heic": b"\x00\x00\x00\x18ftypheic" + b"\x00" * 12,
}
KEY = re.compile(r"[A-Za-z0-9]{30}")
TLS = ssl.create_default_context()  # made once: httpx would build one per client (slow)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with running_sandbox(SandboxConfig(custom_sounds=("klaxon",))) as sandbox:
        yield sandbox


@pytest.fixture
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.url, timeout=5, verify=TLS) as client:
        yield client


def fields(**extra: Any) -> dict[str, Any]:
    return {"token": TOKEN, "user": USER, "message": "hello", **extra}


def rejected(http: httpx.Client, **extra: Any) -> dict[str, Any]:
    """Send fields that must be refused; returns the 400 body."""
    answer = http.post(MESSAGES, data=fields(**extra))
    assert answer.status_code == 400, answer.text
    body: dict[str, Any] = answer.json()
    assert body["status"] == 0 and uuid.UUID(body["request"])
    assert body["errors"] and all(isinstance(e, str) for e in body["errors"])
    return body


def test_urlencoded_message_is_accepted_and_recorded(sb: Sandbox, http: httpx.Client) -> None:
    answer = http.post(MESSAGES, data=fields(title="Disk", priority="1", sound="magic"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == 1 and set(body) == {"status", "request"}
    assert uuid.UUID(body["request"]).version == 4
    [got] = sb.messages()
    assert got["request"] == body["request"] and got["receipt"] is None
    assert (got["message"], got["title"], got["priority"], got["sound"]) == (
        "hello",
        "Disk",
        1,
        "magic",
    )
    assert got["encoding"] == "urlencoded"
    assert got["token"] == "azGD…yUi" and got["user"] == "uQiR…RsG"


def test_json_body_is_accepted_with_native_types(sb: Sandbox, http: httpx.Client) -> None:
    payload = fields(priority=-1, html=True, timestamp=1700000000, ttl=60, title=None)
    answer = http.post(MESSAGES, json=payload)
    assert answer.status_code == 200, answer.text
    [got] = sb.messages()
    assert (got["priority"], got["html"], got["timestamp"], got["ttl"]) == (-1, 1, 1700000000, 60)
    assert got["title"] is None and got["encoding"] == "json"


@pytest.mark.parametrize("kind", sorted(IMAGES))
def test_multipart_with_an_image_attachment(sb: Sandbox, http: httpx.Client, kind: str) -> None:
    image = IMAGES[kind]
    files = {"attachment": (f"shot.{kind}", image, f"image/{kind}")}
    answer = http.post(MESSAGES, data=fields(), files=files)
    assert answer.status_code == 200, answer.text
    [got] = sb.messages()
    assert got["attachment"] == {
        "name": f"shot.{kind}",
        "type": f"image/{kind}",
        "size": len(image),
    }
    assert got["encoding"] == "multipart"


def test_attachment_that_is_not_an_image_is_refused(sb: Sandbox, http: httpx.Client) -> None:
    files = {"attachment": ("notes.png", b"just text, not a PNG", "image/png")}
    answer = http.post(MESSAGES, data=fields(), files=files)
    assert answer.status_code == 400
    assert answer.json()["attachment"] == "invalid"
    assert sb.messages() == []


def test_attachment_size_limit(sb: Sandbox, http: httpx.Client) -> None:
    at_limit = PNG + b"\x00" * (5_242_880 - len(PNG))
    files = {"attachment": ("big.png", at_limit, "image/png")}
    assert http.post(MESSAGES, data=fields(), files=files).status_code == 200
    files = {"attachment": ("big.png", at_limit + b"\x00", "image/png")}
    answer = http.post(MESSAGES, data=fields(), files=files)
    assert answer.status_code == 400 and answer.json()["attachment"] == "invalid"
    assert "5242880" in answer.json()["errors"][0]


def test_base64_attachment(sb: Sandbox, http: httpx.Client) -> None:
    encoded = base64.b64encode(PNG).decode()
    answer = http.post(
        MESSAGES, data=fields(attachment_base64=encoded, attachment_type="image/png")
    )
    assert answer.status_code == 200, answer.text
    assert sb.messages()[0]["attachment"] == {"name": None, "type": "image/png", "size": len(PNG)}


@pytest.mark.parametrize(
    ("extra", "bad"),
    [
        (
            {"attachment_base64": "%%%not base64", "attachment_type": "image/png"},
            "attachment_base64",
        ),
        ({"attachment_base64": base64.b64encode(PNG).decode()}, "attachment_type"),
        (
            {"attachment_base64": base64.b64encode(PNG).decode(), "attachment_type": "text/plain"},
            "attachment_type",
        ),
        (
            {
                "attachment_base64": base64.b64encode(b"plain").decode(),
                "attachment_type": "image/png",
            },
            "attachment_base64",
        ),
    ],
)
def test_bad_base64_attachments(http: httpx.Client, extra: dict[str, str], bad: str) -> None:
    assert rejected(http, **extra)[bad] == "invalid"


def test_file_and_base64_attachment_together_are_refused(http: httpx.Client) -> None:
    data = fields(attachment_base64=base64.b64encode(PNG).decode(), attachment_type="image/png")
    answer = http.post(MESSAGES, data=data, files={"attachment": ("a.png", PNG, "image/png")})
    assert answer.status_code == 400 and answer.json()["attachment"] == "invalid"


@pytest.mark.parametrize(
    ("extra", "bad"),
    [
        ({"token": ""}, "token"),
        ({"token": TOKEN[:-1]}, "token"),
        ({"token": TOKEN + "x"}, "token"),
        ({"token": TOKEN[:-1] + "-"}, "token"),
        ({"token": TOKEN[:-1] + "é"}, "token"),
        ({"user": ""}, "user"),
        ({"user": USER[:29]}, "user"),
        ({"user": f"{USER},"}, "user"),
        ({"user": f"{USER},short"}, "user"),
        ({"user": ",".join([USER] * 51)}, "user"),
        ({"message": ""}, "message"),
        ({"message": " \n\t "}, "message"),
        ({"message": "x" * 1025}, "message"),
        ({"title": "t" * 251}, "title"),
        ({"url": "https://e.example/" + "u" * 495}, "url"),
        ({"url_title": "u" * 101}, "url_title"),
        ({"device": "my phone"}, "device"),
        ({"device": "d" * 26}, "device"),
        ({"device": "phone,"}, "device"),
        ({"html": "1", "monospace": "1"}, "monospace"),
        ({"html": "yes"}, "html"),
        ({"monospace": "2"}, "monospace"),
        ({"priority": "3"}, "priority"),
        ({"priority": "-3"}, "priority"),
        ({"priority": "high"}, "priority"),
        ({"priority": "1.0"}, "priority"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"timestamp": "-5"}, "timestamp"),
        ({"ttl": "0"}, "ttl"),
        ({"ttl": "-1"}, "ttl"),
        ({"ttl": "ten"}, "ttl"),
        ({"sound": "trumpet"}, "sound"),
        ({"priority": "2", "expire": "60"}, "retry"),
        ({"priority": "2", "retry": "29", "expire": "60"}, "retry"),
        ({"priority": "2", "retry": "thirty", "expire": "60"}, "retry"),
        ({"priority": "2", "retry": "30"}, "expire"),
        ({"priority": "2", "retry": "30", "expire": "10801"}, "expire"),
        ({"priority": "2", "retry": "30", "expire": "0"}, "expire"),
    ],
)
def test_each_rule_names_its_field(
    sb: Sandbox, http: httpx.Client, extra: dict[str, str], bad: str
) -> None:
    body = rejected(http, **extra)
    assert body[bad] == "invalid"
    assert sb.messages() == []


@pytest.mark.parametrize(
    "extra",
    [
        {"message": "x" * 1024},
        {"message": "é" * 1024},  # characters, not bytes
        {"title": "t" * 250, "url": "u" * 512, "url_title": "v" * 100},
        {"user": ",".join([USER] * 50)},
        {"user": f"{USER}, {OTHER_USER}"},
        {"device": "phone,tablet_2,d" + "d" * 24},
        {"html": "1"},
        {"monospace": "1", "html": "0"},
        {"priority": "-2"},
        {"priority": "+1"},
        {"ttl": "1", "timestamp": "0"},
        {
            "priority": "2",
            "retry": "30",
            "expire": "10800",
            "callback": "https://cb.example/x",
            "tags": "db,deploy",
        },
        {"priority": "1", "retry": "5"},  # retry and expire only matter at priority 2
        {"sound": "klaxon"},
        {"unknown_field": "ignored"},
    ],
)
def test_values_at_the_limits_are_accepted(http: httpx.Client, extra: dict[str, str]) -> None:
    answer = http.post(MESSAGES, data=fields(**extra))
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("sound", sorted(BUILTIN_SOUNDS))
def test_every_builtin_sound_is_accepted(http: httpx.Client, sound: str) -> None:
    assert http.post(MESSAGES, data=fields(sound=sound)).status_code == 200


def test_all_invalid_fields_are_reported_at_once(http: httpx.Client) -> None:
    body = rejected(http, token="bad", user="bad", message="", priority="9", sound="nope")
    assert {k for k, v in body.items() if v == "invalid"} == {
        "token",
        "user",
        "message",
        "priority",
        "sound",
    }
    assert len(body["errors"]) == 5
    assert "application token is invalid" in body["errors"]


def test_emergency_message_gets_a_receipt(sb: Sandbox, http: httpx.Client) -> None:
    data = fields(priority="2", retry="60", expire="3600", tags="db, deploy")
    body = http.post(MESSAGES, data=data).json()
    assert KEY.fullmatch(body["receipt"])
    [got] = sb.messages()
    assert (got["receipt"], got["retry"], got["expire"], got["tags"]) == (
        body["receipt"],
        60,
        3600,
        "db,deploy",
    )
    assert sb.receipt(body["receipt"])["acknowledged"] == 0


def test_quota_headers_on_every_answer(http: httpx.Client) -> None:
    first = http.post(MESSAGES, data=fields())
    limit, remaining, reset = (
        int(first.headers[f"X-Limit-App-{name}"]) for name in ("Limit", "Remaining", "Reset")
    )
    assert (limit, remaining) == (10_000, 9_999)
    assert reset > 0 and reset % 86400 == 0  # midnight UTC of a month's first day
    second = http.post(MESSAGES, data=fields(user=f"{USER},{OTHER_USER}"))
    assert second.headers["X-Limit-App-Remaining"] == "9997"  # one unit per recipient
    refused = http.post(MESSAGES, data=fields(message=""))
    assert refused.status_code == 400 and refused.headers["X-Limit-App-Remaining"] == "9997"
    garbled = http.post(MESSAGES, content=b"{", headers={"Content-Type": "application/json"})
    assert garbled.status_code == 400 and "X-Limit-App-Limit" in garbled.headers


def test_quota_is_counted_per_app_token(http: httpx.Client) -> None:
    http.post(MESSAGES, data=fields())
    other = http.post(MESSAGES, data=fields(token="B" * 30))
    assert other.headers["X-Limit-App-Remaining"] == "9999"


def test_restricted_credentials_get_pushovers_invalid_answers() -> None:
    config = SandboxConfig(app_tokens=(TOKEN,), user_keys=(USER,))
    with running_sandbox(config) as sb, httpx.Client(base_url=sb.url, verify=TLS) as http:
        assert http.post(MESSAGES, data=fields()).status_code == 200
        body = rejected(http, token="B" * 30)
        assert body["token"] == "invalid" and body["errors"] == ["application token is invalid"]
        body = rejected(http, user=OTHER_USER)
        assert body["user"] == "invalid"
        assert body["errors"] == ["user identifier is not a valid user, group, or subuser key"]
        assert rejected(http, user=f"{USER},{OTHER_USER}")["user"] == "invalid"
        assert len(sb.messages()) == 1


def test_configured_devices_are_enforced() -> None:
    config = SandboxConfig(devices=("iphone", "desk"))
    with running_sandbox(config) as sb, httpx.Client(base_url=sb.url, verify=TLS) as http:
        assert http.post(MESSAGES, data=fields(device="iphone,desk")).status_code == 200
        body = rejected(http, device="iphone,phone")
        assert body["device"] == "invalid"
        assert body["errors"] == ["device name is not valid for user"]


def test_unconfigured_devices_accept_any_wellformed_name(sb: Sandbox, http: httpx.Client) -> None:
    assert http.post(MESSAGES, data=fields(device="my-laptop_2")).status_code == 200
    assert sb.messages()[0]["device"] == "my-laptop_2"


def test_config_changes_apply_to_a_running_sandbox(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.app_tokens = (TOKEN,)
    assert rejected(http, token="C" * 30)["token"] == "invalid"
    sb.config.custom_sounds = ("gong",)
    assert http.post(MESSAGES, data=fields(sound="gong")).status_code == 200
