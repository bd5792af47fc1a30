"""One labelled form field with an optional note and an error line below it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, Static

LABEL_WIDTH = 11


class FormRow(Vertical):
    """``label  [field        ] aside`` plus a note line and an error line, both optional.

    ``under_label`` (e.g. a counter) sits below the label, for tall fields.
    """

    DEFAULT_CSS = """
    FormRow {
        height: auto;
        & > .form-row-line { height: auto; }
        & .form-row-label-box { width: 11; height: auto; }
        & .form-row-label {
            width: 11;
            padding-right: 1;
            text-align: right;
            color: $text-muted;
        }
        & .form-row-note, & .form-row-error { padding-left: 11; }
        & .form-row-note { color: $text-muted; display: none; }
        & .form-row-note.-shown { display: block; }
        & .form-row-note.-bad { color: $text-warning; }
        & .form-row-error { display: none; color: $text-error; }
        &.-invalid .form-row-error { display: block; }
        &.-invalid .form-row-note { display: none; }
        &.-invalid .form-row-label { color: $text-error; text-style: bold; }
        &:focus-within .form-row-label { color: $text-accent; text-style: bold; }
        /* A rule on the row itself: Textual restyles on a focus change only from an
           ancestor with :focus-within rules of its own, so the label follows the cursor. */
        &:focus-within { height: auto; }
    }
    """

    def __init__(
        self,
        label: str,
        *fields: Widget,
        field: str,
        under_label: Widget | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id or f"row-{field}", classes=classes)
        self.label = label
        self.field = field
        self._fields = fields
        self._under_label = under_label

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row-line"):
            if self._under_label is None:
                yield Label(self.label, classes="form-row-label")
            else:
                with Vertical(classes="form-row-label-box"):
                    yield Label(self.label, classes="form-row-label")
                    yield self._under_label
            yield from self._fields

    def _line(self, kind: str) -> Static | None:
        """The note or error line, or None when it was never needed (mounted lazily)."""
        found = self.query_children(f".form-row-{kind}")
        return found.first(Static) if found else None

    def _ensure_line(self, kind: str) -> Static:
        line = self._line(kind)
        if line is None:
            line = Static("", classes=f"form-row-{kind}", markup=False)
            before = self._line("error") if kind == "note" else None
            self.mount(line, before=before)
        return line

    def set_error(self, text: str | None) -> None:
        """Show ``text`` under the field (marking the row invalid), or clear it."""
        self.set_class(bool(text), "-invalid")
        if text or self._line("error") is not None:
            self._ensure_line("error").update(f"✗ {text}" if text else "")

    def set_note(self, text: str | None, *, bad: bool = False) -> None:
        """A hint under the field (hidden when None); ``bad`` colours it as a warning."""
        if not text and self._line("note") is None:
            return
        note = self._ensure_line("note")
        note.set_class(bool(text), "-shown")
        note.set_class(bad, "-bad")
        note.update(text or "")

    @property
    def error(self) -> str | None:
        line = self._line("error")
        if line is None or not self.has_class("-invalid"):
            return None
        return str(line.content).removeprefix("✗ ")

    @property
    def note(self) -> str | None:
        note = self._line("note")
        return str(note.content) if note is not None and note.has_class("-shown") else None
