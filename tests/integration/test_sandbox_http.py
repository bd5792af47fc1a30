"""The sandbox's HTTP plumbing: bad input, keep-alive, concurrency, and its independence."""

from __future__ import annotations

import ast
import json
import re
import socket
import ssl
import sys
import threading
from collections.abc import Iterator
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from typing import Any

import httpx
import pytest

import pullover_tui.sandbox
from pullover_tui.sandbox import Sandbox, SandboxConfig, running_sandbox
from pullover_tui.sandbox.routes import Match, Route
from tests.conftest import TOKEN, USER

MESSAGES = "/1/messages.json"
MESSAGE = {"token": TOKEN, "user": USER, "message": "hi"}
FORM = f"token={TOKEN}&user={USER}&message=hi".encode()
MULTIPART = "multipart/form-data; boundary=b"
NAMED = b'Content-Disposition: form-data; name="message"'
TLS = ssl.create_default_context()  # made once: httpx would build one per client (slow)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with running_sandbox(SandboxConfig()) as sandbox:
        yield sandbox


@pytest.fixture
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.url, timeout=5, verify=TLS) as client:
        yield client


def assert_pushover_error(answer: httpx.Response | HTTPResponse, body: bytes) -> None:
    assert answer.headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    assert data["status"] == 0 and data["errors"] and isinstance(data["request"], str)


def raw_exchange(sb: Sandbox, request: bytes) -> tuple[HTTPResponse, bytes]:
    """Send bytes as they are over a fresh socket and read one answer."""
    sock = socket.create_connection(("127.0.0.1", sb.port), timeout=5)
    with sock:
        sock.sendall(request)
        answer = HTTPResponse(sock)
        answer.begin()
        return answer, answer.read()


def post_raw(api: httpx.Client, content: bytes, content_type: str | None) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return api.post(MESSAGES, content=content, headers=headers)


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (FORM, "text/plain", 415),
        (FORM, None, 415),
        (b"<xml/>", "application/xml", 415),
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"message": {"nested": 1}}', "application/json", 400),
        (b"[" * 100_000, "application/json", 400),
        (b"message=\xff\xfe", "application/x-www-form-urlencoded", 400),
        (b"message=%ff%fe", "application/x-www-form-urlencoded", 400),
        (b"--b\r\n", "multipart/form-data", 400),  # no boundary parameter
        (b"nothing here", MULTIPART, 400),
        (b"--b\r\n" + NAMED + b"\r\n\r\nhi\r\n", MULTIPART, 400),
        (b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n", MULTIPART, 400),
        (b"--b\r\n" + NAMED + b"\r\nhi\r\n--b--\r\n", MULTIPART, 400),
        (b"--b\r\n" + NAMED + b"\r\n\r\n\xff\r\n--b--\r\n", MULTIPART, 400),
        (b"--b\r\nno colon\r\n\r\nhi\r\n--b--\r\n", MULTIPART, 400),
    ],
    ids=[
        "text/plain", "no content type", "xml", "bad json", "json array", "json nested value",
        "deep json", "form not utf-8", "form percent not utf-8", "multipart no boundary param",
        "multipart boundary absent", "multipart unterminated", "multipart part without name",
        "multipart no header end", "multipart field not utf-8", "multipart bad header line",
    ],
)  # fmt: skip
def test_unreadable_bodies_get_json_errors(
    sb: Sandbox, api: httpx.Client, content: bytes, content_type: str | None, status: int
) -> None:
    answer = post_raw(api, content, content_type)
    assert answer.status_code == status
    assert_pushover_error(answer, answer.content)
    assert "X-Limit-App-Limit" in answer.headers
    assert sb.messages() == []
    assert api.post(MESSAGES, data=MESSAGE).status_code == 200  # and the server lives on


