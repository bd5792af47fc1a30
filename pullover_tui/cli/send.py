"""``pullover-tui send``: one message from a script, with parseable output and exit codes."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from pullover_tui.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from pullover_tui.cli.output import error, note

if TYPE_CHECKING:
    from pullover_tui.core.credentials import SendSettings
    from pullover_tui.core.errors import ClientSendError, Quota, ServerSendError
    from pullover_tui.core.message import Message
    from pullover_tui.core.request import SendResult

TRUNCATION_MARK = "…"

# Message keyword arguments and the flags that give them (dest names match).
MESSAGE_FLAGS = (
    "title",
    "priority",
    "timestamp",
    "url",
    "url_title",
    "sound",
    "device",
    "ttl",
    "retry",
    "expire",
    "callback",
    "tags",
)


def register(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "send",
        parents=parents,
        help="send one message (for scripts, cron and CI)",
        description="Send one Pushover message. Prints the request id on success.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("message", nargs="?", help="the message text; '-' or omitted reads stdin")
    who = p.add_argument_group("credentials (flags, then -P, then environment, then default)")
    who.add_argument("-a", "--app", metavar="TOKEN", help="app token [$PUSHOVER_APP_TOKEN]")
    who.add_argument(
        "-u", "--user", metavar="KEY", help="user or group key(s) [$PUSHOVER_USER_KEY]"
    )
    who.add_argument("-P", "--profile", metavar="NAME", help="use a saved profile")
    fields = p.add_argument_group("message fields")
    fields.add_argument("-p", "--priority", help="lowest, low, normal, high, emergency (or -2..2)")
    fields.add_argument("-t", "--title", help="title (default: the app's name)")
    fields.add_argument("--timestamp", metavar="TS", help="ISO 8601 time or Unix seconds")
    fields.add_argument("--url", help="a supplementary URL")
    fields.add_argument("--url-title", metavar="TITLE", help="the URL's title (needs --url)")
    fields.add_argument("--sound", metavar="S", help="notification sound name")
    fields.add_argument("--device", metavar="D", help="device name(s), comma-joined")
    fields.add_argument("--ttl", metavar="SECONDS", help="delete the message after SECONDS")
    fmt = fields.add_mutually_exclusive_group()
    fmt.add_argument("--html", action="store_true", default=None, help="the message is HTML")
    fmt.add_argument("--monospace", action="store_true", default=None, help="monospace font")
    fields.add_argument(
        "--truncate", action="store_true", help="cut a message over 1024 characters, marked with …"
    )
    emergency = p.add_argument_group("emergency priority (-p emergency)")
    emergency.add_argument("--retry", metavar="S", help="seconds between re-alerts (>= 30)")
    emergency.add_argument("--expire", metavar="S", help="seconds until re-alerts stop (<= 10800)")
    emergency.add_argument(
        "--callback", metavar="URL", help="URL Pushover calls on acknowledgement"
    )
    emergency.add_argument(
        "--tag", dest="tags", action="append", metavar="TAG", help="tag for cancel (repeatable)"
    )
    out = p.add_argument_group("output and retries")
    out.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    out.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    out.add_argument("-v", "--verbose", action="count", default=0, help="progress on stderr (-vv)")
    out.add_argument("--timeout", type=float, metavar="S", help="seconds per attempt (default 15)")
    out.add_argument("--retries", type=int, metavar="N", help="retries after a failure (default 4)")
    p.set_defaults(handler=run)


def read_message_text(args: argparse.Namespace) -> str | None:
    """The message from the argument, or stdin for '-' or when stdin is not a terminal."""
    if args.message is not None and args.message != "-":
        return str(args.message)
    if args.message is None and sys.stdin is not None and sys.stdin.isatty():
        return None
    if sys.stdin is None:
        return None
    raw = sys.stdin.buffer.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StdinError(f"stdin is not valid UTF-8 (byte {exc.start})") from None
    return text.rstrip("\r\n")


class StdinError(Exception):
    """The message on stdin cannot be read as text."""


def truncate(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - len(TRUNCATION_MARK)] + TRUNCATION_MARK


def build_message(args: argparse.Namespace, text: str, defaults: dict[str, Any]) -> Message:
    """Profile defaults, overridden by whatever the command line gave."""
    from pullover_tui.core.limits import MESSAGE_MAX
    from pullover_tui.core.message import Message

    fields: dict[str, Any] = dict(defaults)
    for name in MESSAGE_FLAGS:
        value = getattr(args, name)
        if value is not None:
            fields[name] = value
    if args.html:
        fields["html"], fields["monospace"] = True, False
    if args.monospace:
        fields["monospace"], fields["html"] = True, False
    if args.truncate:
        text = truncate(text, MESSAGE_MAX)
    return Message(text, **fields)


def run(args: argparse.Namespace) -> int:
    from pullover_tui.core.errors import (
        ClientSendError,
        ConfigError,
        ServerSendError,
        ValidationError,
    )

    if args.timeout is not None and not args.timeout > 0:
        error("--timeout: must be more than 0 seconds")
        return ExitCode.USAGE
    if args.retries is not None and args.retries < 0:
        error("--retries: must be 0 or more")
        return ExitCode.USAGE
    try:
        settings = _settings(args)
    except (ConfigError, ValidationError) as exc:
        error(str(exc))
        return ExitCode.USAGE
    try:
        text = read_message_text(args)
    except StdinError as exc:
        error(f"message: {exc}")
        return ExitCode.REJECTED
    if text is None:
        error("message: is required (give it as an argument, or '-' to read stdin)")
        return ExitCode.USAGE
    try:
        message = build_message(args, text, dict(settings.defaults))
    except ValidationError as exc:
        for problem in exc.problems:
            error(str(problem))
        return _json_failure(args, ExitCode.REJECTED, [str(p) for p in exc.problems])
    try:
        result = _send(args, settings, message)
    except ValidationError as exc:
        for problem in exc.problems:
            error(str(problem))
        code = ExitCode.USAGE if exc.field in ("api_url", "PUSHOVER_API_URL") else ExitCode.REJECTED
        return _json_failure(args, code, [str(p) for p in exc.problems])
    except ClientSendError as exc:
        return _report_rejection(args, exc)
    except ServerSendError as exc:
        return _report_temporary(args, exc)
    _report_success(args, result)
    return ExitCode.OK


def _settings(args: argparse.Namespace) -> SendSettings:
    from pullover_tui.core.credentials import resolve_send_settings

    return resolve_send_settings(
        app=args.app,
        user=args.user,
        profile=args.profile,
        config_path=getattr(args, "config", None),
    )


def _send(args: argparse.Namespace, settings: SendSettings, message: Message) -> SendResult:
    from pullover_tui.core.client import Client
    from pullover_tui.core.retry import RetryNotice, RetryPolicy
    from pullover_tui.core.secrets import mask_secret

    policy_args: dict[str, Any] = {}
    if args.timeout is not None:
        policy_args["timeout"] = args.timeout
    if args.retries is not None:
        policy_args["max_attempts"] = args.retries + 1
    policy = RetryPolicy(**policy_args)

    def on_retry(notice: RetryNotice) -> None:
        if args.verbose:
            note(str(notice))

    with Client(settings.api_url, policy=policy, on_retry=on_retry) as client:
        if args.verbose:
            who = f"app {mask_secret(settings.token)} to {mask_secret(settings.user)}"
            profile = f" (profile {settings.profile})" if settings.profile else ""
            note(f"sending to {client.api_url} from {who}{profile}")
        if args.verbose >= 2:
            note(f"attempts at most {policy.max_attempts}, {policy.timeout:g} s each")
        result = client.send(message, token=settings.token, user=settings.user)
    if args.verbose:
        noun = "attempt" if result.attempts == 1 else "attempts"
        note(f"sent after {result.attempts} {noun}: request {result.request}")
    if args.verbose >= 2 and result.quota is not None:
        note(f"quota: {_quota_text(result.quota)}")
    return result


def _quota_text(quota: Quota) -> str:
    from pullover_tui.core.parsing import format_timestamp

    reset = format_timestamp(quota.reset)
    return f"{quota.remaining} of {quota.limit} messages left, resets {reset}"


def _quota_json(quota: Quota | None) -> dict[str, int] | None:
    if quota is None:
        return None
    return {"limit": quota.limit, "remaining": quota.remaining, "reset": quota.reset}


def _report_success(args: argparse.Namespace, result: SendResult) -> None:
    if args.json:
        payload = {
            "status": 1,
            "request": result.request,
            "receipt": result.receipt,
            "attempts": result.attempts,
            "quota": _quota_json(result.quota),
        }
        print(json.dumps(payload))
    elif not args.quiet:
        print(result.request)
        if result.receipt:
            print(result.receipt)


def _json_failure(args: argparse.Namespace, code: ExitCode, errors: list[str], **extra: Any) -> int:
    if args.json:
        print(json.dumps({"status": 0, "exit_code": int(code), "errors": errors, **extra}))
    return code


def _report_rejection(args: argparse.Namespace, exc: ClientSendError) -> int:
    from pullover_tui.core.errors import QuotaExceededError

    if isinstance(exc, QuotaExceededError):
        when = f"; it resets {_reset_text(exc)}" if exc.quota else ""
        lines = [f"quota: {e}{when}" for e in exc.errors]
    else:
        fields = ", ".join(exc.invalid_fields)
        prefix = f"{fields}: " if fields else ""
        lines = [f"{prefix}rejected by Pushover (HTTP {exc.status}): {e}" for e in exc.errors]
    for line in lines:
        error(line)
    if exc.request and not args.quiet:
        error(f"request id: {exc.request}")
    return _json_failure(
        args,
        ExitCode.REJECTED,
        list(exc.errors),
        http_status=exc.status,
        request=exc.request,
        invalid_fields=list(exc.invalid_fields),
        quota=_quota_json(exc.quota),
    )


def _reset_text(exc: ClientSendError) -> str:
    from pullover_tui.core.parsing import format_timestamp

    return format_timestamp(exc.quota.reset) if exc.quota else "at the start of next month"


def _report_temporary(args: argparse.Namespace, exc: ServerSendError) -> int:
    error(str(exc))
    return _json_failure(
        args,
        ExitCode.TEMPORARY,
        [exc.last_error],
        attempts=exc.attempts,
        http_status=exc.status,
    )
