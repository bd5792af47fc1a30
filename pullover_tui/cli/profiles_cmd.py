"""``pullover-tui profiles``: list, show, add, edit, remove, rename, default, validate, path.

The parser is built without importing the core; ``run`` imports what the
chosen command needs. Every change goes through ``update_config``, so it is
atomic, locked against other processes, and refused for a file that does not
parse.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pullover_tui.cli.exit_codes import ExitCode
from pullover_tui.cli.output import PROG, error, warn

if TYPE_CHECKING:
    from pullover_tui.core.profiles import Config, Profile, SecretValue

SECRET_FIELDS = ("app_token", "user_key")
DEFAULT_FIELDS = (
    "title", "priority", "sound", "device", "url", "url_title", "ttl", "html", "monospace",
    "api_url",
)  # fmt: skip
FLAG_FIELDS = ("html", "monospace")
_warned_about: set[Path] = set()  # config files whose permissions were already warned about


def register(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "profiles",
        parents=parents,
        help="manage named profiles (app token, user key, message defaults)",
        description="Manage the named profiles in the config file. Without a command: list.",
        epilog=f"Example: {PROG} profiles add home --app-token - --user-key - --default",
    )
    parser.set_defaults(handler=run, profiles_action=do_list, json=False)
    commands = parser.add_subparsers(title="profile commands", metavar="COMMAND")

    def command(name: str, action: Callable[[argparse.Namespace], int], help: str) -> Any:
        sub = commands.add_parser(name, parents=parents, help=help, description=help)
        sub.set_defaults(profiles_action=action)
        return sub

    listing = command("list", do_list, "list the profiles (* marks the default)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = command("show", do_show, "show one profile, secrets masked")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print JSON")
    add = command("add", do_add, "add a profile")
    add.add_argument("name", metavar="NAME", help="letters, digits, '-' and '_'")
    _secret_options(add, required=True)
    add.add_argument("--default", action="store_true", help="make it the default profile")
    _default_options(add)
    edit = command("edit", do_edit, "change a profile")
    edit.add_argument("name", metavar="NAME")
    _secret_options(edit, required=False)
    edit.add_argument("--default", action="store_true", help="make it the default profile")
    _default_options(edit)
    edit.add_argument(
        "--unset",
        action="append",
        default=[],
        metavar="FIELD",
        choices=[*DEFAULT_FIELDS, *(f.replace("_", "-") for f in DEFAULT_FIELDS if "_" in f)],
        help=f"remove a default (repeatable): {', '.join(DEFAULT_FIELDS)}",
    )
    remove = command("remove", do_remove, "remove a profile")
    remove.add_argument("name", metavar="NAME")
    rename = command("rename", do_rename, "rename a profile (the default follows it)")
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    default = command("default", do_default, "set (or --clear) the default profile")
    default.add_argument("name", metavar="NAME", nargs="?")
    default.add_argument("--clear", action="store_true", help="have no default profile")
    check = command("validate", do_validate, "ask Pushover whether the user key is valid")
    check.add_argument("name", metavar="NAME")
    check.add_argument("--json", action="store_true", help="print Pushover's answer as JSON")
    command("path", do_path, "print the config file's path")


def _secret_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    for field, label in (("app_token", "app token"), ("user_key", "user or group key(s)")):
        flag = "--" + field.replace("_", "-")
        group = parser.add_mutually_exclusive_group(required=required)
        group.add_argument(
            flag, dest=field, metavar="VALUE", help=f"the {label}; '-' reads it from stdin"
        )
        group.add_argument(
            f"{flag}-env",
            dest=f"{field}_env",
            metavar="NAME",
            help=f"read the {label} from environment variable NAME when sending",
        )
        group.add_argument(
            f"{flag}-command",
            dest=f"{field}_command",
            metavar="CMD",
            help=f"run CMD (split like a shell would, never run by one) when sending; "
            f"its first output line is the {label}",
        )


def _default_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("message defaults")
    group.add_argument("--title", help="default title")
    group.add_argument("--priority", help="lowest, low, normal, high, emergency or -2..2")
    group.add_argument("--sound", help="default sound")
    group.add_argument("--device", help="default device(s), comma-joined")
    group.add_argument("--url", help="default supplementary URL")
    group.add_argument("--url-title", help="default title for the URL")
    group.add_argument("--ttl", type=int, metavar="SECONDS", help="default time to live")
    style = group.add_mutually_exclusive_group()
    style.add_argument("--html", action="store_true", default=None, help="send as HTML")
    style.add_argument("--monospace", action="store_true", default=None, help="monospace text")
    group.add_argument("--api-url", metavar="URL", help="API root (e.g. a sandbox)")


class CommandError(Exception):
    """A command line that cannot be carried out as given; one line for stderr, exit 2."""


def run(args: argparse.Namespace) -> int:
    """Run the chosen profiles command; config and input problems exit 2 with one line each."""
    from pullover_tui.core.errors import ConfigError, ValidationError

    try:
        return int(args.profiles_action(args))
    except (ConfigError, CommandError) as exc:
        error(str(exc))
    except ValidationError as exc:
        for problem in exc.problems:
            error(f"{_flag(problem.field)}: {problem.rule}")
    return ExitCode.USAGE


def _flag(field: str) -> str:
    """The option a field came from, for error lines: ``--url-title``, ``profile name``."""
    if field == "name":
        return "profile name"
    base = field.removesuffix("_env").removesuffix("_command")
    if base in SECRET_FIELDS or base in DEFAULT_FIELDS:
        return "--" + field.replace("_", "-")
    return field


def _path(args: argparse.Namespace) -> Path:
    from pullover_tui.core.paths import config_path

    return config_path(getattr(args, "config", None))


def _read(args: argparse.Namespace) -> Config:
    """Load the config for a read-only command, warning once about loose permissions."""
    from pullover_tui.core.profiles import load_config

    path = _path(args)
    config = load_config(path)
    warn_config_permissions(path)
    return config


def warn_config_permissions(path: Path) -> None:
    """Print the permission warning for ``path`` on stderr, once per process (as ssh does)."""
    from pullover_tui.core.profiles import check_permissions

    if path in _warned_about:
        return
    _warned_about.add(path)
    if text := check_permissions(path):
        warn(text)


def do_path(args: argparse.Namespace) -> int:
    print(_path(args))
    return ExitCode.OK


def do_list(args: argparse.Namespace) -> int:
    from pullover_tui.core.profiles import describe_secret

    config = _read(args)
    rows = [
        {
            "name": p.name,
            "default": p.name == config.default_profile,
            "app_token": describe_secret(p.app_token),
            "user_key": describe_secret(p.user_key),
        }
        for p in config.profiles.values()
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        print(f"{PROG}: no profiles yet; add one with:", file=sys.stderr)
        print(f"  {PROG} profiles add NAME --app-token - --user-key -", file=sys.stderr)
    else:
        table = [("", "NAME", "APP TOKEN", "USER KEY")]
        for row in rows:
            mark = "*" if row["default"] else ""
            table.append((mark, str(row["name"]), str(row["app_token"]), str(row["user_key"])))
        print_table(table)
    return ExitCode.OK


def print_table(rows: Sequence[Sequence[str]]) -> None:
    """Columns padded to their widest cell; the last column is not padded."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print(" ".join([*cells, row[-1]]).rstrip())


