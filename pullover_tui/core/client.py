"""``Client`` and ``AsyncClient``: thin transport loops around the sans-I/O core.

They only move requests, wait and retry; every Pushover rule lives in
``request.py``. No httpx exception ever leaves them.
"""

from __future__ import annotations

import logging
import random
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Self, TypeVar

import httpx

from pullover_tui._version import __version__
from pullover_tui.core.endpoint import is_loopback_host, resolve_api_url
from pullover_tui.core.errors import ServerSendError, ValidationError
from pullover_tui.core.message import Message
from pullover_tui.core.request import (
    ApiAnswer,
    ApiRequest,
    SendResult,
    TemporaryFailure,
    build_send,
    read_answer,
    read_send,
)
from pullover_tui.core.retry import RetryNotice, RetryPolicy
from pullover_tui.core.secrets import mask_secret, redact

T = TypeVar("T")
Reader = Callable[[int, Mapping[str, str], bytes, int], T]
USER_AGENT = f"pullover-tui/{__version__}"


def transport_failure(exc: httpx.HTTPError, timeout: float) -> TemporaryFailure:
    """The failure for ``exc``; maybe delivered when the request was written and no answer
    was read (a connect or write failure means the server never had the whole request)."""
    unanswered = isinstance(exc, httpx.ReadTimeout | httpx.ReadError | httpx.RemoteProtocolError)
    return TemporaryFailure(describe_transport_error(exc, timeout), maybe_delivered=unanswered)


