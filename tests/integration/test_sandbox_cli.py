"""``pullover-tui sandbox`` as a subprocess: first line, log lines, options, clean stops."""

from __future__ import annotations

import signal
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest

from pullover_tui.sandbox import Sandbox
from tests.conftest import ROOT, TOKEN, USER

MESSAGES = "/1/messages.json"
MESSAGE = {"token": TOKEN, "user": USER, "message": "hello from the test"}
TLS = ssl.create_default_context()  # made once: httpx would build one per client (slow)


class SandboxProcess:
    """A running ``python -m pullover_tui sandbox`` with its URL and output pipes."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pullover_tui", "sandbox", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.url = ""

    def wait_for_url(self) -> None:
        first_line = self.next_line(timeout=20)
        assert first_line.startswith("sandbox listening on http://"), first_line
        self.url = first_line.split()[-1]

    def next_line(self, timeout: float = 10) -> str:
        """The next stdout line; the process is killed if none comes (never hang the test)."""
        assert self.proc.stdout is not None
        watchdog = threading.Timer(timeout, self.proc.kill)
        watchdog.start()
        try:
            return self.proc.stdout.readline()
        finally:
            watchdog.cancel()

    def stop(self, sig: signal.Signals = signal.SIGINT) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        try:
            out, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return self.proc.returncode, out, err


@pytest.fixture
def started() -> Iterator[list[SandboxProcess]]:
    processes: list[SandboxProcess] = []
    yield processes
    for process in processes:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


def launch(started: list[SandboxProcess], *args: str) -> SandboxProcess:
    process = SandboxProcess(*args)
    started.append(process)  # killed by the fixture whatever happens
    process.wait_for_url()
    return process


def test_sandbox_prints_its_url_logs_messages_and_stops_on_ctrl_c(
    started: list[SandboxProcess],
) -> None:
    sb = launch(started)
    assert sb.url.startswith("http://127.0.0.1:") and not sb.url.endswith(":0")
    answer = httpx.post(f"{sb.url}{MESSAGES}", data={**MESSAGE, "title": "Hi"}, verify=TLS)
    assert answer.status_code == 200
    line = sb.next_line()
    assert "normal" in line and "Hi: hello from the test" in line
    assert answer.json()["request"] in line
    listed = httpx.get(f"{sb.url}/sandbox/messages", verify=TLS).json()
    assert [m["message"] for m in listed] == ["hello from the test"]
    code, out, err = sb.stop(signal.SIGINT)
    assert code == 0
    assert "Traceback" not in err and err == ""
    assert TOKEN not in out and USER not in out


def test_sigterm_stops_cleanly(started: list[SandboxProcess]) -> None:
    sb = launch(started)
    code, _, err = sb.stop(signal.SIGTERM)
    assert code == 0 and err == ""


def test_ctrl_c_with_a_hung_request_still_stops(started: list[SandboxProcess]) -> None:
    sb = launch(started, "--hang")
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{sb.url}{MESSAGES}", data=MESSAGE, timeout=0.3, verify=TLS)
    code, _, err = sb.stop(signal.SIGINT)
    assert code == 0 and "Traceback" not in err


def test_port_in_use_is_a_one_line_error() -> None:
    with Sandbox() as taken:
        proc = subprocess.run(
            [sys.executable, "-m", "pullover_tui", "sandbox", "--port", str(taken.port)],
            capture_output=True,
            text=True,
            timeout=20,
            cwd=ROOT,
        )
    assert proc.returncode == 2 and proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"pullover-tui: sandbox: cannot listen on 127.0.0.1:{taken.port}: ")


@pytest.mark.parametrize(
    "args",
    [
        ["--fail-rate", "1.5"],
        ["--fail-status", "404"],
        ["--port", "70000"],
        ["--latency", "-1"],
        ["--app-token", "short"],
        ["--device", "bad name"],
        ["--quota", "many"],
    ],
)
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pullover_tui", "sandbox", *args],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=ROOT,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("pullover-tui: ")


def test_options_reach_the_server(started: list[SandboxProcess]) -> None:
    other = "B" * 30
    sb = launch(
        started,
        *("--app-token", TOKEN, "--user-key", USER, "--device", "iphone", "--sound", "gong"),
        *("--quota", "5", "--fail-first", "1", "--fail-status", "502", "--seed", "1"),
    )
    with httpx.Client(base_url=sb.url, verify=TLS) as http:
        assert http.post(MESSAGES, data=MESSAGE).status_code == 502
        assert http.post(MESSAGES, data={**MESSAGE, "sound": "gong"}).status_code == 200
        assert http.post(MESSAGES, data={**MESSAGE, "token": other}).json()["token"] == "invalid"
        assert http.post(MESSAGES, data={**MESSAGE, "user": other}).json()["user"] == "invalid"
        assert http.post(MESSAGES, data={**MESSAGE, "device": "phone"}).status_code == 400
        validate = http.post("/1/users/validate.json", data={"token": TOKEN, "user": USER})
        assert validate.json()["devices"] == ["iphone"]
        limits = http.get("/1/apps/limits.json", params={"token": TOKEN}).json()
        assert (limits["limit"], limits["remaining"]) == (5, 4)
    assert sb.stop()[0] == 0


def test_fault_options_reach_the_server(started: list[SandboxProcess]) -> None:
    sb = launch(started, "--garbage-body", "--garbage-status", "200", "--latency", "0.05")
    answer = httpx.post(f"{sb.url}{MESSAGES}", data=MESSAGE, verify=TLS)
    assert answer.status_code == 200 and answer.text.startswith("<html>")
    assert sb.stop()[0] == 0
    sb = launch(started, "--drop-connections", "--fail-rate", "1")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{sb.url}{MESSAGES}", data=MESSAGE, verify=TLS)
    assert sb.stop()[0] == 0


def test_non_loopback_address_gets_a_warning(started: list[SandboxProcess]) -> None:
    sb = launch(started, "--host", "0.0.0.0")
    code, _, err = sb.stop()
    assert code == 0
    assert err.startswith("pullover-tui: warning: sandbox: listening on 0.0.0.0")
