"""Property-based tests of every parser and validator: nothing but the documented errors.

For any input, each either returns a value of its type or raises its documented error
(``ValidationError`` naming the field, ``ConfigError``, ``ClientSendError`` or the
client's ``TemporaryFailure``), never anything else. Examples are bounded so the suite
stays quick; ``--slow`` runs many more.
"""

from __future__ import annotations

import json
import math
import os
import string
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pullover_tui.cli.history_access import parse_since
from pullover_tui.cli.send import truncate
from pullover_tui.core import account, receipts
from pullover_tui.core.client import Client
from pullover_tui.core.endpoint import check_api_url
from pullover_tui.core.errors import ClientSendError, ConfigError, ValidationError
from pullover_tui.core.limits import TIMESTAMP_MAX
from pullover_tui.core.message import (
    Message,
    validate_devices,
    validate_token,
    validate_user_keys,
)
from pullover_tui.core.parsing import Priority, format_timestamp, parse_int, parse_timestamp
from pullover_tui.core.profiles import Config, load_config, validate_profile_name
from pullover_tui.core.request import (
    ApiAnswer,
    TemporaryFailure,
    build_send,
    read_answer,
    read_send,
)
from pullover_tui.core.secret_refs import describe_secret, secret_from_toml
from pullover_tui.core.secrets import mask_secret
from pullover_tui.core.store import HistoryStore
from tests.conftest import TOKEN, USER

T = TypeVar("T")
EXAMPLES = int(os.environ.get("PULLOVER_PROPERTY_EXAMPLES", "150"))
QUICK = settings(max_examples=EXAMPLES, deadline=None)
FILES = settings(
    max_examples=max(20, EXAMPLES // 3),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

ALNUM = string.ascii_letters + string.digits
# Text people (and scripts) type, with the characters that break things mixed in.
any_text = st.one_of(
    st.text(),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["", " ", "\x00", "\udcff", "9" * 5000, "-" + "9" * 30, "1e309", "٣", "½"]),
)
numbers = st.one_of(
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.5, 2**63, -(2**63) - 1]),
)
anything = st.one_of(
    any_text,
    numbers,
    st.booleans(),
    st.none(),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.dates(),
    st.lists(any_text, max_size=3),
    st.builds(object),
)


def only(error: type[Exception], call: Callable[[], T]) -> T | None:
    """``call()``, or None when it raised ``error``; anything else fails the test."""
    try:
        return call()
    except error:
        return None


@QUICK
@given(anything)
def test_priority_parse(value: object) -> None:
    parsed = only(ValidationError, lambda: Priority.parse(value))
    assert parsed is None or isinstance(parsed, Priority)


@QUICK
@given(anything)
def test_timestamp_parse(value: object) -> None:
    check_timestamp(value)


def check_timestamp(value: object) -> None:
    try:
        seconds = parse_timestamp(value)
    except ValidationError as exc:
        assert exc.field == "timestamp"
        return
    assert 0 <= seconds <= TIMESTAMP_MAX
    assert format_timestamp(seconds)  # every accepted time can be shown


@QUICK
@given(st.datetimes(timezones=st.none() | st.timezones()) | st.dates())
def test_timestamp_from_any_calendar_date(value: date) -> None:
    check_timestamp(value)


@QUICK
@given(st.integers(-(2**80), 2**80) | numbers)
def test_format_timestamp_never_raises(seconds: Any) -> None:
    if isinstance(seconds, int):
        assert format_timestamp(seconds)


@QUICK
@given(anything)
def test_whole_numbers(value: object) -> None:
    number = only(ValidationError, lambda: parse_int(value, "ttl"))
    assert number is None or isinstance(number, int)


devices = st.lists(st.text(ALNUM + "_-", max_size=27) | any_text, max_size=4)


@QUICK
@given(devices)
def test_device_names(names: list[str]) -> None:
    checked = only(ValidationError, lambda: validate_devices(names))
    if checked is not None:
        assert all(1 <= len(n) <= 25 and set(n) <= set(ALNUM + "_-") for n in checked)


keys = st.one_of(
    st.text(ALNUM, min_size=29, max_size=31),
    any_text,
    st.lists(st.text(ALNUM, min_size=30, max_size=30), min_size=1, max_size=52).map(",".join),
    st.just(f" {USER} , {USER} "),
)


