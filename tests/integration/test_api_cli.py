"""The API subcommands (receipt, cancel, sounds, validate, limits) as subprocesses vs the sandbox.

The wait loop's 5 s spacing is tested with a fake clock in the unit tests;
here a receipt is acknowledged (or cancelled) before ``receipt --wait`` starts,
so its first poll sees the outcome.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pullover_tui.sandbox import SandboxConfig, running_sandbox
from tests.conftest import OTHER_USER, TOKEN, USER, run_cli

DEVICES = ("iphone", "desk")
MASKED_USER = "uQiR…RsG"


@pytest.fixture
def sb() -> Iterator[Any]:
    config = SandboxConfig(
        app_tokens=(TOKEN,),
        user_keys=(USER, OTHER_USER),
        devices=DEVICES,
        custom_sounds=("klaxon",),
    )
    with running_sandbox(config) as sandbox:
        yield sandbox


def cli(sb: Any, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run with the token and user key from the environment, as scripts usually do."""
    base = {"PUSHOVER_API_URL": sb.url, "PUSHOVER_APP_TOKEN": TOKEN, "PUSHOVER_USER_KEY": USER}
    proc = run_cli(*args, env={**base, **env})
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream
        assert TOKEN not in stream and USER not in stream
    return proc


def emergency(sb: Any, *extra: str) -> str:
    """Send an emergency message with the CLI; its receipt is stdout's second line."""
    proc = cli(sb, "send", "-p", "emergency", "--retry", "30", "--expire", "3600", *extra, "help")
    assert proc.returncode == 0, proc.stderr
    _request, receipt = proc.stdout.splitlines()
    assert sb.messages()[-1]["receipt"] == receipt
    return receipt


def stderr_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return proc.stderr.splitlines()


# receipt


def test_receipt_status_for_people_and_scripts(sb: Any) -> None:
    receipt = emergency(sb)
    proc = cli(sb, "receipt", receipt)
    assert proc.returncode == 0, proc.stderr
    rows = dict(
        line.split(None, 1)
        for line in proc.stdout.replace("last delivered", "last_delivered").splitlines()
    )
    assert rows["receipt"] == receipt
    assert rows["state"] == "pending" and rows["acknowledged"] == "no"
    assert set(rows) == {"receipt", "state", "acknowledged", "last_delivered", "expires"}
    data = json.loads(cli(sb, "receipt", receipt, "--json").stdout)
    assert data["status"] == 1 and data["state"] == "pending"
    assert data["acknowledged"] is False and data["acknowledged_by"] is None
    assert isinstance(data["expires_at"], int)


def test_receipt_wait_sees_an_acknowledgement(sb: Any) -> None:
    receipt = emergency(sb, "-u", f"{USER},{OTHER_USER}")
    sb.acknowledge(receipt, user=USER, device="desk")
    proc = cli(sb, "receipt", receipt, "--wait", "--wait-timeout", "60")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip()
    assert line.startswith(f"acknowledged by {MASKED_USER} on desk at ")
    assert proc.stderr == ""
    data = json.loads(cli(sb, "receipt", receipt, "--wait", "--json").stdout)
    assert (data["status"], data["state"], data["timed_out"]) == (1, "acknowledged", False)
    assert (data["acknowledged_by"], data["acknowledged_by_device"]) == (MASKED_USER, "desk")
    shown = cli(sb, "receipt", receipt).stdout
    assert f"by {MASKED_USER} on desk" in shown


def test_receipt_wait_exits_1_when_cancelled_or_expired(sb: Any) -> None:
    receipt = emergency(sb)
    assert cli(sb, "receipt", receipt, "--cancel").stdout == f"cancelled {receipt}\n"
    proc = cli(sb, "receipt", receipt, "--wait")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "expired or cancelled without acknowledgement" in proc.stderr
    data = json.loads(cli(sb, "receipt", receipt, "--wait", "--json").stdout)
    assert (data["status"], data["exit_code"], data["state"]) == (0, 1, "expired")
    assert data["errors"] and data["receipt"] == receipt


