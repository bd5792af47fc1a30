"""The history store and the outbox flush: records, claims, migrations, search, concurrency."""

from __future__ import annotations

import multiprocessing
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pullover_tui.core.credentials import SendSettings
from pullover_tui.core.errors import (
    ClientSendError,
    QuotaExceededError,
    ServerSendError,
    ValidationError,
)
from pullover_tui.core.history_entry import FAILED, PENDING, REJECTED, SENT
from pullover_tui.core.message import Message
from pullover_tui.core.outbox import credentials_match, flush_outbox
from pullover_tui.core.request import SendResult
from pullover_tui.core.store import HistoryStore, StoreError
from pullover_tui.core.store_schema import MIGRATIONS, SCHEMA_VERSION
from tests.conftest import OTHER_USER, TOKEN, USER

OTHER_TOKEN = "bzGDORePK8gMaC0QOYAMyEEuzJnyUj"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
def store(path: Path) -> HistoryStore:
    with HistoryStore(path) as opened:
        yield opened  # type: ignore[misc]


def add(store: HistoryStore, text: str = "hello", **options: object) -> int:
    settings = {"profile": None, "token": TOKEN, "user": USER, "api_url": None, "claim": False}
    settings.update(options)
    return store.add_pending(Message(text), **settings)  # type: ignore[arg-type]


def settings(token: str = TOKEN, user: str = USER, profile: str | None = None) -> SendSettings:
    return SendSettings(token=token, user=user, profile=profile)


class RecordingSender:
    """A fake client: remembers what it sent; ``fail`` maps message text to an exception."""

    def __init__(self, fail: dict[str, Exception] | None = None, delay: float = 0.0) -> None:
        self.sent: list[str] = []
        self.fail = fail or {}
        self.delay = delay
        self.closed = False

    def send(self, message: Message, *, token: str, user: str) -> SendResult:
        time.sleep(self.delay)
        if message.message in self.fail:
            raise self.fail[message.message]
        self.sent.append(message.message)
        return SendResult(request=f"req-{message.message}", attempts=1)

    def close(self) -> None:
        self.closed = True


# -- the file ----------------------------------------------------------------


def test_file_and_directory_are_private(path: Path) -> None:
    with HistoryStore(path) as store:
        add(store)  # a write makes the -wal and -shm files
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_an_open_file_is_tightened_and_uses_wal(path: Path) -> None:
    path.parent.mkdir()
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    with HistoryStore(path):
        pass
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_open_existing_never_creates(path: Path) -> None:
    assert HistoryStore.open_existing(path) is None
    assert not path.parent.exists()


def test_no_secret_is_written(path: Path) -> None:
    with HistoryStore(path) as store:
        add(store, "secret-free", profile="ops", user=f"{USER},{OTHER_USER}")
        entry = store.get(1)
    assert entry is not None
    assert entry.recipients == "uQiR…RsG,gzne…kzF"
    raw = b"".join(p.read_bytes() for p in path.parent.iterdir())
    for secret in (TOKEN, USER, OTHER_USER):
        assert secret.encode() not in raw


