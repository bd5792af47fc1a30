"""``pullover-tui send`` as a user runs it: a subprocess talking to the sandbox over loopback."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from tests.conftest import OTHER_USER, TOKEN, USER, run_cli

MESSAGES = "/1/messages.json"


def send(sb: Any, *args: str, input: str | bytes | None = None, **env: str) -> Any:
    return run_cli(
        "send", "-a", TOKEN, "-u", USER, *args, input=input, env={"PUSHOVER_API_URL": sb.url, **env}
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_success_prints_the_request_id(sandbox: Any) -> None:
    proc = send(sandbox, "-t", "Backup", "-p", "high", "--sound", "magic", "backup done")
    assert proc.returncode == 0, proc.stderr
    [received] = sandbox.messages()
    assert proc.stdout == f"{received['request']}\n"
    assert proc.stderr == ""
    assert (received["message"], received["title"], received["priority"]) == (
        "backup done",
        "Backup",
        1,
    )
    assert received["sound"] == "magic"


def test_every_plain_field_reaches_the_server(sandbox: Any) -> None:
    proc = send(
        sandbox,
        "--url-title",  # given before --url on purpose
        "the docs",
        "--url",
        "https://example.test/d",
        "--timestamp",
        "2026-01-02T03:04:05Z",
        "--device",
        "phone",
        "--ttl",
        "600",
        "--monospace",
        "-p",
        "-1",
        "fields",
    )
    assert proc.returncode == 0, proc.stderr
    [m] = sandbox.messages()
    assert (m["url"], m["url_title"], m["timestamp"], m["device"], m["ttl"]) == (
        "https://example.test/d",
        "the docs",
        1767323045,
        "phone",
        600,
    )
    assert m["monospace"] in (1, True) and m["priority"] == -1


def test_json_output_parses(sandbox: Any) -> None:
    proc = send(sandbox, "--json", "hi")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0
    assert data["status"] == 1 and data["request"] == sandbox.messages()[0]["request"]
    assert data["receipt"] is None and data["attempts"] == 1
    assert data["quota"]["limit"] >= data["quota"]["remaining"] > 0


def test_quiet_prints_nothing(sandbox: Any) -> None:
    proc = send(sandbox, "-q", "hi")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert len(sandbox.messages()) == 1


@pytest.mark.parametrize("args", [["-"], []])
def test_message_from_stdin(sandbox: Any, args: list[str]) -> None:
    proc = send(sandbox, *args, input="line one\nline two ✓\n")
    assert proc.returncode == 0, proc.stderr
    assert sandbox.messages()[0]["message"] == "line one\nline two ✓"


def test_stdin_over_the_limit_is_refused_unless_truncated(sandbox: Any) -> None:
    text = "é" * 1500
    refused = send(sandbox, "-", input=text)
    assert refused.returncode == 1
    assert refused.stderr == "pullover-tui: message: must be at most 1024 characters (is 1500)\n"
    assert sandbox.messages() == []
    sent = send(sandbox, "--truncate", "-", input=text)
    assert sent.returncode == 0, sent.stderr
    body = sandbox.messages()[0]["message"]
    assert len(body) == 1024 and body.endswith("é…")


def test_non_utf8_stdin(sandbox: Any) -> None:
    proc = send(sandbox, "-", input=b"caf\xe9\n")
    assert proc.returncode == 1
    assert proc.stderr.startswith("pullover-tui: message: stdin is not valid UTF-8")
    assert "Traceback" not in proc.stderr


def test_empty_stdin(sandbox: Any) -> None:
    proc = send(sandbox, input="")
    assert proc.returncode == 1
    assert "message: is required" in proc.stderr


def test_each_local_problem_on_its_own_line(sandbox: Any) -> None:
    proc = send(sandbox, "--url-title", "x", "--ttl", "0", "-p", "urgent", "hi")
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["priority", "url_title", "ttl"]
    assert all(line.startswith("pullover-tui: ") for line in lines)
    assert sandbox.request_count(MESSAGES) == 0


def test_html_and_monospace_are_a_usage_error(sandbox: Any) -> None:
    proc = send(sandbox, "--html", "--monospace", "hi")
    assert proc.returncode == 2
    assert "not allowed with argument" in proc.stderr


def test_unknown_user_is_rejected_once(sandbox_strict: Any) -> None:
    proc = run_cli(
        "send",
        "-a",
        TOKEN,
        "-u",
        OTHER_USER,
        "-v",
        "hi",
        env={"PUSHOVER_API_URL": sandbox_strict.url},
    )
    assert proc.returncode == 1
    assert sandbox_strict.request_count(MESSAGES) == 1
    assert "pullover-tui: user: rejected by Pushover (HTTP 400)" in proc.stderr
    assert "request id: " in proc.stderr
    assert OTHER_USER not in proc.stderr and TOKEN not in proc.stderr


def test_5xx_then_success_is_retried(sandbox: Any) -> None:
    sandbox.config.fail_first = 1
    sandbox.config.fail_status = 503
    proc = send(sandbox, "-v", "hi")
    assert proc.returncode == 0, proc.stderr
    assert sandbox.request_count(MESSAGES) == 2
    assert len(sandbox.messages()) == 1
    retry_lines = [line for line in proc.stderr.splitlines() if "attempt 2/5 in" in line]
    assert len(retry_lines) == 1 and retry_lines[0].endswith(": HTTP 503")
    wait = float(retry_lines[0].split(" in ")[1].split(" s")[0])
    assert wait >= 5.0


def test_429_quota_spent(sandbox: Any) -> None:
    sandbox.config.quota = 0
    proc = send(sandbox, "--json", "hi")
    assert proc.returncode == 1
    assert sandbox.request_count(MESSAGES) == 1
    assert proc.stderr.startswith("pullover-tui: quota: ")
    assert json.loads(proc.stdout)["http_status"] == 429


def test_connection_refused_is_temporary(sandbox: Any) -> None:
    proc = run_cli(
        "send",
        "-a",
        TOKEN,
        "-u",
        USER,
        "--retries",
        "0",
        "--json",
        "hi",
        env={"PUSHOVER_API_URL": f"http://127.0.0.1:{free_port()}"},
    )
    assert proc.returncode == 3
    assert proc.stderr.startswith("pullover-tui: not sent after 1 attempt: cannot connect")
    assert json.loads(proc.stdout)["attempts"] == 1


def test_slow_server_past_the_timeout(sandbox: Any) -> None:
    sandbox.config.latency = 3.0
    proc = send(sandbox, "--timeout", "0.5", "--retries", "0", "hi")
    assert proc.returncode == 3
    assert proc.stderr.splitlines() == [
        "pullover-tui: not confirmed after 1 attempt: no answer within 0.5 s; it may have arrived",
        "pullover-tui: kept in the outbox as entry 1: 'pullover-tui outbox flush' sends it later",
    ]


def test_garbage_body_is_temporary(sandbox: Any) -> None:
    sandbox.config.garbage_body = True
    proc = send(sandbox, "--retries", "0", "hi")
    assert proc.returncode == 3
    assert "not sent after 1 attempt: HTTP" in proc.stderr


def test_missing_credentials_is_usage() -> None:
    proc = run_cli("send", "hi")
    assert proc.returncode == 2
    assert proc.stderr.startswith("pullover-tui: app token: is required")


def test_credentials_from_the_environment(sandbox: Any) -> None:
    proc = run_cli(
        "send",
        "hi",
        env={
            "PUSHOVER_API_URL": sandbox.url,
            "PUSHOVER_APP_TOKEN": TOKEN,
            "PUSHOVER_USER_KEY": USER,
        },
    )
    assert proc.returncode == 0, proc.stderr


def test_malformed_token_is_rejected_locally(sandbox: Any) -> None:
    proc = run_cli("send", "-a", "nope", "-u", USER, "hi", env={"PUSHOVER_API_URL": sandbox.url})
    assert proc.returncode == 1
    assert proc.stderr == "pullover-tui: token: must be exactly 30 letters and digits (got 4)\n"
    assert sandbox.request_count(MESSAGES) == 0


def test_plain_http_to_a_remote_host_is_refused() -> None:
    proc = run_cli(
        "send", "-a", TOKEN, "-u", USER, "hi", env={"PUSHOVER_API_URL": "http://example.com"}
    )
    assert proc.returncode == 2
    assert "PUSHOVER_API_URL: must use https://" in proc.stderr


@pytest.mark.parametrize(
    "args", [["send", "--bogus"], ["send", "--retries", "x", "hi"], ["nosuchcommand"]]
)
def test_bad_usage_exits_2(args: list[str]) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("pullover-tui: ")
    assert "Traceback" not in proc.stderr


def test_verbose_never_shows_secrets(sandbox: Any) -> None:
    sandbox.config.fail_first = 1
    proc = send(sandbox, "-vv", "--json", "hi")
    assert proc.returncode == 0
    assert "sending to http://127.0.0.1" in proc.stderr
    for secret in (TOKEN, USER):
        assert secret not in proc.stderr and secret not in proc.stdout
    assert "azGD…yUi" in proc.stderr


def test_version_and_module_entry_point() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("pullover-tui ")


def test_help_documents_exit_codes() -> None:
    proc = run_cli("send", "--help")
    assert proc.returncode == 0
    for line in ("0    sent", "1    rejected", "2    usage", "3    temporary failure", "130"):
        assert line in proc.stdout


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def test_emergency_prints_the_receipt_second(sandbox: Any) -> None:
    proc = send(sandbox, "-p", "emergency", "--retry", "60", "--expire", "600", "--tag", "db", "x")
    assert proc.returncode == 0, proc.stderr
    request, receipt = proc.stdout.splitlines()
    [m] = sandbox.messages()
    assert (m["request"], m["receipt"], m["retry"], m["expire"]) == (request, receipt, 60, 600)


def test_emergency_needs_retry_and_expire(sandbox: Any) -> None:
    proc = send(sandbox, "-p", "2", "x")
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "pullover-tui: retry: is required for emergency priority",
        "pullover-tui: expire: is required for emergency priority",
    ]


def test_attachment_from_a_file_and_stdin(sandbox: Any, tmp_path: Any) -> None:
    image = tmp_path / "graph.png"
    image.write_bytes(PNG)
    assert send(sandbox, "--attach", str(image), "with file").returncode == 0
    assert send(sandbox, "--attach", "-", "from stdin", input=PNG).returncode == 0
    first, second = sandbox.messages()
    assert first["attachment"]["name"] == "graph.png"
    assert first["attachment"]["type"] == "image/png"
    assert second["attachment"]["size"] == len(PNG)


def test_attachment_problems(sandbox: Any, tmp_path: Any) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    proc = send(sandbox, "--attach", str(text), "x")
    assert proc.returncode == 1 and "attachment: notes.txt is not an image" in proc.stderr
    proc = send(sandbox, "--attach", str(tmp_path / "missing.png"), "x")
    assert proc.returncode == 1 and "attachment: no such file" in proc.stderr
    proc = send(sandbox, "--attach", "-", input=PNG)
    assert proc.returncode == 2 and "stdin cannot hold both" in proc.stderr


def test_wait_ack_needs_emergency(sandbox: Any) -> None:
    proc = send(sandbox, "--wait-ack", "x")
    assert proc.returncode == 2 and "--wait-ack: needs -p emergency" in proc.stderr


def test_wait_ack_reports_who_acknowledged(sandbox: Any) -> None:
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    argv = [sys.executable, "-m", "pullover_tui", "send", "-a", TOKEN, "-u", USER, "-p", "2",
            "--retry", "30", "--expire", "300", "--wait-ack", "--json", "server down"]  # fmt: skip
    env = {**__import__("os").environ, "PUSHOVER_API_URL": sandbox.url}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    deadline = time.monotonic() + 20
    while not sandbox.messages() and time.monotonic() < deadline:
        time.sleep(0.05)
    receipt = sandbox.messages()[0]["receipt"]
    sandbox.acknowledge(receipt, device="phone")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    data = json.loads(out)
    assert data["acknowledged"] is True and data["acknowledged_by_device"] == "phone"
    assert data["receipt"] == receipt and data["request"] == sandbox.messages()[0]["request"]


def write_config(path: Any, text: str, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def test_quick_send_with_a_profile(sandbox: Any, tmp_path: Any) -> None:
    config = tmp_path / "config.toml"
    write_config(
        config,
        f'[profiles.ops]\napp_token = "{TOKEN}"\nuser_key = "{USER}"\n'
        f'priority = "high"\nsound = "siren"\ntitle = "ops"\napi_url = "{sandbox.url}"\n',
    )
    proc = run_cli("--config", str(config), "send", "-P", "ops", "-t", "override", "disk full")
    assert proc.returncode == 0, proc.stderr
    [m] = sandbox.messages()
    assert (m["title"], m["priority"], m["sound"]) == ("override", 1, "siren")


def test_default_profile_and_permission_warning(sandbox: Any, tmp_path: Any) -> None:
    config = tmp_path / "config.toml"
    write_config(
        config,
        f'default_profile = "home"\n[profiles.home]\napp_token = "{TOKEN}"\n'
        f'user_key = "{USER}"\napi_url = "{sandbox.url}"\n',
        mode=0o644,
    )
    proc = run_cli("send", "--config", str(config), "hi")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("warning:") == 1 and "permissions 0644" in proc.stderr
    assert len(sandbox.messages()) == 1


def test_unknown_profile_is_usage(tmp_path: Any) -> None:
    config = tmp_path / "config.toml"
    write_config(config, f'[profiles.home]\napp_token = "{TOKEN}"\nuser_key = "{USER}"\n')
    proc = run_cli("send", "--config", str(config), "-P", "nope", "hi")
    assert proc.returncode == 2 and "nope" in proc.stderr


def test_broken_config_is_usage_and_untouched(tmp_path: Any) -> None:
    config = tmp_path / "config.toml"
    write_config(config, "[profiles.home\napp_token = 1\n")
    before = config.read_bytes()
    proc = run_cli("send", "--config", str(config), "hi")
    assert proc.returncode == 2
    assert f"{config}:1:" in proc.stderr
    assert config.read_bytes() == before