def _profile_view(profile: Profile, config: Config) -> dict[str, object]:
    from pullover_tui.core.parsing import Priority
    from pullover_tui.core.profiles import describe_secret

    view: dict[str, object] = {
        "name": profile.name,
        "default": profile.name == config.default_profile,
        "app_token": describe_secret(profile.app_token),
        "user_key": describe_secret(profile.user_key),
    }
    for field in DEFAULT_FIELDS:
        value = getattr(profile, field)
        view[field] = value.label if isinstance(value, Priority) else value
    return view


def do_show(args: argparse.Namespace) -> int:
    config = _read(args)
    view = _profile_view(config.profile(args.name), config)
    if args.json:
        print(json.dumps(view, indent=2, ensure_ascii=False))
        return ExitCode.OK
    print_table([(f"{key}:", _shown(value)) for key, value in view.items()])
    return ExitCode.OK


def _shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def do_add(args: argparse.Namespace) -> int:
    from pullover_tui.core.profiles import Profile, update_config

    secrets = _secrets(args)
    profile = Profile(args.name, secrets["app_token"], secrets["user_key"], **_defaults(args))

    def add(config: Config) -> Config:
        new = config.with_new_profile(profile)
        no_default = config.default_profile is None  # as the TUI does: someone must be default
        return new.with_default(profile.name) if args.default or no_default else new

    config = update_config(_path(args), add)
    extra = " (the default profile)" if config.default_profile == profile.name else ""
    print(f"added profile {profile.name!r}{extra}")
    return ExitCode.OK


