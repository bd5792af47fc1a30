"""``send`` keeps a record of every message, and an outbox of what could not go yet."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import OTHER_USER, ROOT, TOKEN, USER, run_cli


def data_env(tmp_path: Path, sb: Any, **extra: str) -> dict[str, str]:
    return {"PULLOVER_TUI_DATA": str(tmp_path / "data"), "PUSHOVER_API_URL": sb.url, **extra}


def send(tmp_path: Path, sb: Any, *args: str, user: str = USER) -> subprocess.CompletedProcess[str]:
    return run_cli("send", "-a", TOKEN, "-u", user, *args, env=data_env(tmp_path, sb))


def history(tmp_path: Path, sb: Any, *args: str) -> Any:
    proc = run_cli("history", "--json", *args, env=data_env(tmp_path, sb))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def entries(tmp_path: Path, sb: Any) -> list[dict[str, Any]]:
    return list(history(tmp_path, sb)["entries"])


def test_sent_rejected_and_failed_are_recorded(sandbox_strict: Any, tmp_path: Path) -> None:
    sb = sandbox_strict
    assert send(tmp_path, sb, "-t", "ok", "fine").returncode == 0
    assert send(tmp_path, sb, "refused", user=OTHER_USER).returncode == 1
    sb.config.fail_first = 1
    failed = send(tmp_path, sb, "--retries", "0", "later")
    assert failed.returncode == 3
    assert "kept in the outbox as entry 3" in failed.stderr
    rows = {e["message"]: e for e in entries(tmp_path, sb)}
    assert rows["fine"]["status"] == "sent"
    assert rows["fine"]["request"] == sb.messages()[0]["request"]
    assert rows["refused"]["status"] == "rejected"
    assert rows["later"]["status"] == "failed"
    dump = (tmp_path / "data" / "history.sqlite3").read_bytes()
    assert TOKEN.encode() not in dump and OTHER_USER.encode() not in dump


def test_outbox_flush_sends_the_failed_message_once(sandbox: Any, tmp_path: Path) -> None:
    sandbox.config.fail_first = 1
    assert send(tmp_path, sandbox, "--retries", "0", "--json", "later").returncode == 3
    assert sandbox.messages() == []
    env = data_env(tmp_path, sandbox)
    flush = run_cli("outbox", "flush", "-a", TOKEN, "-u", USER, env=env)
    assert flush.returncode == 0, flush.stderr
    again = run_cli("outbox", "flush", "-a", TOKEN, "-u", USER, env=env)
    assert again.returncode == 0
    assert [m["message"] for m in sandbox.messages()] == ["later"]
    assert entries(tmp_path, sandbox)[0]["status"] == "sent"


def test_no_history_leaves_no_file(sandbox: Any, tmp_path: Path) -> None:
    assert send(tmp_path, sandbox, "--no-history", "private").returncode == 0
    assert not (tmp_path / "data").exists()


def test_history_false_in_the_config(sandbox: Any, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("history = false\n")
    config.chmod(0o600)
    assert send(tmp_path, sandbox, "--config", str(config), "private").returncode == 0
    assert not (tmp_path / "data").exists()
    queued = send(tmp_path, sandbox, "--config", str(config), "--queue", "x")
    assert queued.returncode == 2 and "--queue: needs the history" in queued.stderr


def test_queue_keeps_the_message_and_exits_0(sandbox: Any, tmp_path: Path) -> None:
    sandbox.config.fail_first = 1
    proc = send(tmp_path, sandbox, "--queue", "--json", "nightly report")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "status": 0,
        "queued": True,
        "history_id": 1,
        "errors": ["HTTP 503"],
    }
    assert sandbox.request_count("/1/messages.json") == 1  # tried once, no waiting
    assert history(tmp_path, sandbox, "--status", "outbox")["entries"][0]["id"] == 1
    sent = send(tmp_path, sandbox, "--queue", "goes at once")
    assert sent.returncode == 0 and sent.stdout.strip() == sandbox.messages()[0]["request"]


def test_kill_9_mid_send_leaves_a_pending_row(sandbox: Any, tmp_path: Path) -> None:
    sandbox.config.hang = True
    argv = [sys.executable, "-m", "pullover_tui", "send", "-a", TOKEN, "-u", USER, "mid-send"]
    proc = subprocess.Popen(
        argv, env={**os.environ, **data_env(tmp_path, sandbox)}, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while sandbox.request_count("/1/messages.json") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    sandbox.config.hang = False
    [row] = entries(tmp_path, sandbox)
    assert (row["message"], row["status"]) == ("mid-send", "pending")
    flush = run_cli("outbox", "flush", "-a", TOKEN, "-u", USER, env=data_env(tmp_path, sandbox))
    assert flush.returncode == 0, flush.stderr
    assert [m["message"] for m in sandbox.messages()] == ["mid-send"]


def test_json_success_names_the_history_entry(sandbox: Any, tmp_path: Path) -> None:
    proc = send(tmp_path, sandbox, "--json", "hi")
    assert json.loads(proc.stdout)["history_id"] == 1
    show = run_cli("history", "show", "1", "--json", env=data_env(tmp_path, sandbox))
    assert json.loads(show.stdout)["message"] == "hi"
