"""The profile changes the app makes, each one locked, atomic ``update_config`` call.

No Textual here: screens run these in a thread worker, since the file lock
may have to wait for another pullover-tui process.
"""

from __future__ import annotations

from pathlib import Path

from pullover_tui.core.profiles import Config, Profile, update_config


def save_profile(
    path: Path, profile: Profile, *, old_name: str | None = None, make_default: bool = False
) -> Config:
    """Add ``profile`` (``old_name`` None) or replace/rename ``old_name`` with it.

    The first profile becomes the default, so a new user can send right away.
    Raises ``ProfileExistsError`` for a taken name and ``ConfigError`` for a broken file.
    """

    def change(config: Config) -> Config:
        if old_name is None:
            config = config.with_new_profile(profile)
        else:
            if old_name != profile.name:
                config = config.renamed(old_name, profile.name)
            config = config.with_profile(profile)
        if make_default or config.default_profile is None:
            config = config.with_default(profile.name)
        return config

    return update_config(path, change)


def delete_profile(path: Path, name: str) -> Config:
    return update_config(path, lambda config: config.without_profile(name))


def set_default_profile(path: Path, name: str) -> Config:
    return update_config(path, lambda config: config.with_default(name))
