"""Request bodies (urlencoded, multipart/form-data, JSON) turned into text fields and one file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

MAX_FIELDS = 1000
ATTACHMENT_FIELD = "attachment"

_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class UploadedFile:
    """The file part of a multipart body, as the client described it."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class FormData:
    """Text fields of a request (query string first, body fields over it) and its file."""

    encoding: str  # "none", "urlencoded", "multipart" or "json"
    fields: dict[str, str] = field(default_factory=dict)
    attachment: UploadedFile | None = None


class BodyError(Exception):
    """A body the sandbox cannot read: ``status`` is the HTTP answer to give."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_header_value(value: str) -> tuple[str, dict[str, str]]:
    """Split ``type/sub; name="value"`` into the lower-cased main value and its parameters."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(";" + rest):
        raw = match.group(2).strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = _ESCAPE.sub(r"\1", raw[1:-1])
        params[match.group(1).lower()] = raw
    return main.strip().lower(), params


def parse_query(query: str) -> dict[str, str]:
    """Fields of a query string; the last of repeated names wins."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BodyError(400, "query string is not valid") from exc
    return dict(pairs)


def parse_body(content_type: str | None, body: bytes) -> FormData:
    """Read a request body; raises BodyError (400 or 415) for what cannot be read."""
    if not body:
        return FormData("none")
    mime, params = parse_header_value(content_type or "")
    if mime == "application/x-www-form-urlencoded":
        return _parse_urlencoded(body)
    if mime == "multipart/form-data":
        return _parse_multipart(body, params.get("boundary", ""))
    if mime == "application/json" or mime.endswith("+json"):
        return _parse_json(body)
    shown = mime or "none"
    raise BodyError(
        415,
        f"unsupported content type ({shown}): send application/x-www-form-urlencoded, "
        "multipart/form-data or application/json",
    )


def _parse_urlencoded(body: bytes) -> FormData:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(400, "form body is not valid UTF-8") from exc
    return FormData("urlencoded", parse_query(text))


def _parse_json(body: bytes) -> FormData:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BodyError(400, "body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise BodyError(400, "JSON body must be an object of fields")
    fields: dict[str, str] = {}
    for name, value in data.items():
        text = _json_scalar(name, value)
        if text is not None:
            fields[name] = text
    return FormData("json", fields)


def _json_scalar(name: str, value: object) -> str | None:
    """JSON values as the text a form would carry: true -> "1", 7 -> "7", null -> absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # "\ud800" escapes decode to text no answer can carry
            raise BodyError(400, f"JSON field {name!r} is not valid Unicode text") from None
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    raise BodyError(400, f"JSON field {name!r} must be a string, a number or a boolean")


def _parse_multipart(body: bytes, boundary: str) -> FormData:
    if not boundary or len(boundary) > 200 or not boundary.isascii():
        raise BodyError(400, "multipart body needs a boundary parameter in its Content-Type")
    sections = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("ascii"))
    if len(sections) < 2:
        raise BodyError(400, "multipart body does not contain its boundary")
    fields: dict[str, str] = {}
    attachment: UploadedFile | None = None
    for section in sections[1:]:
        if section.startswith(b"--"):
            return FormData("multipart", fields, attachment)
        if len(fields) >= MAX_FIELDS:
            raise BodyError(400, "multipart body has too many parts")
        name, filename, part_type, content = _parse_part(section)
        if name == ATTACHMENT_FIELD:
            attachment = UploadedFile(filename or ATTACHMENT_FIELD, part_type, content)
        elif filename is None:
            fields[name] = _decode_text(name, content)
    raise BodyError(400, "multipart body is not closed by its final boundary")


def _parse_part(section: bytes) -> tuple[str, str | None, str, bytes]:
    """One part after its boundary line: (name, filename, content type, content)."""
    rest = section.lstrip(b" \t")
    if not rest.startswith(b"\r\n"):
        raise BodyError(400, "multipart boundary line is malformed")
    rest = rest[2:]
    if rest.startswith(b"\r\n"):
        head, content = b"", rest[2:]
    else:
        head, separator, content = rest.partition(b"\r\n\r\n")
        if not separator:
            raise BodyError(400, "multipart part has no end of headers")
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n") if head else []:
        name, colon, value = _decode_text("header", line).partition(":")
        if not colon:
            raise BodyError(400, "multipart part has a malformed header line")
        headers[name.strip().lower()] = value.strip()
    disposition, params = parse_header_value(headers.get("content-disposition", ""))
    if disposition != "form-data" or not params.get("name"):
        raise BodyError(400, "multipart part lacks Content-Disposition: form-data with a name")
    filename = params.get("filename")
    if "filename*" in params:
        charset, _, encoded = params["filename*"].partition("'")
        try:
            filename = unquote(
                encoded.partition("'")[2], encoding=charset or "utf-8", errors="strict"
            )
        except (LookupError, UnicodeDecodeError) as exc:
            raise BodyError(400, "multipart filename* cannot be decoded") from exc
    part_type = headers.get("content-type", "application/octet-stream")
    return params["name"], filename, part_type, content


def _decode_text(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(400, f"multipart field {name!r} is not valid UTF-8") from exc
