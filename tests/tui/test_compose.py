"""The compose screen without sending: fields, counters, hints, defaults, preview, validation."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, TextArea

from pullover_tui.core import limits
from pullover_tui.core.parsing import Priority
from pullover_tui.tui.widgets.counter import CharCounter
from pullover_tui.tui.widgets.form_row import FormRow
from pullover_tui.tui.widgets.preview import NotificationPreview
from tests.tui.helpers import (
    choose,
    compose_screen,
    form,
    set_inputs,
    set_message,
    settle,
    type_keys,
)

SIZE = (100, 30)


async def test_live_feedback_while_typing(make_app: Any, configured: Any):
    """Cursor in the message; preview, counters, hints and dependent fields follow edits."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "message"
        await type_keys(pilot, "Hi")
        preview = app.screen.query_one(NotificationPreview)
        assert preview.draft.message == "Hi"
        counter = app.screen.query_one("#message-count", CharCounter)
        assert str(counter.content) == f"2/{limits.MESSAGE_MAX}"
        # counters warn near the limit and err past it
        await set_message(pilot, "x" * (limits.MESSAGE_MAX - 10))
        assert counter.has_class("-warning") and not counter.has_class("-error")
        await set_message(pilot, "x" * (limits.MESSAGE_MAX + 1))
        assert counter.has_class("-error")
        await set_inputs(pilot, title="t" * (limits.TITLE_MAX + 1))
        assert app.screen.query_one("#title-count", CharCounter).has_class("-error")
        # the URL title is disabled until a URL is given
        url_title = app.screen.query_one("#url_title", Input)
        assert url_title.disabled
        assert url_title.placeholder == "needs a URL"
        await set_inputs(pilot, url="https://example.com")
        assert not url_title.disabled
        assert url_title.placeholder == "the URL when empty"  # what the phone shows then
        await set_inputs(pilot, url="")
        assert url_title.disabled and url_title.placeholder == "needs a URL"
        # the timestamp shows the parsed local time, or the parse error
        row = app.screen.query_one("#row-timestamp", FormRow)
        assert row.note is None
        await set_inputs(pilot, timestamp="2026-11-28T09:30+01:00")
        assert row.note == "→ 2026-11-28T08:30:00+00:00"
        assert preview.draft.timestamp == "2026-11-28T09:30+01:00"
        await set_inputs(pilot, timestamp="next tuesday")
        assert row.note is not None and "ISO 8601" in row.note
        # emergency fields appear only for emergency priority
        assert not app.screen.query("#emergency")  # made the first time it is needed
        await choose(pilot, "priority", Priority.EMERGENCY)
        emergency = app.screen.query_one("#emergency")
        assert emergency.display
        await choose(pilot, "priority", Priority.HIGH)
        assert not emergency.display


async def test_profile_defaults_sounds_devices_and_reset(make_app: Any, configured: Any):
    configured.config.custom_sounds = ("doorbell",)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = compose_screen(app)
        assert screen.profile is not None and screen.profile.name == "personal"
        sound_values = set(form(app).choices("sound"))
        device_values = set(form(app).choices("device"))
        assert {"", "doorbell", "magic"} <= sound_values
        assert {"", "phone", "tablet"} <= device_values
        quota = screen.status.quota_text
        assert quota.startswith("quota 10,000/10,000 · resets 1 ")  # apps/limits.json, at start
        await set_message(pilot, "keep me")
        await choose(pilot, "profile", "ops")
        await settle(pilot)
        draft = form(app).read_draft()
        assert screen.profile is not None and screen.profile.name == "ops"
        assert draft.message == "keep me"
        assert (draft.title, draft.priority, draft.sound, draft.device) == (
            "ops alert",
            Priority.HIGH,
            "siren",
            "phone",
        )
        # the user may override a default for this message only
        await choose(pilot, "priority", Priority.LOW)
        await set_inputs(pilot, title="changed")
        assert form(app).read_draft().priority is Priority.LOW
        await pilot.press("ctrl+r")
        await pilot.pause()
        draft = form(app).read_draft()
        assert (draft.message, draft.title, draft.priority) == ("", "ops alert", Priority.HIGH)
        assert app.screen.query_one("#message", TextArea).has_focus
        await choose(pilot, "profile", "personal")
        await settle(pilot)
        assert form(app).read_draft().title == ""
        # looked up once per profile (sounds: once per app token, both use the same), then cached
        assert configured.request_count("/1/sounds.json") == 1
        assert configured.request_count("/1/users/validate.json") == 2
        assert configured.request_count("/1/apps/limits.json") == 2  # once per profile


async def test_local_validation_marks_every_bad_field_and_sends_nothing(
    make_app: Any, configured: Any
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_inputs(pilot, ttl="soon", timestamp="someday")
        await choose(pilot, "priority", Priority.EMERGENCY)
        await set_inputs(pilot, retry="10")
        await pilot.press("ctrl+s")
        await settle(pilot)
        errors = form(app).errors()
        assert set(errors) == {"message", "timestamp", "ttl", "retry", "expire"}
        assert "at least 30" in errors["retry"]
        assert configured.messages() == []
        assert app.focused is not None and app.focused.id == "message"
        # editing a field clears its mark
        await type_keys(pilot, "hi")
        assert "message" not in form(app).errors()


async def test_the_focused_fields_label_lights_up_and_follows_tab(make_app: Any, configured: Any):
    """The label of the field with the cursor is bold in the accent colour, and only that one."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def lit() -> list[str]:
            return [
                str(row.id)
                for row in app.screen.query(FormRow)
                if any(  # as drawn: the label's text, in bold
                    segment.text.strip() == row.label and segment.style and segment.style.bold
                    for segment in row.render_line(0)
                )
            ]

        assert app.focused is not None and app.focused.id == "message"
        assert lit() == ["row-message"]
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "title"
        assert lit() == ["row-title"]
        await pilot.press("shift+tab")
        await pilot.pause()
        assert lit() == ["row-message"]
