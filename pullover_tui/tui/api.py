"""The network work of the app, per profile: send, sounds, devices, quota, receipts.

No Textual here: screens call these from ``@work`` workers. Every request is
built and read by the core (``account``, ``receipts``, the client); secrets are
resolved off the event loop because a command secret runs a program.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from pullover_tui.core import account, receipts
from pullover_tui.core.client import AsyncClient
from pullover_tui.core.endpoint import API_URL_ENV, resolve_api_url
from pullover_tui.core.errors import Quota
from pullover_tui.core.message import Message
from pullover_tui.core.profiles import Profile, resolve_secret
from pullover_tui.core.receipts import ReceiptStatus
from pullover_tui.core.request import SendResult
from pullover_tui.core.retry import RetryNotice, RetryPolicy

RetryListener = Callable[[RetryNotice], None]
ClientFactory = Callable[[str | None, RetryPolicy, RetryListener | None], AsyncClient]
"""Makes the client for one job from the API root, a policy and a retry listener."""
Sleep = Callable[[float], Awaitable[None]]

SEND_POLICY = RetryPolicy()
LOOKUP_POLICY = RetryPolicy(max_attempts=2, timeout=10.0, deadline=30.0)
"""Sounds, devices, quota and receipts are a convenience: give up on them sooner."""


def default_client_factory(
    api_url: str | None, policy: RetryPolicy, on_retry: RetryListener | None
) -> AsyncClient:
    return AsyncClient(api_url, policy=policy, on_retry=on_retry)


def profile_api_url(profile: Profile, env: Mapping[str, str] | None = None) -> str | None:
    """The root for a profile as DESIGN.md orders it: ``PUSHOVER_API_URL`` wins over the
    profile's ``api_url``. None leaves the choice to the client (the env, else Pushover)."""
    environ = os.environ if env is None else env
    return None if environ.get(API_URL_ENV) else profile.api_url


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
    """Sends and looks things up for one profile, each call with a fresh client.

    ``api_url`` is the root to use (see ``profile_api_url``); the demo profile
    passes its sandbox's, whatever the environment says.
    """

    def __init__(
        self,
        profile: Profile,
        client_factory: ClientFactory,
        *,
        api_url: str | None,
        sounds_cache: account.SoundCache | None = None,
    ) -> None:
        self.profile = profile
        self.api_url = api_url
        self._factory = client_factory
        self._sounds_cache = sounds_cache

    def at(self, api_url: str) -> ProfileApi:
        """The same profile with its requests going to ``api_url`` (a history entry's root)."""
        return ProfileApi(
            self.profile, self._factory, api_url=api_url, sounds_cache=self._sounds_cache
        )

    @property
    def root(self) -> str:
        """The API root the requests go to (what the history records)."""
        return resolve_api_url(self.api_url)

    def _client(self, policy: RetryPolicy, on_retry: RetryListener | None = None) -> AsyncClient:
        return self._factory(self.api_url, policy, on_retry)

    async def credentials(self) -> Credentials:
        return await resolve_credentials(self.profile)

    async def send(
        self,
        message: Message,
        on_retry: RetryListener | None = None,
        credentials: Credentials | None = None,
    ) -> SendResult:
        credentials = credentials or await self.credentials()
        async with self._client(SEND_POLICY, on_retry) as client:
            return await client.send(message, token=credentials.token, user=credentials.user)

    async def sounds(self) -> dict[str, str]:
        """The sounds the app may use: name -> description."""
        credentials = await self.credentials()
        async with self._client(LOOKUP_POLICY) as client:
            return await account.alist_sounds(
                client, token=credentials.token, cache=self._sounds_cache
            )

    async def devices(self) -> tuple[str, ...]:
        """The user's active devices (raises ClientSendError for a refused key)."""
        credentials = await self.credentials()
        async with self._client(LOOKUP_POLICY) as client:
            info = await account.avalidate_user(
                client, token=credentials.token, user=credentials.user.split(",")[0]
            )
        return info.devices

    async def limits(self) -> Quota:
        """The app's monthly quota: limit, remaining, reset time."""
        credentials = await self.credentials()
        async with self._client(LOOKUP_POLICY) as client:
            return await account.aapp_limits(client, token=credentials.token)

    async def receipt(self, receipt: str) -> ReceiptStatus:
        credentials = await self.credentials()
        async with self._client(LOOKUP_POLICY) as client:
            return await receipts.aget_receipt(client, token=credentials.token, receipt=receipt)

    async def watch_receipt(
        self,
        receipt: str,
        on_poll: Callable[[ReceiptStatus], None],
        sleep: Sleep | None = None,
    ) -> ReceiptStatus:
        """Poll until acknowledged or expired; the core keeps polls at least 5 s apart."""
        credentials = await self.credentials()
        async with self._client(LOOKUP_POLICY) as client:
            return await receipts.await_acknowledgement(
                client,
                token=credentials.token,
                receipt=receipt,
                timeout=None,
                sleep=sleep,
                on_poll=on_poll,
            )

    async def cancel_by_tag(self, tag: str) -> int:
        """Stop every emergency message sent with ``tag``; how many Pushover stopped."""
        credentials = await self.credentials()
        async with self._client(LOOKUP_POLICY) as client:
            return await receipts.acancel_by_tag(client, token=credentials.token, tag=tag)

    async def cancel_receipt(self, receipt: str) -> str:
        """Stop an emergency message re-alerting; Pushover's request id."""
        credentials = await self.credentials()
        async with self._client(LOOKUP_POLICY) as client:
            return await receipts.acancel_receipt(client, token=credentials.token, receipt=receipt)


@dataclass
class ProfileCatalog:
    """Sounds, devices and quota fetched per profile, so switching back costs no request."""

    sounds: dict[str, dict[str, str]] = field(default_factory=dict)
    devices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    quotas: dict[str, Quota] = field(default_factory=dict)

    def forget(self, profile_name: str) -> None:
        """Drop what is known of a profile (after it was edited or deleted)."""
        self.sounds.pop(profile_name, None)
        self.devices.pop(profile_name, None)
        self.quotas.pop(profile_name, None)
