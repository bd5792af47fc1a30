"""How the command line speaks to people: one prefixed line per problem on stderr."""

from __future__ import annotations

import sys

PROG = "pullover-tui"


def error(text: str) -> None:
    """Print one error line, prefixed with the program's name, on stderr."""
    for line in text.splitlines() or [""]:
        print(f"{PROG}: {line}", file=sys.stderr)


def warn(text: str) -> None:
    print(f"{PROG}: warning: {text}", file=sys.stderr)


def note(text: str) -> None:
    """A progress note for -v: stderr only, never stdout."""
    print(f"{PROG}: {text}", file=sys.stderr)