@QUICK
@given(keys | anything)
def test_tokens_and_keys(value: object) -> None:
    for check, field in ((validate_token, "token"), (validate_user_keys, "user")):
        try:
            checked = check(value)
        except ValidationError as exc:
            assert exc.field == field
            if isinstance(value, str) and len(value) >= 8:
                assert value.strip() not in str(exc)  # never repeats what it refused
            continue
        assert all(len(k) == 30 and k.isalnum() and k.isascii() for k in checked.split(","))


@QUICK
@given(anything)
def test_receipts_tags_and_profile_names(value: object) -> None:
    checks: list[Callable[[Any], str]] = [
        receipts.validate_receipt,
        receipts.validate_tag,
        validate_profile_name,
    ]
    for check in checks:
        only(ValidationError, lambda: check(value))  # noqa: B023 (called at once)


message_fields = st.fixed_dictionaries(
    {"message": any_text},
    optional={
        "title": any_text,
        "url": any_text,
        "url_title": any_text,
        "priority": anything,
        "sound": any_text,
        "device": devices | any_text,
        "timestamp": anything,
        "ttl": anything,
        "html": st.booleans(),
        "monospace": st.booleans(),
        "attachment": st.binary(max_size=40) | st.just(b"\x89PNG\r\n\x1a\n" + b"0" * 8),
        "attachment_base64": any_text,
        "attachment_type": any_text,
        "retry": anything,
        "expire": anything,
        "callback": any_text,
        "tags": st.lists(any_text, max_size=3) | any_text,
    },
)


@QUICK
@given(message_fields)
def test_messages(fields: dict[str, Any]) -> None:
    """Any keyword arguments: a Message that can be sent and stored, or a ValidationError."""
    try:
        message = Message(**fields)
    except ValidationError as exc:
        missing = {p.field for p in exc.problems if p.rule.startswith("is required for")}
        other = {p.field for p in exc.problems if not p.rule.startswith("is required for")}
        assert not missing & other  # a value that did not parse is not also "missing"
        return
    request = build_send(message, TOKEN, USER)
    for value in request.data.values():
        value.encode("utf-8")  # every field can travel in a request
    with tempfile.TemporaryDirectory() as folder, HistoryStore(Path(folder) / "h.db") as store:
        entry_id = store.add_pending(message, profile=None, token=TOKEN, user=USER, api_url=None)
        entry = store.get(entry_id)
        assert entry is not None
        if message.attachment is None and message.attachment_base64 is None:
            assert entry.to_message() == message  # stored, and rebuilt exactly
        else:
            assert entry.attachment is not None and not entry.resendable  # data is not kept


@QUICK
@given(any_text, st.integers(2, 1100))
def test_truncate(text: str, most: int) -> None:
    cut = truncate(text, most)
    assert len(cut) <= max(most, len("…"))
    assert cut == text or cut.endswith("…")


@QUICK
@given(any_text | st.from_regex(r"\d{1,30}\s*[smhdwSMHDW]", fullmatch=True))
def test_since(text: str) -> None:
    since = only(ValidationError, lambda: parse_since(text, now=1_800_000_000))
    assert since is None or 0 <= since <= 1_800_000_000 or since <= TIMESTAMP_MAX


urls = st.one_of(
    any_text,
    st.builds(
        "{}://{}{}{}".format,
        st.sampled_from(["http", "https", "HTTPS", "ftp", ""]),
        st.sampled_from(["127.0.0.1", "localhost", "[::1]", "example.com", "xn--zz", "a b", ""])
        | st.text(max_size=12),
        st.sampled_from(["", ":8765", ":0", ":99999", ":x"]),
        st.sampled_from(["", "/", "/api/", "?q=1", "#f", "/\udcff"]) | st.text(max_size=6),
    ),
)


@QUICK
@given(urls)
def test_api_roots(url: str) -> None:
    """Accepted by the check means a client can be made for it; refused means ValidationError."""
    checked = only(ValidationError, lambda: check_api_url(url))
    client = only(ValidationError, lambda: Client(url))
    if not url:
        return  # no root given: the client takes $PUSHOVER_API_URL or Pushover's own
    if client is not None:
        client.close()
        assert checked is not None
        assert client.api_url.lower().startswith(("https://", "http://"))


