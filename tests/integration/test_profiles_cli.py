"""``pullover-tui profiles ...`` as a user runs it: subprocesses, a temporary config dir."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
OTHER = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"
ROOT = Path(__file__).resolve().parents[2]
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of every command: config under tmp_path, no Pushover settings."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("PUSHOVER_", "PULLOVER_TUI_"))
    }
    clean["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    clean["XDG_DATA_HOME"] = str(tmp_path / "data")
    return clean


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "xdg" / "pullover-tui" / "config.toml"


def cli(env: dict[str, str], *args: str, input: str = "") -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pullover_tui", *args],
        input=input,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def add(env: dict[str, str], name: str, *extra: str) -> subprocess.CompletedProcess[str]:
    proc = cli(env, "profiles", "add", name, "--app-token", TOKEN, "--user-key", USER, *extra)
    assert proc.returncode == 0, proc.stderr
    return proc


def one_error_line(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("pullover-tui: ")
    return lines[0]


# --- adding and the file on disk -------------------------------------------------------------


@POSIX_ONLY
def test_add_writes_a_private_file_in_a_private_dir(env: dict[str, str], config_file: Path) -> None:
    proc = add(env, "home", "--priority", "1", "--device", "iphone", "--sound", "magic")
    assert proc.stdout == "added profile 'home' (the default profile)\n"
    assert config_file.read_text() == (
        "# Written by pullover-tui. "
        "Comments in this file are not kept when pullover-tui saves it.\n"
        'default_profile = "home"\n'
        "\n"
        "[profiles.home]\n"
        f'app_token = "{TOKEN}"\n'
        f'user_key = "{USER}"\n'
        'priority = "high"\n'
        'sound = "magic"\n'
        'device = "iphone"\n'
    )
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_file.parent.stat().st_mode) == 0o700


def test_second_profile_is_not_the_default_unless_asked(
    env: dict[str, str], config_file: Path
) -> None:
    add(env, "home")
    assert add(env, "work").stdout == "added profile 'work'\n"
    assert 'default_profile = "home"' in config_file.read_text()
    add(env, "ops", "--default")
    assert 'default_profile = "ops"' in config_file.read_text()


def test_references_from_the_command_line(env: dict[str, str], config_file: Path) -> None:
    proc = cli(
        env, "profiles", "add", "ops", "--app-token-env", "OPS_TOKEN",
        "--user-key-command", "pass show 'pushover/ops group'",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = config_file.read_text()
    assert 'app_token = { env = "OPS_TOKEN" }' in text
    assert 'user_key = { command = ["pass", "show", "pushover/ops group"] }' in text


def test_secrets_from_stdin(env: dict[str, str], config_file: Path) -> None:
    proc = cli(
        env, "profiles", "add", "home", "--app-token", "-", "--user-key", "-",
        input=f"{TOKEN}\n{USER}\n",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr
    text = config_file.read_text()
    assert f'app_token = "{TOKEN}"' in text and f'user_key = "{USER}"' in text


def test_one_secret_from_stdin(env: dict[str, str], config_file: Path) -> None:
    proc = cli(env, "profiles", "add", "h", "--app-token", TOKEN, "--user-key", "-", input=USER)
    assert proc.returncode == 0, proc.stderr
    assert f'user_key = "{USER}"' in config_file.read_text()


def test_stdin_without_the_secret(env: dict[str, str], config_file: Path) -> None:
    proc = cli(env, "profiles", "add", "h", "--app-token", "-", "--user-key", "-", input=TOKEN)
    line = one_error_line(proc)
    assert "--user-key -: expected the user key on line 2 of stdin" in line
    assert not config_file.exists()


BAD_VALUES = [
    (["--app-token", "tooShort"], "--app-token: must be exactly 30 letters and digits (got 8)"),
    (["--user-key", f"{USER},x"], "--user-key: key 2 must be exactly 30 letters"),
    (["--app-token-env", "1BAD"], "--app-token-env: must be an environment variable name"),
    (["--user-key-command", "'unbalanced"], "--user-key-command: cannot be split"),
    (["--ttl", "0"], "--ttl: must be more than 0 seconds"),
    (["--priority", "urgent"], "--priority: must be -2..2 or one of lowest"),
    (["--api-url", "http://example.com"], "--api-url: must use https://"),
    (["--device", "two words"], "--device: 'two words' must be 1 to 25"),
]


def test_bad_values_are_refused_before_anything_is_written(
    env: dict[str, str], config_file: Path
) -> None:
    add(env, "home")
    before = config_file.read_bytes()
    for args, expected in BAD_VALUES:
        given = {"--app-token": TOKEN, "--user-key": USER}
        given.pop(args[0].removesuffix("-env").removesuffix("-command"), None)
        flat = [part for pair in given.items() for part in pair]
        line = one_error_line(cli(env, "profiles", "add", "new", *flat, *args))
        assert expected in line
        assert "tooShort" not in line
        assert config_file.read_bytes() == before


def test_bad_profile_name(env: dict[str, str], config_file: Path) -> None:
    proc = cli(env, "profiles", "add", "my phone", "--app-token", TOKEN, "--user-key", USER)
    assert "profile name: must be 1 to 64 letters, digits" in one_error_line(proc)
    assert not config_file.exists()


def test_bad_flag_is_a_usage_error(env: dict[str, str]) -> None:
    proc = cli(env, "profiles", "add", "x", "--app-token", TOKEN, "--user-key", USER, "--ttl", "x")
    assert proc.returncode == 2 and "--ttl" in proc.stderr
    proc = cli(env, "profiles", "add", "x", "--user-key", USER)
    assert proc.returncode == 2 and "--app-token" in proc.stderr


# --- refusals --------------------------------------------------------------------------------


def test_add_refuses_an_existing_name(env: dict[str, str], config_file: Path) -> None:
    add(env, "home")
    before = config_file.read_bytes()
    proc = cli(env, "profiles", "add", "home", "--app-token", TOKEN, "--user-key", OTHER)
    assert one_error_line(proc) == "pullover-tui: a profile named 'home' already exists"
    assert config_file.read_bytes() == before


def test_unknown_names_are_refused(env: dict[str, str]) -> None:
    add(env, "home")
    for args in (
        ["remove", "nope"],
        ["show", "nope"],
        ["edit", "nope", "--title", "x"],
        ["rename", "nope", "other"],
        ["default", "nope"],
        ["validate", "nope"],
    ):
        line = one_error_line(cli(env, "profiles", *args))
        assert "no profile named 'nope' (profiles: home)" in line


def test_rename_refuses_a_taken_name(env: dict[str, str]) -> None:
    add(env, "a")
    add(env, "b")
    assert "'b' already exists" in one_error_line(cli(env, "profiles", "rename", "a", "b"))


def test_corrupted_file_is_left_untouched(env: dict[str, str], config_file: Path) -> None:
    add(env, "home")
    config_file.write_bytes(config_file.read_bytes() + b"\n[profiles.broken\n# my notes\n")
    before = config_file.read_bytes()
    for args in (
        ["add", "new", "--app-token", TOKEN, "--user-key", USER],
        ["remove", "home"],
        ["edit", "home", "--title", "x"],
        ["rename", "home", "h"],
        ["default", "--clear"],
        ["list"],
    ):
        line = one_error_line(cli(env, "profiles", *args))
        assert line.startswith(f"pullover-tui: {config_file}:8:17: not valid TOML: ")
    assert config_file.read_bytes() == before


def test_schema_errors_name_the_key(env: dict[str, str], config_file: Path) -> None:
    add(env, "home")
    config_file.write_text(config_file.read_text() + 'priority = "urgent"\n')
    proc = cli(env, "profiles", "list")
    assert one_error_line(proc) == (
        f"pullover-tui: {config_file}:7:12: profiles.home.priority: "
        "must be -2..2 or one of lowest, low, normal, high, emergency"
    )


# --- reading ---------------------------------------------------------------------------------


def test_list_and_show_mask_secrets(env: dict[str, str]) -> None:
    add(env, "home", "--title", "Home", "--priority", "low")
    cli(env, "profiles", "add", "ops", "--app-token-env", "OPS_TOKEN", "--user-key", OTHER)
    listing = cli(env, "profiles", "list")
    assert listing.returncode == 0
    assert listing.stdout.splitlines() == [
        "  NAME APP TOKEN     USER KEY",
        "* home azGD…yUi      uQiR…RsG",
        "  ops  env:OPS_TOKEN gzne…kzF",
    ]
    rows = json.loads(cli(env, "profiles", "list", "--json").stdout)
    assert rows == [
        {"name": "home", "default": True, "app_token": "azGD…yUi", "user_key": "uQiR…RsG"},
        {"name": "ops", "default": False, "app_token": "env:OPS_TOKEN", "user_key": "gzne…kzF"},
    ]
    shown = cli(env, "profiles", "show", "home")
    assert "title:     Home" in shown.stdout and "priority:  low" in shown.stdout
    assert "ttl:       -" in shown.stdout
    view = json.loads(cli(env, "profiles", "show", "home", "--json").stdout)
    assert view["priority"] == "low" and view["default"] is True and view["ttl"] is None
    everything = "".join(
        p.stdout + p.stderr
        for p in (listing, shown, cli(env, "profiles", "show", "home", "--json"))
    )
    assert TOKEN not in everything and USER not in everything and OTHER not in everything


def test_profiles_alone_lists(env: dict[str, str]) -> None:
    empty = cli(env, "profiles")
    assert empty.returncode == 0 and empty.stdout == "" and "no profiles yet" in empty.stderr
    add(env, "home")
    assert "home" in cli(env, "profiles").stdout


@POSIX_ONLY
def test_loose_permissions_are_warned_about_once(env: dict[str, str], config_file: Path) -> None:
    add(env, "home")
    config_file.chmod(0o644)
    proc = cli(env, "profiles", "list")
    assert proc.returncode == 0
    assert proc.stderr.count("warning: permissions 0644") == 1
    assert "chmod 600" in proc.stderr


# --- editing ---------------------------------------------------------------------------------


def test_edit_sets_and_unsets(env: dict[str, str], config_file: Path) -> None:
    add(env, "home", "--title", "T", "--monospace", "--ttl", "60")
    proc = cli(env, "profiles", "edit", "home", "--html", "--unset", "ttl", "--sound", "bike")
    assert proc.returncode == 0, proc.stderr
    view = json.loads(cli(env, "profiles", "show", "home", "--json").stdout)
    assert (view["html"], view["monospace"], view["ttl"]) == (True, False, None)
    assert (view["title"], view["sound"]) == ("T", "bike")
    proc = cli(env, "profiles", "edit", "home", "--user-key", "-", "--unset", "url-title",
               input=OTHER)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f'user_key = "{OTHER}"' in config_file.read_text()


def test_edit_refusals(env: dict[str, str]) -> None:
    add(env, "home")
    assert "nothing to change" in one_error_line(cli(env, "profiles", "edit", "home"))
    line = one_error_line(cli(env, "profiles", "edit", "home", "--title", "x", "--unset", "title"))
    assert line == "pullover-tui: --title: cannot be given and --unset at once"
    proc = cli(env, "profiles", "edit", "home", "--unset", "app_token")
    assert proc.returncode == 2


def test_rename_default_and_remove(env: dict[str, str], config_file: Path) -> None:
    add(env, "a")
    add(env, "b")
    assert cli(env, "profiles", "rename", "a", "first").returncode == 0
    text = config_file.read_text()
    assert 'default_profile = "first"' in text
    assert text.index("[profiles.first]") < text.index("[profiles.b]")
    assert cli(env, "profiles", "default", "b").stdout == "default profile: b\n"
    assert cli(env, "profiles", "default", "--clear").stdout == "no default profile\n"
    assert "default_profile" not in config_file.read_text()
    assert add(env, "c").stdout == "added profile 'c' (the default profile)\n"
    cli(env, "profiles", "default", "first")
    proc = cli(env, "profiles", "remove", "first")
    assert proc.stdout == "removed profile 'first'; there is no default profile now\n"
    assert "[profiles.first]" not in config_file.read_text()
    assert "give a profile NAME" in one_error_line(cli(env, "profiles", "default"))


# --- where the file is -----------------------------------------------------------------------


def test_path(env: dict[str, str], config_file: Path, tmp_path: Path) -> None:
    assert cli(env, "profiles", "path").stdout == f"{config_file}\n"
    other = tmp_path / "other.toml"
    assert cli(env, "profiles", "path", "--config", str(other)).stdout == f"{other}\n"
    assert cli(env, "--config", str(other), "profiles", "path").stdout == f"{other}\n"
    env["PULLOVER_TUI_CONFIG"] = str(tmp_path / "env.toml")
    assert cli(env, "profiles", "path").stdout == f"{tmp_path / 'env.toml'}\n"


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_option_before_or_after_the_subcommand(
    env: dict[str, str], config_file: Path, tmp_path: Path, where: str
) -> None:
    custom = tmp_path / "custom" / "mine.toml"
    args = ["profiles", "add", "home", "--app-token", TOKEN, "--user-key", USER]
    option = ["--config", str(custom)]
    proc = cli(env, *(option + args if where == "before" else args + option))
    assert proc.returncode == 0, proc.stderr
    assert custom.exists() and not config_file.exists()
    assert "home" in cli(env, "profiles", "list", "--config", str(custom)).stdout


def test_pullover_tui_config_variable(
    env: dict[str, str], config_file: Path, tmp_path: Path
) -> None:
    env["PULLOVER_TUI_CONFIG"] = str(tmp_path / "env.toml")
    add(env, "home")
    assert (tmp_path / "env.toml").exists() and not config_file.exists()


# --- two writers at once ---------------------------------------------------------------------


def test_concurrent_writers_both_keep_their_changes(env: dict[str, str], config_file: Path) -> None:
    script = (
        "import sys\n"
        "from pullover_tui.cli.main import main\n"
        "for n in range(10):\n"
        f"    code = main(['profiles', 'add', sys.argv[1] + str(n), '--app-token', '{TOKEN}',"
        f" '--user-key', '{USER}'])\n"
        "    assert code == 0, code\n"
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", script, prefix], env=env, cwd=ROOT, stdout=subprocess.DEVNULL
        )
        for prefix in ("left", "right")
    ]
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    rows = json.loads(cli(env, "profiles", "list", "--json").stdout)
    names = sorted(row["name"] for row in rows)
    assert names == sorted([f"left{n}" for n in range(10)] + [f"right{n}" for n in range(10)])
    assert [p.name for p in config_file.parent.iterdir() if p.name.endswith(".tmp")] == []


# --- validate against the sandbox ------------------------------------------------------------


@pytest.fixture
def sandbox_url() -> object:
    from pullover_tui.sandbox import SandboxConfig, running_sandbox

    with running_sandbox(SandboxConfig(user_keys=(USER,), devices=("phone", "tablet"))) as sb:
        yield sb.url


def test_validate_prints_the_devices(env: dict[str, str], sandbox_url: str) -> None:
    add(env, "home", "--api-url", sandbox_url)
    proc = cli(env, "profiles", "validate", "home")
    assert (proc.returncode, proc.stdout) == (0, "phone\ntablet\n"), proc.stderr
    answer = json.loads(cli(env, "profiles", "validate", "home", "--json").stdout)
    assert answer["valid"] is True and answer["users"][0]["devices"] == ["phone", "tablet"]
    assert answer["users"][0]["user"] == "uQiR…RsG"


def test_validate_an_unknown_user_exits_1(env: dict[str, str], sandbox_url: str) -> None:
    cli(env, "profiles", "add", "x", "--app-token", TOKEN, "--user-key", OTHER,
        "--api-url", sandbox_url)  # fmt: skip
    proc = cli(env, "profiles", "validate", "x")
    assert "profile 'x' is not valid: " in one_error_line(proc, code=1)
    assert OTHER not in proc.stderr


def test_validate_uses_pushover_api_url_first(env: dict[str, str], sandbox_url: str) -> None:
    add(env, "home", "--api-url", "http://127.0.0.1:9")
    env["PUSHOVER_API_URL"] = sandbox_url
    assert cli(env, "profiles", "validate", "home").stdout == "phone\ntablet\n"


def test_validate_with_an_unresolvable_reference(env: dict[str, str]) -> None:
    proc = cli(env, "profiles", "add", "ops", "--app-token-env", "NOPE_TOKEN", "--user-key", USER)
    assert proc.returncode == 0
    line = one_error_line(cli(env, "profiles", "validate", "ops"))
    assert "profiles.ops.app_token: environment variable NOPE_TOKEN is not set" in line