def test_receipt_wait_timeout(sb: Any) -> None:
    receipt = emergency(sb)
    proc = cli(sb, "receipt", receipt, "--wait", "--wait-timeout", "2", "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert (data["state"], data["timed_out"]) == ("pending", True)
    assert "not acknowledged within 2 s" in proc.stderr
    assert sb.request_count(f"/1/receipts/{receipt}.json") == 1


def test_receipt_cancel_json(sb: Any) -> None:
    receipt = emergency(sb)
    data = json.loads(cli(sb, "receipt", receipt, "--cancel", "--json").stdout)
    assert data["status"] == 1 and data["cancelled"] is True and data["request"]
    assert sb.receipt(receipt)["expired"] == 1


def test_unknown_and_malformed_receipts(sb: Any) -> None:
    proc = cli(sb, "receipt", "A" * 30)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "receipt not found" in proc.stderr and "request id:" in proc.stderr
    data = json.loads(cli(sb, "receipt", "A" * 30, "--json").stdout)
    assert (data["status"], data["exit_code"], data["http_status"]) == (0, 1, 404)
    before = sb.request_count()
    for bad in ("nope", "", "../../1/messages", "A" * 29 + "é"):
        proc = cli(sb, "receipt", bad)
        assert proc.returncode == 1
        assert stderr_lines(proc)[0].startswith("pullover-tui: receipt: ")
    assert sb.request_count() == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--wait", "--cancel"), "cannot be combined"),
        (("--wait-timeout", "5"), "needs --wait"),
        (("--wait", "--wait-timeout", "0"), "more than 0"),
        (("--wait", "--wait-timeout", "nan"), "more than 0"),
        (("--timeout", "-1"), "--timeout"),
        (("--timeout", "inf"), "--timeout"),
        (("--retries", "-1"), "--retries"),
        (("--wait-timeout", "soon"), "invalid float value"),
    ],
)
def test_receipt_usage_errors(sb: Any, args: tuple[str, ...], words: str) -> None:
    proc = cli(sb, "receipt", "A" * 30, *args)
    assert proc.returncode == 2 and words in proc.stderr
    assert sb.request_count() == 0


# cancel --tag


def test_cancel_by_tag(sb: Any) -> None:
    first, second = (
        emergency(sb, "--tag", "deploy"),
        emergency(sb, "--tag", "deploy", "--tag", "db"),
    )
    other = emergency(sb, "--tag", "backup")
    proc = cli(sb, "cancel", "--tag", "deploy")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "cancelled 2 emergency messages tagged 'deploy'\n"
    assert [sb.receipt(r)["expired"] for r in (first, second, other)] == [1, 1, 0]
    data = json.loads(cli(sb, "cancel", "--tag", "deploy", "--json").stdout)
    assert data == {"status": 1, "tag": "deploy", "cancelled": 0}


def test_cancel_needs_a_usable_tag(sb: Any) -> None:
    assert cli(sb, "cancel").returncode == 2
    proc = cli(sb, "cancel", "--tag", "a,b")
    assert proc.returncode == 1 and "tag: must be one tag" in proc.stderr
    assert sb.request_count() == 0


# sounds


def test_sounds(sb: Any) -> None:
    proc = cli(sb, "sounds")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split(None, 1) == ["pushover", "Pushover (default)"]
    assert lines[-1].split() == ["klaxon", "klaxon"]
    column = lines[0].index("Pushover")
    assert all(line[column - 2 : column] == "  " for line in lines)
    data = json.loads(cli(sb, "sounds", "--json").stdout)
    assert data["status"] == 1 and data["sounds"]["klaxon"] == "klaxon"
    assert len(data["sounds"]) == 24


def test_sounds_with_a_refused_token(sb: Any) -> None:
    proc = cli(sb, "sounds", "-a", "Q" * 30, "--json")
    assert proc.returncode == 1
    assert "token: rejected by Pushover (HTTP 400)" in proc.stderr
    assert json.loads(proc.stdout)["invalid_fields"] == ["token"]


# validate


def test_validate_lists_devices(sb: Any) -> None:
    proc = cli(sb, "validate")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"user      {MASKED_USER}",
        "kind      user",
        "devices   iphone, desk",
        "licenses  Android, iOS, Desktop",
    ]
    data = json.loads(cli(sb, "validate", "-u", OTHER_USER, "--device", "desk", "--json").stdout)
    assert data == {
        "status": 1,
        "user": "gzne…kzF",
        "is_group": False,
        "devices": ["desk"],
        "licenses": ["Android", "iOS", "Desktop"],
        "device": "desk",
    }


def test_validate_failures(sb: Any) -> None:
    proc = cli(sb, "validate", "--device", "tv")
    assert proc.returncode == 1 and "device: rejected by Pushover" in proc.stderr
    proc = cli(sb, "validate", "-u", "Z" * 30)
    assert proc.returncode == 1 and "user: rejected by Pushover" in proc.stderr
    before = sb.request_count()
    proc = cli(sb, "validate", "-u", f"{USER},{OTHER_USER}")
    assert proc.returncode == 1 and "single key" in proc.stderr
    proc = cli(sb, "validate", "--device", "bad name!")
    assert proc.returncode == 1 and proc.stderr.startswith("pullover-tui: device: ")
    proc = cli(sb, "validate", PUSHOVER_USER_KEY="")
    assert proc.returncode == 2 and "user key: is required" in proc.stderr
    assert sb.request_count() == before


