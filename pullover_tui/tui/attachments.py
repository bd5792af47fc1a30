"""The attachment field's helpers: what an image is (checked by the core) and path completion.

No Textual here. Whether a file is an acceptable image (exists, is an image by
its content, is small enough) is the core's ``Attachment`` decision; this
module only describes the answer for people.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pullover_tui.core.attachment import Attachment

MAX_COMPLETIONS = 2000
"""Directory entries looked at per completion: a huge directory must not stall typing."""


def human_size(size: int) -> str:
    """``512 bytes``, ``12.3 kB``, ``4.8 MB`` (decimal units, as file managers show)."""
    if size < 1000:
        return f"{size} byte" if size == 1 else f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


@dataclass(frozen=True)
class AttachmentSummary:
    """An image the core accepted: what the preview and the field's note show."""

    name: str
    content_type: str
    size: int

    @property
    def text(self) -> str:
        return f"{self.name} · {self.content_type} · {human_size(self.size)}"


def summarize_attachment(path: str) -> AttachmentSummary:
    """Read and check ``path`` with the core; ``ValidationError`` says what is wrong.

    Reads the file (up to Pushover's limit): call it in a worker thread.
    """
    attachment = Attachment.from_path(Path(path.strip()).expanduser())
    return AttachmentSummary(attachment.filename, attachment.content_type, attachment.size)


def complete_path(value: str) -> str | None:
    """``value`` completed to the directory entries that start with its last part.

    One match completes fully (a directory gains a ``/``); several complete as
    far as they agree, else to the first in order. Hidden entries only when the
    last part starts with a dot. None when nothing matches or nothing is added.
    """
    if not value:
        return None
    head, prefix = os.path.split(value)
    directory = Path(head or ".").expanduser()
    try:
        with os.scandir(directory) as entries:
            names = []
            for count, entry in enumerate(entries):
                if count >= MAX_COMPLETIONS:
                    break
                if entry.name.startswith(prefix) and (prefix[:1] == "." or entry.name[:1] != "."):
                    is_dir = entry.is_dir()
                    names.append(entry.name + ("/" if is_dir else ""))
    except OSError:
        return None
    if not names:
        return None
    names.sort()
    common = os.path.commonprefix(names)  # noqa: RUF071 (characters wanted, not parts)
    completed = common if len(common) > len(prefix) else names[0]
    if completed == prefix:
        return None
    return value + completed[len(prefix) :]
