"""Where pullover-tui keeps its files: platformdirs' answer, unless overridden.

platformdirs is imported inside the functions: it costs ~40 ms at start-up,
and a quick ``send`` with flags or environment variables never needs it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "pullover-tui"
CONFIG_ENV = "PULLOVER_TUI_CONFIG"
DATA_ENV = "PULLOVER_TUI_DATA"
CONFIG_FILENAME = "config.toml"
HISTORY_FILENAME = "history.sqlite3"


def config_path(
    explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The config file: ``--config``, else ``$PULLOVER_TUI_CONFIG``, else the platform's."""
    environ = os.environ if env is None else env
    if explicit is not None and str(explicit):
        return Path(explicit).expanduser()
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / CONFIG_FILENAME


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The directory for history and outbox: ``$PULLOVER_TUI_DATA``, else the platform's."""
    environ = os.environ if env is None else env
    if environ.get(DATA_ENV):
        return Path(environ[DATA_ENV]).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def history_path(env: Mapping[str, str] | None = None) -> Path:
    """The SQLite file holding the history and the outbox."""
    return data_dir(env) / HISTORY_FILENAME
