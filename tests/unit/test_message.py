"""The message model: every Pushover rule, at its edges, with the field named."""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pullover_tui.core.attachment import Attachment
from pullover_tui.core.errors import ValidationError
from pullover_tui.core.limits import ATTACHMENT_MAX_BYTES
from pullover_tui.core.message import (
    Message,
    validate_devices,
    validate_token,
    validate_user_keys,
)
from pullover_tui.core.parsing import Priority, parse_timestamp
from tests.conftest import TOKEN, USER

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def problem_of(**kwargs: object) -> tuple[str, str]:
    kwargs.setdefault("message", "hello")
    with pytest.raises(ValidationError) as info:
        Message(**kwargs)  # type: ignore[arg-type]
    return info.value.field, info.value.rule


def test_plain_message_keeps_its_fields() -> None:
    m = Message("hello", title="t", url="https://x.test", url_title="x", sound="magic")
    assert (m.message, m.title, m.url, m.url_title, m.sound) == (
        "hello",
        "t",
        "https://x.test",
        "x",
        "magic",
    )
    assert m.priority is Priority.NORMAL
    assert m.device is None and m.timestamp is None and m.ttl is None


def test_message_is_frozen() -> None:
    m = Message("hello")
    with pytest.raises(AttributeError):
        m.title = "x"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_message_must_not_be_blank(text: str) -> None:
    assert problem_of(message=text) == ("message", "is required and must not be blank")


@pytest.mark.parametrize(
    ("unit", "count"),
    [("a", 1), ("é", 1), ("😀", 1), ("e\u0301", 2)],  # combining accent is 2 characters
)
def test_message_limit_counts_characters(unit: str, count: int) -> None:
    at_limit = unit * (1024 // count)
    assert Message(at_limit).message == at_limit
    field, rule = problem_of(message=at_limit + "x")
    assert field == "message"
    assert rule == f"must be at most 1024 characters (is {len(at_limit) + 1})"


@pytest.mark.parametrize(("field", "most"), [("title", 250), ("url", 512), ("url_title", 100)])
def test_length_limits_at_their_edges(field: str, most: int) -> None:
    extra = {"url": "https://x.test"} if field == "url_title" else {}
    Message("m", **{field: "x" * most, **extra})  # type: ignore[arg-type]
    assert problem_of(**{field: "x" * (most + 1), **extra})[0] == field


def test_url_title_needs_url() -> None:
    assert problem_of(url_title="docs") == ("url_title", "needs a url")


def test_html_and_monospace_exclude_each_other() -> None:
    assert problem_of(html=True, monospace=True) == ("html", "cannot be combined with monospace")


@pytest.mark.parametrize("ttl", [0, -5, "0", "abc", 1.5])
def test_ttl_must_be_positive_whole_seconds(ttl: object) -> None:
    assert problem_of(ttl=ttl)[0] == "ttl"


def test_ttl_from_text() -> None:
    assert Message("m", ttl="3600").ttl == 3600


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        Message(" ", title="x" * 300, url_title="y", ttl=0, device="bad name")
    assert info.value.fields == ("message", "title", "url_title", "device", "ttl")


def test_devices_from_text_or_list() -> None:
    assert Message("m", device="phone, tablet").device == "phone,tablet"
    assert Message("m", device=["phone", "tablet"]).devices == ("phone", "tablet")


@pytest.mark.parametrize("name", ["x" * 26, "has space", "é", "a.b"])
def test_bad_device_names(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_devices([name])
    assert info.value.field == "device"


def test_device_name_edge() -> None:
    assert validate_devices(["a-b_C9" + "x" * 19]) == ("a-b_C9" + "x" * 19,)


def test_blank_optional_fields_mean_not_given() -> None:
    m = Message("m", title="", url=" ", sound="", timestamp="", ttl="")
    assert (m.title, m.url, m.sound, m.timestamp, m.ttl) == (None, None, None, None, None)


class TestPriority:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (-2, Priority.LOWEST),
            ("low", Priority.LOW),
            ("NORMAL", Priority.NORMAL),
            (" High ", Priority.HIGH),
            ("2", Priority.EMERGENCY),
            ("-1", Priority.LOW),
            (Priority.HIGH, Priority.HIGH),
        ],
    )
    def test_parse(self, value: object, expected: Priority) -> None:
        assert Priority.parse(value) is expected

    @pytest.mark.parametrize("value", [3, -3, "urgent", "", True, 1.0, None])
    def test_rejects(self, value: object) -> None:
        with pytest.raises(ValidationError) as info:
            Priority.parse(value)
        assert info.value.field == "priority"
        assert "lowest, low, normal, high, emergency" in info.value.rule

    @given(st.one_of(st.text(), st.integers(), st.none(), st.floats(), st.booleans()))
    def test_never_raises_anything_else(self, value: object) -> None:
        with contextlib.suppress(ValidationError):
            assert isinstance(Priority.parse(value), Priority)


