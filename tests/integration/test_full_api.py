"""The whole Pushover API through the library, against the sandbox over a real loopback socket.

Every feature and every failure of issue 6: emergency messages and receipts,
attachments, several recipients, sounds, users, quota. No test sleeps: the
wait loop's ``sleep`` acknowledges in the sandbox instead.
"""

from __future__ import annotations

import base64
import http.server
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pullover_tui.core import account, receipts
from pullover_tui.core.account import SoundCache
from pullover_tui.core.client import AsyncClient, Client
from pullover_tui.core.errors import (
    ClientSendError,
    QuotaExceededError,
    ServerSendError,
    ValidationError,
)
from pullover_tui.core.limits import ATTACHMENT_MAX_BYTES
from pullover_tui.core.message import Message
from pullover_tui.core.request import ApiRequest
from pullover_tui.core.retry import RetryPolicy
from pullover_tui.sandbox import SandboxConfig, mask, running_sandbox
from tests.conftest import OTHER_USER, TOKEN, USER

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DEVICES = ("iphone", "desk")


@pytest.fixture
def sb() -> Iterator[Any]:
    config = SandboxConfig(
        app_tokens=(TOKEN,),
        user_keys=(USER, OTHER_USER),
        devices=DEVICES,
        custom_sounds=("klaxon",),
    )
    with running_sandbox(config) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb: Any) -> Iterator[Client]:
    # retries never sleep for real; one retry at most
    with Client(sb.url, policy=RetryPolicy(max_attempts=2), sleep=lambda _s: None) as c:
        yield c


def emergency(text: str = "disk full", **fields: Any) -> Message:
    return Message(text, priority="emergency", retry=30, expire=3600, **fields)


# Emergency messages and receipts


def test_emergency_send_returns_a_receipt_and_reaches_the_server(sb: Any, client: Client) -> None:
    result = client.send(
        emergency(tags="deploy,db", callback="https://example.test/ack"), token=TOKEN, user=USER
    )
    assert result.receipt is not None
    receipts.validate_receipt(result.receipt)
    [got] = sb.messages()
    assert (got["priority"], got["retry"], got["expire"]) == (2, 30, 3600)
    assert (got["tags"], got["callback"], got["receipt"]) == (
        "deploy,db",
        "https://example.test/ack",
        result.receipt,
    )
    status = receipts.get_receipt(client, token=TOKEN, receipt=result.receipt)
    assert status.state == "pending" and status.acknowledged_by is None
    assert status.expires_at is not None and status.last_delivered_at is not None


def test_plain_messages_have_no_receipt(client: Client) -> None:
    assert client.send(Message("hi"), token=TOKEN, user=USER).receipt is None


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"retry": 29, "expire": 60}, "retry"),
        ({"retry": 30, "expire": 10_801}, "expire"),
        ({"expire": 60}, "retry"),
        ({"retry": 60}, "expire"),
    ],
)
def test_wrong_retry_or_expire_is_refused_locally(
    sb: Any, fields: dict[str, Any], bad: str
) -> None:
    with pytest.raises(ValidationError) as info:
        Message("x", priority=2, **fields)
    assert bad in info.value.fields
    assert sb.request_count() == 0


@pytest.mark.parametrize(
    ("retry", "expire", "bad"), [("10", "60", "retry"), ("30", "99999", "expire")]
)
def test_wrong_retry_or_expire_is_refused_by_the_server_too(
    client: Client, retry: str, expire: str, bad: str
) -> None:
    data = {"token": TOKEN, "user": USER, "message": "x", "priority": "2"}
    request = ApiRequest(
        "POST", "/1/messages.json", data={**data, "retry": retry, "expire": expire}
    )
    with pytest.raises(ClientSendError) as info:
        client.call(request)
    assert info.value.status == 400 and bad in info.value.invalid_fields


def test_unknown_receipt_is_a_rejection(sb: Any, client: Client) -> None:
    with pytest.raises(ClientSendError) as info:
        receipts.get_receipt(client, token=TOKEN, receipt="A" * 30)
    assert info.value.status == 404 and info.value.request
    assert "receipt not found" in str(info.value)
    with pytest.raises(ClientSendError):
        receipts.cancel_receipt(client, token=TOKEN, receipt="A" * 30)


def test_a_malformed_receipt_never_reaches_the_server(sb: Any, client: Client) -> None:
    with pytest.raises(ValidationError) as info:
        receipts.get_receipt(client, token=TOKEN, receipt="../messages")
    assert info.value.field == "receipt"
    assert sb.request_count() == 0


