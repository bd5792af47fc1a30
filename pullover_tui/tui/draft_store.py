"""The compose draft on disk, so a crash or an accidental quit loses nothing.

One small JSON file in the data directory, written with the core's atomic,
0600 writer (temporary file, fsync, rename). A file that cannot be read is
ignored, never trusted: the draft is a convenience. No Textual here; the
screen calls these from a worker thread.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from pullover_tui.core.config_file import write_atomic
from pullover_tui.core.errors import ConfigError, ValidationError
from pullover_tui.core.parsing import Priority
from pullover_tui.tui.draft import FORMATS, Draft

DRAFT_FILENAME = "draft.json"
VERSION = 1


class DraftStoreError(Exception):
    """The draft could not be saved or removed; ``str()`` says why, for a notice."""


@dataclass(frozen=True)
class SavedDraft:
    """The form as it was: which profile, and every field."""

    profile: str | None
    draft: Draft

    def to_json(self) -> str:
        fields_ = asdict(self.draft)
        fields_["priority"] = int(self.draft.priority)
        import json  # not at start-up: most starts have no draft to read

        return json.dumps({"version": VERSION, "profile": self.profile, "draft": fields_})

    @classmethod
    def from_json(cls, text: str) -> SavedDraft | None:
        """The saved draft, or None for anything unexpected (another version, bad types)."""
        try:
            import json

            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        profile, values = data.get("profile"), data.get("draft")
        if not (profile is None or isinstance(profile, str)) or not isinstance(values, dict):
            return None
        draft = _draft_from(values)
        return None if draft is None else cls(profile, draft)


def _draft_from(values: dict[str, Any]) -> Draft | None:
    kwargs: dict[str, Any] = {}
    for field in fields(Draft):
        if field.name not in values:
            continue
        value = values[field.name]
        if field.name == "priority":
            try:
                kwargs["priority"] = Priority.parse(value)
            except ValidationError:
                return None
        elif not isinstance(value, str) or (field.name == "format" and value not in FORMATS):
            return None
        else:
            kwargs[field.name] = value
    return Draft(**kwargs)


class DraftStore:
    """Saves, loads and clears the draft file at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> SavedDraft | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return SavedDraft.from_json(text)

    def save(self, saved: SavedDraft) -> None:
        try:
            write_atomic(self.path, saved.to_json())
        except ConfigError as exc:
            raise DraftStoreError(f"the draft was not saved: {exc}") from None

    def clear(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise DraftStoreError(f"the draft was not removed: {exc.strerror}") from None
