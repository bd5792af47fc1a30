"""The TUI's non-Textual seams: the draft and its file, the HTML preview text, inbox items,
path completion, the history table's columns, receipt and quota texts."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest

from pullover_tui.core.errors import FieldProblem, Quota, ValidationError
from pullover_tui.core.message import Message
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import Profile
from pullover_tui.core.receipts import ReceiptStatus
from pullover_tui.core.store import HistoryStore
from pullover_tui.tui.attachments import complete_path, human_size
from pullover_tui.tui.demo import InboxItem, demo_profile_name
from pullover_tui.tui.draft import (
    Draft,
    counter_level,
    problems_by_field,
    rejected_fields,
    timestamp_hint,
)
from pullover_tui.tui.draft_store import DraftStore, SavedDraft
from pullover_tui.tui.history_pages import table_layout
from pullover_tui.tui.html_text import html_to_text
from pullover_tui.tui.widgets.receipt_panel import receipt_text
from pullover_tui.tui.widgets.status_bar import quota_text
from tests.conftest import TOKEN, USER


def test_draft_from_profile_carries_its_defaults() -> None:
    profile = Profile(
        "p", TOKEN, USER, title="t", priority=Priority.HIGH, sound="magic", ttl=60, monospace=True
    )
    draft = Draft.from_profile(profile)
    assert (draft.title, draft.priority, draft.sound, draft.ttl) == (
        "t",
        Priority.HIGH,
        "magic",
        "60",
    )
    assert draft.format == "monospace" and draft.message == ""
    assert Draft(message="keep").with_profile_defaults(profile).message == "keep"
    assert Draft.from_profile(None) == Draft()


def test_hidden_and_disabled_fields_are_left_out() -> None:
    draft = Draft(message="m", url_title="orphan", retry="60", expire="60", tags="a")
    kwargs = draft.message_kwargs()
    assert kwargs["url_title"] == "" and "retry" not in kwargs and "tags" not in kwargs
    message = draft.to_message()
    assert message.url_title is None and message.retry is None


def test_emergency_draft_becomes_a_message_with_its_fields() -> None:
    draft = Draft(message="m", priority=Priority.EMERGENCY, retry="30", expire="90", tags="x,y")
    message = draft.to_message()
    assert (message.retry, message.expire, message.tags) == (30, 90, ("x", "y"))


def test_core_validation_reports_every_field_once() -> None:
    with pytest.raises(ValidationError) as caught:
        Draft(message="", ttl="x", timestamp="nope", format="html").to_message()
    problems = problems_by_field(caught.value.problems)
    assert set(problems) == {"message", "ttl", "timestamp"}
    joined = problems_by_field([FieldProblem("a", "one"), FieldProblem("a", "two")])
    assert joined == {"a": "one; two"}


def test_rejections_map_to_form_fields() -> None:
    marked = rejected_fields(["user", "sound"], ["user identifier is invalid"])
    assert set(marked) == {"profile", "sound"}
    assert marked["sound"] == "refused by Pushover: user identifier is invalid"


@pytest.mark.parametrize(
    ("length", "level"),
    [(0, "ok"), (921, "ok"), (922, "warning"), (1024, "warning"), (1025, "error")],
)
def test_counter_levels(length: int, level: str) -> None:
    assert counter_level(length, 1024) == level


def test_timestamp_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    assert timestamp_hint("").ok
    assert timestamp_hint("0").text == "1970-01-01T00:00:00+00:00"
    bad = timestamp_hint("soon")
    assert not bad.ok and "ISO 8601" in bad.text


def test_html_preview_keeps_text_styles_known_tags_and_drops_others() -> None:
    text = html_to_text('<b>B</b> <i>I</i> <u>U</u> <font color="#ff0000">R</font> '
                        '<a href="https://x">L</a> <blink>x</blink> &amp;')  # fmt: skip
    assert text.plain == "B I U R L x &"
    styles = {text.plain[span.start : span.end]: span.style for span in text.spans}
    assert styles["B"].bold and styles["I"].italic and styles["U"].underline  # type: ignore[union-attr]
    assert styles["R"].color is not None and styles["L"].underline  # type: ignore[union-attr]
    assert html_to_text('<font color="not a colour">ok</font>').plain == "ok"


def test_inbox_item_reads_the_sandbox_record() -> None:
    item = InboxItem.from_fields(
        {"id": 3, "message": "m", "title": None, "priority": 1, "html": 1, "device": "phone"}
    )
    assert (item.number, item.priority, item.html, item.title, item.device) == (
        3,
        Priority.HIGH,
        True,
        None,
        "phone",
    )
    assert InboxItem.from_fields({"priority": "bogus"}).priority is Priority.NORMAL


def test_saved_draft_round_trip_and_what_is_not_trusted(tmp_path: Path) -> None:
    draft = Draft(message="m", priority=Priority.EMERGENCY, retry="60", attachment="~/a.png")
    store = DraftStore(tmp_path / "d" / "draft.json")
    assert store.load() is None
    store.save(SavedDraft("ops", draft))
    assert store.load() == SavedDraft("ops", draft)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    for bad in ("not json", "[]", '{"version": 2}', '{"version": 1, "draft": {"format": "x"}}'):
        store.path.write_text(bad)
        assert store.load() is None
    store.clear()
    store.clear()  # nothing there: fine
    assert not store.path.exists()


def test_draft_from_a_history_entry(tmp_path: Path) -> None:
    image = tmp_path / "cat.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 8)
    message = Message(
        "m", "t", priority="emergency", retry=30, expire=60, tags="a,b", callback="https://x.y",
        device="phone,desk", monospace=True, ttl=5, attachment=image,
    )  # fmt: skip
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        entry_id = store.add_pending(
            message, profile="p", token=TOKEN, user=USER, api_url=None, attachment_path=str(image)
        )
        entry = store.get(entry_id)
    assert entry is not None
    draft = Draft.from_entry(entry)
    assert (draft.tags, draft.callback, draft.device, draft.format) == (
        "a,b",
        "https://x.y",
        "phone,desk",
        "monospace",
    )
    assert draft.attachment == str(image) and draft.to_message() == message


def test_path_completion_and_sizes(tmp_path: Path) -> None:
    (tmp_path / "cats").mkdir()
    (tmp_path / "cat.png").write_bytes(b"")
    (tmp_path / ".hidden").write_bytes(b"")
    base = f"{tmp_path}/"
    assert complete_path(base + "cat.") == base + "cat.png"
    assert complete_path(base + "cats") == base + "cats/"
    assert complete_path(base + "c") == base + "cat"  # as far as both agree
    assert complete_path(base + ".h") == base + ".hidden"
    assert complete_path(base + "zzz") is None and complete_path("") is None
    assert [human_size(n) for n in (1, 999, 12_345, 5_242_880)] == [
        "1 byte",
        "999 bytes",
        "12.3 kB",
        "5.2 MB",
    ]


def test_history_table_fits_the_width() -> None:
    narrow, wide = table_layout(75), table_layout(115)
    assert narrow.keys == ("time", "status", "profile", "message") and narrow.message_width == 31
    assert "priority" in wide.keys and "title" in wide.keys and wide.message_width == 42
    assert table_layout(20).message_width == 16


def test_receipt_and_quota_texts() -> None:
    status = ReceiptStatus(True, 60, USER, "phone", 30, False, 3600, False, None)
    text = receipt_text(status).plain
    assert "Acknowledged" in text and "by uQiR…RsG on phone" in text and USER not in text
    pending = receipt_text(replace(status, acknowledged=False)).plain
    assert pending.startswith("◷ Alerting") and "checked every 5 s" in pending
    assert receipt_text(replace(status, acknowledged=False), cancelled=True).plain.startswith("⊘")
    assert quota_text(Quota(10_000, 9_876, 0)) == "quota 9,876/10,000"
    assert quota_text(Quota(10_000, 9_876, 1_796_083_200)) == "quota 9,876/10,000 · resets 1 Dec"
    assert quota_text(None) == "quota: ?"


def test_the_demo_profile_takes_a_name_no_user_profile_has() -> None:
    assert demo_profile_name(()) == "demo"
    assert demo_profile_name(("demo",)) == "demo-sandbox"
    assert demo_profile_name(("demo", "demo-sandbox")) == "demo-sandbox-2"