def test_handwritten_multipart_is_understood(sb: Sandbox, api: httpx.Client) -> None:
    png = b"\x89PNG\r\n\x1a\n\r\n--notboundary"
    body = (
        b"preamble\r\n--XyZ\r\n"
        b'Content-Disposition: form-data; name="token"\r\n\r\n' + TOKEN.encode() + b"\r\n--XyZ\r\n"
        b'Content-Disposition: form-data; name="user"\r\n\r\n' + USER.encode() + b"\r\n--XyZ\r\n"
        b'Content-Disposition: form-data; name="message"\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"line 1\r\nline 2 \xe2\x9c\x93\r\n--XyZ\r\n"
        b"Content-Disposition: form-data; name=\"attachment\"; filename*=UTF-8''caf%C3%A9.png\r\n"
        b"Content-Type: image/png\r\n\r\n" + png + b"\r\n--XyZ--\r\nepilogue"
    )
    answer = post_raw(api, body, 'multipart/form-data; boundary="XyZ"')
    assert answer.status_code == 200, answer.text
    [got] = sb.messages()
    assert got["message"] == "line 1\r\nline 2 ✓"
    assert got["attachment"] == {"name": "café.png", "type": "image/png", "size": len(png)}


def test_query_string_fields_are_read_under_body_fields(sb: Sandbox, api: httpx.Client) -> None:
    answer = api.post(MESSAGES, params={"token": TOKEN, "message": "query"}, data={"user": USER})
    assert answer.status_code == 200
    api.post(MESSAGES, params={"message": "query"}, data=MESSAGE)
    assert [m["message"] for m in sb.messages()] == ["query", "hi"]


def test_missing_content_length_is_411(sb: Sandbox) -> None:
    answer, body = raw_exchange(sb, b"POST /1/messages.json HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.status == 411
    assert_pushover_error(answer, body)


def test_bad_content_length_is_400_and_closes(sb: Sandbox) -> None:
    request = b"POST /1/messages.json HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n"
    answer, body = raw_exchange(sb, request)
    assert answer.status == 400 and answer.headers["Connection"] == "close"
    assert_pushover_error(answer, body)


def test_oversized_body_is_413_and_the_connection_stays_usable(
    sb: Sandbox, api: httpx.Client
) -> None:
    answer = api.post(MESSAGES, content=b"x" * (6 * 1024 * 1024 + 1))
    assert answer.status_code == 413
    assert_pushover_error(answer, answer.content)
    assert api.post(MESSAGES, data=MESSAGE).status_code == 200
    assert sb.request_count(MESSAGES) == 2


def test_huge_declared_body_is_refused_without_reading_it(sb: Sandbox) -> None:
    request = (
        b"POST /1/messages.json HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\nmessage="
    )
    answer, body = raw_exchange(sb, request)
    assert answer.status == 413 and answer.headers["Connection"] == "close"
    assert_pushover_error(answer, body)


def test_expect_100_continue(sb: Sandbox) -> None:
    head = (
        "POST /1/messages.json HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n"
    )
    answer, _ = raw_exchange(sb, head.format(7 * 1024 * 1024).encode())
    assert answer.status == 413
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as sock:
        sock.sendall(head.format(len(FORM)).encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 100")
        sock.sendall(FORM)
        final = HTTPResponse(sock)
        final.begin()
        assert final.status == 200
    assert len(sb.messages()) == 1


def test_chunked_bodies(sb: Sandbox) -> None:
    half = len(FORM) // 2
    chunks = f"{half:x}\r\n".encode() + FORM[:half] + b"\r\n"
    chunks += f"{len(FORM) - half:x};ext=1\r\n".encode() + FORM[half:] + b"\r\n0\r\n\r\n"
    head = (
        b"POST /1/messages.json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
    )
    answer, _ = raw_exchange(sb, head + chunks)
    assert answer.status == 200 and len(sb.messages()) == 1
    answer, body = raw_exchange(sb, head + b"zz\r\n")
    assert answer.status == 400
    assert_pushover_error(answer, body)
    answer, body = raw_exchange(sb, head + b"700000\r\n")
    assert answer.status == 413
    answer, _ = raw_exchange(sb, head.replace(b"chunked", b"gzip") + b"\r\n")
    assert answer.status == 501


def test_unknown_paths_are_404(api: httpx.Client) -> None:
    for path in ("/", "/1/nope.json", "/1/messages", "/sandbox", "/1/receipts/a/b/c.json"):
        answer = api.get(path)
        assert answer.status_code == 404, path
        assert_pushover_error(answer, answer.content)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", MESSAGES, "POST"),
        ("PUT", MESSAGES, "POST"),
        ("DELETE", MESSAGES, "POST"),
        ("PATCH", "/1/sounds.json", "GET"),
        ("POST", "/1/sounds.json", "GET"),
        ("OPTIONS", "/sandbox/messages", "GET, DELETE"),
        ("GET", "/1/users/validate.json", "POST"),
    ],
)
def test_wrong_methods_are_405(api: httpx.Client, method: str, path: str, allowed: str) -> None:
    answer = api.request(method, path)
    assert answer.status_code == 405 and answer.headers["Allow"] == allowed
    assert_pushover_error(answer, answer.content)


