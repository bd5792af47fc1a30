"""Shared fixtures: every test runs with its own config and data dirs and no Pushover env."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
OTHER_USER = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"
ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run the long tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point config and data at tmp_path and forget the developer's own Pushover settings."""
    for name in list(os.environ):
        if name.startswith(("PUSHOVER_", "PULLOVER_TUI_")):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    return home


@pytest.fixture
def sandbox() -> Iterator[object]:
    """A fresh in-process sandbox server on a free loopback port."""
    from pullover_tui.sandbox import SandboxConfig, running_sandbox

    with running_sandbox(SandboxConfig()) as handle:
        yield handle


@pytest.fixture
def sandbox_strict() -> Iterator[object]:
    """A sandbox that knows only TOKEN and USER, as the real Pushover knows only yours."""
    from pullover_tui.sandbox import SandboxConfig, running_sandbox

    with running_sandbox(SandboxConfig(app_tokens=(TOKEN,), user_keys=(USER,))) as handle:
        yield handle


def run_cli(
    *args: str,
    input: bytes | str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pullover_tui ARGS`` as a user would, with the test's environment."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    data = input.decode("utf-8", "surrogateescape") if isinstance(input, bytes) else input
    if isinstance(input, bytes):
        proc = subprocess.run(
            [sys.executable, "-m", "pullover_tui", *args],
            input=input,
            capture_output=True,
            env=full_env,
            timeout=timeout,
            cwd=ROOT,
        )
        return subprocess.CompletedProcess(
            proc.args,
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )
    return subprocess.run(
        [sys.executable, "-m", "pullover_tui", *args],
        input=data if data is not None else "",
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
    )
