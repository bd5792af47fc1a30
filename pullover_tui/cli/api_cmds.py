"""``receipt``, ``cancel``, ``sounds``, ``validate`` and ``limits``: the rest of the Pushover API.

Each prints short aligned lines for people or one JSON object with ``--json``,
and uses ``send``'s exit codes. The core is imported only when a command runs.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import TYPE_CHECKING, Any

from pullover_tui.cli.common import (
    add_credential_options,
    add_output_options,
    aligned,
    print_json,
    quota_json,
    receipt_json,
    receipt_rows,
    run_api_command,
    time_text,
    usage_failure,
    wait_and_report,
)
from pullover_tui.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from pullover_tui.cli.output import PROG

if TYPE_CHECKING:
    from pullover_tui.core.client import Client
    from pullover_tui.core.credentials import SendSettings

__all__ = ["register"]


def register(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    def command(name: str, help: str, description: str, examples: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = subparsers.add_parser(
            name,
            parents=parents,
            help=help,
            description=textwrap.fill(description, 78),
            epilog=f"examples:\n{examples}\n\n{EXIT_CODES_HELP}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        return parser

    receipt = command(
        "receipt",
        "show, wait for or cancel an emergency message's receipt",
        "Show the status of an emergency message (priority 2) by its receipt: acknowledged "
        "(by whom, on which device, when), last delivered, expired. --wait polls (never faster "
        "than every 5 s) until it is acknowledged (exit 0) or expires or is cancelled (exit 1).",
        f"  {PROG} receipt rLqVuqTRh62UzxtmqiaLzQmVcPgiCy\n"
        f"  {PROG} receipt rLqVuqTRh62UzxtmqiaLzQmVcPgiCy --wait --wait-timeout 600\n"
        f"  {PROG} receipt rLqVuqTRh62UzxtmqiaLzQmVcPgiCy --cancel",
    )
    receipt.add_argument("receipt", metavar="RECEIPT", help="the receipt send printed")
    action = receipt.add_argument_group("actions")
    action.add_argument("--wait", action="store_true", help="wait until acknowledged or expired")
    action.add_argument(
        "--wait-timeout", type=float, metavar="S", help="with --wait: give up after S seconds"
    )
    action.add_argument("--cancel", action="store_true", help="stop the message re-alerting")
    _common_options(receipt)
    receipt.set_defaults(handler=run_receipt)

    cancel = command(
        "cancel",
        "cancel every emergency message with a tag",
        "Cancel every emergency message of the app that was sent with --tag TAG and is "
        "still re-alerting. Prints how many were cancelled.",
        f"  {PROG} cancel --tag deploy",
    )
    cancel.add_argument("--tag", required=True, metavar="TAG", help="the tag given at send")
    _common_options(cancel)
    cancel.set_defaults(handler=run_cancel)

    sounds = command(
        "sounds",
        "list the sounds the app can use",
        "List the notification sounds the app can use, the account's custom sounds included.",
        f"  {PROG} sounds\n  {PROG} sounds --json",
    )
    _common_options(sounds)
    sounds.set_defaults(handler=run_sounds)

    validate = command(
        "validate",
        "check a user or group key (and device)",
        "Ask Pushover whether a user or group key (and a device of it) is valid, and list its "
        "active devices and licenses. The key comes from -u, -P, $PUSHOVER_USER_KEY or the "
        "default profile.",
        f"  {PROG} validate -u uQiRzpo4DXghDmr9QzzfQu27cmVRsG\n  {PROG} validate --device phone",
    )
    validate.add_argument("--device", metavar="D", help="also check this device name")
    _common_options(validate)
    validate.set_defaults(handler=run_validate)

    limits = command(
        "limits",
        "show the app's monthly message quota",
        "Show the app's monthly message limit, what remains, and when it resets.",
        f"  {PROG} limits\n  {PROG} limits --json",
    )
    _common_options(limits)
    limits.set_defaults(handler=run_limits)


def _common_options(parser: argparse.ArgumentParser) -> None:
    add_credential_options(parser)
    add_output_options(parser)


# receipt


def run_receipt(args: argparse.Namespace) -> int:
    if args.wait and args.cancel:
        return usage_failure(args, "--wait and --cancel cannot be combined")
    if args.wait_timeout is not None:
        if not args.wait:
            return usage_failure(args, "--wait-timeout needs --wait")
        if not args.wait_timeout > 0:
            return usage_failure(args, "--wait-timeout: must be more than 0 seconds")

    def body(client: Client, settings: SendSettings) -> int:
        from pullover_tui.core.receipts import cancel_receipt, get_receipt, validate_receipt

        receipt = validate_receipt(args.receipt)
        if args.cancel:
            request = cancel_receipt(client, token=settings.token, receipt=receipt)
            if args.json:
                print_json({"status": 1, "receipt": receipt, "cancelled": True, "request": request})
            else:
                print(f"cancelled {receipt}")
            return ExitCode.OK
        if args.wait:
            return wait_and_report(
                args, client, token=settings.token, receipt=receipt, timeout=args.wait_timeout
            )
        status = get_receipt(client, token=settings.token, receipt=receipt)
        if args.json:
            print_json({"status": 1, **receipt_json(receipt, status)})
        else:
            print(aligned(receipt_rows(receipt, status)))
        return ExitCode.OK

    return run_api_command(args, body)


# cancel --tag


def run_cancel(args: argparse.Namespace) -> int:
    def body(client: Client, settings: SendSettings) -> int:
        from pullover_tui.core.receipts import cancel_by_tag, validate_tag

        tag = validate_tag(args.tag)
        count = cancel_by_tag(client, token=settings.token, tag=tag)
        if args.json:
            print_json({"status": 1, "tag": tag, "cancelled": count})
        else:
            noun = "message" if count == 1 else "messages"
            print(f"cancelled {count} emergency {noun} tagged {tag!r}")
        return ExitCode.OK

    return run_api_command(args, body)


# sounds


def run_sounds(args: argparse.Namespace) -> int:
    def body(client: Client, settings: SendSettings) -> int:
        from pullover_tui.core.account import list_sounds

        sounds = list_sounds(client, token=settings.token)
        if args.json:
            print_json({"status": 1, "sounds": sounds})
        elif sounds:
            print(aligned(list(sounds.items())))
        return ExitCode.OK

    return run_api_command(args, body)


# validate


def run_validate(args: argparse.Namespace) -> int:
    def body(client: Client, settings: SendSettings) -> int:
        from pullover_tui.core.account import validate_user
        from pullover_tui.core.secrets import mask_secret

        info = validate_user(client, token=settings.token, user=settings.user, device=args.device)
        user = mask_secret(settings.user.strip())
        if args.json:
            payload: dict[str, Any] = {
                "status": 1,
                "user": user,
                "is_group": info.is_group,
                "devices": list(info.devices),
                "licenses": list(info.licenses),
            }
            if args.device:
                payload["device"] = args.device.strip()
            print_json(payload)
        else:
            rows = [
                ("user", user),
                ("kind", "group" if info.is_group else "user"),
                ("devices", ", ".join(info.devices) or "-"),
                ("licenses", ", ".join(info.licenses) or "-"),
            ]
            print(aligned(rows))
        return ExitCode.OK

    return run_api_command(args, body, need_user=True)


# limits


def run_limits(args: argparse.Namespace) -> int:
    def body(client: Client, settings: SendSettings) -> int:
        from pullover_tui.core.account import app_limits

        quota = app_limits(client, token=settings.token)
        if args.json:
            print_json({"status": 1, **(quota_json(quota) or {})})
        else:
            rows = [
                ("limit", str(quota.limit)),
                ("remaining", str(quota.remaining)),
                ("reset", time_text(quota.reset)),
            ]
            print(aligned(rows))
        return ExitCode.OK

    return run_api_command(args, body)
