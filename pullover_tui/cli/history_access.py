"""What the history and outbox commands share: the store, credentials per row, retries.

Only ``argparse`` at the top: the core (and with it ``sqlite3``) is imported
inside the functions that need it.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pullover_tui.core.credentials import SendSettings
    from pullover_tui.core.history_entry import HistoryEntry
    from pullover_tui.core.store import HistoryStore


def explicit_credentials(args: argparse.Namespace) -> bool:
    return bool(args.app or args.user or args.profile)


def config_path_of(args: argparse.Namespace) -> str | None:
    return getattr(args, "config", None)


def history_enabled(args: argparse.Namespace) -> bool:
    """The config's ``history`` switch (true when there is no config file)."""
    from pullover_tui.core.paths import config_path

    path = config_path(config_path_of(args))
    if not path.exists():  # the common case for scripts: spare parsing the config schema
        return True
    from pullover_tui.core.profiles import load_config

    return load_config(path).history


def open_store(*, create: bool) -> HistoryStore | None:
    """The history store; None when there is no file and ``create`` is false."""
    from pullover_tui.core.paths import history_path
    from pullover_tui.core.store import HistoryStore

    path = history_path()
    return HistoryStore(path) if create else HistoryStore.open_existing(path)


def history_off_note(args: argparse.Namespace) -> str:
    """Why there is no history file, in words."""
    from pullover_tui.core.errors import ConfigError

    try:
        enabled = history_enabled(args)
    except ConfigError:
        enabled = True
    if not enabled:
        return "no history: it is turned off in the config (history = false)"
    return "no history yet"


def settings_resolver(args: argparse.Namespace) -> Callable[[HistoryEntry], SendSettings]:
    """Credentials for a row: the flags if given, else its profile, else env/default.

    Resolutions are cached per source. Without flags, a row whose profile is
    gone still goes with the environment or default credentials when those
    match it; otherwise the first resolution (or its error) is returned and the
    caller's match check explains the refusal.
    """
    from pullover_tui.cli.common import resolve_settings
    from pullover_tui.core.credentials import resolve_send_settings
    from pullover_tui.core.errors import PulloverError
    from pullover_tui.core.outbox import credentials_match

    cache: dict[tuple[str, str | None], SendSettings | PulloverError] = {}
    config = config_path_of(args)

    def resolved(kind: str, profile: str | None) -> SendSettings:
        key = (kind, profile)
        if key not in cache:
            try:
                if kind == "flags":
                    cache[key] = resolve_settings(args)
                else:
                    cache[key] = resolve_send_settings(profile=profile, config_path=config)
            except PulloverError as exc:
                cache[key] = exc
        value = cache[key]
        if isinstance(value, PulloverError):
            raise value
        return value

    def resolve(entry: HistoryEntry) -> SendSettings:
        if explicit_credentials(args):
            return resolved("flags", None)
        candidates: list[tuple[str, str | None]] = [("default", None)]
        if entry.profile:
            candidates.insert(0, ("profile", entry.profile))
        first: SendSettings | PulloverError | None = None
        for kind, profile in candidates:
            try:
                settings = resolved(kind, profile)
            except PulloverError as exc:
                first = first or exc
                continue
            if credentials_match(entry, settings):
                return settings
            first = first or settings
        if isinstance(first, PulloverError):
            raise first
        assert first is not None
        return first

    return resolve


_RELATIVE = re.compile(r"(\d+)\s*([smhdw])", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: float | None = None) -> float:
    """``--since``: an ISO 8601 date or time, Unix seconds, ``today``, or an age like ``2h``/``7d``.

    Raises ValidationError naming ``--since``.
    """
    from datetime import datetime, timedelta

    from pullover_tui.core.errors import ValidationError
    from pullover_tui.core.parsing import parse_timestamp

    value = text.strip().lower()
    current = time.time() if now is None else now
    if match := _RELATIVE.fullmatch(value):
        digits = match[1]
        if len(digits) > 20:  # longer than since the Big Bang; int() refuses > 4300 digits
            return 0.0
        age = int(digits) * _UNIT_SECONDS[match[2].lower()]
        return current - age if age < current else 0.0
    if value in ("today", "yesterday"):
        midnight = datetime.fromtimestamp(current).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        if value == "yesterday":
            midnight -= timedelta(days=1)
        return midnight.timestamp()
    try:
        return float(parse_timestamp(text, "--since"))
    except ValidationError:
        raise ValidationError(
            "--since",
            "must be a date or time (2026-11-28, 2026-11-28T09:30), an age "
            "(30m, 2h, 7d, 1w), today or yesterday",
        ) from None
