"""``history``, ``history show`` and ``resend``: what was sent, in full, and again.

``register`` also registers the ``outbox`` commands (``outbox_cmd``). Nothing
here imports the core (or ``sqlite3``) until a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from pullover_tui.cli import common, outbox_cmd
from pullover_tui.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from pullover_tui.cli.output import error, note

if TYPE_CHECKING:
    from pullover_tui.core.credentials import SendSettings
    from pullover_tui.core.history_entry import HistoryEntry
    from pullover_tui.core.message import Message
    from pullover_tui.core.request import SendResult

STATUS_CHOICES = ("pending", "failed", "sent", "rejected", "outbox")
DEFAULT_LIMIT = 20


def register(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    _register_history(subparsers, parents)
    _register_resend(subparsers, parents)
    outbox_cmd.register(subparsers, parents)


def _register_history(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "history",
        parents=parents,
        help="list the messages sent or attempted, newest first",
        description="List recorded messages, newest first. 'history show ID' shows one in full.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help="at most N (default 20; 0: all)",
    )
    p.add_argument("--offset", type=int, default=0, metavar="N", help="skip the newest N first")
    p.add_argument("--since", metavar="WHEN", help="only since then: 2026-11-28, 2h, 7d, today")
    p.add_argument("--profile", metavar="NAME", help="only those sent with this profile")
    p.add_argument("--status", choices=STATUS_CHOICES, help="only those with this status")
    p.add_argument(
        "--grep", metavar="TEXT", help="only those whose title or text has words starting so"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(handler=run_list)
    sub = p.add_subparsers(title="commands", metavar="COMMAND")
    show = sub.add_parser(
        "show",
        parents=parents,
        help="show one recorded message in full",
        description="Show every recorded field of one message.",
    )
    show.add_argument("id", type=int, metavar="ID", help="the entry's id (see 'history')")
    show.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    show.set_defaults(handler=run_show)


def _register_resend(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "resend",
        parents=parents,
        help="send a recorded message again",
        description=(
            "Send a recorded message again, exactly as it was. Without credentials flags it\n"
            "goes with the credentials it was recorded with (its profile, or the\n"
            "environment or default profile when they match); give -a/-u or -P to choose\n"
            "others."
        ),
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("id", type=int, metavar="ID", help="the entry's id (see 'history')")
    common.add_credential_options(p)
    common.add_output_options(p, quiet=True)
    p.add_argument("--no-history", action="store_true", help="do not record the new send")
    p.set_defaults(handler=run_resend)


def run_list(args: argparse.Namespace) -> int:
    from pullover_tui.cli.history_access import history_off_note, open_store, parse_since
    from pullover_tui.cli.history_render import table
    from pullover_tui.core.errors import ValidationError
    from pullover_tui.core.store import StoreError

    if args.limit < 0 or args.offset < 0:
        error("--limit and --offset: must be 0 or more")
        return ExitCode.USAGE
    try:
        since = parse_since(args.since) if args.since is not None else None
    except ValidationError as exc:
        error(str(exc))
        return ExitCode.USAGE
    filters: dict[str, Any] = {
        "since": since,
        "profile": args.profile,
        "status": args.status,
        "text": args.grep,
    }
    try:
        store = open_store(create=False)
        if store is None:
            entries, total = [], 0
        else:
            with store:
                limit = args.limit or sys.maxsize  # 0: no limit
                entries = store.search(limit=limit, offset=args.offset, **filters)
                total = store.count(**filters)
    except StoreError as exc:
        error(str(exc))
        return ExitCode.USAGE
    if args.json:
        payload = {
            "total": total,
            "offset": args.offset,
            "entries": [e.to_json() for e in entries],
        }
        print(json.dumps(payload, ensure_ascii=False))
        return ExitCode.OK
    if store is None:
        note(history_off_note(args))
    elif not entries:
        note("no messages match" if any(v is not None for v in filters.values()) else "empty")
    else:
        print("\n".join(table(entries)))
        shown = args.offset + len(entries)
        if shown < total:
            note(f"{len(entries)} of {total} shown; --offset {shown} for the next ones")
    return ExitCode.OK


def run_show(args: argparse.Namespace) -> int:
    from pullover_tui.cli.history_render import detail

    entry, code = _find(args.id)
    if entry is None:
        return code
    if args.json:
        print(json.dumps(entry.to_json(), ensure_ascii=False))
    else:
        print("\n".join(detail(entry)))
    return ExitCode.OK


def _find(entry_id: int) -> tuple[HistoryEntry | None, ExitCode]:
    """The entry, or None and the exit code after saying why on stderr."""
    from pullover_tui.cli.history_access import open_store
    from pullover_tui.core.store import StoreError

    try:
        store = open_store(create=False)
        if store is None:
            error(f"no entry {entry_id}: there is no history yet")
            return None, ExitCode.USAGE
        with store:
            entry = store.get(entry_id)
    except StoreError as exc:
        error(str(exc))
        return None, ExitCode.USAGE
    if entry is None:
        error(f"no entry {entry_id} in the history")
        return None, ExitCode.USAGE
    return entry, ExitCode.OK


def run_resend(args: argparse.Namespace) -> int:
    from pullover_tui.cli.history_access import (
        explicit_credentials,
        history_enabled,
        settings_resolver,
    )
    from pullover_tui.core.errors import ConfigError, ValidationError
    from pullover_tui.core.outbox import credentials_match

    if (code := common.check_output_options(args)) is not None:
        return code
    entry, found = _find(args.id)
    if entry is None:
        return common.json_failure(args, found, [f"no entry {args.id}"])
    try:
        settings = settings_resolver(args)(entry)
        record = not args.no_history and history_enabled(args)
    except (ConfigError, ValidationError) as exc:
        return common.usage_failure(args, str(exc))
    if not explicit_credentials(args) and not credentials_match(entry, settings):
        return common.usage_failure(
            args,
            f"entry {entry.id} was recorded with other credentials than those at hand; "
            "give -a/-u or -P to choose who receives it",
        )
    try:
        message = entry.to_message()
    except ValidationError as exc:
        return common.report_validation(args, exc)
    return _resend(args, entry, message, settings, common.retry_policy(args), record)


def _resend(
    args: argparse.Namespace,
    entry: HistoryEntry,
    message: Message,
    settings: SendSettings,
    policy: Any,
    record: bool,
) -> int:
    from pullover_tui.cli.common import make_client
    from pullover_tui.cli.recording import Recording, send_recorded
    from pullover_tui.core.errors import (
        ClientSendError,
        ServerSendError,
        ValidationError,
    )
    from pullover_tui.core.store import StoreError

    try:
        client = make_client(args, settings.api_url, policy)
    except ValidationError as exc:
        return common.report_validation(args, exc)
    with client, ExitStack() as stack:
        recording = None
        if record:
            try:
                attachment = entry.attachment.path if entry.attachment else None
                recording = Recording.start(message, settings, client.api_url, attachment)
            except StoreError as exc:
                return common.usage_failure(args, str(exc))
            stack.callback(recording.close)
        if args.verbose:
            note(f"resending entry {entry.id} to {client.api_url}")
        try:
            result = send_recorded(client, message, settings, recording)
        except ValidationError as exc:
            return common.report_validation(args, exc)
        except ClientSendError as exc:
            return common.report_rejection(args, exc)
        except ServerSendError as exc:
            return common.report_temporary(args, exc)
    _report_sent(args, result, entry.id, recording.entry_id if recording else None)
    return ExitCode.OK


def _report_sent(
    args: argparse.Namespace, result: SendResult, resent: int, new_id: int | None
) -> None:
    if args.json:
        payload = {
            "status": 1,
            "request": result.request,
            "receipt": result.receipt,
            "attempts": result.attempts,
            "quota": common.quota_json(result.quota),
            "id": new_id,
            "resent": resent,
        }
        common.print_json(payload)
    elif not args.quiet:
        print(result.request)
        if result.receipt:
            print(result.receipt)
    if args.verbose:
        noun = "attempt" if result.attempts == 1 else "attempts"
        recorded = f"; recorded as entry {new_id}" if new_id is not None else ""
        note(f"sent after {result.attempts} {noun}: request {result.request}{recorded}")
