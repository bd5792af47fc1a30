"""Credential precedence, case by case: flags, then -P, then environment, then default profile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pullover_tui.core.credentials import SendSettings, resolve_send_settings
from pullover_tui.core.errors import ConfigError, ValidationError
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import UnknownProfileError

FLAG_TOKEN = "aFLAGaaaaaaaaaaaaaaaaaaaaaaaaa"
FLAG_USER = "uFLAGuuuuuuuuuuuuuuuuuuuuuuuuu"
ENV_TOKEN = "aENVaaaaaaaaaaaaaaaaaaaaaaaaaa"
ENV_USER = "uENVuuuuuuuuuuuuuuuuuuuuuuuuuu"
OPS_TOKEN = "aOPSaaaaaaaaaaaaaaaaaaaaaaaaaa"
OPS_USER = "uOPSuuuuuuuuuuuuuuuuuuuuuuuuuu"
HOME_TOKEN = "aHOMEaaaaaaaaaaaaaaaaaaaaaaaaa"
HOME_USER = "uHOMEuuuuuuuuuuuuuuuuuuuuuuuuu"
REF_TOKEN = "aREFaaaaaaaaaaaaaaaaaaaaaaaaaa"

CONFIG = f"""\
default_profile = "home"

[profiles.home]
app_token = "{HOME_TOKEN}"
user_key = "{HOME_USER}"
sound = "magic"
priority = "high"

[profiles.ops]
app_token = "{OPS_TOKEN}"
user_key = "{OPS_USER}"
device = "pager"
api_url = "http://127.0.0.1:8765"

[profiles.refs]
app_token = {{ env = "REF_TOKEN" }}
user_key = {{ command = [{sys.executable!r}, "-c", "print('{OPS_USER}')"] }}

[profiles.broken]
app_token = {{ command = [{sys.executable!r}, "-c", "raise SystemExit(4)"] }}
user_key = {{ env = "UNSET_VARIABLE_FOR_PULLOVER_TESTS" }}
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PUSHOVER_APP_TOKEN", "PUSHOVER_USER_KEY", "PUSHOVER_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PULLOVER_TUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def resolve(
    config: Path | str | None,
    *,
    app: str | None = None,
    user: str | None = None,
    profile: str | None = None,
    **env: str,
) -> SendSettings:
    return resolve_send_settings(
        app=app, user=user, profile=profile, config_path=config and str(config), env=env
    )


def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.toml"
    path.write_text("[profiles.x\n", encoding="utf-8")
    return path


def creds(settings: SendSettings) -> tuple[str, str]:
    return settings.token, settings.user


# --- level 1: flags --------------------------------------------------------------------------


def test_flags_alone_never_read_the_config(tmp_path: Path, config: Path) -> None:
    settings = resolve(broken(tmp_path), app=FLAG_TOKEN, user=FLAG_USER)
    assert creds(settings) == (FLAG_TOKEN, FLAG_USER)
    assert (settings.profile, dict(settings.defaults), settings.api_url) == (None, {}, None)
    assert settings.config_file is None


def test_flags_beat_the_environment(config: Path) -> None:
    settings = resolve(
        config, app=FLAG_TOKEN, user=FLAG_USER, PUSHOVER_APP_TOKEN=ENV_TOKEN,
        PUSHOVER_USER_KEY=ENV_USER,
    )  # fmt: skip
    assert creds(settings) == (FLAG_TOKEN, FLAG_USER)


def test_flags_beat_the_profile_but_the_profile_still_gives_defaults(config: Path) -> None:
    settings = resolve(config, app=FLAG_TOKEN, user=FLAG_USER, profile="ops")
    assert creds(settings) == (FLAG_TOKEN, FLAG_USER)
    assert settings.profile == "ops"
    assert dict(settings.defaults) == {"device": "pager"}
    assert settings.api_url == "http://127.0.0.1:8765"


def test_flags_mean_a_failing_reference_of_the_profile_is_never_run(config: Path) -> None:
    settings = resolve(config, app=FLAG_TOKEN, user=FLAG_USER, profile="broken")
    assert creds(settings) == (FLAG_TOKEN, FLAG_USER)
    assert settings.profile == "broken"


# --- level 2: -P -----------------------------------------------------------------------------


