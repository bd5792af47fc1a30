"""Killed mid-send, mid-retry and mid-config-write: nothing lost, nothing sent twice.

The CLI runs as a real process and gets SIGKILL, SIGTERM or SIGINT (Ctrl-C) at the
worst moments. Afterwards the message's history row is there, ``outbox flush``
delivers it exactly once, and the config file is always the old one or the new
one, never a mix and never half.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pullover_tui.core.profiles import load_config
from pullover_tui.sandbox import Sandbox, SandboxConfig, running_sandbox
from tests.conftest import TOKEN, USER, run_cli
from tests.reliability.helpers import MESSAGES, cli_env, history_rows, popen_cli, send_args

SIGNALS = {
    "SIGKILL": (signal.SIGKILL, -signal.SIGKILL),
    "SIGTERM": (signal.SIGTERM, -signal.SIGTERM),  # reported, then ended by the signal
    "SIGINT": (signal.SIGINT, 130),  # Ctrl-C: reported, exit 130
}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with running_sandbox(SandboxConfig()) as sandbox:
        yield sandbox


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> tuple[int, str]:
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err.decode("utf-8", "replace")


def flush(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli("outbox", "flush", "-a", TOKEN, "-u", USER, "--retries", "0", env=env)


@pytest.mark.parametrize("phase", ["mid-send", "mid-retry"])
@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_killed_send_leaves_its_row_and_is_flushed_once(
    sb: Sandbox, tmp_path: Path, name: str, phase: str
) -> None:
    sig, expected = SIGNALS[name]
    env = cli_env(sb.url, tmp_path / "data")
    if phase == "mid-send":
        sb.config.hang = True  # the request is on the wire, the answer never comes
    else:
        sb.config.fail_rate = 1.0  # 503, then a wait of at least 5 s before the next attempt
    proc = popen_cli(*send_args("--timeout", "60", "killed"), env=env)
    wait_for(lambda: sb.request_count(MESSAGES) >= 1)
    time.sleep(0.2)  # into the read (mid-send) or the wait (mid-retry)
    code, err = stop(proc, sig)
    assert code == expected, err
    assert "Traceback" not in err
    if name != "SIGKILL":  # SIGTERM and Ctrl-C say where the message is
        assert err.splitlines() == [
            "pullover-tui: kept in the outbox as entry 1: "
            "'pullover-tui outbox flush' sends it later",
            "pullover-tui: " + ("interrupted" if name == "SIGINT" else "terminated"),
        ]
    [row] = history_rows(tmp_path / "data")
    assert (row["message"], row["status"]) == ("killed", "pending")
    sb.config.hang, sb.config.fail_rate = False, 0.0
    first, second = flush(env), flush(env)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr
    assert [m["message"] for m in sb.messages()] == ["killed"]
    assert history_rows(tmp_path / "data")[0]["status"] == "sent"


@pytest.mark.parametrize("name", ["SIGKILL", "SIGINT"])
def test_a_killed_flush_is_taken_over_and_sends_once(
    sb: Sandbox, tmp_path: Path, name: str
) -> None:
    env = cli_env(sb.url, tmp_path / "data")
    sb.config.fail_rate = 1.0
    assert run_cli(*send_args("--retries", "0", "one"), env=env).returncode == 3
    sb.config.fail_rate, sb.config.hang = 0.0, True
    proc = popen_cli("outbox", "flush", "-a", TOKEN, "-u", USER, "--timeout", "60", env=env)
    wait_for(lambda: sb.request_count(MESSAGES) >= 2)
    code, err = stop(proc, SIGNALS[name][0])
    assert code == SIGNALS[name][1], err
    sb.config.hang = False
    again = flush(env)
    assert again.returncode == 0, again.stderr
    assert [m["message"] for m in sb.messages()] == ["one"]
    assert flush(env).returncode == 0 and len(sb.messages()) == 1


def test_a_flush_leaves_alone_what_a_live_sender_is_retrying(sb: Sandbox, tmp_path: Path) -> None:
    """The one real 5 s wait of this file: the sender retries while a flush runs."""
    env = cli_env(sb.url, tmp_path / "data")
    sb.config.fail_first = 1
    sender = popen_cli(*send_args("--retries", "1", "mine"), env=env)
    wait_for(lambda: sb.request_count(MESSAGES) >= 1)
    busy = run_cli("outbox", "flush", "-a", TOKEN, "-u", USER, env=env)
    assert busy.returncode == 0, busy.stderr
    assert "nothing to flush; 1 being sent by others" in busy.stderr
    _out, err = sender.communicate(timeout=60)
    assert sender.returncode == 0, err
    assert [m["message"] for m in sb.messages()] == ["mine"]
    assert sb.request_count(MESSAGES) == 2


# --- the config file --------------------------------------------------------------------------


def add_profile(config: Path, name: str) -> list[str]:
    return [
        "profiles", "add", name, "--config", str(config), "--app-token", TOKEN,
        "--user-key", USER, "--title", "x" * 200, "--device", "phone",
    ]  # fmt: skip


def interrupted_while_python_loads_it(err: bytes) -> bool:
    """Python's own report of a Ctrl-C that came while it was still loading the program,
    before the CLI's ``entry`` ran and could catch it (on a loaded machine the random
    moment can fall that early). Nothing of the command had run: the checks on the
    config below still hold."""
    return err.rstrip().endswith(b"KeyboardInterrupt") and b", in entry\n" not in err


def kill_writers_at_random(tmp_path: Path, rounds: int, seed: int) -> None:
    """Start ``profiles add`` and kill it at a random moment, ``rounds`` times; after each,
    the config must load and hold the profiles before it, plus perhaps the new one."""
    rng = random.Random(seed)
    config = tmp_path / "config.toml"
    assert run_cli(*add_profile(config, "first")).returncode == 0
    started = time.monotonic()
    assert run_cli(*add_profile(config, "second")).returncode == 0
    lifetime = time.monotonic() - started
    names = ["first", "second"]
    landed = 0
    for number in range(rounds):
        name = f"p{number}"
        sig = rng.choice([signal.SIGKILL, signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
        proc = popen_cli(*add_profile(config, name), env={})
        time.sleep(rng.uniform(0.4, 1.1) * lifetime)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        assert b"Traceback" not in err or interrupted_while_python_loads_it(err), err
        loaded = list(load_config(config).profiles)  # never half a file: it always loads
        assert loaded in (names, [*names, name]), (loaded, sig)
        if loaded != names:
            names, landed = loaded, landed + 1
        assert config.stat().st_mode & 0o777 == 0o600
    assert list(load_config(config).profiles) == names
    # Writers killed between writing their temp file and renaming it leave the temp file
    # (a whole copy, secrets and all). The next change, a minute on, clears them away.
    for temp in tmp_path.glob(".config.toml.*.tmp"):
        os.utime(temp, (time.time() - 120, time.time() - 120))
    assert run_cli(*add_profile(config, "last")).returncode == 0
    assert list(load_config(config).profiles) == [*names, "last"]
    assert list(tmp_path.glob(".config.toml.*")) == []


def test_config_survives_writers_killed_at_random(tmp_path: Path) -> None:
    kill_writers_at_random(tmp_path, rounds=10, seed=9)


@pytest.mark.slow
def test_config_survives_many_writers_killed_at_random(tmp_path: Path) -> None:
    kill_writers_at_random(tmp_path, rounds=80, seed=1)