def describe_transport_error(exc: httpx.HTTPError, timeout: float) -> str:
    """A short, secret-free sentence for a failure with no usable answer."""
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}" if str(exc) else "cannot connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection closed without an answer"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class _RetryLoop:
    """The bookkeeping shared by both clients: attempts, waits, the deadline."""

    def __init__(
        self,
        policy: RetryPolicy,
        clock: Callable[[], float],
        rng: random.Random,
        on_retry: Callable[[RetryNotice], None] | None,
        secrets: tuple[str, ...],
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.rng = rng
        self.on_retry = on_retry
        self.secrets = secrets
        self.started = clock()
        self.attempt = 0
        self.maybe_delivered = False

    def next_wait(self, failure: TemporaryFailure) -> float:
        """Seconds to wait before the next attempt, or raise ServerSendError: give up."""
        reason = redact(failure.reason, *self.secrets)
        self.maybe_delivered = self.maybe_delivered or failure.maybe_delivered
        maybe = self.maybe_delivered
        if self.attempt >= self.policy.max_attempts:
            raise ServerSendError(self.attempt, reason, failure.status, maybe_delivered=maybe)
        wait = self.policy.wait_before(self.attempt + 1, self.rng)
        deadline = self.policy.deadline
        if deadline is not None and self.clock() - self.started + wait > deadline:
            raise ServerSendError(
                self.attempt, f"{reason} (deadline reached)", failure.status, maybe_delivered=maybe
            )
        if self.on_retry is not None:
            self.on_retry(RetryNotice(self.attempt + 1, self.policy.max_attempts, wait, reason))
        return wait


def _secrets_of(request: ApiRequest) -> tuple[str, ...]:
    return tuple(v for k, v in {**request.params, **request.data}.items() if k in ("token", "user"))


_QUERY_SECRET = re.compile(r"([?&](?:token|user)=)([^&#\s]*)")


class _HideQuerySecrets(logging.Filter):
    """httpx logs every request's URL at INFO, and GET requests carry the token in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY_SECRET.sub(lambda m: m[1] + mask_secret(m[2]), str(arg))
                if isinstance(arg, httpx.URL)
                else arg
                for arg in record.args
            )
        return True


def _hide_query_secrets_in_httpx_logs() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _HideQuerySecrets) for f in logger.filters):
        logger.addFilter(_HideQuerySecrets())


def _check_httpx_accepts(api_url: str) -> None:
    """A root httpx would refuse only when a request is built (e.g. ``xn--zz``, not a valid
    international name) is a ValidationError now, like any other bad root; and the host
    httpx will connect to gets the plain-http check too, in case its parser and
    ``urlsplit`` ever disagree about where a URL points."""
    try:
        url = httpx.URL(api_url)
        host = url.host
    except (httpx.InvalidURL, UnicodeError, ValueError):
        raise ValidationError("api_url", "is not a valid URL") from None
    if url.scheme != "https" and not (url.scheme == "http" and is_loopback_host(host)):
        raise ValidationError("api_url", "must use https:// (plain http only for loopback hosts)")


class _ClientBase:
    def __init__(
        self,
        api_url: str | None,
        policy: RetryPolicy | None,
        rng: random.Random | None,
        on_retry: Callable[[RetryNotice], None] | None,
    ) -> None:
        _hide_query_secrets_in_httpx_logs()
        self.api_url = resolve_api_url(api_url)
        _check_httpx_accepts(self.api_url)
        self.policy = policy or RetryPolicy()
        self.rng = rng or random.Random()
        self.on_retry = on_retry

    def _http_options(self) -> dict[str, object]:
        options: dict[str, object] = {
            "base_url": self.api_url,
            "headers": {"User-Agent": USER_AGENT},
            "timeout": httpx.Timeout(self.policy.timeout),
            "follow_redirects": False,
        }
        if self.api_url.startswith("http://"):
            # A plain-http (loopback) root never does TLS: spare loading the CA bundle
            # (~60 ms a start). The context still verifies, and trusts nothing.
            options["verify"] = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return options


class Client(_ClientBase):
    """A synchronous Pushover client; one connection kept alive across sends."""

    def __init__(
        self,
        api_url: str | None = None,
        *,
        policy: RetryPolicy | None = None,
        on_retry: Callable[[RetryNotice], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(api_url, policy, rng, on_retry)
        self._sleep = sleep
        self._clock = clock
        if transport is None:
            from pullover_tui.core.transport import StdlibTransport

            transport = StdlibTransport()
        self._http = httpx.Client(transport=transport, **self._http_options())  # type: ignore[arg-type]

    def send(self, message: Message, *, token: str, user: str) -> SendResult:
        """Send ``message``; raises ClientSendError, QuotaExceededError or ServerSendError."""
        return self.execute(build_send(message, token, user), read_send)

    def call(self, request: ApiRequest) -> ApiAnswer:
        """Any other endpoint, with the same retry rules."""
        return self.execute(request, lambda s, h, b, _n: read_answer(s, h, b))

    def execute(self, request: ApiRequest, read: Reader[T]) -> T:
        loop = _RetryLoop(self.policy, self._clock, self.rng, self.on_retry, _secrets_of(request))
        while True:
            loop.attempt += 1
            try:
                response = self._http.request(
                    request.method,
                    request.path,
                    data=request.data or None,
                    params=request.params or None,
                    files=request.files,
                )
                return read(response.status_code, response.headers, response.content, loop.attempt)
            except httpx.HTTPError as exc:
                failure = transport_failure(exc, self.policy.timeout)
            except TemporaryFailure as exc:
                failure = exc
            self._sleep(loop.next_wait(failure))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_ClientBase):
    """The asyncio twin of ``Client``, for the TUI and async programs."""

    def __init__(
        self,
        api_url: str | None = None,
        *,
        policy: RetryPolicy | None = None,
        on_retry: Callable[[RetryNotice], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(api_url, policy, rng, on_retry)
        if sleep is None:
            import asyncio  # here, not at the top: the sync send path never needs it

            sleep = asyncio.sleep
        self._sleep = sleep
        self._clock = clock
        self._http = httpx.AsyncClient(transport=transport, **self._http_options())  # type: ignore[arg-type]

    async def send(self, message: Message, *, token: str, user: str) -> SendResult:
        return await self.execute(build_send(message, token, user), read_send)

    async def call(self, request: ApiRequest) -> ApiAnswer:
        return await self.execute(request, lambda s, h, b, _n: read_answer(s, h, b))

    async def execute(self, request: ApiRequest, read: Reader[T]) -> T:
        loop = _RetryLoop(self.policy, self._clock, self.rng, self.on_retry, _secrets_of(request))
        while True:
            loop.attempt += 1
            try:
                response = await self._http.request(
                    request.method,
                    request.path,
                    data=request.data or None,
                    params=request.params or None,
                    files=request.files,
                )
                return read(response.status_code, response.headers, response.content, loop.attempt)
            except httpx.HTTPError as exc:
                failure = transport_failure(exc, self.policy.timeout)
            except TemporaryFailure as exc:
                failure = exc
            await self._sleep(loop.next_wait(failure))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