def test_acknowledgement_shows_who_on_which_device_and_when(sb: Any, client: Client) -> None:
    receipt = client.send(emergency(), token=TOKEN, user=f"{USER},{OTHER_USER}").receipt
    assert receipt is not None
    sb.acknowledge(receipt, user=OTHER_USER, device="desk")
    status = receipts.get_receipt(client, token=TOKEN, receipt=receipt)
    assert status.acknowledged and status.state == "acknowledged"
    assert (status.acknowledged_by, status.acknowledged_by_device) == (OTHER_USER, "desk")
    assert status.acknowledged_at is not None
    assert OTHER_USER not in repr(status)


def test_wait_polls_until_acknowledged(sb: Any, client: Client) -> None:
    receipt = client.send(emergency(), token=TOKEN, user=USER).receipt
    assert receipt is not None
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # the person acknowledges while we "sleep"
        sleeps.append(seconds)
        now[0] += seconds
        if len(sleeps) == 2:
            sb.acknowledge(receipt, device="iphone")

    seen: list[str] = []
    status = receipts.wait_for_acknowledgement(
        client,
        token=TOKEN,
        receipt=receipt,
        timeout=60,
        sleep=sleep,
        clock=lambda: now[0],
        on_poll=lambda s: seen.append(s.state),
    )
    assert status.acknowledged_by_device == "iphone"
    assert seen == ["pending", "pending", "acknowledged"]
    assert all(s >= 5 for s in sleeps)
    assert sb.request_count(f"/1/receipts/{receipt}.json") == 3


def test_wait_deadline(sb: Any, client: Client) -> None:
    receipt = client.send(emergency(), token=TOKEN, user=USER).receipt
    assert receipt is not None
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(receipts.ReceiptWaitTimeout) as info:
        receipts.wait_for_acknowledgement(
            client, token=TOKEN, receipt=receipt, timeout=11, sleep=sleep, clock=lambda: now[0]
        )
    assert info.value.status.state == "pending"
    assert sb.request_count(f"/1/receipts/{receipt}.json") == 3  # at 0, 5 and 10 s


async def test_async_wait_and_cancel(sb: Any) -> None:
    async with AsyncClient(sb.url) as client:
        first = (await client.send(emergency(), token=TOKEN, user=USER)).receipt
        second = (await client.send(emergency(), token=TOKEN, user=USER)).receipt
        assert first is not None and second is not None

        async def sleep(_seconds: float) -> None:
            sb.acknowledge(first)

        status = await receipts.await_acknowledgement(
            client, token=TOKEN, receipt=first, timeout=None, sleep=sleep
        )
        assert status.acknowledged_by == USER
        assert await receipts.acancel_receipt(client, token=TOKEN, receipt=second)
        status = await receipts.aget_receipt(client, token=TOKEN, receipt=second)
        assert status.state == "expired"


def test_cancel_stops_the_message(sb: Any, client: Client) -> None:
    receipt = client.send(emergency(), token=TOKEN, user=USER).receipt
    assert receipt is not None
    request_id = receipts.cancel_receipt(client, token=TOKEN, receipt=receipt)
    assert request_id
    status = receipts.get_receipt(client, token=TOKEN, receipt=receipt)
    assert status.expired and not status.acknowledged and status.state == "expired"
    with pytest.raises(ValueError):  # the sandbox: no longer open to acknowledge
        sb.acknowledge(receipt)


def test_cancel_by_tag_counts_only_open_messages_with_the_tag(sb: Any, client: Client) -> None:
    tagged = [
        client.send(emergency(tags="deploy"), token=TOKEN, user=USER).receipt,
        client.send(emergency(tags="db,deploy"), token=TOKEN, user=USER).receipt,
    ]
    other = client.send(emergency(tags="backup"), token=TOKEN, user=USER).receipt
    acked = client.send(emergency(tags="deploy"), token=TOKEN, user=USER).receipt
    sb.acknowledge(acked)
    assert receipts.cancel_by_tag(client, token=TOKEN, tag="deploy") == 2
    assert receipts.cancel_by_tag(client, token=TOKEN, tag="deploy") == 0
    for receipt in tagged:
        assert receipts.get_receipt(client, token=TOKEN, receipt=str(receipt)).expired
    assert receipts.get_receipt(client, token=TOKEN, receipt=str(other)).state == "pending"
    assert receipts.get_receipt(client, token=TOKEN, receipt=str(acked)).acknowledged