def test_head_gets_no_body(api: httpx.Client) -> None:
    answer = api.head("/sandbox/messages")
    assert answer.status_code == 405 and answer.content == b""
    assert api.get("/sandbox/messages").status_code == 200  # the connection stays in step


def test_malformed_requests_get_json_errors(sb: Sandbox) -> None:
    for request, status in (
        (b"NONSENSE\r\n\r\n", 400),
        (b"BREW /coffee HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    ):
        answer, body = raw_exchange(sb, request)
        assert answer.status == status
        assert_pushover_error(answer, body)


def test_an_internal_error_is_a_json_500_not_a_traceback(
    sb: Sandbox, api: httpx.Client, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    def broken(app: object, request: object) -> Any:
        raise RuntimeError("bug")

    route = Route("GET", re.compile(".*"), broken)
    monkeypatch.setattr("pullover_tui.sandbox.server.match", lambda m, p: Match(route, {}, ()))
    answer = api.get("/anything")
    assert answer.status_code == 500
    assert_pushover_error(answer, answer.content)
    monkeypatch.undo()
    assert api.get("/sandbox/messages").status_code == 200
    assert capsys.readouterr().err == ""


def test_keep_alive_serves_many_requests_on_one_connection(sb: Sandbox) -> None:
    connection = HTTPConnection("127.0.0.1", sb.port, timeout=5)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    sockets = set()
    for _ in range(5):
        connection.request("POST", MESSAGES, body=FORM, headers=headers)
        answer = connection.getresponse()
        assert answer.status == 200 and answer.version == 11
        assert int(answer.headers["Content-Length"]) == len(answer.read())
        sockets.add(id(connection.sock))
    connection.close()
    assert len(sockets) == 1 and len(sb.messages()) == 5


def test_concurrent_clients_lose_nothing(sb: Sandbox) -> None:
    """The stress case: 2 clients x 2,000 messages over keep-alive, every one recorded."""
    per_client = 2_000
    answers: dict[int, list[str]] = {0: [], 1: []}
    failures: list[BaseException] = []

    def client(number: int) -> None:
        try:
            with httpx.Client(base_url=sb.url, timeout=10, verify=TLS) as session:
                for i in range(per_client):
                    data = {**MESSAGE, "message": f"client {number} message {i}"}
                    answer = session.post(MESSAGES, data=data)
                    assert answer.status_code == 200
                    answers[number].append(answer.json()["request"])
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    received = sb.messages()
    assert len(received) == 2 * per_client
    assert len({m["id"] for m in received}) == 2 * per_client
    for number in (0, 1):
        mine = [m for m in received if m["message"].startswith(f"client {number} ")]
        assert [m["request"] for m in mine] == answers[number]
        assert [m["message"] for m in mine] == [
            f"client {number} message {i}" for i in range(per_client)
        ]
    assert sb.request_count(MESSAGES) == 2 * per_client


def test_the_sandbox_imports_only_the_standard_library() -> None:
    """It must stay an independent reimplementation: no core, no Textual, no Rich."""
    package = Path(pullover_tui.sandbox.__file__).parent
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0 and node.module is not None, source.name
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                ok = top in sys.stdlib_module_names or name.startswith("pullover_tui.sandbox")
                assert ok or top == "__future__", f"{source.name} imports {name}"
