"""``pullover-tui send``: one message from a script, with parseable output and exit codes."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pullover_tui.cli import common
from pullover_tui.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from pullover_tui.cli.output import error, note, warn

if TYPE_CHECKING:
    from pullover_tui.cli.recording import Recording
    from pullover_tui.core.client import Client
    from pullover_tui.core.credentials import SendSettings
    from pullover_tui.core.errors import ServerSendError
    from pullover_tui.core.message import Message
    from pullover_tui.core.request import SendResult

TRUNCATION_MARK = "…"
FLUSH_HINT = "'pullover-tui outbox flush' sends it later"

# Message keyword arguments given by flags of the same dest name.
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
        description="Send one Pushover message. Prints the request id on success "
        "(and the receipt on a second line for emergency priority).",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("message", nargs="?", help="the message text; '-' or omitted reads stdin")
    common.add_credential_options(p)
    fields = p.add_argument_group("message fields (override the profile's defaults)")
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
    fields.add_argument("--attach", metavar="FILE", help="an image to attach ('-' reads stdin)")
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
    emergency.add_argument(
        "--wait-ack",
        action="store_true",
        help="wait until acknowledged (exit 0) or expired (exit 1)",
    )
    emergency.add_argument(
        "--wait-timeout", type=float, metavar="S", help="give up waiting after S"
    )
    history = p.add_argument_group("history and outbox")
    history.add_argument("--no-history", action="store_true", help="keep no record of this message")
    history.add_argument(
        "--queue",
        action="store_true",
        help="try once; if Pushover is unreachable, keep it in the outbox and exit 0",
    )
    common.add_output_options(p, quiet=True)
    p.set_defaults(handler=run)


class StdinError(Exception):
    """The message on stdin cannot be read as text."""


def read_message_text(args: argparse.Namespace) -> str | None:
    """The message from the argument, or stdin for '-' or when stdin is not a terminal."""
    if args.message is not None and args.message != "-":
        return str(args.message)
    if sys.stdin is None or (args.message is None and sys.stdin.isatty()):
        return None
    raw = sys.stdin.buffer.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StdinError(f"stdin is not valid UTF-8 (byte {exc.start})") from None
    return text.rstrip("\r\n")


def truncate(text: str, most: int) -> str:
    """At most ``most`` characters, the cut marked with an ellipsis.

    The cut never parts a character from what modifies it (``e`` + U+0301,
    variation selectors, skin tones), nor ends on a zero-width joiner.
    """
    if len(text) <= most:
        return text
    cut = most - len(TRUNCATION_MARK)
    while cut > 0 and (_modifies_previous(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    return text[:cut] + TRUNCATION_MARK


def _modifies_previous(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char) in ("Mn", "Mc", "Me") or "\U0001f3fb" <= char <= "\U0001f3ff"


def build_message(args: argparse.Namespace, text: str, defaults: dict[str, Any]) -> Message:
    """Profile defaults, overridden by whatever the command line gave."""
    from pullover_tui.core.attachment import Attachment
    from pullover_tui.core.errors import ValidationError
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
    if args.attach == "-":
        if sys.stdin is None:  # started with stdin closed (<&-)
            raise ValidationError("attachment", "stdin is closed: there is no image to read")
        fields["attachment"] = Attachment.from_file(sys.stdin.buffer, filename="image")
    elif args.attach is not None:
        fields["attachment"] = args.attach
    if args.truncate:
        text = truncate(text, MESSAGE_MAX)
    return Message(text, **fields)


def check_usage(args: argparse.Namespace) -> str | None:
    """Combinations of flags that make no sense, as one line, or None."""
    if args.attach == "-" and args.message in (None, "-"):
        return "--attach -: stdin cannot hold both the image and the message text"
    if args.wait_timeout is not None and not args.wait_ack:
        return "--wait-timeout: needs --wait-ack"
    if args.wait_timeout is not None and not args.wait_timeout > 0:
        return "--wait-timeout: must be more than 0 seconds"
    if args.queue and args.no_history:
        return "--queue: needs the history, which keeps the outbox (drop --no-history)"
    if args.queue and args.wait_ack:
        return "--queue: cannot be combined with --wait-ack"
    return None


def run(args: argparse.Namespace) -> int:
    from pullover_tui.core.errors import (
        ClientSendError,
        ConfigError,
        ServerSendError,
        ValidationError,
    )

    if (code := common.check_output_options(args)) is not None:
        return code
    if (problem := check_usage(args)) is not None:
        return common.usage_failure(args, problem)
    try:
        settings = common.resolve_settings(args)
    except (ConfigError, ValidationError) as exc:
        return common.usage_failure(args, str(exc))
    try:
        text = read_message_text(args)
    except StdinError as exc:
        error(f"message: {exc}")
        return common.json_failure(args, ExitCode.REJECTED, [f"message: {exc}"])
    if text is None:
        return common.usage_failure(
            args, "message: is required (give it as an argument, or '-' to read stdin)"
        )
    try:
        message = build_message(args, text, dict(settings.defaults))
        check_credentials(settings)
        if args.wait_ack and not message.is_emergency:
            return common.usage_failure(args, "--wait-ack: needs -p emergency")
        record = wants_history(args)
        if args.queue and not record:
            return common.usage_failure(args, "--queue: needs the history (history = false)")
        with common.open_client(args, settings, max_attempts=1 if args.queue else None) as client:
            recording = start_recording(args, message, settings, client.api_url) if record else None
            try:
                result = _send(args, client, settings, message, recording)
            except KeyboardInterrupt:
                if recording is not None:  # its row stays pending: the outbox has it
                    error(f"kept in the outbox as entry {recording.entry_id}: {FLUSH_HINT}")
                raise
            finally:
                if recording is not None:
                    recording.close()
            _report_success(args, result, recording)
            if args.wait_ack and result.receipt:
                return common.wait_and_report(
                    args,
                    client,
                    token=settings.token,
                    receipt=result.receipt,
                    timeout=args.wait_timeout,
                    json_extra=_success_json(result, recording),
                )
    except ValidationError as exc:
        return common.report_validation(args, exc)
    except ClientSendError as exc:
        return common.report_rejection(args, exc)
    except ServerSendError as exc:
        return _report_not_sent(args, exc, recording)
    return ExitCode.OK


def check_credentials(settings: SendSettings) -> None:
    """The token and key shapes, before anything is recorded or sent."""
    from pullover_tui.core.message import validate_token, validate_user_keys

    validate_token(settings.token)
    validate_user_keys(settings.user)


def wants_history(args: argparse.Namespace) -> bool:
    """Record unless ``--no-history`` or ``history = false``; an unreadable config warns."""
    from pullover_tui.cli.history_access import history_enabled
    from pullover_tui.core.errors import ConfigError

    if args.no_history:
        return False
    try:
        return history_enabled(args)
    except ConfigError as exc:
        warn(f"history: the config file cannot be read, recording anyway: {exc}")
        return True


def start_recording(
    args: argparse.Namespace, message: Message, settings: SendSettings, api_url: str
) -> Recording | None:
    """The history row, written before the first attempt; a store problem only warns."""
    from pullover_tui.cli.recording import Recording
    from pullover_tui.core.store import StoreError

    attachment = args.attach if args.attach not in (None, "-") else None
    try:
        return Recording.start(message, settings, api_url, attachment)
    except StoreError as exc:
        warn(f"history: not recorded: {exc}")
        return None


def _send(
    args: argparse.Namespace,
    client: Client,
    settings: SendSettings,
    message: Message,
    recording: Recording | None,
) -> SendResult:
    from pullover_tui.cli.recording import send_recorded
    from pullover_tui.core.secrets import mask_secret

    if args.verbose:
        who = f"app {mask_secret(settings.token)} to {mask_secret(settings.user)}"
        profile = f" (profile {settings.profile})" if settings.profile else ""
        note(f"sending to {client.api_url} from {who}{profile}")
    if args.verbose >= 2:
        note(f"at most {client.policy.max_attempts} attempts, {client.policy.timeout:g} s each")
    result = send_recorded(client, message, settings, recording)
    if args.verbose:
        noun = "attempt" if result.attempts == 1 else "attempts"
        note(f"sent after {result.attempts} {noun}: request {result.request}")
    if args.verbose >= 2 and result.quota is not None:
        quota = result.quota
        reset = common.time_text(quota.reset)
        note(f"quota: {quota.remaining} of {quota.limit} messages left, resets {reset}")
    return result


def _success_json(result: SendResult, recording: Recording | None) -> dict[str, Any]:
    return {
        "status": 1,
        "request": result.request,
        "receipt": result.receipt,
        "attempts": result.attempts,
        "quota": common.quota_json(result.quota),
        "history_id": None if recording is None else recording.entry_id,
    }


def _report_success(
    args: argparse.Namespace, result: SendResult, recording: Recording | None
) -> None:
    """stdout: the request id, and the receipt on a second line (emergency)."""
    if args.json:
        if not args.wait_ack:  # with --wait-ack the one JSON object comes after the wait
            common.print_json(_success_json(result, recording))
    elif not args.quiet:
        print(result.request)
        if result.receipt:
            print(result.receipt)
        sys.stdout.flush()


def _report_not_sent(
    args: argparse.Namespace, exc: ServerSendError, recording: Recording | None
) -> int:
    """A temporary failure: say so, and where the message is kept (the outbox)."""
    if recording is None:
        return common.report_temporary(args, exc)
    entry = recording.entry_id
    if args.queue:
        if not args.quiet:
            note(f"queued as history entry {entry} ({exc.last_error}); 'outbox flush' sends it")
        if args.json:
            common.print_json(
                {"status": 0, "queued": True, "history_id": entry, "errors": [exc.last_error]}
            )
        return ExitCode.OK
    kept = f"kept in the outbox as entry {entry}: {FLUSH_HINT}"
    return common.report_temporary(args, exc, then=kept, history_id=entry)
