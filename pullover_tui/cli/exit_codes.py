"""Exit codes of the command line: part of its API, documented in README and --help."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    REJECTED = 1  # local validation, 4xx, 429: sending the same again cannot help
    USAGE = 2  # bad flags, missing credentials, unreadable config
    TEMPORARY = 3  # Pushover unreachable or failing after every retry
    INTERNAL = 70  # a bug in pullover-tui (EX_SOFTWARE); please report it
    INTERRUPTED = 130
    TERMINATED = 143  # SIGTERM; as a script the process ends by the signal itself


EXIT_CODES_HELP = """exit codes:
  0    sent (or the command succeeded)
  1    rejected: invalid input, refused by Pushover (4xx) or quota spent (429)
  2    usage: bad options, missing credentials, unreadable config file
  3    temporary failure: Pushover unreachable or failing after all retries
  70   internal error (a bug: please report it)
  130  interrupted (Ctrl-C)
  143  terminated (SIGTERM): reported, then ended by the signal as usual"""
