"""What the reliability tests share: loopback-only guards, CLI runners, history peeks."""

from __future__ import annotations

import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pullover_tui.cli.main import main
from tests.conftest import ROOT, TOKEN, USER

MESSAGES = "/1/messages.json"
DOCUMENTED = {0, 1, 2, 3}  # the exit codes a command may end with, but for 130 (Ctrl-C)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_api_url() -> str:
    """An API root on loopback where every connection is refused at once."""
    return f"http://127.0.0.1:{free_port()}"


def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any name lookup of a host other than loopback fail: no test may leave the machine."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.strip("[]") not in LOOPBACK_HOSTS:
            raise OSError(f"test guard: no traffic to {name!r}, loopback only")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


def cli_env(api_url: str, data: Path, **extra: str) -> dict[str, str]:
    """What a CLI subprocess gets on top of the test's (isolated) environment: an API root,
    always set, so nothing can go to the real Pushover, and a data directory."""
    return {"PUSHOVER_API_URL": api_url, "PULLOVER_TUI_DATA": str(data), **extra}


def cli_argv(*args: str) -> list[str]:
    """``python -m pullover_tui ARGS``, as ``run_cli`` runs it."""
    return [sys.executable, "-m", "pullover_tui", *args]


def popen_cli(*args: str, env: Mapping[str, str], **options: Any) -> subprocess.Popen[bytes]:
    """Start the CLI in the background (stdout and stderr captured) for signal tests."""
    return subprocess.Popen(
        cli_argv(*args),
        env={**os.environ, **env},
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **options,
    )


def send_args(*args: str) -> tuple[str, ...]:
    return ("send", "-a", TOKEN, "-u", USER, *args)


def history_rows(data: Path) -> list[dict[str, Any]]:
    """Every history row, oldest first, read straight from the SQLite file."""
    path = data / "history.sqlite3"
    if not path.exists():
        return []
    with closing_db(path) as db:
        return [dict(row) for row in db.execute("SELECT * FROM history ORDER BY id")]


@contextmanager
def closing_db(path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        yield db
    finally:
        db.close()


def json_line(text: str) -> dict[str, Any]:
    """The one JSON object a ``--json`` command printed."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    value = json.loads(lines[0])
    assert isinstance(value, dict)
    return value


def run_main(argv: list[str], stdin: bytes | None) -> tuple[int, str, str]:
    """``main(argv)`` as the console script runs it: stdin replaced (None: closed), stdout
    strict UTF-8 and stderr backslash-escaping, as Python sets them up in a UTF-8 locale."""
    saved = sys.stdin, sys.stdout, sys.stderr
    stream: Any = None
    if stdin is not None:
        stream = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", errors="strict")
        stream.isatty = lambda: False
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    sys.stdin, sys.stdout, sys.stderr = stream, out, err
    try:
        try:
            code = main(argv)
        except SystemExit as exc:  # --help and --version exit from argparse itself
            code = exc.code if isinstance(exc.code, int) else 2
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    out.flush()
    err.flush()
    stdout = _bytes_of(out).decode("utf-8", "replace")
    stderr = _bytes_of(err).decode("utf-8", "replace")
    assert "Traceback" not in stderr and "Traceback" not in stdout, (argv, stderr)
    assert "internal error" not in stderr, (argv, stderr)
    return code, stdout, stderr


def instant_retries(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make every ``Client`` made in this process (the in-process CLI's too) note its waits
    instead of sleeping them; returns the list of waits."""
    from pullover_tui.core.client import Client

    waits: list[float] = []
    defaults = Client.__init__.__kwdefaults__
    assert defaults is not None and "sleep" in defaults
    monkeypatch.setitem(defaults, "sleep", waits.append)
    return waits


def _bytes_of(stream: io.TextIOWrapper) -> bytes:
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue()