def test_cancel_by_tag_with_characters_that_need_encoding(client: Client) -> None:
    client.send(emergency(tags="db/prod 1"), token=TOKEN, user=USER)
    assert receipts.cancel_by_tag(client, token=TOKEN, tag="db/prod 1") == 1


class _CallbackCatcher(http.server.BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.bodies.append(self.rfile.read(length))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_callback_is_reported_as_called_back(sb: Any, client: Client) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CallbackCatcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ack"
        receipt = client.send(emergency(callback=url), token=TOKEN, user=USER).receipt
        assert receipt is not None
        sb.acknowledge(receipt)
        for _ in range(200):  # the sandbox calls back from a thread: up to 2 s
            status = receipts.get_receipt(client, token=TOKEN, receipt=receipt)
            if status.called_back:
                break
            threading.Event().wait(0.01)
        assert status.called_back and status.called_back_at is not None
        assert _CallbackCatcher.bodies and receipt.encode() in _CallbackCatcher.bodies[-1]
    finally:
        server.shutdown()
        server.server_close()


# Attachments


def test_attachment_from_a_path_is_sent_as_multipart(
    sb: Any, client: Client, tmp_path: Path
) -> None:
    picture = tmp_path / "graph.png"
    picture.write_bytes(PNG)
    client.send(Message("see graph", attachment=picture), token=TOKEN, user=USER)
    [got] = sb.messages()
    assert got["encoding"] == "multipart"
    assert got["attachment"] == {"name": "graph.png", "type": "image/png", "size": len(PNG)}


def test_attachment_sniffed_by_content_not_name(sb: Any, client: Client, tmp_path: Path) -> None:
    jpeg = tmp_path / "photo.png"  # the name lies: content says JPEG
    jpeg.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 32)
    with jpeg.open("rb") as stream:
        client.send(Message("photo", attachment=stream), token=TOKEN, user=USER)
    assert sb.messages()[0]["attachment"]["type"] == "image/jpeg"


def test_attachment_from_bytes(sb: Any, client: Client) -> None:
    client.send(Message("bytes", attachment=PNG), token=TOKEN, user=USER)
    assert sb.messages()[0]["attachment"]["size"] == len(PNG)


def test_non_image_oversized_and_missing_attachments_are_refused_locally(
    sb: Any, tmp_path: Path
) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    big = tmp_path / "big.png"
    big.write_bytes(PNG + b"\x00" * (ATTACHMENT_MAX_BYTES + 1 - len(PNG)))
    cases = [
        (text, "not an image"),
        (big, "at most 5,242,880 bytes"),
        (tmp_path / "gone.png", "no such file"),
    ]
    for path, words in cases:
        with pytest.raises(ValidationError) as info:
            Message("x", attachment=path)
        assert info.value.field == "attachment" and words in str(info.value)
    assert sb.request_count() == 0


def test_server_refuses_a_non_image_and_an_oversized_upload(client: Client) -> None:
    data = {"token": TOKEN, "user": USER, "message": "x"}
    for content in (b"plain text", PNG + b"\x00" * ATTACHMENT_MAX_BYTES):
        files = {"attachment": ("a.png", content, "image/png")}
        with pytest.raises(ClientSendError) as info:
            client.call(ApiRequest("POST", "/1/messages.json", data=data, files=files))
        assert "attachment" in info.value.invalid_fields


def test_attachment_base64(sb: Any, client: Client) -> None:
    encoded = base64.b64encode(PNG).decode()
    client.send(
        Message("b64", attachment_base64=encoded, attachment_type="image/png"),
        token=TOKEN,
        user=USER,
    )
    [got] = sb.messages()
    assert got["encoding"] == "urlencoded"
    assert got["attachment"] == {"name": None, "type": "image/png", "size": len(PNG)}


def test_attachment_base64_that_is_not_an_image_is_refused_by_the_server(client: Client) -> None:
    message = Message(
        "b64", attachment_base64=base64.b64encode(b"text").decode(), attachment_type="image/png"
    )
    with pytest.raises(ClientSendError) as info:
        client.send(message, token=TOKEN, user=USER)
    assert "attachment_base64" in info.value.invalid_fields


# Several recipients and quota


def test_several_recipients_in_one_message_spend_one_unit_each(sb: Any, client: Client) -> None:
    result = client.send(Message("all hands"), token=TOKEN, user=f"{USER}, {OTHER_USER}")
    [got] = sb.messages()
    assert got["user"] == f"{mask(USER)},{mask(OTHER_USER)}"
    assert result.quota is not None
    assert result.quota.limit - result.quota.remaining == 2


