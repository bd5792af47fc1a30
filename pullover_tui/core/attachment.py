"""Image attachments: read once, checked by content, at most Pushover's size."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pullover_tui.core.errors import ValidationError
from pullover_tui.core.limits import ATTACHMENT_MAX_BYTES
from pullover_tui.core.parsing import is_unicode_text

FIELD = "attachment"

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
)


def sniff_image_type(head: bytes) -> str | None:
    """The MIME type of an image from its first bytes, or None if it is not one."""
    for magic, offset, mime in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        return "image/avif" if head[8:12] == b"avif" else "image/heic"
    return None


def printable_name(name: str) -> str:
    """A file name as text a request can carry: bytes that are not UTF-8 become U+FFFD."""
    if is_unicode_text(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True)
class Attachment:
    """An image to send with a message; ``content`` is hidden from the repr."""

    filename: str
    content: bytes = field(repr=False)
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)

    @classmethod
    def from_bytes(cls, content: bytes, filename: str = "image") -> Attachment:
        if len(content) > ATTACHMENT_MAX_BYTES:
            raise ValidationError(
                FIELD, f"must be at most {ATTACHMENT_MAX_BYTES:,} bytes (is {len(content):,})"
            )
        if not content:
            raise ValidationError(FIELD, "is empty")
        mime = sniff_image_type(content[:32])
        if mime is None:
            raise ValidationError(FIELD, f"{filename} is not an image (PNG, JPEG, GIF, WebP, …)")
        return cls(filename=filename, content=content, content_type=mime)

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> Attachment:
        file = Path(path)
        try:
            size = file.stat().st_size
            if size > ATTACHMENT_MAX_BYTES:
                raise ValidationError(
                    FIELD, f"must be at most {ATTACHMENT_MAX_BYTES:,} bytes (is {size:,})"
                )
            content = file.read_bytes()
        except FileNotFoundError:
            raise ValidationError(FIELD, f"no such file: {file}") from None
        except IsADirectoryError:
            raise ValidationError(FIELD, f"is a directory: {file}") from None
        except OSError as exc:
            raise ValidationError(FIELD, f"cannot read {file}: {exc.strerror}") from None
        return cls.from_bytes(content, printable_name(file.name))

    @classmethod
    def from_file(cls, stream: BinaryIO, filename: str | None = None) -> Attachment:
        content = stream.read(ATTACHMENT_MAX_BYTES + 1)
        name = filename or Path(str(getattr(stream, "name", "image"))).name
        return cls.from_bytes(content, printable_name(name))

    @classmethod
    def coerce(cls, value: object) -> Attachment:
        if isinstance(value, Attachment):
            return value
        if isinstance(value, bytes | bytearray | memoryview):
            return cls.from_bytes(bytes(value))
        if isinstance(value, str | os.PathLike):
            return cls.from_path(value)
        if hasattr(value, "read"):
            return cls.from_file(value)  # type: ignore[arg-type]
        raise ValidationError(FIELD, "must be a path, bytes or a binary file")