def test_profile_gives_both(config: Path) -> None:
    settings = resolve(config, profile="ops")
    assert creds(settings) == (OPS_TOKEN, OPS_USER)
    assert settings.config_file == config


def test_profile_beats_the_environment_and_the_default(config: Path) -> None:
    settings = resolve(
        config, profile="ops", PUSHOVER_APP_TOKEN=ENV_TOKEN, PUSHOVER_USER_KEY=ENV_USER
    )
    assert creds(settings) == (OPS_TOKEN, OPS_USER)
    assert settings.profile == "ops"


def test_flag_user_with_profile_token(config: Path) -> None:
    settings = resolve(config, user=FLAG_USER, profile="ops", PUSHOVER_APP_TOKEN=ENV_TOKEN)
    assert creds(settings) == (OPS_TOKEN, FLAG_USER)


def test_flag_token_with_profile_user(config: Path) -> None:
    settings = resolve(config, app=FLAG_TOKEN, profile="ops", PUSHOVER_USER_KEY=ENV_USER)
    assert creds(settings) == (FLAG_TOKEN, OPS_USER)


def test_unknown_profile_names_it_and_the_file(config: Path) -> None:
    with pytest.raises(UnknownProfileError) as info:
        resolve(config, profile="nope", PUSHOVER_APP_TOKEN=ENV_TOKEN, PUSHOVER_USER_KEY=ENV_USER)
    assert info.value.name == "nope"
    assert str(info.value).startswith(f"{config}: no profile named 'nope' (profiles: home, ops")


def test_profile_with_no_config_file(tmp_path: Path, config: Path) -> None:
    with pytest.raises(UnknownProfileError, match="there are no profiles yet"):
        resolve(tmp_path / "missing.toml", profile="ops")


def test_profile_with_a_broken_config(tmp_path: Path, config: Path) -> None:
    with pytest.raises(ConfigError) as info:
        resolve(broken(tmp_path), profile="ops")
    assert info.value.line == 1 and info.value.path == str(tmp_path / "broken.toml")


# --- level 3: environment --------------------------------------------------------------------


def test_environment_alone_never_reads_the_config(tmp_path: Path, config: Path) -> None:
    settings = resolve(broken(tmp_path), PUSHOVER_APP_TOKEN=ENV_TOKEN, PUSHOVER_USER_KEY=ENV_USER)
    assert creds(settings) == (ENV_TOKEN, ENV_USER)
    assert settings.profile is None and settings.config_file is None


def test_environment_beats_the_default_profile(config: Path) -> None:
    settings = resolve(config, PUSHOVER_APP_TOKEN=ENV_TOKEN, PUSHOVER_USER_KEY=ENV_USER)
    assert creds(settings) == (ENV_TOKEN, ENV_USER)
    assert settings.profile is None and dict(settings.defaults) == {}


def test_flag_token_with_environment_user(tmp_path: Path, config: Path) -> None:
    settings = resolve(broken(tmp_path), app=FLAG_TOKEN, PUSHOVER_USER_KEY=ENV_USER)
    assert creds(settings) == (FLAG_TOKEN, ENV_USER)


