"""``outbox``, ``outbox flush`` and ``outbox drop``: the messages that still have to go.

Registered by ``history_cmd.register``. Nothing here imports the core (or
``sqlite3``) until a command runs.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from pullover_tui.cli import common
from pullover_tui.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from pullover_tui.cli.output import error, note

if TYPE_CHECKING:
    from pullover_tui.core.outbox import FlushOutcome, FlushReport

FLUSH_EXIT_HELP = """exit codes:
  0    every message tried was sent (or the outbox is empty)
  1    a message was rejected by Pushover, or cannot be rebuilt (attachment gone)
  2    usage, or a message was skipped: no matching credentials for it
  3    temporary failure: the flush stopped; the rest stays in the outbox
  70   internal error (a bug: please report it)
  130  interrupted (Ctrl-C)"""


def register(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "outbox",
        parents=parents,
        help="list, flush or drop the messages waiting to be sent",
        description=(
            "List the messages waiting to be sent (pending or failed), oldest first.\n"
            "'outbox flush' sends them; 'outbox drop ID' gives one up."
        ),
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(handler=run_list)
    sub = p.add_subparsers(title="commands", metavar="COMMAND")
    flush = sub.add_parser(
        "flush",
        parents=parents,
        help="send the waiting messages, oldest first",
        description=(
            "Send the waiting messages, oldest first, each with the credentials it was\n"
            "recorded with: its profile, or the environment or default profile when they\n"
            "match it. With -a/-u or -P only the messages recorded with those are sent. A\n"
            "message is never sent to recipients other than its own; one rejected by\n"
            "Pushover is never tried again; a temporary failure stops the flush."
        ),
        epilog=FLUSH_EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_credential_options(flush)
    common.add_output_options(flush, quiet=True)
    flush.set_defaults(handler=run_flush)
    drop = sub.add_parser(
        "drop",
        parents=parents,
        help="remove a message from the outbox without sending it",
        description="Remove a waiting message from the outbox (and the history) unsent.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    drop.add_argument("id", type=int, metavar="ID", help="the entry's id (see 'outbox')")
    drop.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    drop.set_defaults(handler=run_drop)


def run_list(args: argparse.Namespace) -> int:
    from pullover_tui.cli.history_access import open_store
    from pullover_tui.cli.history_render import table
    from pullover_tui.core.store import StoreError

    try:
        store = open_store(create=False)
        if store is None:
            entries = []
        else:
            with store:
                entries = store.outbox()
    except StoreError as exc:
        error(str(exc))
        return ExitCode.USAGE
    if args.json:
        common.print_json({"total": len(entries), "entries": [e.to_json() for e in entries]})
    elif entries:
        print("\n".join(table(entries)))
    else:
        note("the outbox is empty")
    return ExitCode.OK


def run_flush(args: argparse.Namespace) -> int:
    from pullover_tui.cli.history_access import (
        open_store,
        settings_resolver,
    )
    from pullover_tui.core.outbox import flush_outbox
    from pullover_tui.core.store import StoreError

    if (code := common.check_output_options(args)) is not None:
        return code
    policy = common.retry_policy(args)

    def progress(outcome: FlushOutcome) -> None:
        if not args.json and not args.quiet:
            print(_outcome_line(outcome), flush=True)

    try:
        store = open_store(create=False)
        if store is None:
            report = None
        else:
            with store:
                report = flush_outbox(
                    store,
                    settings_resolver(args),
                    lambda api_url: common.make_client(args, api_url, policy),
                    progress=progress,
                )
    except StoreError as exc:
        return common.usage_failure(args, str(exc))
    return _report(args, report)


def _outcome_line(outcome: FlushOutcome) -> str:
    """``12  sent      5f3c…`` : id, what happened, request id or reason."""
    return f"{outcome.entry_id:>4}  {outcome.result:<10}  {outcome.detail}"


def flush_exit_code(report: FlushReport | None) -> ExitCode:
    from pullover_tui.core.outbox import REJECTED, SKIPPED, UNSENDABLE

    if report is None:
        return ExitCode.OK
    if report.failed:
        return ExitCode.TEMPORARY
    if report.having(REJECTED) or report.having(UNSENDABLE):
        return ExitCode.REJECTED
    if report.having(SKIPPED):
        return ExitCode.USAGE
    return ExitCode.OK


def _report(args: argparse.Namespace, report: FlushReport | None) -> int:
    code = flush_exit_code(report)
    if args.json:
        outcomes = [] if report is None else report.outcomes
        common.print_json(
            {
                "status": 1 if code == ExitCode.OK else 0,
                "exit_code": int(code),
                "outcomes": [
                    {
                        "id": o.entry_id,
                        "result": o.result,
                        "detail": o.detail,
                        "attempts": o.attempts,
                    }
                    for o in outcomes
                ],
                "sent": 0 if report is None else len(report.sent),
                "stopped": False if report is None else report.stopped,
                "left": 0 if report is None else report.left,
            }
        )
        return code
    if report is None or not report.outcomes:
        if not args.quiet:
            busy = report.left if report is not None else 0
            note(
                f"nothing to flush; {busy} being sent by others" if busy else "the outbox is empty"
            )
        return code
    if args.quiet and code == ExitCode.OK:
        return code
    counts = [
        f"{len(report.having(result))} {result}"
        for result in ("sent", "rejected", "failed", "skipped", "unsendable")
        if report.having(result)
    ]
    stopped = " (stopped after a temporary failure)" if report.stopped else ""
    note(f"{', '.join(counts)}{stopped}; {report.left} left in the outbox")
    return code


def run_drop(args: argparse.Namespace) -> int:
    from pullover_tui.cli.history_access import open_store
    from pullover_tui.core.store import StoreError

    try:
        store = open_store(create=False)
        if store is None:
            return _drop_failure(args, ExitCode.USAGE, f"no entry {args.id}: there is no history")
        with store:
            entry = store.get(args.id)
            if entry is None:
                return _drop_failure(args, ExitCode.USAGE, f"no entry {args.id} in the history")
            if not entry.in_outbox:
                return _drop_failure(
                    args,
                    ExitCode.USAGE,
                    f"entry {args.id} is not in the outbox: it was {entry.status}",
                )
            dropped = store.drop(args.id)
    except StoreError as exc:
        return common.usage_failure(args, str(exc))
    if not dropped:
        return _drop_failure(
            args,
            ExitCode.TEMPORARY,
            f"entry {args.id} is being sent by another process right now; try again later",
        )
    if args.json:
        print(json.dumps({"status": 1, "dropped": args.id}))
    else:
        print(f"dropped {args.id}")
    return ExitCode.OK


def _drop_failure(args: argparse.Namespace, code: ExitCode, text: str) -> int:
    error(text)
    return common.json_failure(args, code, [text])
