"""Users, sounds and limits: pure builders and readers, and the sound cache with a fake clock."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from pullover_tui.core import account
from pullover_tui.core.account import (
    SoundCache,
    UserInfo,
    build_app_limits,
    build_list_sounds,
    build_validate_user,
    read_app_limits,
    read_sounds,
    read_validate_user,
)
from pullover_tui.core.errors import ClientSendError, Quota, ValidationError
from pullover_tui.core.request import ApiRequest, TemporaryFailure
from tests.conftest import OTHER_USER, TOKEN, USER

SOUNDS = {"pushover": "Pushover (default)", "bike": "Bike", "klaxon": "klaxon"}


def body(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data).encode()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeApi:
    def __init__(self, answer: Mapping[str, Any], api_url: str = "https://api.test") -> None:
        self.answer = answer
        self.api_url = api_url
        self.requests: list[ApiRequest] = []

    def execute(self, request: ApiRequest, read: Any) -> Any:
        self.requests.append(request)
        return read(200, {}, body(self.answer), 1)


class AsyncFakeApi(FakeApi):
    async def execute(self, request: ApiRequest, read: Any) -> Any:
        return FakeApi.execute(self, request, read)


class TestValidateUser:
    def test_request(self) -> None:
        request = build_validate_user(TOKEN, f" {USER} ")
        assert (request.method, request.path) == ("POST", "/1/users/validate.json")
        assert request.data == {"token": TOKEN, "user": USER}
        assert request.params == {}
        assert USER not in repr(request) and TOKEN not in repr(request)

    def test_request_with_device(self) -> None:
        assert build_validate_user(TOKEN, USER, "phone").data["device"] == "phone"
        assert "device" not in build_validate_user(TOKEN, USER, "  ").data

    @pytest.mark.parametrize(
        ("user", "device", "field"),
        [
            ("short", None, "user"),
            (f"{USER},{OTHER_USER}", None, "user"),
            ("", None, "user"),
            (USER, "bad device!", "device"),
            (USER, "x" * 26, "device"),
        ],
    )
    def test_bad_input_is_refused_locally(self, user: str, device: str | None, field: str) -> None:
        with pytest.raises(ValidationError) as info:
            build_validate_user(TOKEN, user, device)
        assert info.value.field == field
        assert USER not in str(info.value)

    def test_reader(self) -> None:
        answer = {"status": 1, "group": 0, "devices": ["phone", "tablet"], "licenses": ["iOS"]}
        info = read_validate_user(200, {}, body(answer))
        assert info == UserInfo(devices=("phone", "tablet"), licenses=("iOS",), is_group=False)

    def test_group_without_devices(self) -> None:
        info = read_validate_user(200, {}, body({"status": 1, "group": 1, "request": "r"}))
        assert info == UserInfo(devices=(), licenses=(), is_group=True)

    def test_invalid_key_is_a_rejection_naming_the_field(self) -> None:
        answer = {"user": "invalid", "errors": ["user identifier is invalid"], "status": 0}
        with pytest.raises(ClientSendError) as info:
            read_validate_user(400, {}, body(answer))
        assert info.value.invalid_fields == ("user",)

    def test_call(self) -> None:
        api = FakeApi({"status": 1, "group": 0, "devices": ["phone"], "licenses": []})
        assert account.validate_user(api, token=TOKEN, user=USER, device="phone").devices == (
            "phone",
        )
        assert api.requests[0].data["device"] == "phone"

    async def test_async_call(self) -> None:
        api = AsyncFakeApi({"status": 1, "group": 1, "devices": [], "licenses": []})
        assert (await account.avalidate_user(api, token=TOKEN, user=USER)).is_group


class TestSounds:
    def test_request_puts_the_token_in_params(self) -> None:
        request = build_list_sounds(TOKEN)
        assert (request.method, request.path, request.params) == (
            "GET",
            "/1/sounds.json",
            {"token": TOKEN},
        )
        with pytest.raises(ValidationError, match="token"):
            build_list_sounds("nope")

    def test_reader_keeps_order(self) -> None:
        sounds = read_sounds(200, {}, body({"status": 1, "sounds": SOUNDS}))
        assert list(sounds) == ["pushover", "bike", "klaxon"]

    def test_reader_refuses_a_body_without_sounds(self) -> None:
        with pytest.raises(TemporaryFailure):
            read_sounds(200, {}, body({"status": 1, "sounds": ["bike"]}))

    def test_list_sounds_uses_the_cache_until_it_expires(self) -> None:
        clock = FakeClock()
        cache = SoundCache(max_age=60, clock=clock)
        api = FakeApi({"status": 1, "sounds": SOUNDS})
        assert account.list_sounds(api, token=TOKEN, cache=cache) == SOUNDS
        clock.now += 59
        assert account.list_sounds(api, token=TOKEN, cache=cache) == SOUNDS
        assert len(api.requests) == 1
        clock.now += 1
        assert account.list_sounds(api, token=TOKEN, cache=cache) == SOUNDS
        assert len(api.requests) == 2

    def test_without_a_cache_every_call_asks(self) -> None:
        api = FakeApi({"status": 1, "sounds": SOUNDS})
        account.list_sounds(api, token=TOKEN)
        account.list_sounds(api, token=TOKEN)
        assert len(api.requests) == 2

    def test_cache_is_per_token_and_api_root(self) -> None:
        cache = SoundCache(clock=FakeClock())
        cache.put(TOKEN, {"a": "A"}, "https://one.test")
        assert cache.get(TOKEN, "https://one.test") == {"a": "A"}
        assert cache.get(TOKEN, "https://two.test") is None
        assert cache.get(OTHER_USER, "https://one.test") is None
        api = FakeApi({"status": 1, "sounds": SOUNDS}, api_url="https://two.test")
        assert account.list_sounds(api, token=TOKEN, cache=cache) == SOUNDS
        assert len(cache) == 2

    def test_cache_never_holds_the_raw_token(self) -> None:
        cache = SoundCache(clock=FakeClock())
        cache.put(TOKEN, SOUNDS)
        assert TOKEN not in repr(cache) and TOKEN not in repr(vars(cache))
        assert all(TOKEN not in key for key in cache._entries)

    def test_cached_copies_cannot_change_the_cache(self) -> None:
        cache = SoundCache(clock=FakeClock())
        cache.put(TOKEN, SOUNDS)
        first = cache.get(TOKEN)
        assert first is not None
        first["extra"] = "x"
        assert cache.get(TOKEN) == SOUNDS

    def test_forget_clear_and_zero_age(self) -> None:
        cache = SoundCache(max_age=0, clock=FakeClock())
        cache.put(TOKEN, SOUNDS)
        assert cache.get(TOKEN) is None
        cache = SoundCache(clock=FakeClock())
        cache.put(TOKEN, SOUNDS)
        cache.forget(TOKEN)
        assert cache.get(TOKEN) is None
        cache.put(TOKEN, SOUNDS)
        cache.clear()
        assert len(cache) == 0
        with pytest.raises(ValidationError):
            SoundCache(max_age=-1)

    async def test_async_list_sounds_shares_the_cache(self) -> None:
        cache = SoundCache(clock=FakeClock())
        api = AsyncFakeApi({"status": 1, "sounds": SOUNDS})
        assert await account.alist_sounds(api, token=TOKEN, cache=cache) == SOUNDS
        assert await account.alist_sounds(api, token=TOKEN, cache=cache) == SOUNDS
        assert len(api.requests) == 1


class TestLimits:
    def test_request(self) -> None:
        request = build_app_limits(TOKEN)
        assert (request.method, request.path, request.params) == (
            "GET",
            "/1/apps/limits.json",
            {"token": TOKEN},
        )

    def test_reader(self) -> None:
        answer = {"status": 1, "limit": 10000, "remaining": 9990, "reset": 1_700_000_000}
        assert read_app_limits(200, {}, body(answer)) == Quota(10000, 9990, 1_700_000_000)

    def test_reader_refuses_missing_numbers(self) -> None:
        with pytest.raises(TemporaryFailure):
            read_app_limits(200, {}, body({"status": 1, "limit": 1}))
        with pytest.raises(TemporaryFailure):
            read_app_limits(200, {}, body({"status": 1, "limit": "x", "remaining": 1, "reset": 1}))

    def test_calls(self) -> None:
        api = FakeApi({"status": 1, "limit": 7, "remaining": 5, "reset": 9})
        assert account.app_limits(api, token=TOKEN) == Quota(7, 5, 9)

    async def test_async_call(self) -> None:
        api = AsyncFakeApi({"status": 1, "limit": 7, "remaining": 5, "reset": 9})
        assert await account.aapp_limits(api, token=TOKEN) == Quota(7, 5, 9)
