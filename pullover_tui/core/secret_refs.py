"""Secrets in the config file: inline, or references resolved only when a message is sent.

``{ env = "NAME" }`` reads an environment variable; ``{ command = ["pass",
"show", "x"] }`` runs a program (never through a shell) and takes the first
line of what it prints. Neither a value nor a command's output ever appears in
an error, a repr or a description.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pullover_tui.core.errors import ConfigError, FieldProblem, ValidationError
from pullover_tui.core.message import (
    UNDECODABLE,
    is_unicode_text,
    validate_token,
    validate_user_keys,
)
from pullover_tui.core.secrets import ELLIPSIS, mask_secret

ENV_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
COMMAND_TIMEOUT = 10.0
_SHOWN_STDERR = 80  # characters of a failing command's stderr worth showing


@dataclass(frozen=True)
class EnvSecret:
    """A secret read from the environment variable ``name`` at send time."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not ENV_NAME_PATTERN.fullmatch(self.name):
            raise ValidationError("env", "must be an environment variable name (A-Z, 0-9, _)")


@dataclass(frozen=True)
class CommandSecret:
    """A secret printed by a program (``argv``, run without a shell) at send time."""

    argv: tuple[str, ...]

    def __post_init__(self) -> None:
        argv = self.argv
        if (
            not isinstance(argv, tuple | list)
            or not argv
            or not all(isinstance(arg, str) for arg in argv)
            or not argv[0].strip()
        ):
            raise ValidationError(
                "command", "must be a list of strings: the program, then its arguments"
            )
        if not all(is_unicode_text(arg) for arg in argv):
            raise ValidationError("command", UNDECODABLE)
        object.__setattr__(self, "argv", tuple(argv))

    def __repr__(self) -> str:
        return f"CommandSecret({describe_secret(self)!r})"


SecretValue = str | EnvSecret | CommandSecret

SECRET_CHECKS = {"app_token": validate_token, "user_key": validate_user_keys}


def check_secret(value: object, field: str) -> SecretValue:
    """A secret of the right kind and shape for ``field`` (``app_token`` or ``user_key``).

    Inline text is checked now; references are checked when they are resolved.
    """
    if isinstance(value, EnvSecret | CommandSecret):
        return value
    if isinstance(value, str):
        return SECRET_CHECKS[field](value, field)
    raise ValidationError(
        field, 'must be text, { env = "NAME" } or { command = ["program", "arg", ...] }'
    )


def secret_from_toml(value: object, field: str) -> SecretValue:
    """A secret from its TOML form: a string or a one-key table (``env`` or ``command``)."""
    if not isinstance(value, Mapping):
        return check_secret(value, field)
    unknown = sorted(set(value) - {"env", "command"})
    if unknown:
        rule = "is not a known key (use env or command)"
        raise ValidationError([FieldProblem(f"{field}.{key}", rule) for key in unknown])
    if len(value) != 1:
        raise ValidationError(field, "must have exactly one of env or command")
    try:
        if "env" in value:
            return EnvSecret(value["env"])
        command = value["command"]
        return CommandSecret(tuple(command) if isinstance(command, list) else command)
    except ValidationError as exc:
        problems = [FieldProblem(f"{field}.{p.field}", p.rule) for p in exc.problems]
        raise ValidationError(problems) from None


def secret_to_toml(value: SecretValue) -> str | dict[str, object]:
    """The TOML form of a secret, the inverse of ``secret_from_toml``."""
    if isinstance(value, EnvSecret):
        return {"env": value.name}
    if isinstance(value, CommandSecret):
        return {"command": list(value.argv)}
    return value


def describe_secret(value: SecretValue) -> str:
    """A secret as people may see it: ``azGD…yUi``, ``env:OPS_TOKEN``, ``command:pass show …``."""
    if isinstance(value, EnvSecret):
        return f"env:{hide_key_like(value.name)}"
    if isinstance(value, CommandSecret):
        shown = hide_key_like(" ".join(value.argv[:2]))
        return f"command:{shown}" + (f" {ELLIPSIS}" if len(value.argv) > 2 else "")
    return mask_secret(value)


# A run of letters and digits this long in a command's words (a token handed on to a
# password manager, say) or in a variable's name (the token itself, put where its
# variable's name belongs) may well be a secret: it is masked like one.
_KEY_LIKE = re.compile(r"[A-Za-z0-9]{16,}")


def hide_key_like(text: str) -> str:
    """``text`` with every run of 16 or more letters and digits masked (``azGD…yUi``)."""
    return _KEY_LIKE.sub(lambda found: mask_secret(found[0]), text)


def resolve_secret(
    value: SecretValue,
    *,
    profile: str,
    field: str,
    env: Mapping[str, str] | None = None,
    timeout: float = COMMAND_TIMEOUT,
) -> str:
    """The secret itself, reading the environment or running the command now.

    Raises ``ConfigError`` naming the profile and field when the variable is
    unset, the command fails, or the value has the wrong shape for ``field``.
    """
    environ = os.environ if env is None else env
    where = f"profiles.{profile}.{field}"
    if isinstance(value, EnvSecret):
        raw = environ.get(value.name, "").strip()
        if not raw:
            shown = hide_key_like(value.name)
            raise ConfigError(f"environment variable {shown} is not set", key=where)
        origin = f"${hide_key_like(value.name)}"
    elif isinstance(value, CommandSecret):
        raw = _run_command(value, environ, timeout, where)
        origin = f"the output of {describe_secret(value)!r}"
    else:
        return value
    check = SECRET_CHECKS.get(field)
    if check is not None:
        try:
            return check(raw, field)
        except ValidationError as exc:
            raise ConfigError(f"{origin}: {exc.rule}", key=where) from None
    return raw


def _run_command(
    secret: CommandSecret, environ: Mapping[str, str], timeout: float, where: str
) -> str:
    """The first line the command prints, stripped; its output never goes into an error."""
    import subprocess  # ~20 ms, and only commands need it

    program = hide_key_like(secret.argv[0])  # as shown in errors
    try:
        done = subprocess.run(
            secret.argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            env=dict(environ),
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(f"command {program!r} not found", key=where) from None
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"command {program!r} did not finish within {timeout:g} s", key=where
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot run {program!r}: {exc.strerror}", key=where) from None
    if done.returncode != 0:
        reason = _first_line(done.stderr)
        detail = f": {reason}" if reason else ""
        raise ConfigError(
            f"command {program!r} failed with exit status {done.returncode}{detail}", key=where
        )
    output = done.stdout.decode("utf-8", "replace").strip()
    if not output:
        raise ConfigError(f"command {program!r} printed nothing", key=where)
    return output.splitlines()[0].strip()


def _first_line(stderr: bytes) -> str:
    """The first non-blank line of stderr, cut short: enough to diagnose, not a dump."""
    for line in stderr.decode("utf-8", "replace").splitlines():
        if line.strip():
            line = hide_key_like(line.strip())
            return line if len(line) <= _SHOWN_STDERR else line[:_SHOWN_STDERR] + ELLIPSIS
    return ""