# limits


def test_limits(sb: Any) -> None:
    cli(sb, "send", "-u", f"{USER},{OTHER_USER}", "hello both")
    proc = cli(sb, "limits")
    assert proc.returncode == 0, proc.stderr
    rows = dict(line.split(None, 1) for line in proc.stdout.splitlines())
    assert (rows["limit"], rows["remaining"]) == ("10000", "9998")
    assert rows["reset"][:4].isdigit() and "T" in rows["reset"]
    data = json.loads(cli(sb, "limits", "--json").stdout)
    assert (data["status"], data["limit"], data["remaining"]) == (1, 10_000, 9_998)
    send = json.loads(cli(sb, "send", "--json", "one more").stdout)
    assert send["quota"] == {**{k: data[k] for k in ("limit", "reset")}, "remaining": 9_997}


# shared behaviour


@pytest.mark.parametrize(
    "args",
    [
        ("limits",),
        ("sounds",),
        ("cancel", "--tag", "x"),
        ("receipt", "A" * 30),
        ("validate",),
    ],
)
def test_every_command_needs_a_token_and_says_so(sb: Any, args: tuple[str, ...]) -> None:
    proc = cli(sb, *args, "--json", PUSHOVER_APP_TOKEN="")
    assert proc.returncode == 2
    assert "app token: is required" in proc.stderr
    assert json.loads(proc.stdout)["exit_code"] == 2


def test_a_user_key_is_not_needed_where_unused(sb: Any) -> None:
    assert cli(sb, "limits", PUSHOVER_USER_KEY="").returncode == 0


def test_bad_api_url_is_a_usage_error(sb: Any) -> None:
    proc = cli(sb, "limits", PUSHOVER_API_URL="ftp://example.test")
    assert proc.returncode == 2 and "PUSHOVER_API_URL" in proc.stderr


def test_temporary_failure_after_retries_exits_3(sb: Any) -> None:
    sb.config.fail_status = 503
    sb.config.fail_first = 100
    proc = cli(sb, "limits", "--retries", "0", "--json")
    assert proc.returncode == 3
    data = json.loads(proc.stdout)
    assert (data["exit_code"], data["attempts"], data["http_status"]) == (3, 1, 503)
    proc = cli(sb, "sounds", "--retries", "0", "-v")
    assert proc.returncode == 3 and "not sent after 1 attempt" in proc.stderr


def test_profile_supplies_token_and_api_url(sb: Any, isolated_environment: Path) -> None:
    config = isolated_environment / ".config" / "pullover-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        "[profiles.ops]\n"
        f'app_token = "{TOKEN}"\n'
        'user_key = { env = "OPS_USER_KEY_NOT_SET" }\n'
        f'api_url = "{sb.url}"\n'
    )
    env = {"PUSHOVER_APP_TOKEN": "", "PUSHOVER_USER_KEY": "", "PUSHOVER_API_URL": ""}
    proc = run_cli("limits", "-P", "ops", "--json", env=env)
    assert proc.returncode == 0, proc.stderr  # the user key (unset here) is not needed
    assert json.loads(proc.stdout)["limit"] == 10_000
    proc = run_cli("validate", "-P", "ops", env=env)
    assert proc.returncode == 2 and "OPS_USER_KEY_NOT_SET" in proc.stderr
    proc = run_cli("validate", "-P", "ops", "-u", USER, env=env)
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("limits", "-P", "nosuch", env=env)
    assert proc.returncode == 2 and "nosuch" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_lists_the_commands(sb: Any) -> None:
    proc = run_cli("--help")
    for command in ("receipt", "cancel", "sounds", "validate", "limits"):
        assert command in proc.stdout
    proc = run_cli("receipt", "--help")
    assert proc.returncode == 0 and "--wait-timeout" in proc.stdout and "exit codes" in proc.stdout


def test_unreachable_server(sb: Any) -> None:
    url = sb.url
    sb.stop()
    proc = run_cli(
        "sounds", "--retries", "0", env={"PUSHOVER_API_URL": url, "PUSHOVER_APP_TOKEN": TOKEN}
    )
    assert proc.returncode == 3 and "cannot connect" in proc.stderr
    assert TOKEN not in proc.stderr and "Traceback" not in proc.stderr


def test_emergency_send_failures_reach_the_cli(sb: Any) -> None:
    proc = cli(sb, "send", "-p", "emergency", "--retry", "10", "--expire", "99999", "x")
    assert proc.returncode == 1
    assert "retry: must be at least 30 seconds" in proc.stderr
    assert "expire: must be 1 to 10800 seconds" in proc.stderr
    assert sb.request_count() == 0
