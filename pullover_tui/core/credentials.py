"""Where a send's credentials and API root come from (first match wins; see DESIGN.md).

1. ``-a/--app`` and ``-u/--user`` flags; 2. the profile named by ``-P``;
3. ``PUSHOVER_APP_TOKEN`` / ``PUSHOVER_USER_KEY``; 4. the config's default profile.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pullover_tui.core.errors import ValidationError

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


def resolve_send_settings(
    *,
    app: str | None = None,
    user: str | None = None,
    profile: str | None = None,
    config_path: str | None = None,
    env: Mapping[str, str] | None = None,
) -> SendSettings:
    """Resolve token, user key, API root and message defaults for one send.

    Raises ``ValidationError`` (field ``app token`` / ``user key``) when nothing
    supplies a value. Profiles arrive with the config issue; until then only
    flags and the environment are read.
    """
    environ = os.environ if env is None else env
    token = app or environ.get(APP_TOKEN_ENV)
    key = user or environ.get(USER_KEY_ENV)
    if not token:
        raise ValidationError("app token", f"is required: give -a/--app or set {APP_TOKEN_ENV}")
    if not key:
        raise ValidationError("user key", f"is required: give -u/--user or set {USER_KEY_ENV}")
    return SendSettings(token=token, user=key)
