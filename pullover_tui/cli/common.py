"""What the API subcommands share: credential and output options, the client, error reports.

Written so ``send`` can use it too: the same flags, exit codes, stderr lines
and ``--json`` failure objects everywhere. The core is imported inside the
functions, so building the parser stays fast.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pullover_tui.cli.exit_codes import ExitCode
from pullover_tui.cli.output import error, note

if TYPE_CHECKING:
    from pullover_tui.core.client import Client
    from pullover_tui.core.credentials import SendSettings
    from pullover_tui.core.errors import ClientSendError, Quota, ServerSendError
    from pullover_tui.core.receipts import ReceiptStatus
    from pullover_tui.core.retry import RetryPolicy

# Handed to the credential resolver when a command needs no user key, so that a
# missing key is no error and a profile's key (maybe a command secret) is not
# resolved. Well-formed, and never sent anywhere.
_NO_USER_NEEDED = "0" * 30


# Options


def add_credential_options(parser: argparse.ArgumentParser) -> Any:
    """``-a/--app``, ``-u/--user`` and ``-P/--profile``, as one help group."""
    who = parser.add_argument_group("credentials (flags, then -P, then environment, then default)")
    who.add_argument("-a", "--app", metavar="TOKEN", help="app token [$PUSHOVER_APP_TOKEN]")
    who.add_argument(
        "-u", "--user", metavar="KEY", help="user or group key(s) [$PUSHOVER_USER_KEY]"
    )
    who.add_argument("-P", "--profile", metavar="NAME", help="use a saved profile")
    return who


def add_output_options(parser: argparse.ArgumentParser, *, quiet: bool = False) -> Any:
    """``--json``, ``-v``, ``--timeout`` and ``--retries`` (and ``-q`` when asked)."""
    out = parser.add_argument_group("output and retries")
    out.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    if quiet:
        out.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    out.add_argument("-v", "--verbose", action="count", default=0, help="progress on stderr")
    out.add_argument("--timeout", type=float, metavar="S", help="seconds per attempt (default 15)")
    out.add_argument("--retries", type=int, metavar="N", help="retries after a failure (default 4)")
    return out


def check_output_options(args: argparse.Namespace) -> int | None:
    """USAGE (after saying why) for a nonsense ``--timeout``/``--retries``, else None."""
    if args.timeout is not None and not 0 < args.timeout < math.inf:
        return usage_failure(args, "--timeout: must be a number of seconds more than 0")
    if args.retries is not None and args.retries < 0:
        return usage_failure(args, "--retries: must be 0 or more")
    return None


# Settings and client


def resolve_settings(args: argparse.Namespace, *, need_user: bool = True) -> SendSettings:
    """Token, user key and API root from flags, ``-P``, environment and default profile.

    With ``need_user=False`` the user key is neither required nor resolved;
    the returned ``user`` is then meaningless.
    """
    from pullover_tui.core.credentials import resolve_send_settings

    user = args.user if need_user else (args.user or _NO_USER_NEEDED)
    settings = resolve_send_settings(
        app=args.app,
        user=user,
        profile=args.profile,
        config_path=getattr(args, "config", None),
    )
    if settings.config_file is not None:
        from pullover_tui.cli.profiles_cmd import warn_config_permissions

        warn_config_permissions(settings.config_file)
    return settings


def retry_policy(args: argparse.Namespace, max_attempts: int | None = None) -> RetryPolicy:
    """The policy from ``--timeout``/``--retries`` (checked by ``check_output_options``)."""
    from pullover_tui.core.retry import RetryPolicy

    policy_args: dict[str, Any] = {}
    if args.timeout is not None:
        policy_args["timeout"] = args.timeout
    if args.retries is not None:
        policy_args["max_attempts"] = args.retries + 1
    if max_attempts is not None:
        policy_args["max_attempts"] = max_attempts
    return RetryPolicy(**policy_args)


def make_client(args: argparse.Namespace, api_url: str | None, policy: RetryPolicy) -> Client:
    """A client for one API root; ``-v`` notes each retry. ValidationError for a bad root."""
    from pullover_tui.core.client import Client
    from pullover_tui.core.retry import RetryNotice

    def on_retry(notice: RetryNotice) -> None:
        if args.verbose:
            note(str(notice))

    return Client(api_url, policy=policy, on_retry=on_retry)


def open_client(
    args: argparse.Namespace, settings: SendSettings, max_attempts: int | None = None
) -> Client:
    """A client for the settings' API root with the ``--timeout``/``--retries`` policy."""
    return make_client(args, settings.api_url, retry_policy(args, max_attempts))


