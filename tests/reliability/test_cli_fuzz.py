"""Random command lines, run in-process: only documented exit codes, never a traceback.

``main()`` gets argument lists built from every option the parser knows, the
values people get wrong (huge numbers, ``nan``, non-UTF-8 arguments as Linux
hands them over, blanks) and random text, with random bytes (or nothing) on
stdin. Every send goes to a closed loopback port with ``--retries 0`` (and any
retry that still happens does not wait), and a guard refuses any name lookup
that is not loopback. ``PULLOVER_PROPERTY_EXAMPLES=3000`` runs a longer search.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pullover_tui.cli.main import COMMAND_MODULES, build_parser
from tests.conftest import TOKEN, USER
from tests.reliability.helpers import (
    DOCUMENTED,
    closed_api_url,
    instant_retries,
    loopback_only,
    run_main,
)

# Commands that talk to Pushover: the fuzzer ends their lines with these, so no
# generated --retries makes a test sleep, and no generated --timeout makes it wait.
NETWORK_COMMANDS = {
    ("send",),
    ("receipt",),
    ("cancel",),
    ("sounds",),
    ("validate",),
    ("limits",),
    ("resend",),
    ("outbox", "flush"),
}
FAST = ["--retries", "0", "--timeout", "0.2"]
EXAMPLES = int(os.environ.get("PULLOVER_PROPERTY_EXAMPLES", "150"))
COMMANDS: list[tuple[str, ...]] = [
    ("send",),
    ("receipt",),
    ("cancel",),
    ("sounds",),
    ("validate",),
    ("limits",),
    ("profiles",),
    *[("profiles", c) for c in ("list", "show", "add", "edit", "remove", "rename", "default")],
    ("profiles", "validate"),
    ("profiles", "path"),
    ("history",),
    ("history", "show"),
    ("resend",),
    ("outbox",),
    ("outbox", "flush"),
    ("outbox", "drop"),
]
assert {c[0] for c in COMMANDS} == set(COMMAND_MODULES) - {"sandbox"}


def _option_strings(parser: argparse.ArgumentParser) -> Iterator[str]:
    for action in parser._actions:
        yield from action.option_strings
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _option_strings(sub)


OPTIONS = sorted(set(_option_strings(build_parser())) - {"--config", "-h", "--help"})
TRICKY_VALUES = [
    "-", "", " ", "0", "-1", "1", "2", "3", "-3", "30", "10800", "10801",
    "99999999999999999999", "9" * 400, "1e309", "nan", "inf", "-inf", "0x10",
    "emergency", "HIGH", "lowest", "2026-11-28", "2026-11-28T09:30:00+01:00",
    "2h", "99999999999999999999w", "today", "phone", "phone,tablet", "a" * 26,
    "x" * 1025, "é" * 1024 + "e\u0301", "\u200b", "\x00", "\udcff", "caf\udce9",
    TOKEN, USER, f"{USER},{USER}", "rLqVuqTRh62UzxtmqiaLzQmVcPgiCy", "pending", "outbox",
    "magic", "https://example.test/x", "1", "ops", "name_1",
]  # fmt: skip
value = st.one_of(
    st.sampled_from(TRICKY_VALUES),
    st.text(max_size=12),
    st.integers(-(2**70), 2**70).map(str),
)
# An option with a value, a lone option (a flag), or a lone value (a positional).
word = st.one_of(
    st.tuples(st.sampled_from(OPTIONS), value),
    st.sampled_from(OPTIONS).map(lambda option: (option,)),
    value.map(lambda text: (text,)),
)
stdin_bytes = st.one_of(st.none(), st.binary(max_size=64), st.sampled_from([b"", b"\xff\xfe"]))


@pytest.fixture
def fuzz_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    loopback_only(monkeypatch)
    instant_retries(monkeypatch)  # e.g. profiles validate retries on its own terms
    monkeypatch.setenv("PUSHOVER_API_URL", closed_api_url())
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("PULLOVER_TUI_DEBUG", raising=False)
    yield


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from(COMMANDS),
    rest=st.lists(word, max_size=7),
    stdin=stdin_bytes,
)
def test_random_command_lines_exit_with_documented_codes(
    fuzz_env: None,
    command: tuple[str, ...],
    rest: list[tuple[str, ...]],
    stdin: bytes | None,
) -> None:
    argv = [*command, *(part for group in rest for part in group)]
    if command in NETWORK_COMMANDS:
        argv += FAST
    code, _, _ = run_main(argv, stdin)
    assert code in DOCUMENTED, (argv, code)


@settings(
    max_examples=max(20, EXAMPLES // 3),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    options=st.lists(word, max_size=5),
    text=st.sampled_from(TRICKY_VALUES) | st.text(max_size=20),
    stdin=stdin_bytes,
)
def test_random_sends_with_credentials(
    fuzz_env: None,
    monkeypatch: pytest.MonkeyPatch,
    options: list[tuple[str, ...]],
    text: str,
    stdin: bytes | None,
) -> None:
    """With credentials at hand, random sends get past the checks to the (closed) network."""
    monkeypatch.setenv("PUSHOVER_APP_TOKEN", TOKEN)
    monkeypatch.setenv("PUSHOVER_USER_KEY", USER)
    flat = [part for group in options for part in group]
    code, _, _ = run_main(["send", *flat, text, *FAST], stdin)
    assert code in DOCUMENTED


# Every value-taking option and every positional of every command, with each value that
# has broken a command line somewhere: a grid, so no combination is left to chance.
GRID_VALUES = [
    "99999999999999999999", "9" * 5000, "-1", "nan", "inf", "", "\udcff", "x" * 1025,
    "99999999999999999999w",
]  # fmt: skip
# A well-formed value for each positional, so the line reaches the option being tried.
GOOD_POSITIONALS = {
    "message": "hi",
    "id": "1",
    "name": "ops",
    "old": "ops",
    "new": "ops2",
    "receipt": "rLqVuqTRh62UzxtmqiaLzQmVcPgiCy",
}
REQUIRED_OPTIONS = {
    ("profiles", "add"): ["--app-token", TOKEN, "--user-key", USER],
    ("cancel",): ["--tag", "deploy"],
}


def _subparser(command: tuple[str, ...]) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = build_parser(command[0])
    for name in command:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


def _grid() -> list[tuple[tuple[str, ...], str, str]]:
    """(command, slot, value): slot is an option string, or ``<dest>`` for a positional."""
    cases = []
    for command in COMMANDS:
        for action in _subparser(command)._actions:
            if isinstance(action, argparse._SubParsersAction) or action.nargs == 0:
                continue
            if action.option_strings == ["--config"]:
                continue
            slot = action.option_strings[-1] if action.option_strings else f"<{action.dest}>"
            cases += [(command, slot, v) for v in GRID_VALUES]
    return cases


def _grid_argv(command: tuple[str, ...], slot: str, bad: str) -> list[str]:
    parser = _subparser(command)
    argv = [*command, *REQUIRED_OPTIONS.get(command, [])]
    for action in parser._actions:
        if action.option_strings or isinstance(action, argparse._SubParsersAction):
            continue
        argv.append(bad if slot == f"<{action.dest}>" else GOOD_POSITIONALS[action.dest])
    if slot.startswith("-"):
        argv += [slot, bad]
    if command in NETWORK_COMMANDS:
        argv += FAST
    return argv


@pytest.mark.parametrize(("command", "slot"), sorted({(c, s) for c, s, _ in _grid()}))
def test_every_option_and_positional_takes_bad_values_calmly(
    fuzz_env: None, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], slot: str
) -> None:
    monkeypatch.setenv("PUSHOVER_APP_TOKEN", TOKEN)
    monkeypatch.setenv("PUSHOVER_USER_KEY", USER)
    for bad in GRID_VALUES:
        argv = _grid_argv(command, slot, bad)
        code, _, _ = run_main(argv, b"")
        assert code in DOCUMENTED, (argv, code)
