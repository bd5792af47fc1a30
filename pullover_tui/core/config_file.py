"""The config file on disk: read and parse, render, lock, write atomically, check permissions.

This module knows TOML and files, not profiles: it moves plain dicts. A file
that does not parse raises ``ConfigError`` with its line and column, and is
never written over.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from pullover_tui.core.errors import ConfigError

HEADER = (
    "# Written by pullover-tui. Comments in this file are not kept when pullover-tui saves it.\n"
)
FILE_MODE = 0o600
DIR_MODE = 0o700
_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_END = re.compile(r"\s*\(at end of document\)\s*$")


def check_regular_file(path: Path) -> bool:
    """Whether ``path`` exists; ``ConfigError`` when it is something other than a file.

    Checked before writing: ``--config /dev/null`` may be read (as an empty
    config) but must never be swapped for a regular file.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=path) from None
    if stat.S_ISDIR(mode):
        raise ConfigError("is a directory, not a config file", path=path)
    if not stat.S_ISREG(mode):
        raise ConfigError("is not a regular file; not writing over it", path=path)
    return True


def read_text(path: Path) -> str | None:
    """The file's text, or None when there is no file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a config file", path=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError("is not UTF-8 text", path=path, line=line) from None


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """The TOML document as a dict; ``ConfigError`` with line and column when it is not TOML."""
    import tomllib

    try:
        return tomllib.loads(text)
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError("not valid TOML: nested too deeply", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line: int | None = None
        column: int | None = None
        if found := _POSITION.search(message):
            line, column = int(found[1]), int(found[2])
            message = message[: found.start()]
        elif found := _END.search(message):
            line = text.count("\n") + 1
            message = message[: found.start()]
        rule = f"not valid TOML: {message}"
        raise ConfigError(rule, path=path, line=line, column=column) from None


def render_toml(data: Mapping[str, Any]) -> str:
    """TOML text for a config dict: top-level values, then one ``[table.name]`` per entry.

    Tables nested deeper (secret references) are written inline, as people
    write them by hand. The result is checked to read back as ``data``.
    """
    import tomllib

    lines = [HEADER.rstrip("\n")]
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    lines += [f"{_key(k)} = {_value(v)}" for k, v in data.items() if k not in tables]
    for name, table in tables.items():
        for entry, values in table.items():
            lines += ["", f"[{_key(name)}.{_key(entry)}]"]
            lines += [f"{_key(k)} = {_value(v)}" for k, v in values.items()]
    text = "\n".join(lines) + "\n"
    if tomllib.loads(text) != data:  # a guard: never write what would not read back
        raise ConfigError("internal error: the config would not read back as written")
    return text


def _key(key: str) -> str:
    import tomli_w

    return tomli_w.dumps({key: 0})[: -len(" = 0\n")]


def _value(value: object) -> str:
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    import tomli_w

    return tomli_w.dumps({"v": value})[len("v = ") :].rstrip("\n")


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so readers see the old file or the new, never half.

    Temp file in the same directory, flushed and fsynced, mode 0600, then
    ``os.replace``. Missing directories are created 0700. A symlinked config
    file stays a symlink: its target is replaced.
    """
    import tempfile

    check_regular_file(path)
    target = Path(os.path.realpath(path))
    make_private_dirs(target.parent)
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise ConfigError(f"cannot write: {exc.strerror}", path=path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
            if hasattr(os, "fchmod"):
                os.fchmod(file.fileno(), FILE_MODE)
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise ConfigError(f"cannot write: {exc.strerror}", path=path) from None
        raise
    _fsync_dir(target.parent)


STALE_TEMP_AGE = 60.0  # seconds: a write takes milliseconds; an older temp file's writer died


def remove_stale_temp_files(path: Path, now: float | None = None) -> None:
    """Delete the temp files of writers killed mid-write (call it holding the lock).

    Each is a whole copy of the config, secrets included, that nobody will rename:
    left alone, killed writers would pile them up, and keep secrets a user has rotated.
    """
    import glob
    import time

    target = Path(os.path.realpath(path))
    cutoff = (time.time() if now is None else now) - STALE_TEMP_AGE
    for temp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        with suppress(OSError):
            if temp.stat().st_mtime < cutoff:
                temp.unlink()


def make_private_dirs(directory: Path) -> None:
    """Create ``directory`` and any missing parents with mode 0700; existing ones are left alone."""
    missing: list[Path] = []
    for candidate in (directory, *directory.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # another process made it meanwhile
        except OSError as exc:
            raise ConfigError(f"cannot create the directory: {exc.strerror}", path=folder) from None
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered through the umask


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX only; a no-op elsewhere)."""
    if sys.platform == "win32":
        return
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def lock_path(path: Path) -> Path:
    target = Path(os.path.realpath(path))
    return target.with_name(target.name + ".lock")


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path``'s sibling lock file (blocks until it is free)."""
    check_regular_file(path)
    lock = lock_path(path)
    make_private_dirs(lock.parent)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        raise ConfigError(f"cannot open the lock file: {exc.strerror}", path=lock) from None
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        else:
            import fcntl

            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:
                raise ConfigError(f"cannot lock: {exc.strerror}", path=lock) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def check_permissions(path: Path) -> str | None:
    """A warning when the config file is readable by group or others (as ssh warns), else None."""
    if sys.platform == "win32":
        return None
    try:
        status = path.stat()
    except OSError:
        return None
    mode = stat.S_IMODE(status.st_mode)
    if not stat.S_ISREG(status.st_mode) or not mode & 0o077:
        return None
    return (
        f"permissions {mode:04o} for '{path}' are too open: it may hold secrets; "
        f"run: chmod 600 '{path}'"
    )


def locate_key(text: str, key: str) -> tuple[int, int] | None:
    """Best effort: the line and column of ``key``'s value (or of its table) in ``text``.

    Understands ``[a.b]`` headers and ``k = v`` / ``"k" = v`` lines, which is how
    people and pullover-tui write this file; anything fancier gives None.
    """
    wanted = _split_key(key)
    best: tuple[int, tuple[int, int]] | None = None
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if header := _HEADER_LINE.match(line):
            table = _split_key(header[1])
            if table == wanted[: len(table)] and table:
                best = _better(best, len(table), (number, line.index("[") + 1))
        elif pair := _PAIR_LINE.match(line):
            full = table + _split_key(pair[1])
            if full == wanted[: len(full)]:
                best = _better(best, len(full), (number, pair.start(2) + 1))
    return None if best is None else best[1]


_HEADER_LINE = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_PAIR_LINE = re.compile(rf"\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=\s*(\S)")


def _split_key(dotted: str) -> list[str]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", dotted)
    return [next(p for p in groups if p) if any(groups) else "" for groups in parts]


def _better(
    best: tuple[int, tuple[int, int]] | None, depth: int, where: tuple[int, int]
) -> tuple[int, tuple[int, int]]:
    return (depth, where) if best is None or depth > best[0] else best