def run_api_command(
    args: argparse.Namespace,
    body: Callable[[Client, SendSettings], int],
    *,
    need_user: bool = False,
) -> int:
    """Check options, resolve settings, open a client, run ``body``; map every error to a code.

    Exit codes: 0 ok, 1 local validation or refused by Pushover, 2 usage or
    config, 3 Pushover unreachable or failing after every retry.
    """
    from pullover_tui.core.errors import (
        ClientSendError,
        ConfigError,
        ServerSendError,
        ValidationError,
    )

    if (code := check_output_options(args)) is not None:
        return code
    try:
        settings = resolve_settings(args, need_user=need_user)
    except (ConfigError, ValidationError) as exc:
        return usage_failure(args, str(exc))
    try:
        with open_client(args, settings) as client:
            if args.verbose:
                profile = f" (profile {settings.profile})" if settings.profile else ""
                note(f"asking {client.api_url}{profile}")
            return body(client, settings)
    except ValidationError as exc:
        return report_validation(args, exc)
    except ClientSendError as exc:
        return report_rejection(args, exc)
    except ServerSendError as exc:
        return report_temporary(args, exc)


# Reports


def print_json(payload: Mapping[str, Any]) -> None:
    print(json.dumps(payload))


def json_failure(args: argparse.Namespace, code: ExitCode, errors: list[str], **extra: Any) -> int:
    """With ``--json``, the failure object on stdout; returns ``code``."""
    if getattr(args, "json", False):
        payload: dict[str, Any] = {"status": 0, "exit_code": int(code), "errors": errors}
        payload.update((key, value) for key, value in extra.items() if key not in payload)
        print_json(payload)
    return code


def usage_failure(args: argparse.Namespace, text: str) -> int:
    error(text)
    return json_failure(args, ExitCode.USAGE, text.splitlines())


def report_validation(args: argparse.Namespace, exc: Any) -> int:
    """A ValidationError: USAGE for a bad API root, else REJECTED (sending cannot help)."""
    for problem in exc.problems:
        error(str(problem))
    usage = exc.field in ("api_url", "PUSHOVER_API_URL")
    code = ExitCode.USAGE if usage else ExitCode.REJECTED
    return json_failure(args, code, [str(p) for p in exc.problems], invalid_fields=list(exc.fields))


def report_rejection(args: argparse.Namespace, exc: ClientSendError) -> int:
    """Pushover said no (4xx) or the quota is spent (429): one stderr line per error."""
    from pullover_tui.core.errors import QuotaExceededError

    if isinstance(exc, QuotaExceededError):
        when = f"; it resets {time_text(exc.quota.reset)}" if exc.quota else ""
        lines = [f"quota: {e}{when}" for e in exc.errors]
    else:
        fields = ", ".join(exc.invalid_fields)
        prefix = f"{fields}: " if fields else ""
        lines = [f"{prefix}rejected by Pushover (HTTP {exc.status}): {e}" for e in exc.errors]
    for line in lines:
        error(line)
    if exc.request and not getattr(args, "quiet", False):
        error(f"request id: {exc.request}")
    return json_failure(
        args,
        ExitCode.REJECTED,
        list(exc.errors),
        http_status=exc.status,
        request=exc.request,
        invalid_fields=list(exc.invalid_fields),
        quota=quota_json(exc.quota),
    )


def report_temporary(
    args: argparse.Namespace, exc: ServerSendError, *, then: str | None = None, **extra: Any
) -> int:
    """Exit 3: the error (and ``then``, e.g. where the message is kept) on stderr."""
    error(str(exc))
    if then is not None:
        error(then)
    return json_failure(
        args,
        ExitCode.TEMPORARY,
        [exc.last_error],
        attempts=exc.attempts,
        http_status=exc.status,
        maybe_delivered=exc.maybe_delivered,
        **extra,
    )


# Formatting


def time_text(seconds: int | None) -> str:
    """Unix seconds as local ISO 8601, or ``-`` when unknown."""
    from pullover_tui.core.parsing import format_timestamp

    return "-" if seconds is None else format_timestamp(seconds)


