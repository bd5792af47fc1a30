"""Profiles and the config file: model, strict schema, round trips, errors, secrets, locking."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pullover_tui.core.config_file import HEADER, locate_key
from pullover_tui.core.errors import ConfigError, ConfigProblem, ValidationError
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import (
    CommandSecret,
    Config,
    EnvSecret,
    Profile,
    ProfileExistsError,
    UnknownProfileError,
    check_permissions,
    describe_secret,
    load_config,
    resolve_secret,
    save_config,
    update_config,
    validate_profile_name,
)

TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
OTHER = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"

DESIGN_EXAMPLE = f"""\
default_profile = "personal"

[profiles.personal]
app_token = "{TOKEN}"
user_key = "{USER}"
device = "iphone"          # optional defaults for messages sent with it
sound = "magic"
priority = "high"

[profiles.ops]
app_token = {{ env = "OPS_PUSHOVER_TOKEN" }}          # secret kept out of the file
user_key = {{ command = ["pass", "show", "pushover/ops-group"] }}
api_url = "http://127.0.0.1:8765"                   # e.g. the sandbox
"""


def profile(name: str = "home", **values: object) -> Profile:
    return Profile(name, values.pop("app_token", TOKEN), values.pop("user_key", USER), **values)  # type: ignore[arg-type]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


def one_profile(body: str) -> str:
    return f'[profiles.ops]\napp_token = "{TOKEN}"\nuser_key = "{USER}"\n{body}\n'


# --- loading -------------------------------------------------------------------------------


def test_a_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope" / "config.toml")
    assert config == Config()
    assert dict(config.profiles) == {} and config.default_profile is None and config.history


def test_the_design_example_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "config.toml", DESIGN_EXAMPLE))
    assert list(config.profiles) == ["personal", "ops"]
    assert config.default_profile == "personal"
    personal, ops = config.profiles["personal"], config.profiles["ops"]
    assert (personal.app_token, personal.user_key) == (TOKEN, USER)
    assert (personal.device, personal.sound) == ("iphone", "magic")
    assert personal.priority is Priority.HIGH
    assert ops.app_token == EnvSecret("OPS_PUSHOVER_TOKEN")
    assert ops.user_key == CommandSecret(("pass", "show", "pushover/ops-group"))
    assert ops.api_url == "http://127.0.0.1:8765"
    assert config.default is personal


def test_every_optional_key_loads(tmp_path: Path) -> None:
    text = one_profile(
        'title = "Ops"\npriority = -1\nsound = "siren"\ndevice = ["a", "b_2"]\n'
        'url = "https://x.test"\nurl_title = "X"\nttl = 60\nmonospace = true\n'
        'api_url = "https://relay.test/"'
    )
    ops = load_config(write(tmp_path / "c.toml", "history = false\n" + text)).profiles["ops"]
    assert ops.title == "Ops" and ops.priority is Priority.LOW and ops.sound == "siren"
    assert ops.device == "a,b_2" and ops.url == "https://x.test" and ops.url_title == "X"
    assert ops.ttl == 60 and ops.monospace and not ops.html
    assert ops.api_url == "https://relay.test"


def test_history_switch(tmp_path: Path) -> None:
    assert load_config(write(tmp_path / "c.toml", "history = false\n")).history is False
    assert load_config(write(tmp_path / "c.toml", "history = true\n")).history is True


# --- errors, one kind at a time --------------------------------------------------------------


def test_parse_error_names_file_line_and_column(tmp_path: Path) -> None:
    error = load_error(tmp_path, "[profiles.ops]\napp_token = \n")
    assert (error.line, error.column, error.key) == (2, 13, None)
    assert error.path == str(tmp_path / "config.toml")
    assert str(error) == f"{tmp_path / 'config.toml'}:2:13: not valid TOML: Invalid value"


def test_parse_error_at_the_end_of_the_document_has_a_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'title = "x"\n[profiles.ops')
    assert error.line == 2
    assert "not valid TOML" in str(error)


def test_unterminated_string(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'a = 1\n[profiles.ops]\napp_token = "abc')
    assert error.line == 3 and "Unterminated string" in str(error)


def test_duplicate_table(tmp_path: Path) -> None:
    error = load_error(tmp_path, "[profiles.a]\n[profiles.a]\n")
    assert error.line == 2 and "twice" in error.rule


def test_unknown_top_level_key(tmp_path: Path) -> None:
    error = load_error(tmp_path, "colour = 1\n")
    assert error.key == "colour" and (error.line, error.column) == (1, 10)
    assert "is not a known setting (known: default_profile, history, profiles)" in str(error)


def test_unknown_profile_key(tmp_path: Path) -> None:
    error = load_error(tmp_path, one_profile("colour = 1"))
    assert error.key == "profiles.ops.colour" and error.line == 4
    assert str(error).startswith(f"{tmp_path / 'config.toml'}:4:10: profiles.ops.colour: ")


def test_bad_priority_message_matches_the_documented_form(tmp_path: Path) -> None:
    error = load_error(tmp_path, one_profile('priority = "urgent"'))
    assert str(error) == (
        f"{tmp_path / 'config.toml'}:4:12: profiles.ops.priority: "
        "must be -2..2 or one of lowest, low, normal, high, emergency"
    )


@pytest.mark.parametrize(
    ("line", "key", "rule"),
    [
        ('ttl = "60"', "ttl", "must be a whole number of seconds"),
        ("ttl = 0", "ttl", "must be more than 0 seconds"),
        ("ttl = true", "ttl", "must be a whole number of seconds"),
        ('html = "yes"', "html", "must be true or false"),
        ("title = 3", "title", "must be text"),
        ('title = "  "', "title", "must not be blank"),
        (f'title = "{"t" * 251}"', "title", "must be at most 250 characters (is 251)"),
        (f'url_title = "{"t" * 101}"', "url_title", "must be at most 100 characters"),
        ("priority = 3", "priority", "must be -2..2"),
        ("priority = true", "priority", "must be -2..2"),
        ('device = "bad device"', "device", "must be 1 to 25 letters, digits"),
        ("device = 3", "device", "must be a device name"),
        ('api_url = "http://example.com"', "api_url", "must use https://"),
        ('api_url = "ftp://example.com"', "api_url", "must be an http(s):// URL"),
        ("html = true\nmonospace = true", "monospace", "cannot be combined with html"),
        ("profiles = 1", "profiles", "must be a table"),
    ],
)
def test_wrong_types_and_bad_values(tmp_path: Path, line: str, key: str, rule: str) -> None:
    if key == "profiles":
        error = load_error(tmp_path, line)
    else:
        error = load_error(tmp_path, one_profile(line))
        key = f"profiles.ops.{key}"
    assert error.key == key
    assert rule in error.rule
    assert error.line is not None
    assert f": {key}: " in str(error)


def test_token_of_the_wrong_shape_is_refused_without_repeating_it(tmp_path: Path) -> None:
    secret = "S3cretButTooShort"
    error = load_error(tmp_path, f'[profiles.ops]\napp_token = "{secret}"\nuser_key = "{USER}"\n')
    assert error.key == "profiles.ops.app_token" and (error.line, error.column) == (2, 13)
    assert "must be exactly 30 letters and digits (got 17)" in str(error)
    assert secret not in str(error)


def test_comma_joined_user_keys_are_checked_one_by_one(tmp_path: Path) -> None:
    text = f'[profiles.ops]\napp_token = "{TOKEN}"\nuser_key = "{USER},abc"\n'
    error = load_error(tmp_path, text)
    assert error.key == "profiles.ops.user_key" and "key 2 must be" in error.rule


def test_required_secrets(tmp_path: Path) -> None:
    error = load_error(tmp_path, "[profiles.ops]\n")
    assert [p.key for p in error.problems] == ["profiles.ops.app_token", "profiles.ops.user_key"]
    assert all(p.rule == "is required" and p.line == 1 for p in error.problems)


@pytest.mark.parametrize(
    ("value", "key", "rule"),
    [
        ('{ env = "1X" }', "app_token.env", "must be an environment variable name"),
        ("{ env = 3 }", "app_token.env", "must be an environment variable name"),
        ("{ command = [] }", "app_token.command", "must be a list of strings"),
        ('{ command = "pass show x" }', "app_token.command", "must be a list of strings"),
        ("{ command = [1] }", "app_token.command", "must be a list of strings"),
        ('{ file = "x" }', "app_token.file", "is not a known key (use env or command)"),
        ('{ env = "A", command = ["b"] }', "app_token", "exactly one of env or command"),
        ("{}", "app_token", "exactly one of env or command"),
        ("3", "app_token", "must be text, { env"),
    ],
)
def test_bad_secret_references(tmp_path: Path, value: str, key: str, rule: str) -> None:
    error = load_error(tmp_path, f'[profiles.ops]\napp_token = {value}\nuser_key = "{USER}"\n')
    assert error.key == f"profiles.ops.{key}"
    assert rule in error.rule
    assert error.line == 2


def test_bad_profile_name(tmp_path: Path) -> None:
    error = load_error(tmp_path, f'[profiles."my phone"]\napp_token = "{TOKEN}"\n')
    assert error.key == "profiles.'my phone'" and error.line == 1
    assert "letters, digits, '-' or '_'" in error.rule


def test_profile_that_is_not_a_table(tmp_path: Path) -> None:
    error = load_error(tmp_path, "[profiles]\nops = 3\n")
    assert error.key == "profiles.ops" and error.rule.startswith("must be a table")


def test_default_profile_must_name_a_profile(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'default_profile = "nope"\n')
    assert error.key == "default_profile" and error.rule == "names no profile: 'nope'"
    assert load_error(tmp_path, "default_profile = 1\n").rule == "must be the name of a profile"


def test_history_must_be_a_boolean(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'history = "no"\n')
    assert (error.key, error.rule) == ("history", "must be true or false")


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = (
        'colour = "red"\n'
        "[profiles.ops]\n"
        'app_token = "short"\n'
        f'user_key = "{USER}"\n'
        'priority = "urgent"\n'
        "ttl = 0\n"
    )
    error = load_error(tmp_path, text)
    assert [(p.key, p.line) for p in error.problems] == [
        ("colour", 1),
        ("profiles.ops.app_token", 3),
        ("profiles.ops.priority", 5),
        ("profiles.ops.ttl", 6),
    ]
    assert len(str(error).splitlines()) == 4


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'title = "x"\n\xff\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.line == 2 and info.value.rule == "is not UTF-8 text"


def test_a_directory_is_not_a_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)


def test_config_problem_formatting() -> None:
    assert ConfigProblem("bad", "a.b", 3, 4).located("/c.toml") == "/c.toml:3:4: a.b: bad"
    assert ConfigProblem("bad", "a.b").located("/c.toml") == "/c.toml: a.b: bad"
    assert ConfigProblem("bad").located(None) == "bad"
    assert str(ConfigError("plain")) == "plain"
    assert str(ConfigError("x", key="k").at("/p")) == "/p: k: x"


def test_locate_key_finds_values_tables_and_quoted_keys() -> None:
    text = '# c\ntop = 1\n[profiles.ops]\n  "ttl" = 3\napp_token = { env = "X" }\n'
    assert locate_key(text, "top") == (2, 7)
    assert locate_key(text, "profiles.ops.ttl") == (4, 11)
    assert locate_key(text, "profiles.ops.app_token.env") == (5, 13)
    assert locate_key(text, "profiles.ops.missing") == (3, 1)
    assert locate_key(text, "elsewhere") is None


# --- saving and round trips ------------------------------------------------------------------


def test_save_then_load_gives_the_same_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "in.toml", DESIGN_EXAMPLE))
    out = tmp_path / "out.toml"
    save_config(out, config)
    again = load_config(out)
    assert again == config and list(again.profiles) == list(config.profiles)


def test_saved_file_starts_with_the_comment_and_uses_names_and_inline_refs(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "in.toml", DESIGN_EXAMPLE))
    save_config(tmp_path / "out.toml", config)
    text = (tmp_path / "out.toml").read_text()
    assert text.startswith(HEADER)
    assert HEADER == (
        "# Written by pullover-tui. "
        "Comments in this file are not kept when pullover-tui saves it.\n"
    )
    assert 'priority = "high"' in text
    assert 'app_token = { env = "OPS_PUSHOVER_TOKEN" }' in text
    assert 'user_key = { command = ["pass", "show", "pushover/ops-group"] }' in text


def test_numeric_priority_is_written_back_as_its_name(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", one_profile("priority = 2"))
    save_config(path, load_config(path))
    assert 'priority = "emergency"' in path.read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_saved_file_is_0600_in_new_0700_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "config.toml"
    save_config(path, Config().with_profile(profile()))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    assert stat.S_IMODE(tmp_path.stat().st_mode) != 0o700 or True  # existing dirs are left alone
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_saving_over_a_loose_file_tightens_it(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "")
    path.chmod(0o644)
    save_config(path, Config())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_a_symlinked_config_stays_a_symlink(tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles.toml", "")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    save_config(link, Config().with_profile(profile()))
    assert link.is_symlink()
    assert "[profiles.home]" in real.read_text()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_something_that_is_not_a_file_is_never_written_over(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    pipe = tmp_path / "dir" / "config.toml"
    os.mkfifo(pipe)
    with pytest.raises(ConfigError, match="is not a regular file; not writing over it"):
        update_config(pipe, lambda c: c.with_profile(profile()))
    with pytest.raises(ConfigError, match="is not a regular file"):
        save_config(pipe, Config())
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert [p.name for p in pipe.parent.iterdir()] == ["config.toml"]  # no lock, no temp
    assert check_permissions(pipe) is None


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_dev_null_reads_as_an_empty_config() -> None:
    assert load_config(Path("/dev/null")) == Config()


def test_a_directory_is_never_written_over(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        update_config(tmp_path, lambda c: c)
    assert tmp_path.is_dir()


def test_an_empty_config_saves_as_just_the_comment(tmp_path: Path) -> None:
    save_config(tmp_path / "c.toml", Config())
    assert (tmp_path / "c.toml").read_text() == HEADER


def test_history_off_is_saved(tmp_path: Path) -> None:
    save_config(tmp_path / "c.toml", Config(history=False))
    assert "history = false" in (tmp_path / "c.toml").read_text()
    assert load_config(tmp_path / "c.toml").history is False


printable = st.text(st.characters(codec="utf-8"), max_size=40)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
names = st.text(ALNUM + "_-", min_size=1, max_size=12)
keys = st.text(ALNUM, min_size=30, max_size=30)
secrets = st.one_of(
    keys,
    st.builds(EnvSecret, st.text(ALNUM[:52] + "_", min_size=1, max_size=20)),
    st.builds(
        CommandSecret,
        st.tuples(printable.filter(str.strip)).flatmap(
            lambda head: st.lists(printable, max_size=3).map(lambda tail: (*head, *tail))
        ),
    ),
)
user_keys = st.one_of(secrets, st.lists(keys, min_size=2, max_size=3).map(",".join))
texts = printable.filter(str.strip)
devices = st.lists(st.text(ALNUM + "_-", min_size=1, max_size=25), min_size=1, max_size=3)
styles = st.sampled_from([(False, False), (True, False), (False, True)])


@st.composite
def profiles(draw: st.DrawFn, name: str) -> Profile:
    html, monospace = draw(styles)
    return Profile(
        name,
        draw(secrets),
        draw(user_keys),
        title=draw(st.none() | texts),
        priority=draw(st.none() | st.sampled_from(Priority)),
        sound=draw(st.none() | texts),
        device=draw(st.none() | devices.map(",".join)),
        url=draw(st.none() | texts),
        url_title=draw(st.none() | texts),
        ttl=draw(st.none() | st.integers(1, 2**40)),
        html=html,
        monospace=monospace,
        api_url=draw(
            st.none() | st.sampled_from(["https://api.pushover.net", "http://127.0.0.1:8765"])
        ),
    )


@st.composite
def configs(draw: st.DrawFn) -> Config:
    chosen = draw(st.lists(names, max_size=4, unique=True))
    found = {name: draw(profiles(name)) for name in chosen}
    default = draw(st.none() | st.sampled_from(chosen)) if chosen else None
    return Config(found, default, draw(st.booleans()))


@settings(max_examples=60, deadline=None)
@given(configs())
def test_any_valid_config_survives_save_then_load_unchanged(config: Config) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        save_config(path, config)
        again = load_config(path)
    assert again == config
    assert list(again.profiles) == list(config.profiles)


# --- the model -------------------------------------------------------------------------------


def test_profile_repr_masks_secrets() -> None:
    text = repr(profile(priority=Priority.HIGH))
    assert TOKEN not in text and USER not in text
    assert "azGD…yUi" in text and "uQiR…RsG" in text and "priority" in text
    assert "OPS" in repr(profile(app_token=EnvSecret("OPS")))


def test_profile_is_checked_and_normalised_on_creation() -> None:
    p = profile(priority="high", device=["a", "b"], api_url="https://x.test/", user_key=f" {USER} ")
    assert p.priority is Priority.HIGH and p.device == "a,b" and p.api_url == "https://x.test"
    assert p.user_key == USER
    with pytest.raises(ValidationError) as info:
        profile("bad name", app_token="short", ttl=-1, html=True, monospace=True)
    assert info.value.fields == ("name", "app_token", "ttl", "monospace")


def test_message_defaults_hold_only_what_is_set() -> None:
    assert profile().message_defaults() == {}
    assert profile(priority=Priority.NORMAL).message_defaults() == {"priority": Priority.NORMAL}
    p = profile(title="T", priority=Priority.LOW, ttl=9, html=True, api_url="https://x.test")
    assert p.message_defaults() == {"title": "T", "priority": Priority.LOW, "ttl": 9, "html": True}


@pytest.mark.parametrize("name", ["home", "a", "ops-2", "my_phone", "X" * 64])
def test_good_profile_names(name: str) -> None:
    assert validate_profile_name(name) == name


@pytest.mark.parametrize("name", ["", "my phone", "a.b", "ä", "x" * 65, "a/b"])
def test_bad_profile_names(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_profile_name(name)
    assert info.value.field == "name"


def test_config_changes_return_new_configs() -> None:
    base = Config().with_profile(profile("a")).with_profile(profile("b"))
    assert list(base.profiles) == ["a", "b"] and base.default_profile is None
    replaced = base.with_profile(profile("a", title="new"))
    assert list(replaced.profiles) == ["a", "b"] and replaced.profiles["a"].title == "new"
    assert base.profiles["a"].title is None
    with_default = base.with_default("b")
    assert with_default.default_profile == "b"
    assert with_default.without_profile("b").default_profile is None
    assert with_default.without_profile("a").default_profile == "b"
    renamed = with_default.renamed("b", "c")
    assert list(renamed.profiles) == ["a", "c"] and renamed.default_profile == "c"
    assert renamed.profiles["c"].name == "c"
    assert base.with_default("a").with_default(None).default_profile is None


def test_config_changes_refuse_unknown_and_taken_names() -> None:
    base = Config().with_profile(profile("a")).with_profile(profile("b"))
    for change in (
        lambda: base.without_profile("x"),
        lambda: base.renamed("x", "y"),
        lambda: base.with_default("x"),
        lambda: base.profile("x"),
    ):
        with pytest.raises(UnknownProfileError, match=r"no profile named 'x' \(profiles: a, b\)"):
            change()
    with pytest.raises(ProfileExistsError, match="'b' already exists"):
        base.renamed("a", "b")
    with pytest.raises(ProfileExistsError):
        base.with_new_profile(profile("a"))
    with pytest.raises(ValidationError):
        base.renamed("a", "bad name")
    with pytest.raises(UnknownProfileError):
        Config(default_profile="nope")
    assert isinstance(UnknownProfileError("x"), ConfigError)


# --- update_config ---------------------------------------------------------------------------


def test_update_config_rereads_applies_and_writes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    new = update_config(path, lambda c: c.with_profile(profile("a")))
    assert list(new.profiles) == ["a"] and load_config(path) == new
    save_config(path, load_config(path).with_profile(profile("b")))  # another writer
    newer = update_config(path, lambda c: c.with_profile(profile("c")))
    assert list(newer.profiles) == ["a", "b", "c"]


def test_update_config_never_writes_over_a_broken_file(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "# mine\n[profiles.ops\n")
    before = path.read_bytes()
    with pytest.raises(ConfigError) as info:
        update_config(path, lambda c: c.with_profile(profile("a")))
    assert info.value.line == 2
    assert path.read_bytes() == before


def test_update_config_writes_nothing_when_the_change_fails(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    update_config(path, lambda c: c.with_profile(profile("a")))
    before = path.read_bytes()
    with pytest.raises(ProfileExistsError):
        update_config(path, lambda c: c.with_new_profile(profile("a")))
    assert path.read_bytes() == before


def test_concurrent_updates_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"

    def add_many(prefix: str) -> None:
        for n in range(10):
            new = profile(f"{prefix}{n}")
            update_config(path, lambda c, new=new: c.with_profile(new))  # type: ignore[misc]

    threads = [threading.Thread(target=add_many, args=(p,)) for p in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(load_config(path).profiles) == 40


# --- permissions -----------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_check_permissions(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "")
    path.chmod(0o600)
    assert check_permissions(path) is None
    path.chmod(0o640)
    warning = check_permissions(path)
    assert warning is not None
    assert "0640" in warning and str(path) in warning and "chmod 600" in warning
    assert check_permissions(tmp_path / "missing.toml") is None


# --- secret references -----------------------------------------------------------------------


def python_prints(code: str) -> CommandSecret:
    return CommandSecret((sys.executable, "-c", code))


def test_describe_secret() -> None:
    assert describe_secret(TOKEN) == "azGD…yUi"
    assert describe_secret(f"{USER},{OTHER}") == "uQiR…RsG,gzne…kzF"
    assert describe_secret(EnvSecret("OPS_TOKEN")) == "env:OPS_TOKEN"
    assert describe_secret(CommandSecret(("pass", "show", "x"))) == "command:pass show …"
    assert describe_secret(CommandSecret(("op",))) == "command:op"


def test_inline_secrets_resolve_to_themselves() -> None:
    assert resolve_secret(TOKEN, profile="p", field="app_token") == TOKEN


def test_env_secret() -> None:
    env = {"OPS_TOKEN": f" {TOKEN}\n"}
    found = resolve_secret(EnvSecret("OPS_TOKEN"), profile="ops", field="app_token", env=env)
    assert found == TOKEN


def test_env_secret_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PT_TEST_USER", USER)
    assert resolve_secret(EnvSecret("PT_TEST_USER"), profile="p", field="user_key") == USER


def test_missing_env_variable_names_profile_and_field() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_secret(EnvSecret("OPS_TOKEN"), profile="ops", field="app_token", env={})
    assert info.value.key == "profiles.ops.app_token"
    assert str(info.value) == "profiles.ops.app_token: environment variable OPS_TOKEN is not set"


def test_env_value_of_the_wrong_shape_is_refused_without_showing_it() -> None:
    env = {"OPS_TOKEN": "NotAToken123"}
    with pytest.raises(ConfigError) as info:
        resolve_secret(EnvSecret("OPS_TOKEN"), profile="ops", field="app_token", env=env)
    assert "$OPS_TOKEN: must be exactly 30 letters and digits (got 12)" in str(info.value)
    assert "NotAToken123" not in str(info.value)


def test_command_secret_takes_the_first_line_stripped() -> None:
    secret = python_prints(f"print('  {TOKEN}  '); print('more')")
    assert resolve_secret(secret, profile="ops", field="app_token", env=os.environ) == TOKEN


def test_command_runs_without_a_shell() -> None:
    secret = CommandSecret((sys.executable, "-c", "import sys; print(sys.argv[1])", "$HOME;x"))
    assert resolve_secret(secret, profile="p", field="label") == "$HOME;x"


def test_failing_command_is_named_but_its_output_is_not_shown() -> None:
    secret = python_prints(
        "import sys; print('Stdout" + "X" * 30 + "'); "
        "sys.stderr.write('gpg: decryption failed: No secret key ' + 'Y' * 200 + '\\n'); "
        "sys.exit(3)"
    )
    with pytest.raises(ConfigError) as info:
        resolve_secret(secret, profile="ops", field="user_key")
    text = str(info.value)
    assert text.startswith("profiles.ops.user_key: command ")
    assert "failed with exit status 3: gpg: decryption failed: No secret key" in text
    assert "Stdout" not in text and "Y" * 100 not in text


def test_command_that_does_not_exist() -> None:
    secret = CommandSecret(("/nonexistent/pullover-secret-tool", "x"))
    with pytest.raises(ConfigError, match="command '/nonexistent/pullover-secret-tool' not found"):
        resolve_secret(secret, profile="ops", field="app_token")


def test_command_that_hangs_times_out() -> None:
    secret = python_prints("import time; time.sleep(30)")
    with pytest.raises(ConfigError, match=r"did not finish within 0.5 s") as info:
        resolve_secret(secret, profile="ops", field="app_token", timeout=0.5)
    assert info.value.key == "profiles.ops.app_token"


def test_command_that_prints_nothing() -> None:
    with pytest.raises(ConfigError, match="printed nothing"):
        resolve_secret(python_prints("pass"), profile="ops", field="app_token")


def test_command_output_of_the_wrong_shape_is_refused_without_showing_it() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_secret(python_prints("print('hunter2')"), profile="ops", field="app_token")
    assert "must be exactly 30 letters and digits (got 7)" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_command_secret_repr_is_the_description() -> None:
    assert repr(CommandSecret(("pass", "show", "x"))) == "CommandSecret('command:pass show …')"


@pytest.mark.parametrize("argv", [(), ("",), ("  ",)])
def test_command_secret_needs_a_program(argv: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError):
        CommandSecret(argv)
