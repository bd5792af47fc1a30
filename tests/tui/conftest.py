"""Fixtures of the TUI tests: an app per test with its own config, sandboxes, a fake client."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pullover_tui.core.client import AsyncClient
from pullover_tui.core.errors import Quota
from pullover_tui.core.message import Message
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import Config, Profile, save_config
from pullover_tui.core.request import ApiRequest, SendResult
from pullover_tui.core.retry import RetryNotice, RetryPolicy
from pullover_tui.tui.app import PulloverApp
from tests.conftest import OTHER_USER, TOKEN, USER

FIXED_API_URL = "http://127.0.0.1:8765"


@pytest.fixture(autouse=True)
def tui_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Colour on (Textual would go monochrome under NO_COLOR) and one time zone for all."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def no_wait(seconds: float) -> None:
    """Stands in for asyncio.sleep between retries: tests need not wait 5 s."""
    await asyncio.sleep(0)


async def fast_poll(seconds: float) -> None:
    """Stands in for the wait between receipt polls (the core asks for 5 s): 0.2 s."""
    await asyncio.sleep(0.2)


def fast_factory(api_url: str | None, policy: RetryPolicy, on_retry: Any) -> AsyncClient:
    return AsyncClient(api_url, policy=policy, on_retry=on_retry, sleep=no_wait)


def real_wait_factory(api_url: str | None, policy: RetryPolicy, on_retry: Any) -> AsyncClient:
    return AsyncClient(api_url, policy=policy, on_retry=on_retry)


def sample_config(api_url: str = FIXED_API_URL) -> Config:
    """Two profiles: ``personal`` (the default) and ``ops`` with message defaults."""
    personal = Profile("personal", TOKEN, USER, api_url=api_url)
    ops = Profile(
        "ops",
        TOKEN,
        OTHER_USER,
        title="ops alert",
        priority=Priority.HIGH,
        sound="siren",
        device="phone",
        api_url=api_url,
    )
    return Config({"personal": personal, "ops": ops}, default_profile="personal")


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "config.toml"


@pytest.fixture
def make_app(config_path: Path) -> Callable[..., PulloverApp]:
    """An app with frozen cursor and animations and fast retries; keyword args pass through."""

    def make(**options: Any) -> PulloverApp:
        options.setdefault("client_factory", fast_factory)
        options.setdefault("receipt_sleep", fast_poll)
        options.setdefault("cursor_blink", False)
        options.setdefault("animate", False)
        path = options.pop("config_path", config_path)
        return PulloverApp(path, **options)

    return make


@pytest.fixture
def demo_session() -> Iterator[Any]:
    """demo mode's sandbox and throwaway data directory, stopped after the test."""
    from pullover_tui.tui.demo import start_demo

    session = start_demo()
    yield session
    session.close()


@pytest.fixture
def configured(config_path: Path, sandbox: Any) -> Any:
    """The sample config, pointing at the test's sandbox; returns the sandbox."""
    save_config(config_path, sample_config(sandbox.url))
    return sandbox


FAKE_RECEIPT = "rLqVuqTRh62UzxtmqiaLzQmVcPgiCy"
FAKE_TIME = 1_795_850_000  # 2026-11-28 07:13:20 UTC


class FakeClient:
    """A stand-in for AsyncClient with fixed answers, for deterministic snapshots."""

    hang = False

    def __init__(self, api_url: str | None, policy: RetryPolicy, on_retry: Any) -> None:
        self.on_retry = on_retry

    async def __aenter__(self) -> FakeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def send(self, message: Message, *, token: str, user: str) -> SendResult:
        if self.hang:
            if self.on_retry is not None:
                self.on_retry(RetryNotice(2, 5, 5.0, "HTTP 503"))
            await asyncio.Event().wait()
        return SendResult(
            request="5042853c-402d-4a18-abcb-168734a801de",
            receipt=FAKE_RECEIPT if message.priority is Priority.EMERGENCY else None,
            quota=Quota(limit=10_000, remaining=9_876, reset=FAKE_TIME + 86_400 * 3),
        )

    async def execute(self, request: ApiRequest, read: Callable[..., Any]) -> Any:
        """Pushover's answers, fixed, read by the core's own readers."""
        path = request.path
        body: dict[str, Any]
        if path.endswith("sounds.json"):
            body = {"sounds": {"pushover": "Pushover (default)", "magic": "Magic"}}
        elif path.endswith("limits.json"):
            body = {"limit": 10_000, "remaining": 9_900, "reset": FAKE_TIME + 86_400 * 3}
        elif path.startswith("/1/receipts/cancel_by_tag/"):
            body = {"canceled": 2}
        elif path.startswith("/1/receipts/") and path.endswith("cancel.json"):
            body = {}
        elif path.startswith("/1/receipts/"):
            body = {
                "acknowledged": 1,
                "acknowledged_at": FAKE_TIME + 42,
                "acknowledged_by": USER,
                "acknowledged_by_device": "phone",
                "last_delivered_at": FAKE_TIME + 30,
                "expired": 0,
                "expires_at": FAKE_TIME + 3600,
                "called_back": 0,
                "called_back_at": 0,
            }
        else:
            body = {"devices": ["phone", "tablet"], "licenses": ["iOS"], "group": 0}
        answer = {"status": 1, "request": "r", **body}
        return read(200, {}, json.dumps(answer).encode(), 1)


class HangingFakeClient(FakeClient):
    hang = True