def test_an_unknown_recipient_among_several_is_refused(client: Client) -> None:
    with pytest.raises(ClientSendError) as info:
        client.send(Message("x"), token=TOKEN, user=f"{USER},{'Z' * 30}")
    assert "user" in info.value.invalid_fields


def test_quota_headers_and_limits_endpoint_agree(sb: Any, client: Client) -> None:
    before = account.app_limits(client, token=TOKEN)
    assert (before.limit, before.remaining) == (10_000, 10_000)
    result = client.send(Message("one"), token=TOKEN, user=USER)
    after = account.app_limits(client, token=TOKEN)
    assert result.quota == after
    assert after.remaining == before.remaining - 1 and after.reset == before.reset


def test_spent_quota() -> None:
    with running_sandbox(SandboxConfig(quota=1)) as sandbox, Client(sandbox.url) as client:
        client.send(Message("first"), token=TOKEN, user=USER)
        with pytest.raises(QuotaExceededError) as info:
            client.send(Message("second"), token=TOKEN, user=USER)
        assert info.value.quota is not None and info.value.quota.remaining == 0
        assert account.app_limits(client, token=TOKEN).remaining == 0


# Sounds


def test_sounds_include_custom_ones_and_are_cached(sb: Any, client: Client) -> None:
    cache = SoundCache()
    sounds = account.list_sounds(client, token=TOKEN, cache=cache)
    assert sounds["pushover"] == "Pushover (default)" and "klaxon" in sounds
    assert account.list_sounds(client, token=TOKEN, cache=cache) == sounds
    assert sb.request_count("/1/sounds.json") == 1


def test_unknown_sound_is_not_refused_locally_but_by_the_server(sb: Any, client: Client) -> None:
    message = Message("x", sound="foghorn")  # may be a custom sound: no local error
    with pytest.raises(ClientSendError) as info:
        client.send(message, token=TOKEN, user=USER)
    assert "sound" in info.value.invalid_fields
    client.send(Message("x", sound="klaxon"), token=TOKEN, user=USER)
    assert sb.messages()[-1]["sound"] == "klaxon"


def test_sounds_with_an_unknown_token(client: Client) -> None:
    with pytest.raises(ClientSendError) as info:
        account.list_sounds(client, token="Q" * 30)
    assert "token" in info.value.invalid_fields


async def test_async_sounds_and_limits(sb: Any) -> None:
    async with AsyncClient(sb.url) as client:
        assert "klaxon" in await account.alist_sounds(client, token=TOKEN)
        assert (await account.aapp_limits(client, token=TOKEN)).limit == 10_000


# Users and devices


def test_validate_user_lists_devices_and_licenses(client: Client) -> None:
    info = account.validate_user(client, token=TOKEN, user=USER)
    assert info.devices == DEVICES and not info.is_group
    assert "iOS" in info.licenses


def test_validate_user_with_a_device(client: Client) -> None:
    assert account.validate_user(client, token=TOKEN, user=USER, device="desk").devices == ("desk",)
    with pytest.raises(ClientSendError) as info:
        account.validate_user(client, token=TOKEN, user=USER, device="tv")
    assert info.value.invalid_fields == ("device",)


def test_validate_unknown_user(client: Client) -> None:
    with pytest.raises(ClientSendError) as info:
        account.validate_user(client, token=TOKEN, user="Z" * 30)
    assert info.value.invalid_fields == ("user",) and info.value.status == 400


async def test_async_validate(sb: Any) -> None:
    async with AsyncClient(sb.url) as client:
        assert (await account.avalidate_user(client, token=TOKEN, user=USER)).devices == DEVICES


# Secrets


def test_no_error_shows_the_token_from_a_get_url(sb: Any) -> None:
    sb.config.garbage_body = True  # every answer is an HTML error page: retried, then given up
    with Client(sb.url, policy=RetryPolicy(max_attempts=2), sleep=lambda _s: None) as client:
        with pytest.raises(ServerSendError) as info:
            account.list_sounds(client, token=TOKEN)
        assert info.value.attempts == 2
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)
    assert sb.request_count("/1/sounds.json") == 2


def test_httpx_request_logs_never_show_the_token_of_a_get_url(
    sb: Any, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="httpx"):
        account.list_sounds(client, token=TOKEN)
        account.app_limits(client, token=TOKEN)
    assert "/1/sounds.json?token=azGD…yUi" in caplog.text
    assert "/1/apps/limits.json" in caplog.text
    assert TOKEN not in caplog.text
