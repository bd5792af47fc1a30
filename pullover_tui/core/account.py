"""What an app and its users can do: validate a user or group key, list sounds, read the quota.

Pure builders and readers, plus thin calls (sync and async) that hand them to a
client. Sounds are cached per app token in a ``SoundCache`` that keys on a hash,
never on the token itself.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pullover_tui.core.errors import Quota, ValidationError
from pullover_tui.core.message import validate_devices, validate_token
from pullover_tui.core.receipts import AsyncApiCaller, SyncApiCaller
from pullover_tui.core.request import ApiRequest, TemporaryFailure, read_answer

__all__ = [
    "LIMITS_PATH",
    "SOUNDS_PATH",
    "VALIDATE_PATH",
    "SoundCache",
    "UserInfo",
    "aapp_limits",
    "alist_sounds",
    "app_limits",
    "avalidate_user",
    "build_app_limits",
    "build_list_sounds",
    "build_validate_user",
    "list_sounds",
    "read_app_limits",
    "read_sounds",
    "read_validate_user",
    "user_info_from",
    "validate_single_key",
    "validate_user",
]

VALIDATE_PATH = "/1/users/validate.json"
SOUNDS_PATH = "/1/sounds.json"
LIMITS_PATH = "/1/apps/limits.json"
SOUND_CACHE_SECONDS = 3600.0


@dataclass(frozen=True)
class UserInfo:
    """A valid user or group key: its active devices and licensed platforms."""

    devices: tuple[str, ...]
    licenses: tuple[str, ...]
    is_group: bool


# Validation and builders


def validate_single_key(user: object, field: str = "user") -> str:
    """One user or group key (validate.json checks one at a time)."""
    if isinstance(user, str) and "," in user:
        raise ValidationError(field, "must be a single key: validate one key at a time")
    return validate_token(user, field)


def build_validate_user(token: str, user: str, device: str | None = None) -> ApiRequest:
    """``POST /1/users/validate.json`` for one key, optionally one of its devices."""
    data = {"token": validate_token(token), "user": validate_single_key(user)}
    if device is not None and device.strip():
        data["device"] = validate_devices((device.strip(),))[0]
    return ApiRequest("POST", VALIDATE_PATH, data=data)


def build_list_sounds(token: str) -> ApiRequest:
    """``GET /1/sounds.json``: the token travels in the query string."""
    return ApiRequest("GET", SOUNDS_PATH, params={"token": validate_token(token)})


def build_app_limits(token: str) -> ApiRequest:
    """``GET /1/apps/limits.json``: the token travels in the query string."""
    return ApiRequest("GET", LIMITS_PATH, params={"token": validate_token(token)})


# Readers (the client's reader signature: status, headers, body, attempts)


def _names(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if isinstance(item, str | int) and str(item))


def user_info_from(body: Mapping[str, Any]) -> UserInfo:
    group = body.get("group")
    return UserInfo(
        devices=_names(body.get("devices")),
        licenses=_names(body.get("licenses")),
        is_group=group in (1, "1", True),
    )


def read_validate_user(
    status: int, headers: Mapping[str, str], body: bytes, attempts: int = 1
) -> UserInfo:
    """A valid key's info; an invalid key or device raises ClientSendError (400)."""
    return user_info_from(read_answer(status, headers, body).body)


def read_sounds(
    status: int, headers: Mapping[str, str], body: bytes, attempts: int = 1
) -> dict[str, str]:
    """Sound name -> description, in Pushover's order (built-in, then the account's own)."""
    sounds = read_answer(status, headers, body).body.get("sounds")
    if not isinstance(sounds, dict):
        raise TemporaryFailure("a sounds answer without a sounds object")
    return {str(name): str(description) for name, description in sounds.items()}


def read_app_limits(
    status: int, headers: Mapping[str, str], body: bytes, attempts: int = 1
) -> Quota:
    """The body's limit, remaining and reset (the same values as the X-Limit-App headers)."""
    answer = read_answer(status, headers, body).body
    try:
        return Quota(
            limit=int(answer["limit"]),
            remaining=int(answer["remaining"]),
            reset=int(answer["reset"]),
        )
    except (KeyError, TypeError, ValueError):
        raise TemporaryFailure("a limits answer without limit, remaining and reset") from None


# The sound cache


class SoundCache:
    """Sound lists per app token (and API root), each kept ``max_age`` seconds.

    Keys are SHA-256 digests: the raw token is never stored here. In memory only;
    one cache per app (no module-level state).
    """

    def __init__(
        self,
        max_age: float = SOUND_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not max_age >= 0:
            raise ValidationError("max_age", "must be 0 seconds or more")
        self.max_age = max_age
        self._clock = clock
        self._entries: dict[str, tuple[float, Mapping[str, str]]] = {}

    @staticmethod
    def key(token: str, api_url: str = "") -> str:
        return hashlib.sha256(f"{api_url}\0{token}".encode()).hexdigest()

    def get(self, token: str, api_url: str = "") -> dict[str, str] | None:
        """A fresh copy of the cached sounds, or None when absent or expired."""
        key = self.key(token, api_url)
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, sounds = entry
        if self._clock() - stored_at >= self.max_age:
            del self._entries[key]
            return None
        return dict(sounds)

    def put(self, token: str, sounds: Mapping[str, str], api_url: str = "") -> None:
        self._entries[self.key(token, api_url)] = (self._clock(), MappingProxyType(dict(sounds)))

    def forget(self, token: str, api_url: str = "") -> None:
        self._entries.pop(self.key(token, api_url), None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"SoundCache(max_age={self.max_age:g}, entries={len(self._entries)})"


def _root(client: object) -> str:
    """The client's API root when it has one: the same token may mean another server."""
    root = getattr(client, "api_url", "")
    return root if isinstance(root, str) else ""


# Calls


def validate_user(
    client: SyncApiCaller, *, token: str, user: str, device: str | None = None
) -> UserInfo:
    """Check a user or group key (and device); raises ClientSendError when Pushover refuses."""
    return client.execute(build_validate_user(token, user, device), read_validate_user)


def list_sounds(
    client: SyncApiCaller, *, token: str, cache: SoundCache | None = None
) -> dict[str, str]:
    """The sounds the app can use (custom ones included), from ``cache`` while fresh."""
    if cache is not None and (cached := cache.get(token, _root(client))) is not None:
        return cached
    sounds = client.execute(build_list_sounds(token), read_sounds)
    if cache is not None:
        cache.put(token, sounds, _root(client))
    return sounds


def app_limits(client: SyncApiCaller, *, token: str) -> Quota:
    """The app's monthly quota: limit, remaining and the reset time."""
    return client.execute(build_app_limits(token), read_app_limits)


async def avalidate_user(
    client: AsyncApiCaller, *, token: str, user: str, device: str | None = None
) -> UserInfo:
    return await client.execute(build_validate_user(token, user, device), read_validate_user)


async def alist_sounds(
    client: AsyncApiCaller, *, token: str, cache: SoundCache | None = None
) -> dict[str, str]:
    if cache is not None and (cached := cache.get(token, _root(client))) is not None:
        return cached
    sounds = await client.execute(build_list_sounds(token), read_sounds)
    if cache is not None:
        cache.put(token, sounds, _root(client))
    return sounds


async def aapp_limits(client: AsyncApiCaller, *, token: str) -> Quota:
    return await client.execute(build_app_limits(token), read_app_limits)
