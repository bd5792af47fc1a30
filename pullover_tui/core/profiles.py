"""Named profiles in the TOML config file: the model, its strict schema, load and save.

A profile holds an app token, a user key (or keys) and optional defaults for
the messages sent with it. ``load_config`` checks every key of the file and
reports all problems with the file, key path and, where found, line and
column; ``update_config`` changes the file under a lock so that concurrent
changes are never lost.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pullover_tui.core import limits
from pullover_tui.core.config_file import (
    check_permissions,
    exclusive_lock,
    locate_key,
    parse_toml,
    read_text,
    remove_stale_temp_files,
    render_toml,
    write_atomic,
)
from pullover_tui.core.endpoint import check_api_url
from pullover_tui.core.errors import ConfigError, ConfigProblem, FieldProblem, ValidationError
from pullover_tui.core.message import UNDECODABLE, is_unicode_text, validate_devices
from pullover_tui.core.parsing import Priority
from pullover_tui.core.secret_refs import (
    CommandSecret,
    EnvSecret,
    SecretValue,
    describe_secret,
    resolve_secret,
    secret_from_toml,
    secret_to_toml,
)

__all__ = [
    "CommandSecret",
    "Config",
    "EnvSecret",
    "Profile",
    "ProfileExistsError",
    "SecretValue",
    "UnknownProfileError",
    "check_permissions",
    "describe_secret",
    "load_config",
    "resolve_secret",
    "save_config",
    "update_config",
    "validate_profile_name",
]

NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
MESSAGE_DEFAULTS = (
    "title", "priority", "sound", "device", "url", "url_title", "ttl", "html", "monospace",
)  # fmt: skip
OPTIONAL_FIELDS = (*MESSAGE_DEFAULTS, "api_url")
TOP_LEVEL_KEYS = ("default_profile", "history", "profiles")


def validate_profile_name(name: str) -> str:
    """A profile name: 1 to 64 letters, digits, ``-`` and ``_`` (a bare TOML key)."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValidationError("name", "must be 1 to 64 letters, digits, '-' or '_'")
    return name


class UnknownProfileError(ConfigError):
    """A profile name that the config does not have."""

    def __init__(self, name: str, known: tuple[str, ...] = ()) -> None:
        self.name = name
        self.known = known
        hint = f" (profiles: {', '.join(known)})" if known else " (there are no profiles yet)"
        super().__init__(f"no profile named {name!r}{hint}")


