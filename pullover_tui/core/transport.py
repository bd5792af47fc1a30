"""``StdlibTransport``: httpx's sync transport interface over the standard library.

The synchronous ``Client`` uses it so that a one-shot ``pullover-tui send``
does not import httpcore (about 75 ms of a 330 ms start on these machines);
``http.client`` is already loaded by httpx itself. The contract is httpx's:
requests in, ``httpx.Response`` out, and only httpx exceptions for transport
failures, so the client's retry loop cannot tell the difference.

- One kept-alive connection per origin. A kept connection the server has
  closed meanwhile is noticed before it is reused (as httpcore does), and a
  request is never repeated by the transport: retrying is the policy's job.
- TLS exactly as httpx's default: ``httpx.create_ssl_context()`` (certifi,
  or ``SSL_CERT_FILE``/``SSL_CERT_DIR``), verification always on, made on the
  first https connection only.
- Timeouts from the request's ``timeout`` extension (connect, then read and
  write on the socket).
- Proxies: httpx still mounts its own transport for ``HTTP(S)_PROXY``; this
  one serves direct connections only.
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
from typing import Any

import httpx

Origin = tuple[str, str, int]

_DROP_HEADERS = frozenset({b"transfer-encoding", b"content-length"})


def _seconds(timeouts: dict[str, Any], name: str) -> float | None:
    value = timeouts.get(name)
    return float(value) if value is not None else None


def _closed_by_peer(sock: socket.socket) -> bool:
    """A kept-alive socket that is readable while idle was closed (or spoke out of turn)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class StdlibTransport(httpx.BaseTransport):
    """Sends httpx requests with ``http.client``; see the module's notes."""

    def __init__(self) -> None:
        self._connections: dict[Origin, http.client.HTTPConnection] = {}
        self._ssl_context: ssl.SSLContext | None = None

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context

    def _connection(
        self, origin: Origin, timeout: float | None, request: httpx.Request
    ) -> http.client.HTTPConnection:
        connection = self._connections.get(origin)
        if connection is not None:
            if connection.sock is not None and not _closed_by_peer(connection.sock):
                return connection
            connection.close()
            del self._connections[origin]
        scheme, host, port = origin
        if scheme == "https":
            connection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=self._context()
            )
        elif scheme == "http":
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        else:
            raise httpx.UnsupportedProtocol(f"unsupported scheme {scheme!r}", request=request)
        try:
            connection.connect()
        except TimeoutError:
            connection.close()
            raise httpx.ConnectTimeout("timed out while connecting", request=request) from None
        except (OSError, ssl.SSLError) as exc:
            connection.close()
            raise httpx.ConnectError(str(exc), request=request) from None
        self._connections[origin] = connection
        return connection

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        port = url.port or (443 if scheme == "https" else 80)
        origin = (scheme, url.host, port)
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        body = request.read()
        connection = self._connection(origin, _seconds(timeouts, "connect"), request)
        assert connection.sock is not None
        phase = "write"
        try:
            connection.sock.settimeout(_seconds(timeouts, "write"))
            connection.putrequest(
                request.method,
                url.raw_path.decode("ascii"),
                skip_host=True,
                skip_accept_encoding=True,
            )
            for name, value in request.headers.raw:
                if name.lower() not in _DROP_HEADERS:
                    connection.putheader(name, value)
            if body or request.method not in ("GET", "HEAD"):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body or None)
            phase = "read"
            connection.sock.settimeout(_seconds(timeouts, "read"))
            response = connection.getresponse()
            content = response.read()
        except BaseException as exc:
            self._forget(origin)
            raise self._translate(exc, phase, request) from None
        if response.will_close:
            self._forget(origin)
        return httpx.Response(
            response.status,
            headers=response.getheaders(),
            stream=httpx.ByteStream(content),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": response.reason.encode()},
            request=request,
        )

    @staticmethod
    def _translate(exc: BaseException, phase: str, request: httpx.Request) -> BaseException:
        """The httpx exception for a failure after connecting (others pass unchanged)."""
        if isinstance(exc, TimeoutError):
            timeout = httpx.WriteTimeout if phase == "write" else httpx.ReadTimeout
            return timeout(f"timed out while {phase}ing", request=request)
        if isinstance(exc, http.client.RemoteDisconnected):
            return httpx.RemoteProtocolError(
                "the server closed the connection without an answer", request=request
            )
        if isinstance(exc, http.client.HTTPException):
            return httpx.RemoteProtocolError(
                f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
                request=request,
            )
        if isinstance(exc, OSError):
            kind = httpx.WriteError if phase == "write" else httpx.ReadError
            return kind(str(exc), request=request)
        return exc

    def _forget(self, origin: Origin) -> None:
        connection = self._connections.pop(origin, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()
