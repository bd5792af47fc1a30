"""Entry point of ``pullover-tui``: parses the command line and hands over to a subcommand.

Every subcommand lives in its own module with ``register(subparsers, parents)``
and a ``run(args) -> int`` it installs as ``args.handler``. Modules import the
core (and Textual) only inside ``run``, so ``--help`` and ``send`` start fast.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import import_module
from types import FrameType
from typing import Any

from pullover_tui._collector import resume_collector
from pullover_tui._version import __version__
from pullover_tui.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from pullover_tui.cli.output import PROG, error

# Which module registers each command. Only the module of the command being run
# is imported and asked for its parser (argparse setup for all of them costs more
# than a send's own work); --help and unknown commands get the full parser.
COMMAND_MODULES = {
    "send": "send",
    "receipt": "api_cmds",
    "cancel": "api_cmds",
    "sounds": "api_cmds",
    "validate": "api_cmds",
    "limits": "api_cmds",
    "profiles": "profiles_cmd",
    "history": "history_cmd",
    "resend": "history_cmd",
    "outbox": "history_cmd",
    "sandbox": "sandbox_cmd",
}
SUBCOMMAND_MODULES = tuple(dict.fromkeys(COMMAND_MODULES.values()))


def command_in(argv: Sequence[str]) -> str | None:
    """The subcommand named on the line (the first word that is not an option), if any."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


class UsageError(Exception):
    """Raised by the parser instead of exiting, so main() controls the exit code."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def global_options() -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config file to use (default: $PULLOVER_TUI_CONFIG or the platform's config dir)",
    )
    return parent


def build_parser(command: str | None = None) -> Parser:
    """The parser; with ``command``, only that command's module registers its parsers."""
    parents = [global_options()]
    parser = Parser(
        prog=PROG,
        description="Send Pushover notifications from scripts, or compose them in a terminal UI.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    parser.add_argument("-V", "--version", action="version", version=f"{PROG} {__version__}")
    subparsers: Any = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=Parser
    )
    if command in COMMAND_MODULES:
        names: Sequence[str] = (COMMAND_MODULES[command],)
    else:
        names = SUBCOMMAND_MODULES
    for name in names:
        import_module(f"pullover_tui.cli.{name}").register(subparsers, parents)
    tui = subparsers.add_parser(
        "demo",
        parents=parents,
        help="open the terminal UI against a built-in sandbox (no account needed)",
    )
    tui.set_defaults(handler=run_demo)
    return parser


def run_tui(args: argparse.Namespace) -> int:
    from pullover_tui.tui.launch import launch

    return launch(config_path=getattr(args, "config", None), demo=False)


def run_demo(args: argparse.Namespace) -> int:
    from pullover_tui.tui.launch import launch

    return launch(config_path=getattr(args, "config", None), demo=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns (and, as a script, exits with) the exit code."""
    _pass_undecodable_bytes_through(sys.stdout)
    _skip_httpx_command_line()
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(command_in(args_list))
        args = parser.parse_args(args_list)
    except UsageError as exc:
        error(str(exc))
        print(f"Try '{PROG} --help' for more information.", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:  # Ctrl-C while starting up: as quiet as later on
        error("interrupted")
        return ExitCode.INTERRUPTED
    handler = getattr(args, "handler", run_tui)
    try:
        if handler in (run_tui, run_demo):  # Textual keeps the terminal; it ends on its own
            _gc_pause.end()
            return int(handler(args))
        with _sigterm_as_exception():
            return int(handler(args))
    except Terminated:
        error("terminated")
        return ExitCode.TERMINATED
    except KeyboardInterrupt:
        error("interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # stdout closed early (e.g. piped into head): nothing more to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.OK
    except Exception as exc:  # the last guard: no traceback reaches a user
        if os.environ.get("PULLOVER_TUI_DEBUG"):
            raise
        error(f"internal error ({type(exc).__name__}); set PULLOVER_TUI_DEBUG=1 to see it")
        return ExitCode.INTERNAL


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command is, so it can say what became of its message
    (a send says its message is in the outbox) before the process ends."""


@contextmanager
def _sigterm_as_exception() -> Iterator[None]:
    """Raise ``Terminated`` on SIGTERM while a command runs (main thread only, and only
    if nobody else handles SIGTERM); the previous handler comes back afterwards."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _skip_httpx_command_line() -> None:
    """Keep ``import httpx`` from importing httpx's own command line.

    httpx imports it (with click, Rich and Pygments) whenever click is
    installed, which is common: 30-100 ms more for every ``send``, and Rich on
    the headless path. httpx is built to go without it (its ``main`` then
    explains how to install it); this process never runs it.
    """
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def _pass_undecodable_bytes_through(stream: object) -> None:
    """Print names that came in as bytes that are not UTF-8 (a file name, say) as those same
    bytes instead of crashing: what Python already does in the C locale, in every locale."""
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        stream.reconfigure(errors="surrogateescape")


class _StartupGcPause:
    """The cyclic garbage collector paused while a command starts (see ``entry``)."""

    SECONDS = 1.0

    def __init__(self) -> None:
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        gc.disable()
        with self._lock:
            self._timer = threading.Timer(self.SECONDS, self._resume)
            self._timer.daemon = True
            self._timer.start()

    def _resume(self) -> None:
        with self._lock:  # not once ended: the TUI may have paused it again meanwhile
            if self._timer is not None:
                self._timer = None
                resume_collector()

    def end(self) -> None:
        """Collector on again (the TUI pauses it itself, until its first frame)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
                resume_collector()


_gc_pause = _StartupGcPause()


def entry() -> None:
    """The ``pullover-tui`` command: ``main`` with the collector paused while it starts.

    A one-shot command makes ~20k objects that live until the process ends
    (modules, classes, functions); the collector would scan them over and over
    while they are made, and once more at exit, for nothing: about a fifth of a
    ``send``. So it is paused for the first second (a timer turns it back on
    for what runs longer: the sandbox, a receipt wait, a long flush) and what is
    left at the end is frozen, so the collection at exit skips it. (So objects
    caught in reference cycles are not finalized at exit: the CLI closes what it
    opens explicitly and must not rely on ``__del__``.)
    """
    try:
        _gc_pause.start()
        code = main()
    except KeyboardInterrupt:  # between main's own guards, e.g. while reporting an error
        code = ExitCode.INTERRUPTED
    finally:
        _gc_pause.end()
        gc.freeze()
    if code == ExitCode.TERMINATED:
        # End the way a process killed by SIGTERM ends, so a shell or a supervisor
        # sees the signal (status 143 in a shell), now that the report is written.
        sys.stderr.flush()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
    sys.exit(code)


if __name__ == "__main__":
    entry()