def test_environment_read_from_os_environ_by_default(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUSHOVER_APP_TOKEN", ENV_TOKEN)
    monkeypatch.setenv("PUSHOVER_USER_KEY", ENV_USER)
    settings = resolve_send_settings(config_path=str(broken(tmp_path)))
    assert creds(settings) == (ENV_TOKEN, ENV_USER)


# --- level 4: the default profile ------------------------------------------------------------


def test_default_profile_when_nothing_else_gives_credentials(config: Path) -> None:
    settings = resolve(config)
    assert creds(settings) == (HOME_TOKEN, HOME_USER)
    assert settings.profile == "home"
    assert dict(settings.defaults) == {"sound": "magic", "priority": Priority.HIGH}
    assert settings.api_url is None


def test_default_profile_fills_in_the_missing_user(config: Path) -> None:
    settings = resolve(config, app=FLAG_TOKEN)
    assert creds(settings) == (FLAG_TOKEN, HOME_USER)
    assert settings.profile == "home" and "sound" in settings.defaults


def test_default_profile_fills_in_the_missing_token(config: Path) -> None:
    settings = resolve(config, PUSHOVER_USER_KEY=ENV_USER)
    assert creds(settings) == (HOME_TOKEN, ENV_USER)


def test_config_found_through_pullover_tui_config(config: Path) -> None:
    settings = resolve(None, PULLOVER_TUI_CONFIG=str(config))
    assert settings.profile == "home" and settings.config_file == config


def test_config_found_in_the_platform_dir(tmp_path: Path, config: Path) -> None:
    if sys.platform != "linux":
        pytest.skip("XDG layout")
    target = tmp_path / "xdg" / "pullover-tui" / "config.toml"
    target.parent.mkdir(parents=True)
    target.write_text(CONFIG, encoding="utf-8")
    assert resolve(None).profile == "home"


# --- nothing at all --------------------------------------------------------------------------


def test_nothing_anywhere(tmp_path: Path, config: Path) -> None:
    with pytest.raises(ValidationError) as info:
        resolve(tmp_path / "missing.toml")
    assert info.value.field == "app token"
    assert "PUSHOVER_APP_TOKEN" in info.value.rule and "-P/--profile" in info.value.rule


def test_no_default_profile_and_no_user(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "no-default.toml"
    path.write_text(CONFIG.replace('default_profile = "home"', ""), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        resolve(path, app=FLAG_TOKEN)
    assert info.value.field == "user key"


def test_empty_values_count_as_not_given(tmp_path: Path, config: Path) -> None:
    settings = resolve(config, app="", PUSHOVER_APP_TOKEN="", PUSHOVER_USER_KEY=ENV_USER)
    assert creds(settings) == (HOME_TOKEN, ENV_USER)


# --- the API root ----------------------------------------------------------------------------


def test_api_url_env_beats_the_profile(config: Path) -> None:
    settings = resolve(config, profile="ops", PUSHOVER_API_URL="https://relay.example/")
    assert settings.api_url == "https://relay.example"


def test_bad_api_url_env_is_refused(config: Path) -> None:
    with pytest.raises(ValidationError) as info:
        resolve(config, profile="ops", PUSHOVER_API_URL="http://relay.example")
    assert info.value.field == "PUSHOVER_API_URL"


def test_api_url_env_without_a_profile(tmp_path: Path, config: Path) -> None:
    settings = resolve(
        broken(tmp_path), app=FLAG_TOKEN, user=FLAG_USER, PUSHOVER_API_URL="http://localhost:9"
    )
    assert settings.api_url == "http://localhost:9"


# --- secret references -----------------------------------------------------------------------


def test_references_are_resolved_at_send_time(config: Path) -> None:
    settings = resolve(config, profile="refs", REF_TOKEN=REF_TOKEN)
    assert creds(settings) == (REF_TOKEN, OPS_USER)


def test_failing_reference_names_the_file_profile_and_field(config: Path) -> None:
    with pytest.raises(ConfigError) as info:
        resolve(config, profile="broken")
    assert info.value.key == "profiles.broken.app_token"
    assert str(info.value).startswith(f"{config}: profiles.broken.app_token: command ")
    assert "failed with exit status 4" in str(info.value)


def test_only_the_references_in_use_are_resolved(config: Path) -> None:
    settings = resolve(config, app=FLAG_TOKEN, profile="refs")
    assert creds(settings) == (FLAG_TOKEN, OPS_USER)  # REF_TOKEN is unset: not read
    with pytest.raises(ConfigError, match="UNSET_VARIABLE_FOR_PULLOVER_TESTS is not set"):
        resolve(config, app=FLAG_TOKEN, profile="broken")


def test_send_settings_repr_hides_secrets(config: Path) -> None:
    text = repr(resolve(config, profile="ops"))
    assert OPS_TOKEN not in text and OPS_USER not in text


def test_a_quick_send_with_flags_imports_neither_profiles_nor_platformdirs() -> None:
    code = (
        "import sys\n"
        "from pullover_tui.core.credentials import resolve_send_settings\n"
        f"resolve_send_settings(app='{FLAG_TOKEN}', user='{FLAG_USER}', env={{}})\n"
        "print(sorted(m for m in ('platformdirs', 'tomllib', 'pullover_tui.core.profiles')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