class TestTimestamp:
    def test_naive_datetime_is_local_time(self) -> None:
        naive = datetime(2026, 1, 2, 3, 4, 5)
        assert parse_timestamp(naive) == int(naive.astimezone().timestamp())

    def test_aware_datetime(self) -> None:
        aware = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        assert parse_timestamp(aware) == 1767323045

    def test_date_is_local_midnight(self) -> None:
        expected = int(datetime(2026, 1, 2).astimezone().timestamp())
        assert parse_timestamp(date(2026, 1, 2)) == expected
        assert parse_timestamp("2026-01-02") == expected

    @pytest.mark.parametrize(
        "text",
        ["2026-01-02T03:04:05Z", "2026-01-02T03:04:05+00:00", "2026-01-02T04:04:05+01:00"],
    )
    def test_iso_with_offset(self, text: str) -> None:
        assert parse_timestamp(text) == 1767323045

    def test_iso_without_offset_is_local(self) -> None:
        local = datetime(2026, 1, 2, 3, 4).astimezone()
        assert parse_timestamp("2026-01-02T03:04") == int(local.timestamp())

    def test_unix_seconds(self) -> None:
        assert parse_timestamp(1767323045) == 1767323045
        assert parse_timestamp("1767323045") == 1767323045
        assert parse_timestamp(1767323045.9) == 1767323045

    def test_other_offsets(self) -> None:
        tz = timezone(timedelta(hours=-5))
        assert parse_timestamp(datetime(2026, 1, 1, 22, 4, 5, tzinfo=tz)) == 1767323045

    @pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "", "-5", True, object()])
    def test_bad_values_name_the_field(self, bad: object) -> None:
        with pytest.raises(ValidationError) as info:
            parse_timestamp(bad)
        assert info.value.field == "timestamp"

    @given(st.text())
    def test_any_text_parses_or_is_a_validation_error(self, text: str) -> None:
        try:
            assert parse_timestamp(text) >= 0
        except ValidationError as exc:
            assert exc.field == "timestamp"


class TestKeys:
    def test_good_token_and_keys(self) -> None:
        assert validate_token(TOKEN) == TOKEN
        assert validate_user_keys(f"{USER}, {USER}") == f"{USER},{USER}"

    @pytest.mark.parametrize("bad", ["", "short", TOKEN + "x", TOKEN[:-1] + "-", None])
    def test_bad_tokens_never_echo_the_value(self, bad: object) -> None:
        with pytest.raises(ValidationError) as info:
            validate_token(bad)
        assert info.value.field == "token"
        if isinstance(bad, str) and bad:
            assert bad not in str(info.value)

    def test_at_most_fifty_recipients(self) -> None:
        assert validate_user_keys(",".join([USER] * 50))
        with pytest.raises(ValidationError, match="at most 50"):
            validate_user_keys(",".join([USER] * 51))

    def test_which_key_is_bad(self) -> None:
        with pytest.raises(ValidationError, match="key 2 must be exactly 30"):
            validate_user_keys(f"{USER},nope")


class TestEmergency:
    def test_requires_retry_and_expire(self) -> None:
        with pytest.raises(ValidationError) as info:
            Message("m", priority="emergency")
        assert info.value.fields == ("retry", "expire")

    def test_limits(self) -> None:
        assert problem_of(priority=2, retry=29, expire=60)[0] == "retry"
        assert problem_of(priority=2, retry=30, expire=10801)[0] == "expire"
        m = Message("m", priority=2, retry=30, expire=10800, tags="a, b", callback="https://x")
        assert (m.retry, m.expire, m.tags, m.is_emergency) == (30, 10800, ("a", "b"), True)

    def test_emergency_fields_only_at_emergency(self) -> None:
        assert problem_of(retry=60)[0] == "retry"
        assert problem_of(tags="x")[0] == "tags"


class TestAttachment:
    def test_from_bytes_sniffs_the_type(self) -> None:
        m = Message("m", attachment=PNG)
        assert m.attachment is not None and m.attachment.content_type == "image/png"

    def test_from_path_and_file(self, tmp_path: object) -> None:
        from pathlib import Path

        path = Path(str(tmp_path)) / "shot.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 10)
        assert Attachment.coerce(path).filename == "shot.jpg"
        assert Attachment.coerce(io.BytesIO(PNG)).content_type == "image/png"

    def test_not_an_image(self) -> None:
        assert problem_of(attachment=b"%PDF-1.4 ...")[0] == "attachment"

    def test_missing_file(self) -> None:
        field, rule = problem_of(attachment="/nonexistent/x.png")
        assert field == "attachment" and rule.startswith("no such file")

    def test_too_big(self) -> None:
        field, rule = problem_of(attachment=PNG + b"\0" * ATTACHMENT_MAX_BYTES)
        assert field == "attachment" and "at most 5,242,880 bytes" in rule

    def test_repr_hides_content(self) -> None:
        assert "\\x89PNG" not in repr(Attachment.from_bytes(PNG))