# --- answers from the server -----------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12)
    | st.sampled_from(["9" * 5000, "-1", "٣", TOKEN]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
bodies = st.one_of(
    st.binary(max_size=60),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(
        st.sampled_from([
            "status", "request", "errors", "receipt", "user", "token", "sounds", "limit",
            "remaining", "reset", "devices", "licenses", "group", "acknowledged", "expired",
            "acknowledged_at", "acknowledged_by", "last_delivered_at", "expires_at",
            "called_back", "called_back_at", "canceled",
        ]),
        json_values | st.just(1),
        max_size=10,
    ).map(lambda d: json.dumps(d).encode()),
)  # fmt: skip
headers = st.dictionaries(
    st.sampled_from(["x-limit-app-limit", "x-limit-app-remaining", "x-limit-app-reset"]),
    st.text(max_size=8) | st.integers(-(2**70), 2**70).map(str) | st.just("9" * 5000),
)
READERS: list[Callable[[int, dict[str, str], bytes], object]] = [
    lambda s, h, b: read_send(s, h, b, 1),
    read_answer,
    receipts.read_receipt,
    receipts.read_cancel,
    receipts.read_cancel_by_tag,
    account.read_validate_user,
    account.read_sounds,
    account.read_app_limits,
]


@QUICK
@given(st.integers(100, 599), headers, bodies)
def test_every_answer_is_a_value_a_refusal_or_temporary(
    status: int, head: dict[str, str], body: bytes
) -> None:
    for read in READERS:
        try:
            value = read(status, head, body)
        except (ClientSendError, TemporaryFailure):
            continue
        assert 200 <= status < 300
        assert value is not None or read is not read_answer
        assert not isinstance(value, ApiAnswer) or value.body.get("status") == 1


# --- config files ------------------------------------------------------------------------------

toml_scalars = st.one_of(
    st.text(max_size=20),
    st.sampled_from([TOKEN, USER, f"{USER},{USER}", "high", "emergency", "phone", "magic",
                     "https://api.pushover.net", "http://127.0.0.1:8765", "http://example.com",
                     "\x00", "9" * 30]),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True),
    st.booleans(),
    st.datetimes(),
    st.dates(),
)  # fmt: skip
PROFILE_KEYS = [
    "app_token", "user_key", "title", "priority", "sound", "device", "url", "url_title",
    "ttl", "html", "monospace", "api_url", "unknown",
]  # fmt: skip
secret_tables = st.one_of(
    st.fixed_dictionaries({"env": st.text(max_size=10) | st.integers()}),
    st.fixed_dictionaries({"command": st.lists(st.text(max_size=8), max_size=3) | toml_scalars}),
    st.dictionaries(st.sampled_from(["env", "command", "x"]), toml_scalars, max_size=3),
)
profile_tables = st.dictionaries(
    st.sampled_from(PROFILE_KEYS),
    toml_scalars | secret_tables | st.lists(toml_scalars, max_size=3),
    max_size=8,
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "default_profile": st.sampled_from(["home", "ops", "nope"]) | toml_scalars,
        "history": toml_scalars,
        "profiles": st.dictionaries(
            st.sampled_from(["home", "ops", "bad name", "", "x" * 70]) | st.text(max_size=8),
            profile_tables | toml_scalars,
            max_size=3,
        )
        | toml_scalars,
        "extra": toml_scalars,
    },
)


def load_text(data: bytes) -> Config | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_bytes(data)
        return only(ConfigError, lambda: load_config(path))


@FILES
@given(documents)
def test_random_toml_documents(document: dict[str, Any]) -> None:
    config = load_text(tomli_w.dumps(document).encode())
    if config is not None:
        for profile in config.profiles.values():
            assert repr(profile)
            assert profile.message_defaults() is not None


@FILES
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "replace")))
def test_random_bytes_as_a_config_file(data: bytes) -> None:
    load_text(data)


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 3000 + "]" * 3000,
        "x = " + "{a=" * 3000 + "1" + "}" * 3000,
        "[profiles.a]\nttl = 99999999999999999999999\n",
        "a" + ".a" * 3000 + " = 1\n",
        "\ufeffhistory = true\n",
        "history = true\r\n" * 5000,
    ],
    ids=["nested arrays", "nested tables", "huge int", "long key", "bom", "many lines"],
)
def test_pathological_config_files(text: str) -> None:
    load_text(text.encode())


@FILES
@given(
    toml_scalars | secret_tables | st.lists(toml_scalars, max_size=3),
    st.sampled_from(["app_token", "user_key"]),
)
def test_secret_references(value: object, field: str) -> None:
    secret = only(ValidationError, lambda: secret_from_toml(value, field))
    if secret is not None:
        shown = describe_secret(secret)
        assert TOKEN not in shown and USER not in shown


@QUICK
@given(any_text)
def test_mask_secret(text: str) -> None:
    masked = mask_secret(text)
    for part in text.split(","):
        if len(part.strip()) >= 8:
            assert part.strip() not in masked
