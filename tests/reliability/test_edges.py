"""Edges of the input: every length limit with emoji and combining characters, end to end;
stdin that is not UTF-8, empty or closed; arguments that are not UTF-8; no colours; small
terminals.

The unit tests check the counting rule on ``Message`` alone; here the client and the
sandbox must agree on it over a real socket, and the CLI must carry the text unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from pullover_tui.cli.send import truncate
from pullover_tui.core.client import Client
from pullover_tui.core.errors import ValidationError
from pullover_tui.core.message import Message
from pullover_tui.core.retry import RetryPolicy
from pullover_tui.core.store import HistoryStore
from pullover_tui.sandbox import Sandbox
from tests.conftest import TOKEN, USER, run_cli
from tests.reliability.helpers import MESSAGES, closing_db, run_main, send_args

# (name, unit, code points per unit): what a person counts as one character, and what
# Pushover (and Python's len) counts.
UNITS = [
    ("ascii", "a", 1),
    ("accented", "é", 1),
    ("emoji", "😀", 1),
    ("combining", "e\u0301", 2),
    ("skin tone", "👍🏽", 2),
    ("zero width joiner", "👩\u200d💻", 3),
    ("zero width space", "\u200b", 1),
]
LIMITS = [("message", 1024), ("title", 250), ("url", 512), ("url_title", 100)]


def text_of(unit: str, size: int, length: int) -> str:
    """Exactly ``length`` code points of ``unit`` (topped up with 'x' when it does not divide)."""
    return unit * (length // size) + "x" * (length % size)


def fields_for(field: str, value: str) -> dict[str, str]:
    fields = {"message": "m", field: value}
    if field == "url_title":
        fields["url"] = "https://example.test/"
    return fields


@pytest.mark.parametrize(("field", "most"), LIMITS)
@pytest.mark.parametrize(("name", "unit", "size"), UNITS, ids=[u[0] for u in UNITS])
def test_client_and_sandbox_agree_on_every_limit(
    sandbox: Sandbox, field: str, most: int, name: str, unit: str, size: int
) -> None:
    at_edge = text_of(unit, size, most)
    assert len(at_edge) == most
    with Client(sandbox.url, policy=RetryPolicy(max_attempts=1)) as client:
        client.send(Message(**fields_for(field, at_edge)), token=TOKEN, user=USER)  # type: ignore[arg-type]
        [received] = sandbox.messages()
        assert received[field] == at_edge  # arrived unchanged, not normalised or cut
        with pytest.raises(ValidationError) as refused:
            Message(**fields_for(field, at_edge + "x"))  # type: ignore[arg-type]
        assert refused.value.field == field
        assert f"(is {most + 1})" in refused.value.rule
    assert sandbox.request_count(MESSAGES) == 1  # the refused one never left
    # The sandbox counts the same way when a client does not check first.
    data = {"token": TOKEN, "user": USER, **fields_for(field, at_edge + "x")}
    answer = httpx.post(sandbox.url + MESSAGES, data=data, timeout=5)
    assert answer.status_code == 400 and answer.json()[field] == "invalid"


@pytest.mark.parametrize(("name", "unit", "size"), UNITS, ids=[u[0] for u in UNITS])
def test_cli_sends_a_message_at_the_limit_unchanged(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, name: str, unit: str, size: int
) -> None:
    monkeypatch.setenv("PUSHOVER_API_URL", sandbox.url)
    text = text_of(unit, size, 1024)
    code, _, err = run_main(list(send_args(text)), b"")
    assert code == 0, err
    assert sandbox.messages()[0]["message"] == text
    code, _out, err = run_main(list(send_args(text + unit)), b"")
    assert code == 1
    assert f"message: must be at most 1024 characters (is {1024 + size})" in err
    assert sandbox.request_count(MESSAGES) == 1


@pytest.mark.parametrize(
    "text",
    ["e\u0301" * 700, "👍🏽" * 600, "👩\u200d💻" * 400, "a" * 1023 + "\u0301" * 5, "é" * 2000],
    ids=["combining", "skin tone", "joiner", "marks at the cut", "accented"],
)
def test_truncate_stays_within_the_limit_and_never_splits_a_character(text: str) -> None:
    cut = truncate(text, 1024)
    assert len(cut) <= 1024 and cut.endswith("…")
    kept = cut[:-1]
    assert text.startswith(kept)
    following = text[len(kept)]
    assert following not in "\u0301\U0001f3fd" and not kept.endswith("\u200d")
    Message(cut)  # and the result is a message Pushover takes


def test_truncated_stdin_arrives_as_cut(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSHOVER_API_URL", sandbox.url)
    text = "e\u0301" * 700
    code, _, err = run_main([*send_args("--truncate", "-")], text.encode())
    assert code == 0, err
    assert sandbox.messages()[0]["message"] == truncate(text, 1024)


@pytest.mark.parametrize(
    ("stdin", "code", "line"),
    [
        (b"caf\xe9\n", 1, "pullover-tui: message: stdin is not valid UTF-8 (byte 3)"),
        (b"\xff\xfe h\x00i", 1, "pullover-tui: message: stdin is not valid UTF-8 (byte 0)"),
        (b"", 1, "pullover-tui: message: is required and must not be blank"),
        (b"\n", 1, "pullover-tui: message: is required and must not be blank"),
        (b" \r\n\t\r\n", 1, "pullover-tui: message: is required and must not be blank"),
        (None, 2, "pullover-tui: message: is required (give it as an argument, or '-' to read"),
    ],
    ids=["latin-1", "utf-16", "empty", "newline", "blank lines", "closed"],
)
def test_bad_stdin_is_refused_before_any_request(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    stdin: bytes | None,
    code: int,
    line: str,
) -> None:
    monkeypatch.setenv("PUSHOVER_API_URL", sandbox.url)
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(tmp_path / "data"))
    got, out, err = run_main([*send_args("-"), "--json"], stdin)
    assert got == code, err
    assert err.startswith(line), err
    assert '"status": 0' in out
    assert sandbox.request_count(MESSAGES) == 0
    assert not (tmp_path / "data").exists()  # nothing recorded for a message that never was


def test_crlf_stdin_loses_only_its_last_line_end(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUSHOVER_API_URL", sandbox.url)
    code, _, err = run_main(list(send_args("-")), b"one\r\ntwo\r\n")
    assert code == 0, err
    assert sandbox.messages()[0]["message"] == "one\r\ntwo"


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["caf\udce9"], "message"),  # what Python makes of the bytes b"caf\xe9" in argv
        (["-t", "\udcff", "hi"], "title"),
        (["--url", "https://e.test/\udcff", "hi"], "url"),
        (["--sound", "\udcff", "hi"], "sound"),
        (["-p", "emergency", "--retry", "30", "--expire", "60", "--tag", "\udcff", "hi"], "tags"),
    ],
)
def test_arguments_that_are_not_utf8_are_refused_by_name(
    sandbox: Sandbox, tmp_path: Path, argv: list[str], field: str
) -> None:
    env = {"PUSHOVER_API_URL": sandbox.url, "PULLOVER_TUI_DATA": str(tmp_path / "d")}
    proc = run_cli(*send_args(*argv), env=env)  # the bytes really come through argv
    assert proc.returncode == 1, proc.stderr
    assert (
        proc.stderr == f"pullover-tui: {field}: must be text: it holds bytes that are not UTF-8\n"
    )
    assert sandbox.request_count(MESSAGES) == 0


def test_an_attachment_whose_name_is_not_utf8_is_sent_under_a_readable_name(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    image = tmp_path / "caf\udce9.png"  # a file name that is not UTF-8 on disk
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    env = {"PUSHOVER_API_URL": sandbox.url, "PULLOVER_TUI_DATA": str(tmp_path / "d")}
    proc = run_cli(*send_args("--attach", str(image), "hi"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert sandbox.messages()[0]["attachment"]["name"] == "caf\ufffd.png"
    show = run_cli("history", "show", "1", env=env)
    assert show.returncode == 0, show.stderr
    assert "cannot be resent" in show.stdout  # its path could not be kept


ESCAPE = re.compile(r"\x1b\[")


def fill_history(data: Path, count: int = 3) -> None:
    with HistoryStore(data / "history.sqlite3") as store:
        for number in range(count):
            store.add_pending(
                Message(f"message {number} " + "with words " * 12, title="Backup", priority=1),
                profile="a-rather-long-profile-name",
                token=TOKEN,
                user=USER,
                api_url="http://127.0.0.1:1",
            )


@pytest.mark.parametrize("columns", [80, 60, 45, 30])
def test_history_fits_a_small_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, columns: int
) -> None:
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("LINES", "10")
    fill_history(tmp_path / "data")
    for argv in (["history"], ["outbox"]):
        code, out, err = run_main(argv, b"")
        assert code == 0, err
        lines = out.splitlines()
        assert len(lines) == 4
        assert all(len(line) <= columns for line in lines), lines
        assert all("message" in line for line in lines[1:])  # the text is never squeezed out


def test_small_terminal_help_and_listings_do_not_break(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "20")
    monkeypatch.setenv("LINES", "5")
    for argv in (["--help"], ["send", "--help"], ["outbox", "flush", "--help"], ["profiles"]):
        code, _out, err = run_main(argv, b"")
        assert code == 0, (argv, err)


def test_no_colour_anywhere(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """NO_COLOR (set for every test) and a dumb terminal: plain text on both streams."""
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("PUSHOVER_API_URL", sandbox.url)
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(tmp_path / "data"))
    runs: list[list[str]] = [
        list(send_args("-v", "hi")),
        list(send_args("-p", "urgent", "hi")),
        ["history"],
        ["history", "show", "1"],
        ["outbox"],
        ["profiles", "list"],
        ["sounds", "-a", TOKEN],
        ["--help"],
        ["send", "--bogus"],
    ]
    for argv in runs:
        _, out, err = run_main(argv, b"")
        assert not ESCAPE.search(out) and not ESCAPE.search(err), argv


def test_json_output_is_ascii_safe_and_round_trips(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import json

    monkeypatch.setenv("PUSHOVER_API_URL", sandbox.url)
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(tmp_path / "data"))
    text = "👩\u200d💻 e\u0301 \u202eevil\u202c \x00 \x1b[31m"
    code, out, err = run_main(list(send_args("--json", text)), b"")
    assert code == 0, err
    code, out, err = run_main(["history", "show", "1", "--json"], b"")
    assert json.loads(out)["message"] == text
    assert "\x1b" not in out  # a control character in a message is escaped in JSON


def received(sandbox: Sandbox) -> list[dict[str, Any]]:
    return sandbox.messages()


@pytest.mark.parametrize("bad", [["--retry", "abc"], ["--retry", "99999999999999999999"]])
def test_a_bad_emergency_value_is_reported_once(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, bad: list[str]
) -> None:
    """Not also as "is required for emergency priority": it was given, just wrong."""
    monkeypatch.setenv("PUSHOVER_API_URL", sandbox.url)
    code, _, err = run_main(list(send_args("-p", "emergency", *bad, "--expire", "60", "hi")), b"")
    assert code == 1
    assert len(err.splitlines()) == 1 and err.startswith("pullover-tui: retry: must be ")


def test_old_rows_with_times_out_of_range_still_show(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A row written before times were bounded (year 33658) is shown, not a crash."""
    data = tmp_path / "data"
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(data))
    fill_history(data, count=1)
    with closing_db(data / "history.sqlite3") as db:
        db.execute("UPDATE history SET timestamp = 999999999999999")
        db.commit()
    for argv in (["history", "show", "1"], ["history", "show", "1", "--json"], ["history"]):
        code, out, err = run_main(argv, b"")
        assert code == 0, err
    code, out, _ = run_main(["history", "show", "1"], b"")
    assert "timestamp:   999999999999999" in out
