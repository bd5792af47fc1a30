"""Where files live: explicit path, then the override variables, then platformdirs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pullover_tui.core.paths import config_path, data_dir, history_path


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PULLOVER_TUI_CONFIG", raising=False)
    monkeypatch.delenv("PULLOVER_TUI_DATA", raising=False)
    return tmp_path


@pytest.mark.skipif(sys.platform != "linux", reason="XDG paths are the Linux layout")
def test_config_path_defaults_to_the_xdg_config_dir(xdg: Path) -> None:
    assert config_path() == xdg / "config" / "pullover-tui" / "config.toml"
    assert config_path(env={}) == xdg / "config" / "pullover-tui" / "config.toml"


def test_config_env_variable_beats_the_platform_dir(xdg: Path) -> None:
    env = {"PULLOVER_TUI_CONFIG": str(xdg / "elsewhere.toml")}
    assert config_path(env=env) == xdg / "elsewhere.toml"


def test_config_env_variable_is_read_from_os_environ_by_default(
    xdg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULLOVER_TUI_CONFIG", str(xdg / "from-env.toml"))
    assert config_path() == xdg / "from-env.toml"


def test_explicit_path_beats_everything(xdg: Path) -> None:
    env = {"PULLOVER_TUI_CONFIG": str(xdg / "elsewhere.toml")}
    assert config_path(xdg / "mine.toml", env) == xdg / "mine.toml"
    assert config_path(str(xdg / "mine.toml"), env) == xdg / "mine.toml"


def test_empty_overrides_are_ignored(xdg: Path) -> None:
    env = {"PULLOVER_TUI_CONFIG": str(xdg / "elsewhere.toml")}
    assert config_path("", env) == xdg / "elsewhere.toml"
    assert config_path(None, {"PULLOVER_TUI_CONFIG": ""}) == config_path(None, {})


def test_tilde_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_path("~/c.toml") == tmp_path / "c.toml"
    assert data_dir({"PULLOVER_TUI_DATA": "~/d"}) == tmp_path / "d"


@pytest.mark.skipif(sys.platform != "linux", reason="XDG paths are the Linux layout")
def test_data_dir_and_history_default_to_the_xdg_data_dir(xdg: Path) -> None:
    assert data_dir() == xdg / "data" / "pullover-tui"
    assert history_path() == xdg / "data" / "pullover-tui" / "history.sqlite3"


def test_data_env_variable_is_a_directory(xdg: Path) -> None:
    env = {"PULLOVER_TUI_DATA": str(xdg / "d")}
    assert data_dir(env) == xdg / "d"
    assert history_path(env) == xdg / "d" / "history.sqlite3"


def test_importing_paths_does_not_import_platformdirs() -> None:
    code = "import sys, pullover_tui.core.paths; print('platformdirs' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
