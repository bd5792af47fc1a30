"""The sync ``Client``'s default transport (``StdlibTransport``) over real loopback sockets.

A small recording HTTP/1.1 server shows what the transport does with
connections: kept alive, replaced when the server closed them, never a
request sent twice; TLS with a throwaway CA (trustme) shows verification is on.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

from pullover_tui.core.client import Client
from pullover_tui.core.errors import ServerSendError
from pullover_tui.core.message import Message
from pullover_tui.core.retry import RetryPolicy
from pullover_tui.core.transport import StdlibTransport
from tests.conftest import TOKEN, USER


@dataclass
class Seen:
    """What the server saw: one (client port, path, form body) per request."""

    requests: list[tuple[int, str, bytes]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    mode: str = "ok"  # ok | close-after | slow | garbage

    def ports(self) -> list[int]:
        return [port for port, _, _ in self.requests]


class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True
    seen: Seen


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: RecordingServer

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        seen = self.server.seen
        seen.requests.append((self.client_address[1], self.path, body))
        seen.headers.append(dict(self.headers.items()))
        if seen.mode == "garbage":
            self.wfile.write(b"this is not HTTP at all\r\n\r\n")
            self.close_connection = True
            return
        if seen.mode == "slow":
            time.sleep(1.5)
        answer = json.dumps({"status": 1, "request": f"req-{len(seen.requests)}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
        if seen.mode == "close-after":
            # An idle keep-alive connection the server drops without saying so first.
            self.close_connection = True

    do_GET = do_POST


def serve(context: ssl.SSLContext | None = None) -> Iterator[tuple[str, Seen]]:
    server = RecordingServer(("127.0.0.1", 0), Handler)
    server.seen = Seen()
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if context is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}", server.seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_server() -> Iterator[tuple[str, Seen]]:
    yield from serve()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_server(ca: trustme.CA) -> Iterator[tuple[str, Seen]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    yield from serve(context)


def one_try(timeout: float = 10.0) -> RetryPolicy:
    return RetryPolicy(max_attempts=1, timeout=timeout)


def test_it_is_the_default_and_keeps_one_connection_alive(http_server: tuple[str, Seen]) -> None:
    url, seen = http_server
    with Client(url, policy=one_try()) as client:
        assert isinstance(client._http._transport, StdlibTransport)
        results = [
            client.send(Message(f"hi {n}", title="t"), token=TOKEN, user=USER) for n in range(3)
        ]
    assert [r.request for r in results] == ["req-1", "req-2", "req-3"]
    assert len(set(seen.ports())) == 1
    _, path, body = seen.requests[0]
    assert path == "/1/messages.json"
    assert b"message=hi+0" in body and f"token={TOKEN}".encode() in body
    assert seen.headers[0]["User-Agent"].startswith("pullover-tui/")
    assert seen.headers[0]["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen.headers[0]["Content-Length"] == str(len(body))


def test_a_connection_the_server_closed_is_replaced_and_nothing_is_sent_twice(
    http_server: tuple[str, Seen],
) -> None:
    url, seen = http_server
    seen.mode = "close-after"
    with Client(url, policy=one_try()) as client:
        for n in range(3):
            time.sleep(0.05)  # let the server's close arrive, as an idle timeout would
            client.send(Message(f"hi {n}"), token=TOKEN, user=USER)
    assert [b"message=hi+" in body for _, _, body in seen.requests] == [True] * 3
    assert [body.count(b"message=hi+") for _, _, body in seen.requests] == [1] * 3
    assert sorted(body[body.index(b"message=") :][:12] for _, _, body in seen.requests) == [
        b"message=hi+0",
        b"message=hi+1",
        b"message=hi+2",
    ]
    assert len(set(seen.ports())) == 3


def test_multipart_attachments_arrive_whole(http_server: tuple[str, Seen]) -> None:
    url, seen = http_server
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    with Client(url, policy=one_try()) as client:
        client.send(Message("pic", attachment=png), token=TOKEN, user=USER)
    [(_, _, body)] = seen.requests
    assert seen.headers[0]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert png in body and b'name="attachment"' in body


def test_refused_connection_is_a_temporary_failure() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = Client(f"http://127.0.0.1:{port}", policy=one_try())
    with client, pytest.raises(ServerSendError) as failed:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert "cannot connect" in str(failed.value) and "refused" in str(failed.value)


def test_no_answer_within_the_timeout(http_server: tuple[str, Seen]) -> None:
    url, seen = http_server
    seen.mode = "slow"
    client = Client(url, policy=one_try(timeout=0.3))
    with client, pytest.raises(ServerSendError) as failed:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert "no answer within 0.3 s" in str(failed.value)
    assert len(seen.requests) == 1


def test_an_answer_that_is_not_http(http_server: tuple[str, Seen]) -> None:
    url, seen = http_server
    seen.mode = "garbage"
    with Client(url, policy=one_try()) as client, pytest.raises(ServerSendError) as failed:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert failed.value.attempts == 1
    assert TOKEN not in str(failed.value)


def test_tls_to_a_server_whose_ca_is_not_trusted_is_refused(
    https_server: tuple[str, Seen], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    url, seen = https_server
    with Client(url, policy=one_try()) as client, pytest.raises(ServerSendError) as failed:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert "certificate verify failed" in str(failed.value)
    assert seen.requests == []


def test_tls_with_a_trusted_ca_sends(
    https_server: tuple[str, Seen], ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    url, seen = https_server
    with Client(url, policy=one_try()) as client:
        first = client.send(Message("over TLS"), token=TOKEN, user=USER)
        client.send(Message("again"), token=TOKEN, user=USER)
    assert first.request == "req-1"
    assert len(seen.requests) == 2 and len(set(seen.ports())) == 1
