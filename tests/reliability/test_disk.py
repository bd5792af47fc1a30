"""A full disk and a read-only directory: a clear error, nothing corrupted, nothing lost.

A tiny tmpfs is mounted where that is allowed (root, as in the project's CI);
otherwise those tests are skipped, and ``RLIMIT_FSIZE`` (no privileges needed)
stands in for a full disk: writes past the limit fail with EFBIG as they would
with ENOSPC.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pullover_tui.core.profiles import load_config
from pullover_tui.sandbox import Sandbox
from tests.conftest import ROOT, TOKEN, USER, run_cli
from tests.reliability.helpers import (
    MESSAGES,
    cli_argv,
    closing_db,
    history_rows,
    json_line,
    send_args,
)


def mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB file system of its own, to fill up."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not mount_tmpfs(disk, "256k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield disk
    finally:
        unmount(disk)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[tuple[Path, Callable[[], None]]]:
    """A directory to fill, then make read-only (a remounted tmpfs; chmod for non-root)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = mount_tmpfs(folder, "1m")
    if not mounted and os.geteuid() == 0:
        pytest.skip("root ignores file modes and cannot mount here: no read-only directory")

    def freeze() -> None:
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            for path in [folder, *folder.rglob("*")]:
                path.chmod(path.stat().st_mode & ~0o222)

    try:
        yield folder, freeze
    finally:
        if mounted:
            unmount(folder)
        else:
            for path in [folder, *folder.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)


def fill(disk: Path) -> None:
    """Write to ``disk`` until it has no byte left."""
    for name, chunk in (("filler", 4096), ("filler-small", 1)):  # then the last partial block
        with open(disk / name, "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC


def add(config: Path, name: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "profiles", "add", name, "--config", str(config), "--app-token", TOKEN,
        "--user-key", USER, env=env,
    )  # fmt: skip


def test_config_write_on_a_full_disk(tiny_disk: Path) -> None:
    config = tiny_disk / "config.toml"
    assert add(config, "home").returncode == 0
    before = config.read_bytes()
    fill(tiny_disk)
    proc = add(config, "work")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"pullover-tui: {config}: cannot write: No space left on device\n"
    assert config.read_bytes() == before
    assert list(load_config(config).profiles) == ["home"]
    assert sorted(p.name for p in tiny_disk.iterdir()) == [
        "config.toml", "config.toml.lock", "filler", "filler-small",
    ]  # fmt: skip
    (tiny_disk / "filler").unlink()
    assert add(config, "work").returncode == 0  # room again: it works again


def test_config_write_past_the_file_size_limit_without_privileges(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    assert add(config, "home").returncode == 0
    before = config.read_bytes()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(before) + 16, len(before) + 16))

    proc = subprocess.run(
        cli_argv(*("profiles", "add", "work", "--config", str(config)),
                 *("--app-token", TOKEN, "--user-key", USER, "--title", "t" * 200)),
        capture_output=True, text=True, cwd=ROOT, preexec_fn=limit, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"pullover-tui: {config}: cannot write: File too large\n"
    assert config.read_bytes() == before
    assert [p.name for p in tmp_path.glob(".config.toml.*")] == []


def test_send_on_a_full_disk_still_sends(sandbox: Sandbox, tiny_disk: Path) -> None:
    """No room for a history: say so, and deliver the message all the same."""
    fill(tiny_disk)
    env = {"PUSHOVER_API_URL": sandbox.url, "PULLOVER_TUI_DATA": str(tiny_disk / "data")}
    proc = run_cli(*send_args("--json", "disk full on db1"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("pullover-tui: warning: history: not recorded: ")
    assert json_line(proc.stdout)["history_id"] is None
    assert [m["message"] for m in sandbox.messages()] == ["disk full on db1"]


def test_a_history_that_fills_the_disk_keeps_what_it_had(sandbox: Sandbox, tiny_disk: Path) -> None:
    data = tiny_disk / "data"
    env = {"PUSHOVER_API_URL": sandbox.url, "PULLOVER_TUI_DATA": str(data)}
    assert run_cli(*send_args("first"), env=env).returncode == 0
    fill(tiny_disk)
    sent = 0
    for number in range(20):  # until SQLite finds no page to grow into
        proc = run_cli(*send_args("x" * 1000 + str(number)), env=env)
        assert proc.returncode == 0, proc.stderr
        sent += 1
        if "warning: history" in proc.stderr:
            break
    assert "warning: history" in proc.stderr, "the disk never filled"
    assert len(sandbox.messages()) == sent + 1  # every message went out regardless
    for name in ("filler", "filler-small"):
        (tiny_disk / name).unlink()
    listing = run_cli("history", "--json", env=env)
    assert listing.returncode == 0, listing.stderr
    rows = history_rows(data)
    assert rows[0]["message"] == "first" and rows[0]["status"] == "sent"
    assert all(row["status"] in ("sent", "pending") for row in rows)
    with closing_db(data / "history.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_read_only_config_directory(read_only: tuple[Path, Callable[[], None]]) -> None:
    folder, freeze = read_only
    config = folder / "config.toml"
    assert add(config, "home").returncode == 0
    before = config.read_bytes()
    freeze()
    proc = add(config, "work")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("pullover-tui: ")
    assert ("Read-only file system" in proc.stderr) or ("Permission denied" in proc.stderr)
    assert config.read_bytes() == before
    listing = run_cli("profiles", "list", "--config", str(config))  # reading still works
    assert listing.returncode == 0 and "home" in listing.stdout


def test_a_read_only_data_directory(
    sandbox: Sandbox, read_only: tuple[Path, Callable[[], None]]
) -> None:
    folder, freeze = read_only
    data = folder / "data"
    env = {"PUSHOVER_API_URL": sandbox.url, "PULLOVER_TUI_DATA": str(data)}
    assert run_cli(*send_args("before"), env=env).returncode == 0
    freeze()
    proc = run_cli(*send_args("after"), env=env)
    assert proc.returncode == 0, proc.stderr  # sent, with a warning about the record
    assert "warning: history" in proc.stderr
    assert [m["message"] for m in sandbox.messages()] == ["before", "after"]
    listing = run_cli("history", "--json", env=env)
    print("read-only listing:", listing.returncode, listing.stderr)
    assert listing.returncode in (0, 2), listing.stderr
    assert "Traceback" not in listing.stderr
    if listing.returncode == 0:
        assert [e["message"] for e in json_line(listing.stdout)["entries"]] == ["before"]
    assert sandbox.request_count(MESSAGES) == 2
