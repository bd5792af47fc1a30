"""The TUI's non-Textual seams: the draft, the HTML preview text, inbox items."""

from __future__ import annotations

import pytest

from pullover_tui.core.errors import FieldProblem, ValidationError
from pullover_tui.core.parsing import Priority
from pullover_tui.core.profiles import Profile
from pullover_tui.tui.demo import InboxItem
from pullover_tui.tui.draft import (
    Draft,
    counter_level,
    problems_by_field,
    rejected_fields,
    timestamp_hint,
)
from pullover_tui.tui.html_text import html_to_text
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