def test_a_file_from_a_newer_version_is_refused(path: Path) -> None:
    with HistoryStore(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer pullover-tui"):
        HistoryStore(path)


def test_a_file_that_is_not_sqlite_is_an_error_not_a_crash(path: Path) -> None:
    path.parent.mkdir()
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot"):
        HistoryStore(path)


# -- records -----------------------------------------------------------------


def test_pending_row_is_claimed_until_marked(store: HistoryStore) -> None:
    entry_id = add(store, claim=True)
    entry = store.get(entry_id)
    assert entry is not None
    assert (entry.status, entry.attempts, entry.in_outbox) == (PENDING, 0, True)
    assert entry.claimed_by == store.owner
    with HistoryStore(store.path) as other:  # another flush leaves it alone
        assert other.claim_next() is None


def test_sent_record(store: HistoryStore) -> None:
    entry_id = add(store, claim=True)
    store.mark_sent(entry_id, SendResult(request="req-1", receipt="rcpt-1", attempts=3))
    entry = store.get(entry_id)
    assert entry is not None
    assert (entry.status, entry.request, entry.receipt, entry.attempts) == (
        SENT,
        "req-1",
        "rcpt-1",
        3,
    )
    assert entry.sent_at is not None and entry.claimed_by is None
    assert store.outbox() == []


def test_rejected_record_leaves_the_outbox(store: HistoryStore) -> None:
    entry_id = add(store, claim=True)
    store.mark_rejected(entry_id, "HTTP 400: user key is invalid", request="req-9")
    entry = store.get(entry_id)
    assert entry is not None
    assert (entry.status, entry.last_error, entry.request, entry.attempts) == (
        REJECTED,
        "HTTP 400: user key is invalid",
        "req-9",
        1,
    )
    assert store.outbox() == []
    assert store.claim(entry_id) is None


def test_failed_record_stays_in_the_outbox_and_attempts_add_up(store: HistoryStore) -> None:
    entry_id = add(store, claim=True)
    store.mark_failed(entry_id, "HTTP 503", attempts=5)
    store.mark_failed(entry_id, "no answer within 15 s", attempts=2)
    [entry] = store.outbox()
    assert (entry.id, entry.status, entry.attempts, entry.last_error) == (
        entry_id,
        FAILED,
        7,
        "no answer within 15 s",
    )
    assert entry.claimed_by is None


def test_marking_a_dropped_row_is_harmless(store: HistoryStore) -> None:
    entry_id = add(store)
    assert store.drop(entry_id)
    store.mark_sent(entry_id, SendResult("req"))
    assert store.get(entry_id) is None


def test_ids_are_never_reused(store: HistoryStore) -> None:
    first = add(store)
    store.drop(first)
    assert add(store) > first


# -- rebuilding the message ----------------------------------------------------


def test_to_message_rebuilds_every_field(store: HistoryStore, tmp_path: Path) -> None:
    image = tmp_path / "shot.png"
    image.write_bytes(PNG)
    message = Message(
        "disk <b>full</b>",
        "Disk",
        url="https://example.test/d",
        url_title="dashboard",
        priority="emergency",
        sound="siren",
        device="phone,tablet",
        timestamp="2026-01-02T03:04:05Z",
        ttl=600,
        html=True,
        attachment=image,
        retry=60,
        expire=3600,
        callback="https://example.test/ack",
        tags="disk,prod",
    )
    entry_id = store.add_pending(
        message, profile="ops", token=TOKEN, user=USER, api_url=None, attachment_path=str(image)
    )
    entry = store.get(entry_id)
    assert entry is not None
    assert entry.to_message() == message
    assert entry.attachment is not None and entry.attachment.size == len(PNG)
    assert entry.to_json()["attachment"]["path"] == str(image)


def test_monospace_and_defaults_round_trip(store: HistoryStore) -> None:
    message = Message("plain", monospace=True, priority=-2)
    entry_id = store.add_pending(message, profile=None, token=TOKEN, user=USER, api_url=None)
    entry = store.get(entry_id)
    assert entry is not None and entry.to_message() == message


def test_an_attachment_given_as_bytes_cannot_be_resent(store: HistoryStore) -> None:
    entry_id = store.add_pending(
        Message("with image", attachment=PNG), profile=None, token=TOKEN, user=USER, api_url=None
    )
    entry = store.get(entry_id)
    assert entry is not None
    assert not entry.resendable
    assert entry.to_json()["attachment"]["resendable"] is False
    with pytest.raises(ValidationError, match="not kept"):
        entry.to_message()


def test_a_changed_attachment_file_is_not_sent(store: HistoryStore, tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(PNG)
    entry_id = store.add_pending(
        Message("x", attachment=image),
        profile=None,
        token=TOKEN,
        user=USER,
        api_url=None,
        attachment_path=str(image),
    )
    image.write_bytes(PNG + b"more")
    entry = store.get(entry_id)
    assert entry is not None
    with pytest.raises(ValidationError, match="changed"):
        entry.to_message()
    image.unlink()
    with pytest.raises(ValidationError, match="no such file"):
        entry.to_message()


# -- credentials ----------------------------------------------------------------


def test_credentials_match_by_fingerprint_or_profile_with_the_same_users(
    store: HistoryStore,
) -> None:
    plain = store.get(add(store))
    with_profile = store.get(add(store, profile="ops"))
    assert plain is not None and with_profile is not None
    assert credentials_match(plain, settings())
    assert credentials_match(plain, settings(user=f" {USER} "))  # normalised
    assert not credentials_match(plain, settings(user=OTHER_USER))
    assert not credentials_match(plain, settings(token=OTHER_TOKEN))
    # the profile's token was rotated: same profile, same recipients: still its own
    assert credentials_match(with_profile, settings(token=OTHER_TOKEN, profile="ops"))
    # the profile now names someone else: never
    assert not credentials_match(with_profile, settings(user=OTHER_USER, profile="ops"))
    assert not credentials_match(with_profile, settings(token=OTHER_TOKEN, profile="ci"))


# -- search ---------------------------------------------------------------------


@pytest.fixture
def filled(path: Path) -> HistoryStore:
    clock = Clock()
    texts = [
        ("Backup", "backup finished in 3 minutes", "personal"),
        ("Deploy", "deploy of api failed: disk full", "ops"),
        (None, "Disk usage at 91% on db-1", "ops"),
        ("CI", "build 123 passed", "ci"),
        (None, "Café ouvert", None),
    ]
    with HistoryStore(path, clock=clock) as store:
        for index in range(25):
            title, text, profile = texts[index % len(texts)]
            clock.now += 60
            entry_id = store.add_pending(
                Message(f"{text} #{index}", title),
                profile=profile,
                token=TOKEN,
                user=USER,
                api_url=None,
                claim=False,
            )
            if index % 5 != 4:
                store.mark_sent(entry_id, SendResult(f"req-{index}"))
        yield store  # type: ignore[misc]


def ids(entries: list[object]) -> list[int]:
    return [e.id for e in entries]  # type: ignore[attr-defined]


def test_search_pages_newest_first(filled: HistoryStore) -> None:
    assert ids(filled.search(limit=3)) == [25, 24, 23]
    assert ids(filled.search(limit=3, offset=3)) == [22, 21, 20]
    assert filled.count() == 25
    assert ids(filled.search(limit=5, offset=24)) == [1]


def test_search_filters_combine(filled: HistoryStore) -> None:
    assert filled.count(profile="ops") == 10
    assert filled.count(status="pending") == 5
    assert filled.count(status="outbox") == 5
    assert filled.count(status="pending", profile="ops") == 0
    assert ids(filled.search(status="pending", limit=2)) == [25, 20]
    since = filled.get(21).created_at  # type: ignore[union-attr]
    assert ids(filled.search(since=since)) == [25, 24, 23, 22, 21]
    assert filled.count(since=since, profile="ops") == 2
    with pytest.raises(ValueError):
        filled.search(status="lost")


def test_text_search_matches_word_starts_case_and_accents_folded(filled: HistoryStore) -> None:
    assert filled.count(text="disk") == 10  # 'disk full' and 'Disk usage'
    assert filled.count(text="DIS") == 10
    assert filled.count(text="disk usa") == 5  # every word, any order
    assert filled.count(text="usage disk") == 5
    assert filled.count(text="backup") == 5  # the title counts too
    assert filled.count(text="cafe") == 5
    assert filled.count(text="isk") == 0  # words match from their start
    assert filled.count(text="deploy", profile="ops", status="sent") == 5
    page = filled.search(text="disk", limit=4)
    assert ids(page) == [23, 22, 18, 17]
    assert all("isk" in e.message for e in page)


def test_text_without_words_is_matched_as_a_substring(filled: HistoryStore) -> None:
    assert filled.count(text="%") == 5
    assert filled.count(text="'\"*") == 0  # FTS syntax characters are just text


def test_search_without_the_full_text_index(filled: HistoryStore) -> None:
    filled.full_text = False  # as on an SQLite built without FTS5
    assert filled.count(text="disk") == 10
    assert filled.count(text="isk") == 10  # LIKE: substrings
    assert ids(filled.search(text="build 12", limit=2)) == [24, 19]


def test_deleted_rows_leave_the_index(filled: HistoryStore) -> None:
    assert filled.drop(25)
    assert filled.count(text="cafe") == 4


def test_batch_with_a_deferred_index(path: Path) -> None:
    with HistoryStore(path) as store:
        add(store, "before the batch")
        with store.batch(defer_index=True):
            for index in range(50):
                add(store, f"bulk message {index}")
        add(store, "after the batch")
        assert store.count(text="bulk") == 50
        assert store.count(text="batch") == 2
        assert store.count() == 52


# -- migrations ---------------------------------------------------------------


def make_v1_file(path: Path) -> None:
    """A history file as version 1 wrote it, with rows in each of its statuses."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    MIGRATIONS[1](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    rows = [
        ("sent", "backup done", None, None),
        ("queued", "waiting for the network", None, None),  # v1's name for 'failed'
        ("pending", "old deploy message", "/tmp/shot.png", "shot.png"),
        ("rejected", "bad key", None, "stdin.png"),
    ]
    for status, text, attachment_path, attachment_name in rows:
        conn.execute(
            "INSERT INTO history (created_at, updated_at, status, recipients, fingerprint, "
            "message, attachment_path, attachment_name, attachment_size) "
            "VALUES (1700000000, 1700000000, ?, 'uQiR…RsG', 'abc', ?, ?, ?, ?)",
            (status, text, attachment_path, attachment_name, 68 if attachment_name else None),
        )
    conn.close()


def test_migration_from_version_1(path: Path) -> None:
    make_v1_file(path)
    with HistoryStore(path) as store:
        statuses = [e.status for e in store.search()]
        assert statuses == ["rejected", "pending", "failed", "sent"]
        assert [e.message for e in store.outbox()] == [
            "waiting for the network",
            "old deploy message",
        ]
        assert store.count(text="deploy") == 1  # old rows are in the new index
        from_file = store.get(3)
        from_stdin = store.get(4)
        assert from_file is not None and from_file.attachment is not None
        assert from_file.attachment.source == "path" and from_file.attachment.resendable
        assert from_stdin is not None and not from_stdin.resendable
        new_id = add(store, "a new deploy")
        assert store.count(text="deploy") == 2
        assert store.claim(2) is not None  # v2's claim columns work on old rows
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    assert new_id == 5


def _open_store(path: str) -> int:
    with HistoryStore(path) as store:
        return store.count()


def test_two_processes_upgrading_at_once_migrate_once(path: Path) -> None:
    make_v1_file(path)
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        counts = pool.map(_open_store, [str(path)] * 4)
    assert counts == [4, 4, 4, 4]


# -- concurrency ------------------------------------------------------------------


def _write_many(path: str, label: str, count: int) -> list[int]:
    ids = []
    with HistoryStore(path) as store:
        for index in range(count):
            entry_id = store.add_pending(
                Message(f"{label} {index}"), profile=label, token=TOKEN, user=USER, api_url=None
            )
            store.mark_sent(entry_id, SendResult(f"{label}-{index}"))
            ids.append(entry_id)
    return ids


def test_two_processes_writing_at_once(path: Path) -> None:
    with HistoryStore(path):
        pass
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        results = pool.starmap(_write_many, [(str(path), "a", 150), (str(path), "b", 150)])
    all_ids = results[0] + results[1]
    assert len(set(all_ids)) == 300
    with HistoryStore(path) as store:
        assert store.count(status="sent") == 300
        assert store.count(profile="a") == store.count(profile="b") == 150


def test_two_concurrent_flushes_send_each_message_once(path: Path) -> None:
    with HistoryStore(path) as store:
        for index in range(30):
            add(store, f"m{index}")
    senders = [RecordingSender(delay=0.002), RecordingSender(delay=0.002)]
    reports = []
    start = threading.Barrier(2)

    def flush(sender: RecordingSender) -> None:
        with HistoryStore(path) as own:
            start.wait()
            reports.append(flush_outbox(own, lambda e: settings(), lambda url: sender))

    threads = [threading.Thread(target=flush, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = senders[0].sent + senders[1].sent
    assert sorted(sent) == sorted(f"m{i}" for i in range(30))
    assert senders[0].sent and senders[1].sent  # both took part
    assert all(s.closed for s in senders)
    with HistoryStore(path) as store:
        assert store.count(status="sent") == 30
        assert store.outbox() == []


def test_claims_expire_and_die_with_their_owner(path: Path) -> None:
    clock = Clock()
    with HistoryStore(path, clock=clock) as store, HistoryStore(path, clock=clock) as other:
        entry_id = add(store)
        assert store.claim(entry_id, lease=60) is not None
        assert other.claim(entry_id) is None
        clock.now += 61
        assert other.claim(entry_id) is not None  # the lease ran out
        other.release(entry_id)
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        owner = f"{socket.gethostname()}|{dead.pid}|x"
        conn = sqlite3.connect(path)
        conn.execute(
            "UPDATE history SET claimed_by = ?, claimed_until = ? WHERE id = ?",
            (owner, clock.now + 3600, entry_id),
        )
        conn.commit()
        conn.close()
        assert store.claim(entry_id) is not None  # its owner is gone
        assert not other.drop(entry_id)  # claimed by a live process (this one)
        store.release(entry_id)
        assert other.drop(entry_id)


KILLED_SENDER = """
import sys, time
from pullover_tui.core.message import Message
from pullover_tui.core.store import HistoryStore
with HistoryStore(sys.argv[1]) as store:
    store.add_pending(Message("cut short"), profile=None, token=sys.argv[2], user=sys.argv[3],
                      api_url=None)
    print("recorded", flush=True)
    time.sleep(60)  # 'sending'
"""


def test_a_killed_sender_leaves_a_pending_row_a_flush_can_take(path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_SENDER, str(path), TOKEN, USER],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "recorded\n"
    proc.kill()
    proc.wait()
    with HistoryStore(path) as store:
        [entry] = store.outbox()
        assert entry.status == PENDING and entry.claimed_by is not None
        sender = RecordingSender()
        report = flush_outbox(store, lambda e: settings(), lambda url: sender)
    assert sender.sent == ["cut short"]
    assert [o.result for o in report.outcomes] == ["sent"]


# -- flushing -------------------------------------------------------------------


def test_flush_outcomes_and_rejected_rows_are_never_retried(store: HistoryStore) -> None:
    add(store, "ok 1")
    add(store, "refused")
    add(store, "ok 2")
    add(store, "someone else's", user=OTHER_USER)
    rejection = ClientSendError(400, ["user identifier is invalid"], request="req-x")
    sender = RecordingSender(fail={"refused": rejection})
    report = flush_outbox(store, lambda e: settings(), lambda url: sender)
    assert [(o.entry_id, o.result) for o in report.outcomes] == [
        (1, "sent"),
        (2, "rejected"),
        (3, "sent"),
        (4, "skipped"),
    ]
    assert report.left == 1 and not report.stopped
    refused = store.get(2)
    assert refused is not None
    assert (refused.status, refused.request) == (REJECTED, "req-x")
    assert "user identifier is invalid" in (refused.last_error or "")
    again = RecordingSender()
    second = flush_outbox(store, lambda e: settings(), lambda url: again)
    assert again.sent == [] and [o.entry_id for o in second.outcomes] == [4]


def test_a_temporary_failure_stops_the_flush_in_order(store: HistoryStore) -> None:
    for text in ("first", "second", "third"):
        add(store, text)
    sender = RecordingSender(fail={"second": ServerSendError(1, "HTTP 503", 503)})
    report = flush_outbox(store, lambda e: settings(), lambda url: sender)
    assert [o.result for o in report.outcomes] == ["sent", "failed"]
    assert report.stopped and report.left == 2
    assert [(e.message, e.status) for e in store.outbox()] == [
        ("second", FAILED),
        ("third", PENDING),
    ]


def test_a_spent_quota_keeps_the_message(store: HistoryStore) -> None:
    add(store, "later")
    sender = RecordingSender(fail={"later": QuotaExceededError(429, [])})
    report = flush_outbox(store, lambda e: settings(), lambda url: sender)
    assert [o.result for o in report.outcomes] == ["failed"]
    [entry] = store.outbox()
    assert entry.status == FAILED and "quota" in (entry.last_error or "")


def test_rows_without_credentials_or_message_are_skipped(store: HistoryStore) -> None:
    add(store, "no credentials")
    store.add_pending(
        Message("image from stdin", attachment=PNG),
        profile=None,
        token=TOKEN,
        user=USER,
        api_url=None,
        claim=False,
    )

    def resolve(entry: object) -> SendSettings | None:
        return None if entry.message == "no credentials" else settings()  # type: ignore[attr-defined]

    sender = RecordingSender()
    report = flush_outbox(store, resolve, lambda url: sender)
    assert [o.result for o in report.outcomes] == ["skipped", "unsendable"]
    assert sender.sent == [] and report.left == 2
    assert all(e.claimed_by is None for e in store.outbox())


def test_the_row_api_url_picks_the_client(store: HistoryStore) -> None:
    add(store, "to a", api_url="http://127.0.0.1:1")
    add(store, "to b", api_url="http://127.0.0.1:2")
    add(store, "to a again", api_url="http://127.0.0.1:1")
    made: dict[str | None, RecordingSender] = {}

    def factory(url: str | None) -> RecordingSender:
        made[url] = RecordingSender()
        return made[url]

    flush_outbox(store, lambda e: settings(), factory)
    assert made["http://127.0.0.1:1"].sent == ["to a", "to a again"]
    assert made["http://127.0.0.1:2"].sent == ["to b"]


def test_an_interrupted_flush_releases_its_claim(store: HistoryStore) -> None:
    add(store, "interrupted")
    sender = RecordingSender(fail={"interrupted": KeyboardInterrupt()})  # type: ignore[dict-item]
    with pytest.raises(KeyboardInterrupt):
        flush_outbox(store, lambda e: settings(), lambda url: sender)
    [entry] = store.outbox()
    assert entry.claimed_by is None and entry.status == PENDING
