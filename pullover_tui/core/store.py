"""The history and the outbox: one SQLite file, safe with several processes at once.

Every message gets a row *before* its first attempt, committed, so a crash or
a ``kill -9`` mid-send leaves a ``pending`` row, never nothing. The statuses
(``pending``, ``failed``, ``sent``, ``rejected``) and the outbox are defined in
``history_entry``. The file holds no token or key: recipients are masked and
the credentials are kept only as a short one-way fingerprint, so ``outbox
flush`` can tell whether the credentials at hand are the ones a row was
recorded with. Attachments are referenced by path, size and hash, never copied.

Concurrency: WAL journal (readers never wait), a busy timeout, and every write
a short ``BEGIN IMMEDIATE`` transaction. A process sending a row *claims* it
(owner and lease) in such a transaction, so two flushes never send one message
twice; a claim ends when the row is marked, when its lease runs out, or as
soon as its owner process (on this host) is found dead.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from pullover_tui.core.history_entry import (
    FAILED,
    PENDING,
    REJECTED,
    SENT,
    HistoryEntry,
    attachment_record,
    credential_fingerprint,
    entry_from_row,
    normal_user,
    recipient_fingerprint,
)
from pullover_tui.core.message import Message, is_unicode_text
from pullover_tui.core.request import SendResult
from pullover_tui.core.secrets import mask_secret
from pullover_tui.core.store_schema import (
    BUSY_TIMEOUT,
    StoreError,
    connect,
    has_fts,
    resume_fts,
    suspend_fts,
)
from pullover_tui.core.store_search import IN_OUTBOX, Query, search_query

__all__ = ["CLAIM_LEASE", "HistoryEntry", "HistoryStore", "StoreError"]

CLAIM_LEASE = 900.0  # seconds; longer than any send with the default retry policy
SQLITE_INT_MAX = 2**63 - 1  # larger Python ints cannot be bound to a query
ERROR_MAX = 500  # characters of last_error kept
_CLAIM_FREE = (
    "(claimed_until IS NULL OR claimed_until < :now OR NOT pullover_owner_alive(claimed_by))"
)


def _owner_alive(owner: str | None) -> bool:
    """Whether the process that claimed a row may still be sending it."""
    if not owner:
        return False
    host, _, rest = owner.partition("|")
    pid_text = rest.partition("|")[0]
    if sys.platform == "win32" or host != socket.gethostname() or not pid_text.isdigit():
        return True  # cannot tell from here (os.kill(pid, 0) probes only on POSIX): trust the lease
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # e.g. another user's process: it exists
    return True


class HistoryStore:
    """The history file. Open it, use it from one thread, close it (or use ``with``)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.time,
        timeout: float = BUSY_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._owner_nonce = secrets.token_hex(4)
        self._conn = connect(self.path, timeout=timeout)
        self._conn.create_function("pullover_owner_alive", 1, _owner_alive)
        self.full_text = has_fts(self._conn)

    @classmethod
    def open_existing(cls, path: str | os.PathLike[str], **options: Any) -> HistoryStore | None:
        """The store if its file exists, else None: for readers, which never create one."""
        return cls(path, **options) if Path(path).is_file() else None

    @property
    def owner(self) -> str:
        """Who claims rows: host, process id and a per-store nonce."""
        return f"{socket.gethostname()}|{os.getpid()}|{self._owner_nonce}"

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- transactions --------------------------------------------------------

    @contextmanager
    def batch(self, *, defer_index: bool = False) -> Iterator[None]:
        """Group many writes in one transaction (bulk imports); single writes need none.

        ``defer_index`` indexes the text of the new rows in one pass at the end,
        about three times faster for a big import, but that pass re-reads the
        whole history: worth it only when the batch is a large part of it.
        """
        with self._write() as conn:
            if defer_index and self.full_text:
                suspend_fts(conn)
                yield
                resume_fts(conn)
            else:
                yield

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        if conn.in_transaction:  # inside batch(): the outer block commits
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the history: {exc}", self.path) from None
        try:
            yield conn
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise StoreError(f"cannot write the history: {exc}", self.path) from None
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _read(self, sql: str, params: Mapping[str, object] | tuple[object, ...]) -> list[Any]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the history: {exc}", self.path) from None

    # -- writing -------------------------------------------------------------

    def add_pending(
        self,
        message: Message,
        *,
        profile: str | None,
        token: str,
        user: str,
        api_url: str | None,
        attachment_path: str | None = None,
        claim: bool = True,
    ) -> int:
        """Record ``message`` as pending before its first attempt; returns the entry id.

        ``attachment_path`` is the file ``message.attachment`` was read from
        (None for stdin or bytes: such a row cannot be resent). ``api_url``
        should be the root actually used (``client.api_url``). With ``claim``
        the row is claimed for this process, so a concurrent ``outbox flush``
        leaves it alone until it is marked or this process dies.
        """
        now = self._clock()
        record = attachment_record(message, attachment_path)
        values: dict[str, object] = {
            "created_at": now,
            "updated_at": now,
            "status": PENDING,
            "profile": profile,
            "recipients": mask_secret(normal_user(user)),
            "fingerprint": credential_fingerprint(token, user),
            "user_fingerprint": recipient_fingerprint(user),
            "api_url": api_url,
            "message": message.message,
            "title": message.title,
            "url": message.url,
            "url_title": message.url_title,
            "priority": int(message.priority),
            "sound": message.sound,
            "devices": ",".join(message.devices) or None,
            "timestamp": message.timestamp,
            "ttl": message.ttl,
            "html": int(message.html),
            "monospace": int(message.monospace),
            "retry": message.retry,
            "expire": message.expire,
            "callback": message.callback,
            "tags": ",".join(message.tags) or None,
            "attachment_source": record.source if record else None,
            "attachment_path": record.path if record else None,
            "attachment_name": record.filename if record else None,
            "attachment_size": record.size if record else None,
            "attachment_type": record.content_type if record else None,
            "attachment_sha256": record.sha256 if record else None,
            "claimed_by": self.owner if claim else None,
            "claimed_until": now + CLAIM_LEASE if claim else None,
        }
        names = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        with self._write() as conn:
            cursor = conn.execute(f"INSERT INTO history ({names}) VALUES ({marks})", values)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def mark_sent(self, entry_id: int, result: SendResult) -> None:
        """Pushover accepted it. ``result.attempts`` is added to the row's total."""
        self._mark(
            entry_id,
            "status = :status, sent_at = :now, request = :request, receipt = :receipt, "
            "last_error = NULL, attempts = attempts + :attempts",
            status=SENT,
            request=result.request,
            receipt=result.receipt,
            attempts=result.attempts,
        )

    def mark_rejected(
        self, entry_id: int, error: str, *, request: str | None = None, attempts: int = 1
    ) -> None:
        """Pushover refused it: final, never retried. ``error`` must be secret-free."""
        self._mark(
            entry_id,
            "status = :status, last_error = :error, request = COALESCE(:request, request), "
            "attempts = attempts + :attempts",
            status=REJECTED,
            error=error[:ERROR_MAX],
            request=request,
            attempts=attempts,
        )

    def mark_failed(self, entry_id: int, error: str, *, attempts: int) -> None:
        """A temporary failure after ``attempts`` attempts: it stays in the outbox."""
        self._mark(
            entry_id,
            "status = :status, last_error = :error, attempts = attempts + :attempts",
            status=FAILED,
            error=error[:ERROR_MAX],
            attempts=attempts,
        )

    def release(self, entry_id: int) -> None:
        """Give up a claim without changing the row (e.g. a flush skipped it)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE history SET claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                (entry_id,),
            )

    def _mark(self, entry_id: int, assignments: str, **values: object) -> None:
        # A row dropped meanwhile is simply not there to update: nothing to do.
        sql = (
            f"UPDATE history SET {assignments}, updated_at = :now, "
            "claimed_by = NULL, claimed_until = NULL WHERE id = :id"
        )
        with self._write() as conn:
            conn.execute(sql, {**values, "id": entry_id, "now": self._clock()})

    def drop(self, entry_id: int) -> bool:
        """Delete an outbox row that no live process is sending; False if there is none."""
        if not _is_row_id(entry_id):
            return False
        with self._write() as conn:
            cursor = conn.execute(
                f"DELETE FROM history WHERE id = :id AND {IN_OUTBOX} AND {_CLAIM_FREE}",
                {"id": entry_id, "now": self._clock()},
            )
        return cursor.rowcount > 0

    # -- claims --------------------------------------------------------------

    def claim(self, entry_id: int, *, lease: float = CLAIM_LEASE) -> HistoryEntry | None:
        """Claim one outbox row for this process; None if it is not there or someone has it."""
        if not _is_row_id(entry_id):
            return None
        with self._write() as conn:
            now = self._clock()
            cursor = conn.execute(
                "UPDATE history SET claimed_by = :owner, claimed_until = :until "
                f"WHERE id = :id AND {IN_OUTBOX} AND {_CLAIM_FREE}",
                {"owner": self.owner, "until": now + lease, "id": entry_id, "now": now},
            )
        return self.get(entry_id) if cursor.rowcount else None

    def claim_next(self, *, after_id: int = 0, lease: float = CLAIM_LEASE) -> HistoryEntry | None:
        """Claim the oldest unclaimed outbox row with an id above ``after_id``, or None."""
        with self._write() as conn:
            now = self._clock()
            row = conn.execute(
                f"SELECT id FROM history WHERE {IN_OUTBOX} AND id > :after AND {_CLAIM_FREE} "
                "ORDER BY id LIMIT 1",
                {"after": after_id, "now": now},
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE history SET claimed_by = :owner, claimed_until = :until WHERE id = :id",
                {"owner": self.owner, "until": now + lease, "id": row["id"]},
            )
        return self.get(int(row["id"]))

    # -- reading -------------------------------------------------------------

    def get(self, entry_id: int) -> HistoryEntry | None:
        if not _is_row_id(entry_id):
            return None
        rows = self._read("SELECT * FROM history WHERE id = ?", (entry_id,))
        return entry_from_row(rows[0]) if rows else None

    def outbox(self) -> list[HistoryEntry]:
        """Rows waiting to be sent (pending or failed), oldest first."""
        rows = self._read(f"SELECT * FROM history WHERE {IN_OUTBOX} ORDER BY id", ())
        return [entry_from_row(row) for row in rows]

    def search(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        since: float | None = None,
        profile: str | None = None,
        status: str | None = None,
        text: str | None = None,
    ) -> list[HistoryEntry]:
        """One page of rows, newest first, matching every filter given.

        ``since`` is Unix seconds; ``status`` one of ``STATUSES`` or ``"outbox"``.
        ``text`` matches rows whose title or message has, for each word of it, a
        word starting so (any order; case and accents ignored): ``"disk fu"``
        finds "Disk full". Text with no letters or digits is matched as a substring.
        """
        if not _storable(profile, text):
            return []
        query = self._query(since, profile, status, text)
        params = {**query.params, "limit": _row_count(limit), "offset": _row_count(offset)}
        return [entry_from_row(row) for row in self._read(query.page_sql(), params)]

    def count(
        self,
        *,
        since: float | None = None,
        profile: str | None = None,
        status: str | None = None,
        text: str | None = None,
    ) -> int:
        """How many rows ``search`` would page through with the same filters."""
        if not _storable(profile, text):
            return 0
        query = self._query(since, profile, status, text)
        return int(self._read(query.count_sql(), query.params)[0][0])

    def _query(
        self, since: float | None, profile: str | None, status: str | None, text: str | None
    ) -> Query:
        return search_query(
            since=since, profile=profile, status=status, text=text, full_text=self.full_text
        )


def _is_row_id(entry_id: int) -> bool:
    """Whether ``entry_id`` can be a row's id at all (bigger ints cannot even be asked for)."""
    return 0 < entry_id <= SQLITE_INT_MAX


def _row_count(value: int) -> int:
    """A LIMIT or OFFSET SQLite can take: negative is 0, anything huge is 'all'."""
    return min(max(0, int(value)), SQLITE_INT_MAX)


def _storable(*texts: str | None) -> bool:
    """Whether SQLite can take these texts; one with undecodable bytes (lone surrogates,
    e.g. from a non-UTF-8 command line) cannot be stored, so it matches no row."""
    return all(text is None or is_unicode_text(text) for text in texts)
