"""The network work of the app, per profile: send, list sounds, list devices.

No Textual here: screens call these from ``@work`` workers. Secrets are
resolved off the event loop because a command secret runs a program.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from pullover_tui.core.client import AsyncClient
from pullover_tui.core.message import Message
from pullover_tui.core.profiles import Profile, resolve_secret
from pullover_tui.core.request import ApiRequest, SendResult
from pullover_tui.core.retry import RetryNotice, RetryPolicy

RetryListener = Callable[[RetryNotice], None]
ClientFactory = Callable[[str | None, RetryPolicy, RetryListener | None], AsyncClient]
"""Makes the client for one job from the profile's API root, a policy and a retry listener."""

SEND_POLICY = RetryPolicy()
LOOKUP_POLICY = RetryPolicy(max_attempts=2, timeout=10.0, deadline=30.0)
"""Sounds and devices are a convenience: give up on them sooner than on a message."""


def default_client_factory(
    api_url: str | None, policy: RetryPolicy, on_retry: RetryListener | None
) -> AsyncClient:
    return AsyncClient(api_url, policy=policy, on_retry=on_retry)


@dataclass(frozen=True)
class Credentials:
    """A profile's resolved secrets. Raw values: never shown, never logged."""

    token: str = field(repr=False)
    user: str = field(repr=False)


def _resolve(profile: Profile) -> Credentials:
    return Credentials(
        token=resolve_secret(profile.app_token, profile=profile.name, field="app_token"),
        user=resolve_secret(profile.user_key, profile=profile.name, field="user_key"),
    )


async def resolve_credentials(profile: Profile) -> Credentials:
    """Resolve token and user key in a thread (a command secret may take a while)."""
    return await asyncio.to_thread(_resolve, profile)


class ProfileApi:
    """Sends and looks things up for one profile, each call with a fresh client."""

    def __init__(self, profile: Profile, client_factory: ClientFactory) -> None:
        self.profile = profile
        self._factory = client_factory

    def _client(self, policy: RetryPolicy, on_retry: RetryListener | None = None) -> AsyncClient:
        return self._factory(self.profile.api_url, policy, on_retry)

    async def send(self, message: Message, on_retry: RetryListener | None = None) -> SendResult:
        credentials = await resolve_credentials(self.profile)
        async with self._client(SEND_POLICY, on_retry) as client:
            return await client.send(message, token=credentials.token, user=credentials.user)

    async def sounds(self) -> dict[str, str]:
        """The sounds the app may use: name -> description."""
        credentials = await resolve_credentials(self.profile)
        request = ApiRequest("GET", "/1/sounds.json", params={"token": credentials.token})
        async with self._client(LOOKUP_POLICY) as client:
            answer = await client.call(request)
        sounds = answer.body.get("sounds")
        if not isinstance(sounds, dict):
            return {}
        return {str(name): str(description) for name, description in sounds.items()}

    async def devices(self) -> tuple[str, ...]:
        """The user's active devices, from users/validate (raises ClientSendError if bad)."""
        credentials = await resolve_credentials(self.profile)
        request = ApiRequest(
            "POST",
            "/1/users/validate.json",
            data={"token": credentials.token, "user": credentials.user},
        )
        async with self._client(LOOKUP_POLICY) as client:
            answer = await client.call(request)
        devices = answer.body.get("devices")
        if not isinstance(devices, list):
            return ()
        return tuple(str(device) for device in devices)


@dataclass
class ProfileCatalog:
    """Sounds and devices fetched per profile, so switching back costs no request."""

    sounds: dict[str, dict[str, str]] = field(default_factory=dict)
    devices: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def forget(self, profile_name: str) -> None:
        """Drop what is known of a profile (after it was edited or deleted)."""
        self.sounds.pop(profile_name, None)
        self.devices.pop(profile_name, None)
