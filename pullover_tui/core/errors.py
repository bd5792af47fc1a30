"""The error values of the core: each carries structured fields, never a secret."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self


class PulloverError(Exception):
    """Base of every error pullover-tui raises on purpose."""


@dataclass(frozen=True)
class FieldProblem:
    """One broken rule: the field it concerns and the rule, in words."""

    field: str
    rule: str

    def __str__(self) -> str:
        return f"{self.field}: {self.rule}"


class ValidationError(PulloverError, ValueError):
    """Local input that Pushover would refuse; raised before any request.

    ``field`` and ``rule`` describe the first problem; ``problems`` lists all of
    them, so a form can mark every bad field at once.
    """

    def __init__(self, problems: Sequence[FieldProblem] | str, rule: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [FieldProblem(problems, rule or "is invalid")]
        if not problems:
            raise ValueError("a ValidationError needs at least one problem")
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @property
    def field(self) -> str:
        return self.problems[0].field

    @property
    def rule(self) -> str:
        return self.problems[0].rule

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(p.field for p in self.problems)


@dataclass(frozen=True)
class Quota:
    """The app's monthly message quota as Pushover last reported it."""

    limit: int
    remaining: int
    reset: int  # Unix time of the next reset


class ClientSendError(PulloverError):
    """Pushover refused the request (4xx or ``status != 1``); resending cannot help."""

    def __init__(
        self,
        status: int,
        errors: Sequence[str],
        request: str | None = None,
        invalid_fields: Sequence[str] = (),
        quota: Quota | None = None,
    ) -> None:
        self.status = status
        self.errors: tuple[str, ...] = tuple(errors) or (f"HTTP {status}",)
        self.request = request
        self.invalid_fields: tuple[str, ...] = tuple(invalid_fields)
        self.quota = quota
        super().__init__("; ".join(self.errors))


class QuotaExceededError(ClientSendError):
    """HTTP 429: the app's monthly quota is spent; do not retry before the reset."""


class ServerSendError(PulloverError):
    """Pushover could not be reached or answered badly, and retrying did not help.

    ``maybe_delivered`` is true when at least one attempt's request went out and
    no readable answer came back (no answer in time, the connection closed after
    the request, or a 2xx with a body that is not Pushover's): the message may
    have arrived, so the text says "not confirmed", never "not sent".
    """

    def __init__(
        self,
        attempts: int,
        last_error: str,
        status: int | None = None,
        *,
        maybe_delivered: bool = False,
    ) -> None:
        self.attempts = attempts
        self.last_error = last_error
        self.status = status
        self.maybe_delivered = maybe_delivered
        noun = "attempt" if attempts == 1 else "attempts"
        if maybe_delivered:
            text = f"not confirmed after {attempts} {noun}: {last_error}; it may have arrived"
        else:
            text = f"not sent after {attempts} {noun}: {last_error}"
        super().__init__(text)


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the config: the key path, the rule, and where, when known."""

    rule: str
    key: str | None = None  # e.g. ``profiles.ops.priority``
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def located(self, path: str | None) -> str:
        """``path:line:column: key: rule``, leaving out the parts that are unknown."""
        where = [part for part in (path, self.line, self.column) if part is not None]
        head = ":".join(str(part) for part in where)
        text = f"{self.key}: {self.rule}" if self.key else self.rule
        return f"{head}: {text}" if head else text


class ConfigError(PulloverError):
    """The configuration file cannot be read, parsed or written, or names nothing usable.

    ``problems`` lists every problem found; ``path``, ``key``, ``line`` and
    ``column`` describe the first. ``str()`` gives one line per problem.
    """

    def __init__(
        self,
        problems: Sequence[ConfigProblem] | str,
        *,
        path: str | os.PathLike[str] | None = None,
        key: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        if isinstance(problems, str):
            problems = [ConfigProblem(problems, key, line, column)]
        if not problems:
            raise ValueError("a ConfigError needs at least one problem")
        self.problems: tuple[ConfigProblem, ...] = tuple(problems)
        self.path: str | None = None if path is None else os.fspath(path)
        super().__init__("\n".join(p.located(self.path) for p in self.problems))

    @property
    def rule(self) -> str:
        return self.problems[0].rule

    @property
    def key(self) -> str | None:
        return self.problems[0].key

    @property
    def line(self) -> int | None:
        return self.problems[0].line

    @property
    def column(self) -> int | None:
        return self.problems[0].column

    def at(self, path: str | os.PathLike[str]) -> Self:
        """Name the file these problems are in; returns the error itself, for ``raise``."""
        self.path = os.fspath(path)
        self.args = ("\n".join(p.located(self.path) for p in self.problems),)
        return self
