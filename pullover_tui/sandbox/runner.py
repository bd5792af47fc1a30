"""Running a sandbox in a background thread of this process: for tests, the demo and the CLI."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from pullover_tui.sandbox.app import SandboxApp
from pullover_tui.sandbox.config import SandboxConfig
from pullover_tui.sandbox.server import SandboxHTTPServer

POLL_INTERVAL = 0.05  # how long stop() may wait for the accept loop to notice


class Sandbox:
    """A sandbox server on a background thread, and the means to look inside it.

    ``config`` is the live configuration: change its fault fields (or accounts)
    while the sandbox runs and the next request sees the change.
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self._config = config if config is not None else SandboxConfig()
        self._app = SandboxApp(self._config)
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._address: tuple[str, int] | None = None

    @property
    def config(self) -> SandboxConfig:
        return self._config

    def start(self) -> Sandbox:
        """Listen and serve; raises OSError when the address cannot be bound."""
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        self._config.check()
        server = SandboxHTTPServer((self._config.host, self._config.port), self._app)
        self._address = (str(server.server_address[0]), int(server.server_address[1]))
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"pullover-sandbox-{self._address[1]}",
            daemon=True,
        )
        self._server = server
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop quickly, even with hung or idle keep-alive connections open."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        return self._bound()[1]

    @property
    def url(self) -> str:
        """The API root to give clients, e.g. ``http://127.0.0.1:8765``."""
        host, port = self._bound()
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def _bound(self) -> tuple[str, int]:
        if self._address is None:
            raise RuntimeError("the sandbox has not been started")
        return self._address

    def messages(self, since: int = 0) -> list[dict[str, Any]]:
        """Received messages, oldest first, as GET /sandbox/messages shows them."""
        return self._app.state.messages(since)

    def clear(self) -> int:
        """Forget the received messages; returns how many there were."""
        return self._app.state.clear()

    def acknowledge(
        self, receipt: str, user: str | None = None, device: str | None = None
    ) -> dict[str, Any]:
        """Acknowledge an emergency message as its recipient would; returns the receipt's state.

        Raises LookupError for an unknown receipt and ValueError for one that
        is no longer open or a user who was not a recipient.
        """
        self._app.acknowledge(receipt, user, device)
        return self.receipt(receipt)

    def receipt(self, receipt: str) -> dict[str, Any]:
        """The receipt's fields as GET /1/receipts/{receipt}.json gives them."""
        return self._app.state.receipt(receipt)

    def request_count(self, path: str | None = None) -> int:
        """Requests received for ``path`` (e.g. "/1/messages.json"), or in all; faulted ones too."""
        return self._app.state.request_count(path)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def running_sandbox(config: SandboxConfig | None = None) -> Iterator[Sandbox]:
    """Run a sandbox (by default on a free loopback port) for the ``with`` block."""
    with Sandbox(config) as sandbox:
        yield sandbox