class ProfileExistsError(ConfigError):
    """A new profile's name is already taken."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"a profile named {name!r} already exists")


@dataclass(frozen=True)
class Profile:
    """Credentials and message defaults under one name. Checked on creation; repr is masked.

    Values are normalised: ``priority`` becomes a ``Priority``, ``device`` a
    comma-joined string, ``api_url`` loses its trailing slash.
    """

    name: str
    app_token: SecretValue
    user_key: SecretValue
    title: str | None = None
    priority: Priority | None = None
    sound: str | None = None
    device: str | None = None
    url: str | None = None
    url_title: str | None = None
    ttl: int | None = None
    html: bool = False
    monospace: bool = False
    api_url: str | None = None

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name"}
        normal, problems = _check_profile_values(values)
        try:
            validate_profile_name(self.name)
        except ValidationError as exc:
            problems[:0] = exc.problems
        if problems:
            raise ValidationError(problems)
        for key, value in normal.items():
            object.__setattr__(self, key, value)

    def message_defaults(self) -> dict[str, object]:
        """Keyword arguments for ``Message(...)``: the defaults this profile sets, only."""
        defaults = {key: getattr(self, key) for key in MESSAGE_DEFAULTS}
        return {key: value for key, value in defaults.items() if _is_set(value)}

    def settings(self) -> dict[str, object]:
        """Every optional field that is set, in field order (for display)."""
        values = {key: getattr(self, key) for key in OPTIONAL_FIELDS}
        return {key: value for key, value in values.items() if _is_set(value)}

    def __repr__(self) -> str:
        shown = [f"name={self.name!r}"]
        shown += [f"{k}={describe_secret(getattr(self, k))!r}" for k in ("app_token", "user_key")]
        shown += [f"{k}={v!r}" for k, v in self.settings().items()]
        return f"Profile({', '.join(shown)})"


def _is_set(value: object) -> bool:
    """Not None and not False (``Priority.NORMAL`` equals False, yet it is set)."""
    return value is not None and value is not False


def _text_rule(most: int | None) -> Callable[[object, str], str]:
    def check(value: object, key: str) -> str:
        if not isinstance(value, str):
            raise ValidationError(key, "must be text")
        if not is_unicode_text(value):
            raise ValidationError(key, UNDECODABLE)
        if not value.strip():
            raise ValidationError(key, "must not be blank (leave the key out instead)")
        if most is not None and len(value) > most:
            raise ValidationError(key, f"must be at most {most} characters (is {len(value)})")
        return value

    return check


def _priority_rule(value: object, key: str) -> Priority:
    return Priority.parse(value, key)


def _device_rule(value: object, key: str) -> str:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        value = ",".join(value)
    if not isinstance(value, str):
        raise ValidationError(key, "must be a device name or several, comma-joined")
    names = tuple(n.strip() for n in value.split(","))
    try:
        return ",".join(validate_devices(names))
    except ValidationError as exc:
        raise ValidationError(key, exc.rule) from None


def _ttl_rule(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(key, "must be a whole number of seconds")
    if value <= 0:
        raise ValidationError(key, "must be more than 0 seconds")
    if value > limits.SECONDS_MAX:
        raise ValidationError(key, f"must be at most {limits.SECONDS_MAX:,} seconds")
    return value


def _flag_rule(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(key, "must be true or false")
    return value


def _api_url_rule(value: object, key: str) -> str:
    return check_api_url(_text_rule(None)(value, key), key)


FIELD_RULES: dict[str, Callable[[object, str], object]] = {
    "app_token": secret_from_toml,
    "user_key": secret_from_toml,
    "title": _text_rule(limits.TITLE_MAX),
    "priority": _priority_rule,
    "sound": _text_rule(None),
    "device": _device_rule,
    "url": _text_rule(limits.URL_MAX),
    "url_title": _text_rule(limits.URL_TITLE_MAX),
    "ttl": _ttl_rule,
    "html": _flag_rule,
    "monospace": _flag_rule,
    "api_url": _api_url_rule,
}
REQUIRED = ("app_token", "user_key")


def _check_profile_values(
    values: Mapping[str, object],
) -> tuple[dict[str, object], list[FieldProblem]]:
    """Each value checked and normalised by its rule; unset optional values are skipped."""
    normal: dict[str, object] = {}
    problems: list[FieldProblem] = []
    for key in REQUIRED:
        if values.get(key) is None:
            problems.append(FieldProblem(key, "is required"))
    for key, value in values.items():
        rule = FIELD_RULES.get(key)
        if rule is None:
            problems.append(FieldProblem(key, f"is not a known setting (known: {_known()})"))
        elif value is not None:
            try:
                normal[key] = rule(value, key)
            except ValidationError as exc:
                problems.extend(exc.problems)
    if normal.get("html") is True and normal.get("monospace") is True:
        problems.append(FieldProblem("monospace", "cannot be combined with html"))
    return normal, problems


def _known() -> str:
    return ", ".join(FIELD_RULES)


@dataclass(frozen=True)
class Config:
    """The whole config file: profiles in file order, the default profile, the history switch."""

    profiles: Mapping[str, Profile] = field(default_factory=dict)
    default_profile: str | None = None
    history: bool = True

    def __post_init__(self) -> None:
        profiles = dict(self.profiles)
        for key, profile in profiles.items():
            if key != profile.name:
                raise ValueError(f"profile {profile.name!r} is filed under {key!r}")
        if self.default_profile is not None and self.default_profile not in profiles:
            raise UnknownProfileError(self.default_profile, tuple(profiles))
        object.__setattr__(self, "profiles", MappingProxyType(profiles))

    def profile(self, name: str) -> Profile:
        """The profile called ``name``; ``UnknownProfileError`` when there is none."""
        try:
            return self.profiles[name]
        except KeyError:
            raise UnknownProfileError(name, tuple(self.profiles)) from None

    @property
    def default(self) -> Profile | None:
        return None if self.default_profile is None else self.profiles[self.default_profile]

    def with_profile(self, profile: Profile) -> Config:
        """Add ``profile``, or replace the one with its name in place."""
        return replace(self, profiles={**self.profiles, profile.name: profile})

    def with_new_profile(self, profile: Profile) -> Config:
        """Add ``profile``; ``ProfileExistsError`` when its name is taken."""
        if profile.name in self.profiles:
            raise ProfileExistsError(profile.name)
        return self.with_profile(profile)

    def without_profile(self, name: str) -> Config:
        """Remove a profile (and the default, if it was the default)."""
        self.profile(name)
        profiles = {k: v for k, v in self.profiles.items() if k != name}
        default = None if self.default_profile == name else self.default_profile
        return replace(self, profiles=profiles, default_profile=default)

    def renamed(self, old: str, new: str) -> Config:
        """Rename a profile in place, keeping the default pointing at it."""
        profile = self.profile(old)
        validate_profile_name(new)
        if new != old and new in self.profiles:
            raise ProfileExistsError(new)
        profiles = {(new if k == old else k): v for k, v in self.profiles.items()}
        profiles[new] = replace(profile, name=new)
        default = new if self.default_profile == old else self.default_profile
        return replace(self, profiles=profiles, default_profile=default)

    def with_default(self, name: str | None) -> Config:
        """Make ``name`` the default profile (None: no default)."""
        if name is not None:
            self.profile(name)
        return replace(self, default_profile=name)


def config_from_toml(data: Mapping[str, Any]) -> Config:
    """A Config from a parsed TOML document; ``ConfigError`` listing every problem by key path."""
    problems: list[ConfigProblem] = []
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            known = ", ".join(TOP_LEVEL_KEYS)
            problems.append(ConfigProblem(f"is not a known setting (known: {known})", key))
    history = data.get("history", True)
    if not isinstance(history, bool):
        problems.append(ConfigProblem("must be true or false", "history"))
    tables = data.get("profiles", {})
    if not isinstance(tables, Mapping):
        problems.append(ConfigProblem("must be a table of [profiles.NAME] tables", "profiles"))
        tables = {}
    profiles: dict[str, Profile] = {}
    for name, table in tables.items():
        if profile := _profile_from_toml(name, table, problems):
            profiles[name] = profile
    default = data.get("default_profile")
    if default is not None and not isinstance(default, str):
        problems.append(ConfigProblem("must be the name of a profile", "default_profile"))
    elif default is not None and default not in tables:
        problems.append(ConfigProblem(f"names no profile: {default!r}", "default_profile"))
    if problems:
        raise ConfigError(problems)
    return Config(profiles, default, history)


def _profile_from_toml(name: str, table: object, problems: list[ConfigProblem]) -> Profile | None:
    where = f"profiles.{name}" if NAME_PATTERN.fullmatch(name) else f"profiles.{name!r}"
    if not NAME_PATTERN.fullmatch(name):
        problems.append(ConfigProblem("a profile name must be letters, digits, '-' or '_'", where))
        return None
    if not isinstance(table, Mapping):
        problems.append(ConfigProblem("must be a table: [profiles.NAME]", where))
        return None
    normal, found = _check_profile_values(table)
    problems += [ConfigProblem(p.rule, f"{where}.{p.field}") for p in found]
    return None if found else Profile(name, **normal)  # type: ignore[arg-type]


def config_to_toml(config: Config) -> dict[str, Any]:
    """The TOML document of a Config, the inverse of ``config_from_toml``."""
    data: dict[str, Any] = {}
    if config.default_profile is not None:
        data["default_profile"] = config.default_profile
    if not config.history:
        data["history"] = False
    tables: dict[str, dict[str, object]] = {}
    for profile in config.profiles.values():
        table: dict[str, object] = {
            "app_token": secret_to_toml(profile.app_token),
            "user_key": secret_to_toml(profile.user_key),
        }
        for key, value in profile.settings().items():
            table[key] = value.label if isinstance(value, Priority) else value
        tables[profile.name] = table
    if tables:
        data["profiles"] = tables
    return data


def load_config(path: str | os.PathLike[str]) -> Config:
    """The config in ``path``; an empty Config when there is no file; ``ConfigError`` if broken."""
    path = Path(path)
    text = read_text(path)
    if text is None:
        return Config()
    data = parse_toml(text, path)
    try:
        return config_from_toml(data)
    except ConfigError as exc:
        raise ConfigError(_located(exc.problems, text), path=path) from None


def _located(problems: tuple[ConfigProblem, ...], text: str) -> list[ConfigProblem]:
    located = []
    for problem in problems:
        where = locate_key(text, problem.key) if problem.key else None
        located.append(replace(problem, line=where[0], column=where[1]) if where else problem)
    return sorted(located, key=lambda p: (p.line is None, p.line or 0, p.column or 0))


def save_config(path: str | os.PathLike[str], config: Config) -> None:
    """Write ``config`` to ``path`` atomically (mode 0600, new directories 0700)."""
    write_atomic(Path(path), render_toml(config_to_toml(config)))


def update_config(path: str | os.PathLike[str], change: Callable[[Config], Config]) -> Config:
    """Re-read, change and write the config under an exclusive lock; returns the new Config.

    A file that does not load raises ``ConfigError`` before anything is written,
    and errors raised by ``change`` leave the file as it was.
    """
    path = Path(path)
    with exclusive_lock(path):
        config = change(load_config(path))
        remove_stale_temp_files(path)
        save_config(path, config)
        return config