def quota_json(quota: Quota | None) -> dict[str, int] | None:
    if quota is None:
        return None
    return {"limit": quota.limit, "remaining": quota.remaining, "reset": quota.reset}


def aligned(rows: list[tuple[str, str]]) -> str:
    """``label  value`` lines with the values in one column."""
    width = max((len(label) for label, _ in rows), default=0)
    return "\n".join(f"{label:<{width}}  {value}".rstrip() for label, value in rows)


def acknowledgement_line(status: ReceiptStatus) -> str:
    """``acknowledged by uQiR…RsG on phone at 2026-11-28T09:31:02+01:00`` (parts left out
    when Pushover did not say them). The user key is always masked."""
    parts = ["acknowledged"]
    if status.acknowledged_by:
        parts.append(f"by {status.acknowledged_by_masked}")
    if status.acknowledged_by_device:
        parts.append(f"on {status.acknowledged_by_device}")
    if status.acknowledged_at:
        parts.append(f"at {time_text(status.acknowledged_at)}")
    return " ".join(parts)


def receipt_json(receipt: str, status: ReceiptStatus) -> dict[str, Any]:
    """The receipt's status for ``--json``: Pushover's fields, booleans as booleans,
    unknown times as null, the acknowledging user key masked."""
    return {
        "receipt": receipt,
        "state": status.state,
        "acknowledged": status.acknowledged,
        "acknowledged_at": status.acknowledged_at,
        "acknowledged_by": status.acknowledged_by_masked,
        "acknowledged_by_device": status.acknowledged_by_device,
        "last_delivered_at": status.last_delivered_at,
        "expired": status.expired,
        "expires_at": status.expires_at,
        "called_back": status.called_back,
        "called_back_at": status.called_back_at,
    }


def receipt_rows(receipt: str, status: ReceiptStatus) -> list[tuple[str, str]]:
    """The receipt's status for people, as ``aligned`` rows."""
    if status.acknowledged:
        acknowledged = acknowledgement_line(status).removeprefix("acknowledged").strip() or "yes"
    else:
        acknowledged = "no"
    rows = [
        ("receipt", receipt),
        ("state", status.state),
        ("acknowledged", acknowledged),
        ("last delivered", time_text(status.last_delivered_at)),
        ("expired" if status.expired else "expires", time_text(status.expires_at)),
    ]
    if status.called_back:
        rows.append(("called back", time_text(status.called_back_at)))
    return rows


def wait_and_report(
    args: argparse.Namespace,
    client: Client,
    *,
    token: str,
    receipt: str,
    timeout: float | None,
    json_extra: Mapping[str, Any] | None = None,
) -> int:
    """Wait for the receipt's acknowledgement and say how it ended (for ``--wait``/``--wait-ack``).

    Acknowledged: exit 0, stdout ``acknowledgement_line`` (with ``--json``: one
    object, ``json_extra`` first). Expired, cancelled or past ``timeout``:
    exit 1, one stderr line (``--json``: ``status`` 0 with ``errors``). Request
    failures raise as usual (``run_api_command`` reports them).
    """
    from pullover_tui.core.receipts import ReceiptWaitTimeout, wait_for_acknowledgement

    def on_poll(status: ReceiptStatus) -> None:
        if args.verbose:
            delivered = time_text(status.last_delivered_at)
            note(f"receipt {receipt}: {status.state}, last delivered {delivered}")

    timed_out = False
    try:
        status = wait_for_acknowledgement(
            client, token=token, receipt=receipt, timeout=timeout, on_poll=on_poll
        )
    except ReceiptWaitTimeout as exc:
        status, timed_out = exc.status, True
    fields = {**(json_extra or {}), **receipt_json(receipt, status), "timed_out": timed_out}
    if status.acknowledged:
        if args.json:
            print_json({"status": 1, **{k: v for k, v in fields.items() if k != "status"}})
        else:
            print(acknowledgement_line(status))
        return ExitCode.OK
    if timed_out and timeout is not None:
        text = f"receipt {receipt}: not acknowledged within {timeout:g} s"
    else:
        text = f"receipt {receipt}: expired or cancelled without acknowledgement"
    error(text)
    return json_failure(args, ExitCode.REJECTED, [text], **fields)
