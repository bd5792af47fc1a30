"""The sandbox's request parsing under random input: JSON answers with documented statuses.

Random bodies, content types, methods and paths, over a real socket. Every
answer must be Pushover-shaped JSON (``status`` 0 or 1, a ``request`` id)
with a status the sandbox documents; a 500 ("the sandbox failed to answer")
is a bug in it. After each example the sandbox still answers a good message,
and its inspection API still works.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pullover_tui.sandbox import Sandbox, SandboxConfig, running_sandbox
from tests.conftest import TOKEN, USER
from tests.reliability.helpers import MESSAGES

# What the sandbox answers on purpose (docs/sandbox.md and Pushover's API).
DOCUMENTED_STATUSES = {200, 400, 404, 405, 409, 411, 413, 415, 429, 501}
PATHS = [
    MESSAGES,
    "/1/users/validate.json",
    "/1/sounds.json",
    "/1/apps/limits.json",
    "/1/receipts/rLqVuqTRh62UzxtmqiaLzQmVcPgiCy.json",
    "/1/receipts/rLqVuqTRh62UzxtmqiaLzQmVcPgiCy/cancel.json",
    "/1/receipts/cancel_by_tag/deploy.json",
    "/sandbox/messages",
    "/sandbox/receipts/rLqVuqTRh62UzxtmqiaLzQmVcPgiCy/acknowledge",
]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data; boundary=b",
    "multipart/form-data",
    'multipart/form-data; boundary="a b"',
    "application/json",
    "application/problem+json",
    "text/plain",
    "",
    "image/png",
]
FIELD_NAMES = [
    "token", "user", "message", "title", "url", "url_title", "device", "html", "monospace",
    "priority", "sound", "timestamp", "ttl", "retry", "expire", "callback", "tags",
    "attachment_base64", "attachment_type", "since",
]  # fmt: skip
scalar = st.one_of(
    st.text(max_size=30),
    st.sampled_from([TOKEN, USER, "2", "-2", "99999999999999999999", "1e9", "nan", "\ud800"]),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
json_value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
fields = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), scalar, max_size=8)
# Good credentials and a message, plus random other fields: these get past the first checks.
messages = st.fixed_dictionaries(
    {"token": st.just(TOKEN), "user": st.just(USER), "message": scalar},
    optional=dict.fromkeys(FIELD_NAMES[3:], scalar),
)


def _form(data: dict[str, object]) -> bytes:
    pairs = {k: str(v) for k, v in data.items()}
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode()


def _multipart(data: dict[str, object]) -> bytes:
    parts = [
        f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode(
            "utf-8", "surrogatepass"
        )
        for k, v in data.items()
    ]
    return b"".join(parts) + b"--b--\r\n"


def _json(data: dict[str, object]) -> bytes:
    return json.dumps(data).encode()  # ensure_ascii: lone surrogates travel as \\ud800


bodies = st.one_of(
    st.binary(max_size=300),
    fields.map(_form),
    fields.map(_multipart),
    fields.map(_json),
    messages.map(_form),
    messages.map(_multipart),
    messages.map(_json),
    st.dictionaries(st.text(max_size=5), json_value, max_size=4).map(_json),
    json_value.map(lambda v: json.dumps(v).encode()),
)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with running_sandbox(SandboxConfig(quota=1_000_000)) as sandbox:
        yield sandbox


def assert_pushover_json(answer: httpx.Response) -> None:
    assert answer.status_code in DOCUMENTED_STATUSES, (answer.status_code, answer.text)
    assert answer.headers["Content-Type"].startswith("application/json")
    data = answer.json()
    if isinstance(data, list):  # GET /sandbox/messages lists what came in
        return
    assert data["status"] in (0, 1), data
    if answer.status_code != 200:
        assert data["status"] == 0 and data["errors"], data


def assert_still_serving(sb: Sandbox, http: httpx.Client) -> None:
    good = http.post(MESSAGES, data={"token": TOKEN, "user": USER, "message": "still up"})
    assert good.status_code == 200, good.text
    listing = http.get("/sandbox/messages", params={"since": 0})
    assert listing.status_code == 200, listing.text


@pytest.fixture(scope="module")
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.url, timeout=5) as client:
        yield client


header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30).map(
    str.strip
)


@settings(
    max_examples=int(os.environ.get("PULLOVER_PROPERTY_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    method=st.sampled_from(["POST", "GET", "PUT", "DELETE", "PATCH"]),
    path=st.sampled_from(PATHS) | st.text(max_size=20).map(lambda t: "/1/" + t),
    content_type=st.sampled_from(CONTENT_TYPES) | header_text,
    body=bodies,
)
def test_random_requests_get_pushover_json(
    sb: Sandbox, http: httpx.Client, method: str, path: str, content_type: str, body: bytes
) -> None:
    try:
        answer = http.request(method, path, content=body, headers={"Content-Type": content_type})
    except httpx.InvalidURL:
        return  # httpx will not send this path at all: nothing reached the sandbox
    assert_pushover_json(answer)
    assert_still_serving(sb, http)


def test_a_lone_surrogate_in_json_is_refused_not_recorded(sb: Sandbox, http: httpx.Client) -> None:
    """JSON can spell text no answer can carry ("\\ud800"): it must not poison the sandbox."""
    before = len(sb.messages())
    for field in ("message", "title", "sound", "device", "tags"):
        body = {"token": TOKEN, "user": USER, "message": "hi", field: "bad \ud800"}
        answer = http.post(
            MESSAGES, content=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 400, answer.text
        assert "not valid Unicode text" in answer.json()["errors"][0]
    assert len(sb.messages()) == before
    assert_still_serving(sb, http)