def do_edit(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from pullover_tui.core.errors import ValidationError
    from pullover_tui.core.profiles import update_config

    unset = {field.replace("-", "_") for field in args.unset}
    changes: dict[str, Any] = {field: None for field in unset if field not in FLAG_FIELDS}
    changes.update({field: False for field in unset if field in FLAG_FIELDS})
    given = {**_defaults(args), **_secrets(args)}
    if both := sorted(unset & set(given)):
        raise ValidationError(both[0], "cannot be given and --unset at once")
    changes.update(given)
    if given.get("html"):
        changes["monospace"] = False
    if given.get("monospace"):
        changes["html"] = False
    if not changes and not args.default:
        raise CommandError(f"nothing to change in profile {args.name!r}: give an option to set")

    def edit(config: Config) -> Config:
        config = config.with_profile(replace(config.profile(args.name), **changes))
        return config.with_default(args.name) if args.default else config

    update_config(_path(args), edit)
    print(f"changed profile {args.name!r}")
    return ExitCode.OK


def do_remove(args: argparse.Namespace) -> int:
    from pullover_tui.core.profiles import update_config

    was_default: list[bool] = []

    def remove(config: Config) -> Config:
        was_default.append(config.default_profile == args.name)
        return config.without_profile(args.name)

    update_config(_path(args), remove)
    extra = "; there is no default profile now" if was_default[-1] else ""
    print(f"removed profile {args.name!r}{extra}")
    return ExitCode.OK


def do_rename(args: argparse.Namespace) -> int:
    from pullover_tui.core.profiles import update_config, validate_profile_name

    validate_profile_name(args.new)
    update_config(_path(args), lambda config: config.renamed(args.old, args.new))
    print(f"renamed profile {args.old!r} to {args.new!r}")
    return ExitCode.OK


def do_default(args: argparse.Namespace) -> int:
    from pullover_tui.core.profiles import update_config

    if (args.name is None) == (not args.clear):
        raise CommandError("give a profile NAME, or --clear (not both)")
    update_config(_path(args), lambda config: config.with_default(args.name))
    print(f"default profile: {args.name}" if args.name else "no default profile")
    return ExitCode.OK


LABELS = {"app_token": "App token", "user_key": "User key"}


def _secrets(args: argparse.Namespace) -> dict[str, SecretValue]:
    """The secrets the options give: inline (or '-' for stdin), env or command references."""
    import shlex

    from pullover_tui.core.errors import ValidationError
    from pullover_tui.core.secret_refs import CommandSecret, EnvSecret, check_secret

    piped = _stdin_secrets([f for f in SECRET_FIELDS if getattr(args, f) == "-"])
    found: dict[str, SecretValue] = {}
    for field in SECRET_FIELDS:
        value, env, command = (getattr(args, field + suffix) for suffix in ("", "_env", "_command"))
        if value is not None:
            found[field] = check_secret(piped.get(field, value), field)
        elif env is not None:
            try:
                found[field] = EnvSecret(env)
            except ValidationError as exc:
                raise ValidationError(f"{field}_env", exc.rule) from None
        elif command is not None:
            try:
                found[field] = CommandSecret(tuple(shlex.split(command)))
            except (ValueError, ValidationError) as exc:
                rule = exc.rule if isinstance(exc, ValidationError) else f"cannot be split: {exc}"
                raise ValidationError(f"{field}_command", rule) from None
    return found


def _stdin_secrets(fields: list[str]) -> dict[str, str]:
    """Secrets given as '-': one line each from stdin, in option order; asked for on a terminal."""
    if not fields:
        return {}
    stdin = sys.stdin
    if stdin is not None and stdin.isatty():
        import getpass

        try:
            return {field: getpass.getpass(f"{LABELS[field]}: ").strip() for field in fields}
        except EOFError:
            raise CommandError("no input on the terminal") from None
    try:
        lines = stdin.read().splitlines() if stdin is not None else []
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read stdin: {exc}") from None
    values: dict[str, str] = {}
    for number, field in enumerate(fields, 1):
        if len(lines) < number or not lines[number - 1].strip():
            where = "stdin" if len(fields) == 1 else f"line {number} of stdin"
            raise CommandError(f"{_flag(field)} -: expected the {LABELS[field].lower()} on {where}")
        values[field] = lines[number - 1].strip()
    return values


def _defaults(args: argparse.Namespace) -> dict[str, Any]:
    """The message defaults (and api_url) the options set."""
    values = {field: getattr(args, field) for field in DEFAULT_FIELDS}
    return {field: value for field, value in values.items() if value is not None}


VALIDATE_PATH = "/1/users/validate.json"


def do_validate(args: argparse.Namespace) -> int:
    from pullover_tui.core.client import Client
    from pullover_tui.core.credentials import resolve_send_settings
    from pullover_tui.core.errors import ClientSendError, ServerSendError
    from pullover_tui.core.request import ApiRequest
    from pullover_tui.core.retry import RetryPolicy
    from pullover_tui.core.secrets import mask_secret

    path = _path(args)
    settings = resolve_send_settings(profile=args.name, config_path=path)
    warn_config_permissions(path)
    users: list[dict[str, object]] = []
    policy = RetryPolicy(max_attempts=3, deadline=60.0)
    try:
        with Client(settings.api_url, policy=policy) as client:
            for user in settings.user.split(","):
                data = {"token": settings.token, "user": user}
                answer = client.call(ApiRequest("POST", VALIDATE_PATH, data=data))
                users.append(_validation(mask_secret(user), answer.body))
    except ClientSendError as exc:
        return _refused(args, exc, mask_secret(user) if "," in settings.user else None)
    except ServerSendError as exc:
        error(f"profile {args.name!r} not validated: {exc}")
        return ExitCode.TEMPORARY
    if args.json:
        print(
            json.dumps(
                {"profile": args.name, "valid": True, "users": users}, indent=2, ensure_ascii=False
            )
        )
        return ExitCode.OK
    for entry in users:
        devices = entry["devices"]
        assert isinstance(devices, list)
        if len(users) > 1:
            print(f"{entry['user']}: {', '.join(devices) or '(no devices)'}")
        else:
            for device in devices:
                print(device)
    return ExitCode.OK


def _validation(masked_user: str, body: dict[str, Any]) -> dict[str, object]:
    devices = body.get("devices")
    licenses = body.get("licenses")
    return {
        "user": masked_user,
        "group": bool(body.get("group")),
        "devices": [str(d) for d in devices] if isinstance(devices, list) else [],
        "licenses": [str(x) for x in licenses] if isinstance(licenses, list) else [],
        "request": body.get("request"),
    }


def _refused(args: argparse.Namespace, exc: Any, masked_user: str | None) -> int:
    which = f" (key {masked_user})" if masked_user else ""
    reasons = "; ".join(exc.errors)
    request = f" [request {exc.request}]" if exc.request else ""
    error(f"profile {args.name!r}{which} is not valid: {reasons}{request}")
    if args.json:
        failure = {"profile": args.name, "valid": False, "errors": list(exc.errors)}
        print(json.dumps({**failure, "request": exc.request}, indent=2))
    return ExitCode.REJECTED
