"""The simple API the old ``pullover`` taught: ``send(message, user, app)`` and friends.

These calls never raise for a failed send (only for invalid input): they return
a ``SendResponse`` whose ``ok`` says how it went and whose ``raise_for_status``
raises the error, as ``pullover`` did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pullover_tui.core.errors import ClientSendError, PulloverError, Quota, ServerSendError
from pullover_tui.core.message import Message, validate_token, validate_user_keys
from pullover_tui.core.request import SendResult
from pullover_tui.core.retry import RetryPolicy
from pullover_tui.core.secrets import mask_secret

CLIENT_OPTIONS = ("api_url", "policy")


class Application:
    """An app token; shown masked in every repr."""

    def __init__(self, token: str) -> None:
        self.token = validate_token(token)

    def __repr__(self) -> str:
        return f"Application({mask_secret(self.token)!r})"

    def send(self, message: Message | str, user: User | str, **options: Any) -> SendResponse:
        if isinstance(message, str):
            fields = {k: v for k, v in options.items() if k not in CLIENT_OPTIONS}
            client = {k: v for k, v in options.items() if k in CLIENT_OPTIONS}
            message = Message(message, **fields)
            return send_message(message, self, user, **client)
        return send_message(message, self, user, **options)


class User:
    """A user or group key (or several, comma-joined); shown masked in every repr."""

    def __init__(self, key: str) -> None:
        self.key = validate_user_keys(key)

    def __repr__(self) -> str:
        return f"User({mask_secret(self.key)!r})"


@dataclass(frozen=True)
class SendResponse:
    """How a send went: ``ok`` and the request ``id``, or the ``error``."""

    result: SendResult | None = None
    error: PulloverError | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def id(self) -> str | None:
        """Pushover's request id (also known for most refusals)."""
        if self.result is not None:
            return self.result.request
        return self.error.request if isinstance(self.error, ClientSendError) else None

    @property
    def receipt(self) -> str | None:
        return self.result.receipt if self.result else None

    @property
    def quota(self) -> Quota | None:
        if self.result is not None:
            return self.result.quota
        return self.error.quota if isinstance(self.error, ClientSendError) else None

    @property
    def status(self) -> int | None:
        """The HTTP status of the last answer (None when no answer came)."""
        if self.result is not None:
            return 200
        if isinstance(self.error, ClientSendError | ServerSendError):
            return self.error.status
        return None

    @property
    def errors(self) -> tuple[str, ...]:
        if isinstance(self.error, ClientSendError):
            return self.error.errors
        return (str(self.error),) if self.error else ()

    def raise_for_status(self) -> None:
        """Raise the ClientSendError or ServerSendError of a failed send."""
        if self.error is not None:
            raise self.error


def send_message(
    message: Message,
    app: Application | str,
    user: User | str,
    *,
    api_url: str | None = None,
    policy: RetryPolicy | None = None,
) -> SendResponse:
    """Send one message with a short-lived client; failures come back in the response."""
    from pullover_tui.core.client import Client

    token = app.token if isinstance(app, Application) else validate_token(app)
    key = user.key if isinstance(user, User) else validate_user_keys(user)
    with Client(api_url, policy=policy) as client:
        try:
            return SendResponse(result=client.send(message, token=token, user=key))
        except (ClientSendError, ServerSendError) as exc:
            return SendResponse(error=exc)


def send(message: str, user: User | str, app: Application | str, **options: Any) -> SendResponse:
    """``pullover_tui.send("message", user_key, app_token, title=..., priority=...)``."""
    application = app if isinstance(app, Application) else Application(app)
    return application.send(message, user, **options)
