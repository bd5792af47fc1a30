"""HTTP plumbing: reading requests off keep-alive connections, playing faults, writing answers."""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from pullover_tui.sandbox.app import SandboxApp
from pullover_tui.sandbox.faults import FaultKind
from pullover_tui.sandbox.forms import BodyError, FormData, parse_body, parse_query
from pullover_tui.sandbox.responses import (
    ApiRequest,
    ApiResponse,
    failure,
    garbage,
    quota_spent,
)
from pullover_tui.sandbox.routes import API_PREFIX, MESSAGES_PATH, match

MAX_BODY_BYTES = 6 * 1024 * 1024
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024  # bigger bodies are not read at all: the socket is closed
IDLE_TIMEOUT = 300.0
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")
_TOO_LARGE = f"request body is too large (at most {MAX_BODY_BYTES} bytes)"


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that can close its open connections when it stops."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, SandboxRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall on a bad resolver.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: a client going away mid-request is no news, and no traceback is shown."""

    def close_connections(self) -> None:
        """Shut every open connection, waking the threads that wait on them."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class SandboxRequestHandler(BaseHTTPRequestHandler):
    """Answers the requests of one connection, one after another (HTTP/1.1 keep-alive)."""

    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "pullover-tui-sandbox"
    sys_version = ""
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024  # headers and body leave in one write, flushed after each request
    timeout = IDLE_TIMEOUT

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sandbox logs accepted messages only (SandboxConfig.log)."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed request lines and headers, unknown methods: a JSON answer, then close."""
        reason = message or HTTPStatus(code).phrase
        if self.request_version == "HTTP/0.9":  # an unreadable request line: answer in HTTP/1.x
            self.request_version = "HTTP/1.0"
        self.close_connection = True
        self._send(failure(code, [reason]))

    def handle_expect_100(self) -> bool:
        length = self.headers.get("Content-Length", "")
        if length.strip().isdigit() and int(length) > MAX_BODY_BYTES:
            self.server.app.state.count_request(urlsplit(self.path).path)
            self.close_connection = True
            self._send(failure(413, [_TOO_LARGE]))
            return False
        accepted = super().handle_expect_100()
        self.wfile.flush()
        return accepted

    def _serve(self) -> None:
        try:
            response = self._answer()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return
        except Exception:
            self.close_connection = True
            response = failure(500, ["the sandbox failed to answer this request"])
        if response is not None:
            self._send(response)

    def _send(self, response: ApiResponse) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(response.body)

    def _answer(self) -> ApiResponse | None:
        """The answer to send, or None when a fault says to send nothing."""
        app = self.server.app
        url = urlsplit(self.path)
        app.state.count_request(url.path)
        body = self._read_body()
        if isinstance(body, ApiResponse):
            return self._finish(url.path, body)
        found = match(self.command, url.path)
        if found.route is None:
            return self._finish(url.path, _unrouted(self.command, url.path, found.allowed))
        if url.path.startswith(API_PREFIX):
            played, fault_response = self._play_fault()
            if played:
                return fault_response
        try:
            query = parse_query(url.query)
            form = parse_body(self.headers.get("Content-Type"), body)
        except BodyError as exc:
            return self._finish(url.path, failure(exc.status, [exc.reason]))
        form = FormData(form.encoding, {**query, **form.fields}, form.attachment)
        request = ApiRequest(self.command, url.path, form, found.path_args)
        return self._finish(url.path, found.route.endpoint(app, request))

    def _finish(self, path: str, response: ApiResponse) -> ApiResponse:
        """Every messages.json answer carries the quota headers."""
        names = {name for name, _ in response.headers}
        if path != MESSAGES_PATH or "X-Limit-App-Limit" in names:
            return response
        return response.with_headers(self.server.app.quota_headers(None))

    def _play_fault(self) -> tuple[bool, ApiResponse | None]:
        """(whether a fault was played, the answer it gives: None for none at all)."""
        app, stopping = self.server.app, self.server.stopping
        config = app.config
        if config.latency > 0:
            stopping.wait(config.latency)
        fault = app.faults.next_fault(config)
        if fault.kind is FaultKind.NONE:
            return False, None
        if fault.kind is FaultKind.HANG:
            stopping.wait()
        if fault.kind in (FaultKind.HANG, FaultKind.DROP):
            self.close_connection = True
            return True, None
        if fault.kind is FaultKind.GARBAGE:
            return True, garbage(fault.status)
        if fault.status == 429:
            return True, quota_spent(app.quota_headers(None, spent=True))
        phrase = _phrase(fault.status)
        return True, failure(fault.status, [f"{phrase} (a failure made by the sandbox on purpose)"])

    def _read_body(self) -> bytes | ApiResponse:
        """The whole body (at most MAX_BODY_BYTES), or the answer refusing it."""
        encoding = self.headers.get("Transfer-Encoding")
        if encoding is not None:
            if encoding.strip().lower() != "chunked":
                self.close_connection = True
                return failure(501, [f"transfer encoding {encoding!r} is not supported"])
            return self._read_chunked()
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            if self.command in ("POST", "PUT", "PATCH"):
                return failure(411, ["a Content-Length header is required"])
            return b""
        if not length_text.strip().isdigit() or not length_text.strip().isascii():
            self.close_connection = True
            return failure(400, ["the Content-Length header is not a number"])
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            self._discard(length)
            return failure(413, [_TOO_LARGE])
        body = self.rfile.read(length)
        if len(body) < length:
            raise ConnectionResetError("client closed the connection mid-body")
        return body

    def _discard(self, length: int) -> None:
        """Read and drop an oversized body so the client gets its answer, or hang up."""
        if length > DRAIN_LIMIT_BYTES:
            self.close_connection = True
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 64 * 1024))
            if not chunk:
                raise ConnectionResetError("client closed the connection mid-body")
            length -= len(chunk)

    def _read_chunked(self) -> bytes | ApiResponse:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_text = self.rfile.readline(1024).split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size_text):
                self.close_connection = True
                return failure(400, ["the chunked body is malformed"])
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > MAX_BODY_BYTES:
                self.close_connection = True
                return failure(413, [_TOO_LARGE])
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.read(2) != b"\r\n":
                self.close_connection = True
                return failure(400, ["the chunked body is malformed"])
            chunks.append(chunk)
        for _ in range(100):  # trailer fields, up to the blank line
            if self.rfile.readline(1024) in (b"\r\n", b"\n", b""):
                break
        return b"".join(chunks)


def _unrouted(method: str, path: str, allowed: tuple[str, ...]) -> ApiResponse:
    if allowed:
        sentence = f"method {method} is not allowed here (use {', '.join(allowed)})"
        return failure(405, [sentence]).with_headers((("Allow", ", ".join(allowed)),))
    return failure(404, [f"no such endpoint: {path}"])


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return f"error {status}"
