"""Where a send's credentials and API root come from (first match wins; see DESIGN.md).

1. ``-a/--app`` and ``-u/--user`` flags; 2. the profile named by ``-P``;
3. ``PUSHOVER_APP_TOKEN`` / ``PUSHOVER_USER_KEY``; 4. the config's default profile.

The app token and the user key each walk that chain on their own. The config
file is read only when a level that needs it is reached, and secret
references are resolved only for the values actually used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pullover_tui.core.endpoint import API_URL_ENV, check_api_url
from pullover_tui.core.errors import ConfigError, ValidationError

if TYPE_CHECKING:
    from pullover_tui.core.profiles import Profile

APP_TOKEN_ENV = "PUSHOVER_APP_TOKEN"
USER_KEY_ENV = "PUSHOVER_USER_KEY"


@dataclass(frozen=True)
class SendSettings:
    """Everything a send needs besides the message itself. Secrets are raw: keep it private."""

    token: str = field(repr=False)
    user: str = field(repr=False)
    api_url: str | None = None  # None: the client's own resolution (env, then default)
    profile: str | None = None  # the profile that supplied something, for history
    defaults: Mapping[str, Any] = field(default_factory=dict)  # Message keyword defaults
    config_file: Path | None = None  # the config file that was read, if one was


def resolve_send_settings(
    *,
    app: str | None = None,
    user: str | None = None,
    profile: str | None = None,
    config_path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> SendSettings:
    """Resolve token, user key, API root and message defaults for one send.

    Raises ``ValidationError`` (field ``app token`` / ``user key``) when nothing
    supplies a value, ``UnknownProfileError`` (a ``ConfigError``) for an
    unknown ``profile``, and ``ConfigError`` for a broken config file or a
    secret reference that cannot be resolved.
    """
    environ = os.environ if env is None else env
    token = app or None
    key = user or None
    if profile is None:
        token = token or environ.get(APP_TOKEN_ENV) or None
        key = key or environ.get(USER_KEY_ENV) or None
    used: Profile | None = None
    config_file: Path | None = None
    if profile is not None or not (token and key):
        used, config_file = _profile_in_use(profile, config_path, environ)
    if used is not None:
        token = token or _resolve(used, "app_token", environ, config_file)
        key = key or _resolve(used, "user_key", environ, config_file)
    if not token:
        raise ValidationError(
            "app token",
            f"is required: give -a/--app or -P/--profile, set {APP_TOKEN_ENV}, "
            "or add a default profile",
        )
    if not key:
        raise ValidationError(
            "user key",
            f"is required: give -u/--user or -P/--profile, set {USER_KEY_ENV}, "
            "or add a default profile",
        )
    return SendSettings(
        token=token,
        user=key,
        api_url=_api_url(used, environ),
        profile=None if used is None else used.name,
        defaults={} if used is None else used.message_defaults(),
        config_file=config_file,
    )


def _profile_in_use(
    name: str | None, config_path: str | os.PathLike[str] | None, environ: Mapping[str, str]
) -> tuple[Profile | None, Path]:
    """The ``-P`` profile, or else the default one (None if there is none), and the file read."""
    from pullover_tui.core.paths import config_path as find_config
    from pullover_tui.core.profiles import load_config

    config_file = find_config(config_path, environ)
    config = load_config(config_file)
    if name is None:
        return config.default, config_file
    try:
        return config.profile(name), config_file
    except ConfigError as exc:
        raise exc.at(config_file) from None


def _resolve(
    profile: Profile, field: str, environ: Mapping[str, str], config_file: Path | None
) -> str:
    from pullover_tui.core.secret_refs import resolve_secret

    try:
        return resolve_secret(
            getattr(profile, field), profile=profile.name, field=field, env=environ
        )
    except ConfigError as exc:
        raise (exc if config_file is None else exc.at(config_file)) from None


def _api_url(profile: Profile | None, environ: Mapping[str, str]) -> str | None:
    """``PUSHOVER_API_URL``, then the profile's ``api_url``, then None (the client's default)."""
    if environ.get(API_URL_ENV):
        return check_api_url(environ[API_URL_ENV], API_URL_ENV)
    return None if profile is None else profile.api_url
