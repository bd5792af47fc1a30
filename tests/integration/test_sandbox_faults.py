"""The sandbox's faults on purpose: failures, latency, dropped and hung connections, quota, HTML."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from pullover_tui.sandbox import Sandbox, SandboxConfig, running_sandbox
from tests.conftest import TOKEN, USER

MESSAGES = "/1/messages.json"
MESSAGE = {"token": TOKEN, "user": USER, "message": "hi"}
QUOTA_SENTENCE = "application has exceeded its monthly message quota"
TLS = ssl.create_default_context()  # made once: httpx would build one per client (slow)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with running_sandbox(SandboxConfig()) as sandbox:
        yield sandbox


@pytest.fixture
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.url, timeout=5, verify=TLS) as client:
        yield client


def post(http: httpx.Client) -> httpx.Response:
    return http.post(MESSAGES, data=MESSAGE)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_fail_first_answers_the_status_then_recovers(
    sb: Sandbox, http: httpx.Client, status: int
) -> None:
    sb.config.fail_status = status
    sb.config.fail_first = 2
    first, second, third = post(http), post(http), post(http)
    assert (first.status_code, second.status_code, third.status_code) == (status, status, 200)
    body = first.json()
    assert body["status"] == 0 and body["errors"] and body["request"]
    assert len(sb.messages()) == 1  # failed requests are not recorded
    assert sb.request_count(MESSAGES) == 3


def test_fail_first_is_rearmed_by_setting_it_again(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.fail_first = 1
    assert [post(http).status_code for _ in range(2)] == [503, 200]
    sb.config.fail_first = 0
    assert post(http).status_code == 200
    sb.config.fail_first = 1
    assert [post(http).status_code for _ in range(2)] == [503, 200]


def test_fail_first_from_the_start() -> None:
    config = SandboxConfig(fail_first=1, fail_status=502)
    with running_sandbox(config) as sb, httpx.Client(base_url=sb.url, verify=TLS) as http:
        assert [post(http).status_code for _ in range(2)] == [502, 200]


def test_failing_429_looks_like_a_spent_quota(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.fail_status = 429
    sb.config.fail_first = 1
    answer = post(http)
    assert answer.status_code == 429
    assert answer.json()["errors"] == [QUOTA_SENTENCE] and answer.json()["status"] == 0
    assert answer.headers["X-Limit-App-Remaining"] == "0"
    assert sb.messages() == []


def test_faults_hit_every_pushover_endpoint_but_not_the_inspection_api(
    sb: Sandbox, http: httpx.Client
) -> None:
    sb.config.fail_first = 3
    assert http.get("/1/sounds.json", params={"token": TOKEN}).status_code == 503
    assert http.post("/1/users/validate.json", data=MESSAGE).status_code == 503
    assert http.get("/sandbox/messages").status_code == 200
    assert http.get("/1/apps/limits.json", params={"token": TOKEN}).status_code == 503
    assert http.get("/1/apps/limits.json", params={"token": TOKEN}).status_code == 200


def seeded_outcomes(seed: int, count: int) -> list[int]:
    config = SandboxConfig(fail_rate=0.5, seed=seed)
    with running_sandbox(config) as sb, httpx.Client(base_url=sb.url, verify=TLS) as http:
        outcomes = [post(http).status_code for _ in range(count)]
        assert len(sb.messages()) == outcomes.count(200)
    return outcomes


def test_fail_rate_is_reproducible_with_a_seed() -> None:
    first = seeded_outcomes(7, 40)
    assert first == seeded_outcomes(7, 40)
    assert set(first) == {200, 503}
    assert 8 <= first.count(503) <= 32


def test_fail_rate_extremes(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.fail_rate = 1.0
    assert {post(http).status_code for _ in range(5)} == {503}
    sb.config.fail_rate = 0.0
    assert post(http).status_code == 200


def test_latency_delays_api_answers(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.latency = 0.5
    started = time.monotonic()
    assert post(http).status_code == 200
    assert time.monotonic() - started >= 0.5
    with pytest.raises(httpx.ReadTimeout):
        http.post(MESSAGES, data=MESSAGE, timeout=0.1)
    started = time.monotonic()
    http.get("/sandbox/messages")  # the inspection API is never delayed
    assert time.monotonic() - started < 0.4


def test_drop_connections_answers_nothing(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.drop_connections = True
    with pytest.raises(httpx.RemoteProtocolError):
        post(http)
    assert sb.messages() == [] and sb.request_count(MESSAGES) == 1
    sb.config.drop_connections = False
    assert post(http).status_code == 200


def test_drop_only_the_first_requests(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.drop_connections = True
    sb.config.fail_first = 1
    with pytest.raises(httpx.RemoteProtocolError):
        post(http)
    assert post(http).status_code == 200


def test_hang_never_answers_and_does_not_block_shutdown() -> None:
    sb = Sandbox(SandboxConfig(hang=True)).start()
    errors: list[BaseException] = []

    def hung_client() -> None:
        try:
            httpx.post(f"{sb.url}{MESSAGES}", data=MESSAGE, timeout=30, verify=TLS)
        except httpx.HTTPError as exc:
            errors.append(exc)

    waiting = threading.Thread(target=hung_client)
    waiting.start()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{sb.url}{MESSAGES}", data=MESSAGE, timeout=0.2, verify=TLS)
    started = time.monotonic()
    sb.stop()
    assert time.monotonic() - started < 2
    waiting.join(timeout=5)
    assert not waiting.is_alive()
    assert errors and isinstance(errors[0], httpx.RemoteProtocolError | httpx.ReadError)
    assert sb.messages() == []


def test_stop_is_quick_with_idle_keepalive_connections() -> None:
    sb = Sandbox().start()
    clients = [httpx.Client(base_url=sb.url, verify=TLS) for _ in range(3)]
    for client in clients:
        assert client.get("/sandbox/messages").status_code == 200
    started = time.monotonic()
    sb.stop()
    assert time.monotonic() - started < 1
    with pytest.raises(httpx.TransportError):
        clients[0].get("/sandbox/messages")
    for client in clients:
        client.close()


@pytest.mark.parametrize("status", [200, 502])
def test_garbage_body_is_an_html_page(sb: Sandbox, http: httpx.Client, status: int) -> None:
    sb.config.garbage_body = True
    sb.config.garbage_status = status
    answer = post(http)
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.text.startswith("<html>") and "502 Bad Gateway" in answer.text
    assert sb.messages() == []
    assert http.get("/sandbox/messages").json() == []  # still JSON


def test_garbage_for_the_requests_fail_rate_picks(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.garbage_body = True
    sb.config.fail_rate = 1.0
    assert post(http).headers["Content-Type"].startswith("text/html")
    sb.config.fail_rate = 0.0
    sb.config.fail_first = 1  # a picker is set: only the picked requests fail
    assert post(http).headers["Content-Type"].startswith("text/html")
    assert post(http).status_code == 200


def test_quota_then_429(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.quota = 2
    answers = [post(http) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["X-Limit-App-Remaining"] for a in answers] == ["1", "0", "0"]
    assert answers[2].json()["errors"] == [QUOTA_SENTENCE]
    assert answers[2].json()["status"] == 0 and answers[2].headers["X-Limit-App-Limit"] == "2"
    assert len(sb.messages()) == 2
    limits = http.get("/1/apps/limits.json", params={"token": TOKEN}).json()
    assert (limits["limit"], limits["remaining"]) == (2, 0)


def test_quota_counts_each_recipient(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.quota = 1
    two = {**MESSAGE, "user": f"{USER},{'B' * 30}"}
    assert http.post(MESSAGES, data=two).status_code == 429
    assert post(http).status_code == 200


def test_request_count_per_path_and_total(sb: Sandbox, http: httpx.Client) -> None:
    sb.config.fail_first = 1
    post(http)
    post(http)
    http.get("/nowhere")
    http.get("/1/sounds.json", params={"token": TOKEN})
    assert sb.request_count(MESSAGES) == 2
    assert sb.request_count("/nowhere") == 1
    assert sb.request_count("/1/sounds.json") == 1
    assert sb.request_count("/never") == 0
    assert sb.request_count() == 4


def test_quota_zero_refuses_every_message() -> None:
    with running_sandbox(SandboxConfig(quota=0)) as sb:
        answer = httpx.post(f"{sb.url}{MESSAGES}", data=MESSAGE, verify=TLS)
    assert answer.status_code == 429 and answer.headers["X-Limit-App-Remaining"] == "0"
