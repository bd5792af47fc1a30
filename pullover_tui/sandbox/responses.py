"""Requests as endpoints see them, and answers in Pushover's JSON shapes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pullover_tui.sandbox.forms import FormData

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
QUOTA_SPENT = "application has exceeded its monthly message quota"
GARBAGE_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ApiRequest:
    """A parsed request: ``form.fields`` holds the query string's fields under the body's."""

    method: str
    path: str
    form: FormData
    path_args: Mapping[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str | None:
        return self.form.fields.get(name) or None


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: Headers = ()

    def with_headers(self, headers: Headers) -> ApiResponse:
        return ApiResponse(self.status, self.body, self.content_type, self.headers + headers)


def new_request_id() -> str:
    return str(uuid.uuid4())


def json_response(status: int, payload: Any, headers: Headers = ()) -> ApiResponse:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return ApiResponse(status, body, JSON_TYPE, headers)


def ok(
    payload: Mapping[str, Any] | None = None,
    headers: Headers = (),
    request_id: str | None = None,
) -> ApiResponse:
    """Pushover's success shape: ``{"status": 1, ..., "request": uuid}``."""
    body = {"status": 1, **(payload or {}), "request": request_id or new_request_id()}
    return json_response(200, body, headers)


def failure(
    status: int,
    sentences: list[str],
    marks: Mapping[str, str] | None = None,
    headers: Headers = (),
) -> ApiResponse:
    """Pushover's error shape: ``{"<field>": "invalid", "errors": [...], "status": 0, ...}``."""
    payload: dict[str, Any] = dict(marks or {})
    payload.update(errors=sentences, status=0, request=new_request_id())
    return json_response(status, payload, headers)


def rejection(problems: Mapping[str, str], headers: Headers = ()) -> ApiResponse:
    """400 naming every invalid field, each with ``"invalid"``, and each sentence once."""
    sentences = list(dict.fromkeys(problems.values()))
    return failure(400, sentences, dict.fromkeys(problems, "invalid"), headers)


def quota_spent(headers: Headers = ()) -> ApiResponse:
    return failure(429, [QUOTA_SPENT], headers=headers)


def garbage(status: int) -> ApiResponse:
    return ApiResponse(status, GARBAGE_PAGE, HTML_TYPE)
