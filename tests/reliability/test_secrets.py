"""A known app token and user key, sent through every path: neither may show up anywhere.

"Anywhere" is every repr and str of the library's values and errors, everything the
CLI prints (at ``-vv``, with failures and retries, with ``--json``), the history file's
bytes, the profile listings, the sandbox's log and inspection API, and httpx's own
DEBUG logging. A secret counts as shown when any 8 characters of it in a row appear:
the masked form (``azGD…yUi``) keeps 4 and 3.

Also here: plain ``http://`` only to loopback, TLS always verified, private file modes,
and secret reference commands run without a shell.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import pullover_tui
from pullover_tui.core import account, receipts
from pullover_tui.core.client import AsyncClient, Client
from pullover_tui.core.credentials import resolve_send_settings
from pullover_tui.core.errors import (
    ClientSendError,
    ConfigError,
    PulloverError,
    QuotaExceededError,
    ServerSendError,
    ValidationError,
)
from pullover_tui.core.message import Message
from pullover_tui.core.profiles import CommandSecret, EnvSecret, Profile, load_config
from pullover_tui.core.request import build_send
from pullover_tui.core.retry import RetryNotice, RetryPolicy
from pullover_tui.core.simple import Application, User
from pullover_tui.core.store import HistoryStore
from pullover_tui.core.transport import StdlibTransport
from pullover_tui.sandbox import Sandbox, SandboxConfig, running_sandbox
from tests.conftest import OTHER_USER, ROOT, TOKEN, USER, run_cli
from tests.reliability.helpers import (
    closed_api_url,
    instant_retries,
    json_line,
    loopback_only,
    run_main,
    send_args,
)

SECRETS = (TOKEN, USER, OTHER_USER)
WINDOW = 8


def leaks(text: str, secrets: Iterable[str] = SECRETS) -> list[str]:
    """The pieces of ``secrets`` (any WINDOW characters in a row) that ``text`` shows."""
    found = []
    for secret in secrets:
        for start in range(len(secret) - WINDOW + 1):
            if secret[start : start + WINDOW] in text:
                found.append(secret[start : start + WINDOW])
                break
    return found


def assert_masked(*texts: object) -> None:
    for text in texts:
        shown = text if isinstance(text, str) else repr(text)
        assert leaks(shown) == [], shown


def assert_error_masked(error: BaseException) -> None:
    """The error, its str, repr, args and every error chained to it."""
    seen: BaseException | None = error
    while seen is not None:
        assert_masked(str(seen), repr(seen), repr(seen.args), repr(vars(seen)))
        seen = seen.__cause__ or seen.__context__


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    log = io.StringIO()
    config = SandboxConfig(app_tokens=(TOKEN,), user_keys=(USER,), log=log)
    with running_sandbox(config) as sandbox:
        yield sandbox
    assert_masked(log.getvalue())  # the sandbox's terminal log, after everything


def fast_client(sb: Sandbox, **policy: Any) -> Client:
    policy.setdefault("timeout", 0.25)
    return Client(sb.url, policy=RetryPolicy(**policy), sleep=lambda _: None)


# --- the library ------------------------------------------------------------------------------


def test_library_values_and_errors_never_show_a_secret(sb: Sandbox) -> None:
    assert_masked(Application(TOKEN), User(f"{USER},{OTHER_USER}"))
    assert_masked(str(Application(TOKEN)), str(User(USER)))
    assert_masked(build_send(Message("hi"), TOKEN, USER))  # the ApiRequest
    with fast_client(sb) as client:
        assert_masked(client, vars(client))
        result = client.send(Message("hi", priority=2, retry=30, expire=60), token=TOKEN, user=USER)
        assert_masked(result, str(result))
        status = receipts.get_receipt(client, token=TOKEN, receipt=result.receipt or "")
        sb.acknowledge(result.receipt or "", user=USER)
        acknowledged = receipts.get_receipt(client, token=TOKEN, receipt=result.receipt or "")
        assert acknowledged.acknowledged_by == USER  # the value itself is there...
        assert_masked(status, acknowledged, str(acknowledged))  # ...but never shown
        assert_masked(account.validate_user(client, token=TOKEN, user=USER))
        errors: list[PulloverError] = []
        for call in (
            lambda: client.send(Message("hi"), token=TOKEN, user=OTHER_USER),  # 400
            lambda: account.validate_user(client, token=TOKEN, user=OTHER_USER),
            lambda: receipts.get_receipt(client, token=TOKEN, receipt="r" * 30),  # 404
        ):
            with pytest.raises(ClientSendError) as refused:
                call()
            errors.append(refused.value)
        sb.config.quota = 0
        with pytest.raises(QuotaExceededError) as spent:
            client.send(Message("hi"), token=TOKEN, user=USER)
        errors.append(spent.value)
    sb.config.quota = 10_000
    for how in ({"drop_connections": True}, {"hang": True}, {"garbage_body": True}):
        for name, value in how.items():
            setattr(sb.config, name, value)
        with fast_client(sb, max_attempts=2) as client:
            calls: list[Callable[[], object]] = [
                lambda: client.send(Message("hi"), token=TOKEN, user=USER),
                lambda: account.list_sounds(client, token=TOKEN),  # GET: token in the URL
            ]
            for attempt in calls:
                with pytest.raises(ServerSendError) as failed:
                    attempt()
                errors.append(failed.value)
        for name in how:
            setattr(sb.config, name, False)
    with pytest.raises(ValidationError) as invalid:
        build_send(Message("hi"), TOKEN + "x", USER[:-1] + "-")
    errors.append(invalid.value)
    for error in errors:
        assert_error_masked(error)


def test_retry_notices_and_the_simple_api_never_show_a_secret(sb: Sandbox) -> None:
    notices: list[RetryNotice] = []
    sb.config.fail_first = 2
    policy = RetryPolicy(max_attempts=3, timeout=0.5)
    with Client(sb.url, policy=policy, sleep=lambda _: None, on_retry=notices.append) as client:
        client.send(Message("hi"), token=TOKEN, user=USER)
    assert len(notices) == 2
    assert_masked(*notices, *map(str, notices))
    response = pullover_tui.send("hi", OTHER_USER, TOKEN, api_url=sb.url)
    assert not response.ok
    assert_masked(response, response.errors)
    assert_error_masked(response.error)  # type: ignore[arg-type]


def test_async_client_errors_never_show_a_secret(sb: Sandbox) -> None:
    sb.config.hang = True

    async def go() -> None:
        policy = RetryPolicy(max_attempts=1, timeout=0.25)
        async with AsyncClient(sb.url, policy=policy) as client:
            await account.alist_sounds(client, token=TOKEN)

    with pytest.raises(ServerSendError) as failed:
        asyncio.run(go())
    assert_error_masked(failed.value)


def test_settings_profiles_and_config_errors_never_show_a_secret(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.inline]\napp_token = "{TOKEN}"\nuser_key = "{USER},{OTHER_USER}"\n'
        '[profiles.refs]\napp_token = { env = "MY_TOKEN" }\n'
        f'user_key = {{ command = ["echo", "{USER}"] }}\n'
        f'[profiles.bad]\napp_token = {{ command = ["echo", "{TOKEN}x"] }}\nuser_key = "{USER}"\n'
    )
    loaded = load_config(config)
    assert_masked(loaded, *loaded.profiles.values(), *map(str, loaded.profiles.values()))
    assert_masked(Profile("p", EnvSecret("T"), CommandSecret(("pass", "show", TOKEN))))
    settings = resolve_send_settings(profile="refs", config_path=config, env={"MY_TOKEN": TOKEN})
    assert settings.user == USER
    assert_masked(settings, str(settings))
    with pytest.raises(ConfigError) as broken:  # a command printing a token of the wrong shape
        resolve_send_settings(profile="bad", config_path=config)
    assert_error_masked(broken.value)
    with pytest.raises(ConfigError) as wrong:  # an environment variable of the wrong shape
        resolve_send_settings(profile="refs", config_path=config, env={"MY_TOKEN": TOKEN[:-1]})
    assert_error_masked(wrong.value)
    bad_file = tmp_path / "bad.toml"
    bad_file.write_text(f'[profiles.x]\napp_token = "{TOKEN}"\nuser_key = "{USER}"\nttl = "x"\n')
    with pytest.raises(ConfigError) as schema:
        load_config(bad_file)
    assert_error_masked(schema.value)


def test_history_entries_and_file_never_hold_a_secret(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as store, fast_client(sb) as client:
        for user in (USER, OTHER_USER, f"{USER},{OTHER_USER}"):
            entry_id = store.add_pending(
                Message("hi"), profile=None, token=TOKEN, user=user, api_url=sb.url
            )
            try:
                store.mark_sent(entry_id, client.send(Message("hi"), token=TOKEN, user=user))
            except ClientSendError as exc:
                store.mark_rejected(entry_id, str(exc), request=exc.request)
        entries = store.search(limit=10)
        assert len(entries) == 3
        for entry in entries:
            assert_masked(entry, str(entry), json.dumps(entry.to_json()))
    assert_files_masked(tmp_path)


def assert_files_masked(folder: Path) -> None:
    """No secret in the bytes of any file under ``folder`` (SQLite's -wal and -shm too)."""
    for file in folder.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            for text in (data.decode("latin-1"), data.decode("utf-16-le", "replace")):
                assert leaks(text) == [], file


def test_httpx_debug_logging_never_shows_a_secret(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with fast_client(sb) as client:
        account.list_sounds(client, token=TOKEN)  # GET /1/sounds.json?token=...
        account.app_limits(client, token=TOKEN)
        client.send(Message("hi"), token=TOKEN, user=USER)
        with pytest.raises(ClientSendError):
            receipts.get_receipt(client, token=TOKEN, receipt="r" * 30)
    sb.config.drop_connections = True
    with fast_client(sb, max_attempts=1) as client, pytest.raises(ServerSendError):
        account.list_sounds(client, token=TOKEN)
    assert any(r.name.startswith("httpx") for r in caplog.records)
    assert any("sounds.json?token=azGD" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert_masked(record.getMessage(), repr(record.args), str(record.msg))
    assert_masked(caplog.text)


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli(sb: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("PUSHOVER_API_URL", sb.url)
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("PULLOVER_TUI_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


def test_every_cli_output_hides_the_secrets(sb: Sandbox, cli: Path) -> None:
    fast = ["--retries", "0", "--timeout", "0.25"]
    outputs: list[str] = []

    def run(*argv: str, stdin: bytes = b"") -> int:
        code, out, err = run_main(list(argv), stdin)
        outputs.extend([out, err])
        return code

    assert run("profiles", "add", "ops", "--app-token", "-", "--user-key", "-",
               stdin=f"{TOKEN}\n{USER}\n".encode()) == 0  # fmt: skip
    assert run("profiles", "add", "refs", "--app-token-env", "OPS_TOKEN",
               "--user-key-command", f"echo {USER}") == 0  # fmt: skip
    listings = [["list"], ["list", "--json"], ["show", "ops"], ["show", "ops", "--json"],
                ["show", "refs"], ["validate", "ops"], ["validate", "ops", "--json"]]  # fmt: skip
    for listing in listings:
        assert run("profiles", *listing) == 0
    for verbosity in ("-v", "-vv"):
        for output in ([], ["--json"]):
            assert run(*send_args(verbosity, *output, "ok", *fast)) == 0
            assert run(*send_args(verbosity, *output, "-p", "2", "--retry", "30",
                                  "--expire", "60", "emergency", *fast)) == 0  # fmt: skip
            assert run("send", "-a", TOKEN, "-u", OTHER_USER, verbosity, *output, "no",
                       *fast) == 1  # fmt: skip
            assert run("send", "-a", TOKEN + "x", "-u", USER, verbosity, *output, "x") == 1
            assert run("send", "-P", "ops", verbosity, *output, "by profile", *fast) == 0
    receipt = sb.messages()[1]["receipt"]
    sb.acknowledge(receipt, user=USER)
    for command in (["receipt", receipt], ["sounds"], ["limits"], ["validate", "-u", USER],
                    ["cancel", "--tag", "x"]):  # fmt: skip
        for output in ([], ["--json"]):
            assert run(*command, "-a", TOKEN, "-vv", *output, *fast) == 0
    for how in ("drop_connections", "hang", "garbage_body"):
        setattr(sb.config, how, True)
        assert run(*send_args("-vv", "--json", "later", *fast)) == 3
        assert run("sounds", "-a", TOKEN, "-vv", "--json", *fast) == 3
        assert run("outbox", "flush", "-P", "ops", "-vv", "--json", *fast) == 3
        setattr(sb.config, how, False)
    sb.config.quota = 0
    assert run(*send_args("-vv", "--json", "spent", *fast)) == 1
    sb.config.quota = 10_000
    for argv in (["history"], ["history", "--json"], ["history", "show", "1"],
                    ["history", "show", "1", "--json"], ["outbox"], ["outbox", "--json"],
                    ["outbox", "flush", "-a", TOKEN, "-u", USER, "-vv"],
                    ["outbox", "flush", "-a", TOKEN, "-u", USER, "--json"],
                    ["resend", "1", "-vv"], ["resend", "1", "--json"]):  # fmt: skip
        run(*argv)
    assert len(outputs) > 100
    for printed in outputs:
        assert_masked(printed)
    assert any("azGD…yUi" in printed for printed in outputs)  # masked, yet recognisable
    assert_files_masked(cli / "data")


def test_cli_retrying_at_vv_hides_the_secrets(
    sb: Sandbox, cli: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = instant_retries(monkeypatch)
    sb.config.fail_first = 2
    code, out, err = run_main(list(send_args("-vv", "--json", "hi")), b"")
    assert code == 0, err
    assert "attempt 2/5 in " in err and "attempt 3/5 in " in err and "quota: " in err
    assert len(waits) == 2
    sb.config.fail_rate = 1.0
    code, out2, err2 = run_main(["sounds", "-a", TOKEN, "-vv", "--retries", "2"], b"")
    assert code == 3, err2
    assert_masked(out, err, out2, err2)


def test_sandbox_command_log_and_inspection_api_hide_the_secrets(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "pullover_tui", "sandbox", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        url = re.search(r"http://\S+", first)
        assert url, first
        env = {"PUSHOVER_API_URL": url[0], "PULLOVER_TUI_DATA": str(tmp_path / "d")}
        assert run_cli(*send_args("-t", "Backup", "done"), env=env).returncode == 0
        listing = httpx.get(url[0] + "/sandbox/messages", timeout=5).text
        assert "azGD…yUi" in listing
        assert_masked(listing)
        line = server.stdout.readline()
        assert "Backup: done" in line
    finally:
        server.terminate()
        out, err = server.communicate(timeout=10)
    assert_masked(first, line, out, err)


# --- where requests may go -------------------------------------------------------------------

NOT_LOOPBACK = [
    "http://api.pushover.net",
    "http://example.com:80",
    "http://10.0.0.1",
    "http://[::ffff:127.0.0.1]",  # IPv4-mapped: not the loopback interface
    "http://127.0.0.1.nip.io",
    "http://localhost.example.com",
    "http://0x7f000001",
    "http://evil.com\\@127.0.0.1",  # parsers disagree about such URLs: refused outright
    "http://127.0.0.1@evil.com",
    "http://user:pw@127.0.0.1",  # a password in the API root would be shown with it
    "ftp://127.0.0.1",
]
LOOPBACK = ["http://127.0.0.1:8765", "http://127.1.2.3", "http://localhost:1", "http://[::1]:1"]


@pytest.mark.parametrize("url", NOT_LOOPBACK)
def test_plain_http_is_refused_for_anything_but_loopback(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for make in (Client, AsyncClient):
        with pytest.raises(ValidationError) as refused:
            make(url)
        assert refused.value.field == "api_url"
    with pytest.raises(ValidationError):
        Profile("p", TOKEN, USER, api_url=url)
    config = tmp_path / "config.toml"
    toml_url = json.dumps(url)  # a TOML basic string
    config.write_text(
        f'[profiles.p]\napp_token = "{TOKEN}"\nuser_key = "{USER}"\napi_url = {toml_url}\n'
    )
    with pytest.raises(ConfigError) as bad:
        load_config(config)
    assert bad.value.key == "profiles.p.api_url"
    add = ["profiles", "add", "q", "--app-token", TOKEN, "--user-key", USER]
    code, _, err = run_main([*add, "--api-url", url, "--config", str(tmp_path / "c2.toml")], b"")
    assert code == 2 and "--api-url: " in err
    monkeypatch.setenv("PUSHOVER_API_URL", url)
    code, _, err = run_main([*send_args("hi")], b"")
    assert code == 2 and err.startswith("pullover-tui: PUSHOVER_API_URL: ")


@pytest.mark.parametrize("url", LOOPBACK)
def test_plain_http_is_fine_for_loopback(url: str) -> None:
    with Client(url) as client:
        assert client.api_url == url


def ssl_context(client: Client | AsyncClient) -> ssl.SSLContext:
    transport = client._http._transport
    if isinstance(transport, StdlibTransport):
        context = transport._context()
    else:
        context = transport._pool._ssl_context  # type: ignore[union-attr]
    assert isinstance(context, ssl.SSLContext)
    return context


@pytest.mark.parametrize("url", [None, "https://api.pushover.net", "http://127.0.0.1:1"])
def test_tls_is_always_verified(url: str | None) -> None:
    for client in (Client(url), AsyncClient(url)):
        context = ssl_context(client)
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname is True


def test_no_code_turns_tls_verification_off() -> None:
    forbidden = re.compile(
        r"verify\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False|_create_unverified_context"
    )
    package = ROOT / "pullover_tui"
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in package.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert hits == []


# --- files and commands ------------------------------------------------------------------------


def test_files_are_private_even_with_a_permissive_umask(sb: Sandbox, tmp_path: Path) -> None:
    config = tmp_path / "a" / "b" / "config.toml"
    data = tmp_path / "c" / "d" / "data"
    env = {**os.environ, "PUSHOVER_API_URL": sb.url, "PULLOVER_TUI_DATA": str(data)}
    for argv in (
        ["profiles", "add", "p", "--config", str(config), "--app-token", TOKEN, "--user-key", USER],
        ["send", "-P", "p", "--config", str(config), "hi"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "pullover_tui", *argv],
            env=env, cwd=ROOT, capture_output=True, text=True, preexec_fn=lambda: os.umask(0),
            check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "c", data.parent, data):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    files = [config, config.with_name("config.toml.lock"), *data.iterdir()]
    assert {f.name for f in data.iterdir()} >= {"history.sqlite3"}
    for file in files:
        assert file.stat().st_mode & 0o777 == 0o600, file


def test_a_secret_command_runs_without_a_shell(cli: Path) -> None:
    marker = cli / "PWNED"
    config = cli / "config.toml"
    config.write_text(
        f'[profiles.p]\napp_token = "{TOKEN}"\n'
        f'user_key = {{ command = ["echo", "$(touch {marker})", ";", "touch", "{marker}"] }}\n'
    )
    config.chmod(0o600)
    code, _out, err = run_main(["send", "-P", "p", "hi"], b"")
    assert code == 2
    assert "profiles.p.user_key: the output of 'command:echo $(touch" in err
    assert not marker.exists()  # echo printed the words; no shell ever ran them


@pytest.mark.slow
def test_a_secret_command_that_hangs_is_stopped(cli: Path) -> None:
    config = cli / "config.toml"
    config.write_text(
        f'[profiles.p]\napp_token = "{TOKEN}"\nuser_key = {{ command = ["sleep", "60"] }}\n'
    )
    config.chmod(0o600)
    started = time.monotonic()
    code, _, err = run_main(["send", "-P", "p", "hi"], b"")
    assert code == 2
    assert "command 'sleep' did not finish within 10 s" in err
    assert time.monotonic() - started < 30


def test_a_refused_root_is_refused_before_anything_is_recorded_or_sent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loopback_only(monkeypatch)  # a lookup of example.com would fail the test
    monkeypatch.setenv("PULLOVER_TUI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("PUSHOVER_API_URL", "http://example.com")
    code, out, _err = run_main([*send_args("--json", "hi")], b"")
    assert code == 2 and json_line(out)["exit_code"] == 2
    assert not (tmp_path / "data").exists()
    monkeypatch.setenv("PUSHOVER_API_URL", closed_api_url())
    assert run_main([*send_args("hi", "--retries", "0")], b"")[0] == 3


@pytest.mark.parametrize(
    "reference",
    [
        f'{{ env = "{USER}" }}',  # the key itself where its variable's name belongs
        f'{{ command = ["{USER}"] }}',  # ... or where the program belongs
        f'{{ command = ["sh", "-c", "echo using {USER} >&2; exit 3"] }}',  # an echoing failure
        f'{{ command = ["printf", "{USER}x"] }}',  # prints a key of the wrong shape
    ],
    ids=["env name", "program", "stderr", "output"],
)
def test_mistaken_secret_references_do_not_show_the_secret(cli: Path, reference: str) -> None:
    config = cli / "config.toml"
    config.write_text(f'[profiles.p]\napp_token = "{TOKEN}"\nuser_key = {reference}\n')
    config.chmod(0o600)
    for argv in (["send", "-P", "p", "hi"], ["profiles", "show", "p"], ["profiles", "list"]):
        code, out, err = run_main(argv, b"")
        assert code in (0, 2), err
        assert_masked(out, err)


# --- pictures of the TUI -------------------------------------------------------------------------


def test_no_screenshot_or_snapshot_shows_a_secret_in_full() -> None:
    """Every SVG the README shows and every snapshot the tests compare: keys appear masked
    (uQiR…RsG), never whole. The screens behind them are driven with these very keys."""
    from pullover_tui.tui.demo import DEMO_APP_TOKEN, DEMO_USER_KEY

    secrets = (TOKEN, USER, DEMO_APP_TOKEN, DEMO_USER_KEY)
    pictures = [
        *sorted((ROOT / "screenshots").glob("*.svg")),
        *sorted((ROOT / "tests" / "tui" / "__snapshots__").rglob("*.svg")),
    ]
    assert len(pictures) >= 20
    shown = [
        (path.name, secret[:4])
        for path in pictures
        for secret in secrets
        if secret in path.read_text(encoding="utf-8").replace("&#160;", " ")
    ]
    assert shown == []
    masked = [p.name for p in pictures if "uQiR…RsG" in p.read_text(encoding="utf-8")]
    assert masked, "no picture shows the masked user key: are the secrets still in use?"
