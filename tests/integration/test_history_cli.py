"""``history``, ``resend`` and ``outbox`` as users run them: subprocesses, sandbox, real file.

The history is filled through the store API (``send`` records its own rows);
the commands then run as ``python -m pullover_tui`` against the sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pullover_tui.core.message import Message
from pullover_tui.core.request import SendResult
from pullover_tui.core.store import HistoryStore
from pullover_tui.sandbox import SandboxConfig, running_sandbox
from tests.conftest import OTHER_USER, ROOT, TOKEN, USER, run_cli

MESSAGES = "/1/messages.json"
CREDENTIALS = {"PUSHOVER_APP_TOKEN": TOKEN, "PUSHOVER_USER_KEY": USER}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "data"
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(directory))
    return directory


@pytest.fixture
def history(data_dir: Path) -> Iterator[HistoryStore]:
    with HistoryStore(data_dir / "history.sqlite3") as store:
        yield store


def queue(store: HistoryStore, text: str, api_url: str | None, **options: Any) -> int:
    """A message as ``send`` leaves it after a temporary failure: pending, unclaimed."""
    fields = {"profile": None, "token": TOKEN, "user": USER, "claim": False}
    fields.update(options)
    title = fields.pop("title", None)
    return store.add_pending(Message(text, title), api_url=api_url, **fields)


def flush(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("outbox", "flush", "--retries", "0", *args, env=CREDENTIALS)


def received(sb: Any) -> list[str]:
    return [m["message"] for m in sb.messages()]


# -- listing ------------------------------------------------------------------


def test_no_history_yet_creates_no_file(data_dir: Path) -> None:
    for args in (["history"], ["outbox"], ["outbox", "flush"], ["history", "--json"]):
        proc = run_cli(*args)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    assert json.loads(run_cli("history", "--json").stdout) == {
        "total": 0,
        "offset": 0,
        "entries": [],
    }
    assert not data_dir.exists()


def test_history_off_in_the_config_is_said(data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("history = false\n")
    proc = run_cli("--config", str(config), "history")
    assert proc.returncode == 0
    assert "turned off" in proc.stderr
    assert not data_dir.exists()


def test_history_lists_newest_first_in_80_columns(history: HistoryStore) -> None:
    first = queue(history, "backup finished after a very long night of copying " * 3, None)
    history.mark_sent(first, SendResult("req-1"))
    second = queue(history, "deploy failed", None, title="Deploy", profile="ops")
    history.mark_rejected(second, "HTTP 400: application token is invalid")
    queue(history, "still waiting", None)
    proc = run_cli("history", env={"COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["TIME", "ID", "STATUS", "PROFILE", "PRIORITY", "MESSAGE"]
    assert [line.split()[2:5] for line in lines[1:]] == [
        ["3", "pending", "-"],
        ["2", "rejected", "ops"],
        ["1", "sent", "-"],
    ]
    assert "Deploy: deploy failed" in lines[2]
    assert all(len(line) <= 80 for line in lines)
    assert lines[3].endswith("…")


def test_history_filters_and_json(history: HistoryStore) -> None:
    for index in range(30):
        entry_id = queue(history, f"disk check {index}", None, profile="ops" if index % 2 else None)
        if index % 3:
            history.mark_sent(entry_id, SendResult(f"req-{index}"))
    proc = run_cli(
        "history",
        "--profile",
        "ops",
        "--status",
        "sent",
        "--grep",
        "disk",
        "--limit",
        "3",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["total"] == 10
    assert [e["id"] for e in data["entries"]] == [30, 26, 24]
    assert {e["status"] for e in data["entries"]} == {"sent"}
    assert "token" not in proc.stdout and TOKEN not in proc.stdout and USER not in proc.stdout
    paged = run_cli("history", "--limit", "5")
    assert len(paged.stdout.splitlines()) == 6
    assert "--offset 5" in paged.stderr
    assert run_cli("history", "--since", "1h", "--json").returncode == 0
    assert (
        json.loads(run_cli("history", "--grep", "nothing-like-it", "--json").stdout)["total"] == 0
    )


def test_history_show(history: HistoryStore) -> None:
    entry_id = queue(history, "line one\nline two", "http://127.0.0.1:9", title="Two lines")
    history.mark_sent(entry_id, SendResult("req-show", receipt="rcpt-show"))
    proc = run_cli("history", "show", str(entry_id))
    assert proc.returncode == 0, proc.stderr
    assert "status:      sent" in proc.stdout
    assert "receipt:     rcpt-show" in proc.stdout
    assert proc.stdout.endswith("message:\n  line one\n  line two\n")
    data = json.loads(run_cli("history", "show", str(entry_id), "--json").stdout)
    assert (data["title"], data["request"], data["recipients"]) == (
        "Two lines",
        "req-show",
        "uQiR…RsG",
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["history", "show", "99"], 2),
        (["history", "show", "abc"], 2),
        (["history", "--limit", "-1"], 2),
        (["history", "--since", "last tuesday"], 2),
        (["history", "--status", "lost"], 2),
        (["outbox", "drop", "99"], 2),
        (["resend", "99"], 2),
        (["outbox", "flush", "--retries", "-1"], 2),
    ],
)
def test_bad_input_is_an_exit_code_not_a_traceback(
    history: HistoryStore, args: list[str], code: int
) -> None:
    proc = run_cli(*args)
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("pullover-tui:")


def test_a_broken_history_file_is_reported(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / "history.sqlite3").write_bytes(b"not a database at all" * 50)
    for args in (["history"], ["outbox", "flush"], ["history", "show", "1"]):
        proc = run_cli(*args)
        assert proc.returncode == 2, proc.stderr
        assert "history.sqlite3" in proc.stderr and "Traceback" not in proc.stderr


# -- the outbox ------------------------------------------------------------------


def test_outbox_lists_oldest_first_and_drops(history: HistoryStore) -> None:
    sent = queue(history, "gone already", None)
    history.mark_sent(sent, SendResult("req"))
    first = queue(history, "first waiting", None)
    second = queue(history, "second waiting", None)
    history.mark_failed(second, "HTTP 503", attempts=5)
    data = json.loads(run_cli("outbox", "--json").stdout)
    assert [(e["id"], e["status"]) for e in data["entries"]] == [
        (first, "pending"),
        (second, "failed"),
    ]
    assert run_cli("outbox", "drop", str(sent)).returncode == 2  # not in the outbox
    proc = run_cli("outbox", "drop", str(first))
    assert (proc.returncode, proc.stdout) == (0, f"dropped {first}\n")
    assert [e.id for e in history.outbox()] == [second]


def test_flush_sends_each_message_once_with_matching_credentials() -> None:
    with running_sandbox(SandboxConfig()) as sb, HistoryStore(_history_file()) as store:
        for text in ("one", "two", "three"):
            queue(store, text, sb.url)
        queue(store, "for someone else", sb.url, user=OTHER_USER)
        proc = flush()
        assert proc.returncode == 2, proc.stderr  # one skipped: no matching credentials
        assert received(sb) == ["one", "two", "three"]
        lines = [line.split(maxsplit=2) for line in proc.stdout.splitlines()]
        assert [line[:2] for line in lines] == [
            ["1", "sent"],
            ["2", "sent"],
            ["3", "sent"],
            ["4", "skipped"],
        ]
        assert lines[0][2] == sb.messages()[0]["request"]
        assert "3 sent, 1 skipped; 1 left" in proc.stderr
        again = flush()
        assert again.returncode == 2 and received(sb) == ["one", "two", "three"]
        assert sb.request_count(MESSAGES) == 3
        assert [e.status for e in store.search()] == ["pending", "sent", "sent", "sent"]


def test_flush_with_faults_keeps_messages_in_the_outbox() -> None:
    faults = SandboxConfig(fail_first=2, fail_status=503)
    with running_sandbox(faults) as sb, HistoryStore(_history_file()) as store:
        queue(store, "first", sb.url)
        queue(store, "second", sb.url)
        failed = flush("--json")
        assert failed.returncode == 3, failed.stderr
        data = json.loads(failed.stdout)
        assert (data["stopped"], data["left"], data["exit_code"]) == (True, 2, 3)
        assert [o["result"] for o in data["outcomes"]] == ["failed"]
        assert [e.status for e in store.outbox()] == ["failed", "pending"]
        assert flush().returncode == 3  # the second fault
        ok = flush()
        assert ok.returncode == 0, ok.stderr
        assert received(sb) == ["first", "second"]
        assert sb.request_count(MESSAGES) == 4
        first = store.get(1)
        assert first is not None and (first.status, first.attempts) == ("sent", 3)
        assert store.outbox() == []


def test_a_rejected_message_is_never_retried() -> None:
    config = SandboxConfig(app_tokens=(TOKEN,), user_keys=(USER,))
    with running_sandbox(config) as sb, HistoryStore(_history_file()) as store:
        queue(store, "refused", sb.url, user=OTHER_USER)
        proc = run_cli(
            "outbox", "flush", "-a", TOKEN, "-u", OTHER_USER, "--retries", "0", env=CREDENTIALS
        )
        assert proc.returncode == 1, proc.stderr
        entry = store.get(1)
        assert entry is not None and entry.status == "rejected" and entry.last_error
        assert OTHER_USER not in (entry.last_error or "")
        again = run_cli("outbox", "flush", "-a", TOKEN, "-u", OTHER_USER, env=CREDENTIALS)
        assert again.returncode == 0
        assert sb.request_count(MESSAGES) == 1


def test_two_concurrent_flushes_send_each_message_once() -> None:
    with running_sandbox(SandboxConfig(latency=0.02)) as sb:
        with HistoryStore(_history_file()) as store:
            for index in range(12):
                queue(store, f"message {index}", sb.url)
        env = {**os.environ, **CREDENTIALS}
        command = [sys.executable, "-m", "pullover_tui", "outbox", "flush", "--retries", "0"]
        procs = [
            subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [proc.communicate(timeout=60)[0] for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0]
        assert sorted(received(sb)) == sorted(f"message {i}" for i in range(12))
        assert sb.request_count(MESSAGES) == 12
        sent_ids = [line.split()[0] for out in outputs for line in out.splitlines()]
        assert sorted(sent_ids, key=int) == [str(i) for i in range(1, 13)]


def test_flush_uses_the_rows_profile(tmp_path: Path) -> None:
    with running_sandbox(SandboxConfig()) as sb, HistoryStore(_history_file()) as store:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[profiles.ops]\napp_token = "{TOKEN}"\nuser_key = "{USER}"\napi_url = "{sb.url}"\n'
        )
        os.chmod(config, 0o600)
        queue(store, "via the profile", None, profile="ops")
        proc = run_cli("--config", str(config), "outbox", "flush", "--retries", "0")
        assert proc.returncode == 0, proc.stderr
        assert received(sb) == ["via the profile"]


# -- resend ---------------------------------------------------------------------


def test_resend_sends_the_same_message_and_records_it() -> None:
    with running_sandbox(SandboxConfig()) as sb, HistoryStore(_history_file()) as store:
        entry_id = queue(store, "say it again", sb.url, title="Again")
        store.mark_sent(entry_id, SendResult("req-old"))
        env = {**CREDENTIALS, "PUSHOVER_API_URL": sb.url}
        proc = run_cli("resend", str(entry_id), "--json", env=env)
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        [message] = sb.messages()
        assert (message["message"], message["title"]) == ("say it again", "Again")
        assert (data["request"], data["resent"], data["id"]) == (message["request"], 1, 2)
        new = store.get(2)
        assert new is not None and (new.status, new.request) == ("sent", message["request"])


def test_resend_refuses_other_credentials_unless_told(tmp_path: Path) -> None:
    with running_sandbox(SandboxConfig()) as sb, HistoryStore(_history_file()) as store:
        entry_id = queue(store, "for the other user", sb.url, user=OTHER_USER)
        env = {**CREDENTIALS, "PUSHOVER_API_URL": sb.url}
        refused = run_cli("resend", str(entry_id), env=env)
        assert refused.returncode == 2 and "other credentials" in refused.stderr
        assert sb.messages() == []
        config = tmp_path / "config.toml"
        config.write_text("history = false\n")
        told = run_cli(
            "--config", str(config), "resend", str(entry_id), "-u", OTHER_USER, "-q", env=env
        )
        assert (told.returncode, told.stdout) == (0, "")
        assert [m["message"] for m in sb.messages()] == ["for the other user"]
        assert store.count() == 1  # history = false: the resend is not recorded


def test_resend_with_an_attachment_that_was_not_kept(history: HistoryStore) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    history.add_pending(
        Message("image from stdin", attachment=png), profile=None, token=TOKEN, user=USER,
        api_url=None,
    )  # fmt: skip
    proc = run_cli("resend", "1", "--json", env=CREDENTIALS)
    assert proc.returncode == 1
    assert "not kept" in json.loads(proc.stdout)["errors"][0]


def _history_file() -> Path:
    return Path(os.environ["PULLOVER_TUI_DATA"]) / "history.sqlite3"


@pytest.fixture(autouse=True)
def _data_for_every_test(data_dir: Path) -> Path:
    return data_dir
