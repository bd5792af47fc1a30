"""The history file's schema, its migrations, and opening it safely.

The schema version lives in ``PRAGMA user_version``. A new file is made by
running every migration from version 0, so the upgrade path that old files
take is the same code every new file goes through. Migrations run inside one
``BEGIN IMMEDIATE`` transaction (SQLite's DDL is transactional), re-reading the
version once the write lock is held, so two processes opening an old file at
once upgrade it exactly once.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from pullover_tui.core.errors import PulloverError

SCHEMA_VERSION = 2
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another process's transaction
FILE_MODE = 0o600
DIR_MODE = 0o700


class StoreError(PulloverError):
    """The history file cannot be opened, created, upgraded or written."""

    def __init__(self, reason: str, path: Path | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path is not None else reason)


# Version 1: the first released layout. Kept verbatim: old files start from it.
# (Its outbox status after a temporary failure was called 'queued'.)
_V1 = """
CREATE TABLE history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    sent_at REAL,
    status TEXT NOT NULL,
    profile TEXT,
    recipients TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    api_url TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    request TEXT,
    receipt TEXT,
    last_error TEXT,
    message TEXT NOT NULL,
    title TEXT,
    url TEXT,
    url_title TEXT,
    priority INTEGER NOT NULL DEFAULT 0,
    sound TEXT,
    devices TEXT,
    timestamp INTEGER,
    ttl INTEGER,
    html INTEGER NOT NULL DEFAULT 0,
    monospace INTEGER NOT NULL DEFAULT 0,
    attachment_path TEXT,
    attachment_name TEXT,
    attachment_size INTEGER,
    attachment_type TEXT,
    retry INTEGER,
    expire INTEGER,
    callback TEXT,
    tags TEXT
);
CREATE INDEX history_status ON history (status);
CREATE INDEX history_created ON history (created_at);
"""

# Version 2: claims for concurrent flushes, a recipient fingerprint, where an
# attachment came from and its hash, a profile index, a partial index for the
# outbox, and a full-text index (words, case and accents folded) for search at any size.
_V2_COLUMNS = """
ALTER TABLE history ADD COLUMN user_fingerprint TEXT;
ALTER TABLE history ADD COLUMN attachment_source TEXT;
ALTER TABLE history ADD COLUMN attachment_sha256 TEXT;
ALTER TABLE history ADD COLUMN claimed_by TEXT;
ALTER TABLE history ADD COLUMN claimed_until REAL;
UPDATE history SET status = 'failed' WHERE status = 'queued';
UPDATE history SET attachment_source = CASE
    WHEN attachment_path IS NOT NULL THEN 'path' ELSE 'bytes' END
    WHERE attachment_name IS NOT NULL OR attachment_path IS NOT NULL;
CREATE INDEX history_profile ON history (profile);
CREATE INDEX history_outbox ON history (id) WHERE status IN ('pending', 'failed');
"""

FTS_INSERT_TRIGGER = """CREATE TRIGGER history_fts_insert AFTER INSERT ON history BEGIN
    INSERT INTO history_fts (rowid, title, message) VALUES (new.id, new.title, new.message);
END;"""

_V2_FTS = f"""
CREATE VIRTUAL TABLE history_fts USING fts5(
    title, message, content='history', content_rowid='id', tokenize='unicode61'
);
{FTS_INSERT_TRIGGER}
CREATE TRIGGER history_fts_delete AFTER DELETE ON history BEGIN
    INSERT INTO history_fts (history_fts, rowid, title, message)
        VALUES ('delete', old.id, old.title, old.message);
END;
CREATE TRIGGER history_fts_update AFTER UPDATE OF title, message ON history BEGIN
    INSERT INTO history_fts (history_fts, rowid, title, message)
        VALUES ('delete', old.id, old.title, old.message);
    INSERT INTO history_fts (rowid, title, message) VALUES (new.id, new.title, new.message);
END;
INSERT INTO history_fts (history_fts) VALUES ('rebuild');
"""


def _to_v1(conn: sqlite3.Connection) -> None:
    _run_script(conn, _V1)


def _to_v2(conn: sqlite3.Connection) -> None:
    _run_script(conn, _V2_COLUMNS)
    if fts5_available(conn):
        _run_script(conn, _V2_FTS)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _to_v1, 2: _to_v2}


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the open transaction."""
    for statement in _statements(script):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def suspend_fts(conn: sqlite3.Connection) -> None:
    """Stop indexing new rows one by one (inside a transaction): for bulk inserts."""
    conn.execute("DROP TRIGGER IF EXISTS history_fts_insert")


def resume_fts(conn: sqlite3.Connection) -> None:
    """Index new rows again, and rebuild the index once for everything inserted meanwhile."""
    conn.execute(FTS_INSERT_TRIGGER)
    conn.execute("INSERT INTO history_fts (history_fts) VALUES ('rebuild')")


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5 (nearly every build does; without it search uses LIKE)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.fts5_probe")
    return True


def has_fts(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history_fts'"
    ).fetchone()
    return row is not None


def prepare_file(path: Path) -> None:
    """Create the directory (0700) and an empty file (0600) before SQLite opens it.

    SQLite gives its ``-wal`` and ``-shm`` files the database file's mode, so
    making the file first is what keeps all three private. An existing file
    that others can read is tightened to 0600.
    """
    directory = path.parent
    if not directory.is_dir():
        _make_private_dirs(directory)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        _tighten(path)
    except OSError as exc:
        raise StoreError(f"cannot create the history file: {exc.strerror}", path) from None
    else:
        os.close(fd)


def _make_private_dirs(directory: Path) -> None:
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # another process made it meanwhile
        except OSError as exc:
            raise StoreError(f"cannot create the directory: {exc.strerror}", folder) from None
        os.chmod(folder, DIR_MODE)  # mkdir's mode goes through the umask


def _tighten(path: Path) -> None:
    try:
        st = path.stat()
        if st.st_mode & 0o077 and st.st_uid == getattr(os, "getuid", lambda: st.st_uid)():
            os.chmod(path, FILE_MODE)
    except OSError:
        pass  # not ours to change; SQLite will report what it cannot do


def connect(path: Path, *, timeout: float = BUSY_TIMEOUT) -> sqlite3.Connection:
    """Open (creating if needed) and upgrade the history file; transactions are explicit."""
    prepare_file(path)
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the history file: {exc}", path) from None
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable across crashes and kills
        version = _user_version(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"written by a newer pullover-tui (schema {version}; this one knows up to "
                f"{SCHEMA_VERSION}): upgrade pullover-tui",
                path,
            )
        if version < SCHEMA_VERSION:
            if version == 0:  # a new file; the journal mode persists, set outside a transaction
                conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"cannot use the history file: {exc}", path) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to ``target`` in one transaction; returns the version found."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = _user_version(conn)  # again, now that no one else can be migrating
        for version in range(found + 1, target + 1):
            MIGRATIONS[version](conn)
        if found < target:
            conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
