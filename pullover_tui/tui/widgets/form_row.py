"""One labelled form field, with a note line and an error line below it when needed."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

LABEL_WIDTH = 11


class FormRowLine(Static):
    """A note or an error line below a form row (a sibling of the row, made when needed)."""

    DEFAULT_CSS = """
    FormRowLine {
        padding-left: 11;
        color: $text-muted;
        &.-note.-bad { color: $text-warning; }
        &.-error { color: $text-error; }
        &.-hidden { display: none; }
    }
    """


class FormRow(Horizontal):
    """``  label  [field        ] aside``, then a note line and an error line, both optional.

    The row draws its label itself, in the left margin of its first field (a
    Label widget per row was a tenth of the compose screen's widgets).
    ``under_label`` (e.g. a counter) sits below the label, for tall fields. The
    note and error lines are mounted after the row, in its parent, the first
    time they have something to say (most rows never do).
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"form-row--label"}
    DEFAULT_CSS = """
    FormRow {
        height: auto;
        & > .form-row--label { color: $text-muted; }
        & > .form-row-field { margin-left: 11; }
        & > .form-row-under-label { width: 11; margin-top: 1; padding-right: 1; }
        &.-invalid > .form-row--label { color: $text-error; text-style: bold; }
        &:focus-within > .form-row--label { color: $text-accent; text-style: bold; }
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
        self._lines: dict[str, FormRowLine] = {}
        self._note: str | None = None

    def compose(self) -> ComposeResult:
        if self._under_label is not None:
            self._under_label.add_class("form-row-under-label")
            yield self._under_label
        elif self._fields:
            self._fields[0].add_class("form-row-field")
        yield from self._fields

    def render(self) -> Content:
        """The label, right-aligned in the first field's margin (behind the fields)."""
        label = Content(self.label).truncate(LABEL_WIDTH - 1, ellipsis=True)
        label = label.pad_left(LABEL_WIDTH - 1 - label.cell_length)
        return label.stylize(self.get_visual_style("form-row--label"))

    def _ensure_line(self, kind: str) -> FormRowLine:
        """The note or error line, mounted below the row (the note first) when first needed."""
        line = self._lines.get(kind)
        if line is None:
            line = self._lines[kind] = FormRowLine("", classes=f"-{kind} -hidden", markup=False)
            note = self._lines.get("note")
            after = note if kind == "error" and note is not None else self
            parent = self.parent
            assert isinstance(parent, Widget)
            parent.mount(line, after=after)
        return line

    def _show_lines(self) -> None:
        """The error line while there is an error, else the note line when it has a note."""
        invalid = self.has_class("-invalid")
        if (error := self._lines.get("error")) is not None:
            error.set_class(not invalid, "-hidden")
        if (note := self._lines.get("note")) is not None:
            note.set_class(invalid or not self._note, "-hidden")

    def set_error(self, text: str | None) -> None:
        """Show ``text`` under the field (marking the row invalid), or clear it."""
        self.set_class(bool(text), "-invalid")
        self.refresh()
        if text or "error" in self._lines:
            self._ensure_line("error").update(f"✗ {text}" if text else "")
        self._show_lines()

    def set_note(self, text: str | None, *, bad: bool = False) -> None:
        """A hint under the field (hidden when None); ``bad`` colours it as a warning."""
        if not text and "note" not in self._lines:
            return
        self._note = text or None
        note = self._ensure_line("note")
        note.set_class(bad, "-bad")
        note.update(text or "")
        self._show_lines()

    @property
    def error(self) -> str | None:
        line = self._lines.get("error")
        if line is None or not self.has_class("-invalid"):
            return None
        return str(line.content).removeprefix("✗ ")

    @property
    def note(self) -> str | None:
        return self._note
