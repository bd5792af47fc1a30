"""``pullover-tui sandbox``: run the local Pushover-compatible server in the foreground.

The first line on stdout is ``sandbox listening on URL``; then one line per
accepted message, so a terminal running it works as a fake phone.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from pullover_tui.cli.exit_codes import ExitCode
from pullover_tui.cli.output import error, warn

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765  # same as pullover_tui.sandbox.DEFAULT_PORT, kept here so --help stays light
FAIL_STATUSES = (500, 502, 503, 429)
_KEY = re.compile(r"[A-Za-z0-9]{30}")
_DEVICE = re.compile(r"[A-Za-z0-9_-]{1,25}")

DESCRIPTION = """\
Run a local server that speaks the Pushover API (messages, validate, sounds,
limits, receipts), for trying scripts and tests without a Pushover account.
Point clients at it with PUSHOVER_API_URL=http://127.0.0.1:8765. Look inside
with GET /sandbox/messages. The fault options make it misbehave on purpose:
--fail-first/--fail-rate pick which requests fail, --hang/--drop-connections/
--garbage-body say how (default: a --fail-status answer); a way of failing
given without a picker applies to every request to /1/..."""


def _checked(pattern: re.Pattern[str], what: str, rule: str) -> Callable[[str], str]:
    """An argparse type accepting only values matching ``pattern``."""

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise argparse.ArgumentTypeError(f"{what} must be {rule}: {value!r}")
        return value

    return check


def _number(
    kind: type[int] | type[float], low: float, high: float | None = None
) -> Callable[[str], float]:
    """An argparse type for a finite number from ``low`` to ``high``."""

    def parse(value: str) -> float:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
        if not math.isfinite(number) or number < low or (high is not None and number > high):
            span = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {span}: {value!r}")
        return number

    return parse


def register(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "sandbox",
        parents=parents,
        help="run a local Pushover-compatible server for tests and demos",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = p.add_argument_group("where")
    where.add_argument(
        "--host", default=DEFAULT_HOST, help="address to bind (default: %(default)s)"
    )
    where.add_argument(
        "--port",
        type=_number(int, 0, 65535),
        default=DEFAULT_PORT,
        help="port to listen on, 0 picks a free one (default: %(default)s)",
    )
    who = p.add_argument_group("accounts (default: any well-formed token, key and device)")
    key = _checked(_KEY, "app token", "30 letters and digits")
    who.add_argument(
        "--app-token",
        dest="app_tokens",
        action="append",
        type=key,
        default=[],
        metavar="TOKEN",
        help="accept only this app token (repeatable)",
    )
    user = _checked(_KEY, "user key", "30 letters and digits")
    who.add_argument(
        "--user-key",
        dest="user_keys",
        action="append",
        type=user,
        default=[],
        metavar="KEY",
        help="accept only this user key (repeatable)",
    )
    device = _checked(_DEVICE, "device name", "1-25 of A-Z a-z 0-9 _ -")
    who.add_argument(
        "--device",
        dest="devices",
        action="append",
        type=device,
        default=[],
        metavar="NAME",
        help="the users' devices (repeatable; default: phone, tablet, any name accepted)",
    )
    who.add_argument(
        "--sound",
        dest="sounds",
        action="append",
        default=[],
        metavar="NAME",
        help="a custom sound to accept besides the built-in ones (repeatable)",
    )
    who.add_argument(
        "--quota",
        type=_number(int, 0),
        default=10_000,
        metavar="N",
        help="monthly messages per app token, then 429 (default: %(default)s)",
    )
    _add_fault_options(p)
    p.set_defaults(handler=run)


def _add_fault_options(p: argparse.ArgumentParser) -> None:
    faults = p.add_argument_group("faults on purpose (Pushover API paths only)")
    faults.add_argument(
        "--fail-first",
        type=_number(int, 0),
        default=0,
        metavar="N",
        help="fail the first N requests",
    )
    faults.add_argument(
        "--fail-rate",
        type=_number(float, 0.0, 1.0),
        default=0.0,
        metavar="P",
        help="fail each request with probability P (0..1)",
    )
    faults.add_argument("--seed", type=int, default=None, help="seed for --fail-rate's draws")
    faults.add_argument(
        "--fail-status",
        type=int,
        choices=FAIL_STATUSES,
        default=503,
        help="status of failed requests (default: %(default)s)",
    )
    faults.add_argument(
        "--latency",
        type=_number(float, 0.0),
        default=0.0,
        metavar="SECONDS",
        help="wait this long before every answer",
    )
    faults.add_argument(
        "--drop-connections",
        action="store_true",
        help="close the connection without an answer (see above for which requests)",
    )
    faults.add_argument(
        "--hang", action="store_true", help="never answer (see above for which requests)"
    )
    faults.add_argument(
        "--garbage-body",
        action="store_true",
        help="answer with an HTML page instead of JSON (see above for which requests)",
    )
    faults.add_argument(
        "--garbage-status",
        type=_number(int, 200, 599),
        default=502,
        metavar="STATUS",
        help="status sent with --garbage-body (default: 502)",
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; exit 0 then, 2 when the address cannot be bound."""
    from pullover_tui.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        host=args.host,
        port=args.port,
        app_tokens=tuple(args.app_tokens),
        user_keys=tuple(args.user_keys),
        devices=tuple(args.devices),
        custom_sounds=tuple(args.sounds),
        quota=args.quota,
        fail_rate=args.fail_rate,
        fail_first=args.fail_first,
        fail_status=args.fail_status,
        seed=args.seed,
        latency=args.latency,
        drop_connections=args.drop_connections,
        hang=args.hang,
        garbage_body=args.garbage_body,
        garbage_status=args.garbage_status,
        log=sys.stdout,
    )
    try:
        config.check()
    except ValueError as exc:
        error(f"sandbox: {exc}")
        return ExitCode.USAGE
    sandbox = Sandbox(config)
    stop = threading.Event()
    with _stop_on_signals(stop):
        try:
            sandbox.start()
        except OSError as exc:
            error(f"sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
            return ExitCode.USAGE
        try:
            if not is_loopback(args.host):
                warn(
                    f"sandbox: listening on {args.host}, which is not loopback: anyone who "
                    "can reach it can send messages and read them at /sandbox/messages"
                )
            print(f"sandbox listening on {sandbox.url}", flush=True)
            while not stop.wait(0.5):
                pass
        finally:
            sandbox.stop()
    return ExitCode.OK


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGINT and SIGTERM into ``stop.set()`` (installed before the URL is printed,
    so a signal sent as soon as it is read still stops cleanly); restored afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield  # embedded in a thread: the caller stops us by other means
        return

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
