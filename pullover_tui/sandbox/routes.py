"""Which function answers which method and path."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from pullover_tui.sandbox import endpoints, inspection
from pullover_tui.sandbox.app import SandboxApp
from pullover_tui.sandbox.responses import ApiRequest, ApiResponse

Endpoint = Callable[[SandboxApp, ApiRequest], ApiResponse]

API_PREFIX = "/1/"
MESSAGES_PATH = "/1/messages.json"


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: Endpoint


def _route(method: str, pattern: str, endpoint: Endpoint) -> Route:
    return Route(method, re.compile(pattern), endpoint)


ROUTES = (
    _route("POST", r"/1/messages\.json", endpoints.send_message),
    _route("POST", r"/1/users/validate\.json", endpoints.validate_user),
    _route("GET", r"/1/sounds\.json", endpoints.list_sounds),
    _route("GET", r"/1/apps/limits\.json", endpoints.app_limits),
    _route("POST", r"/1/receipts/cancel_by_tag/(?P<tag>[^/]+)\.json", endpoints.cancel_by_tag),
    _route("GET", r"/1/receipts/(?P<receipt>[^/]+)\.json", endpoints.receipt_status),
    _route("POST", r"/1/receipts/(?P<receipt>[^/]+)/cancel\.json", endpoints.cancel_receipt),
    _route("GET", r"/sandbox/messages", inspection.list_messages),
    _route("DELETE", r"/sandbox/messages", inspection.clear_messages),
    _route("POST", r"/sandbox/receipts/(?P<receipt>[^/]+)/acknowledge", inspection.acknowledge),
)


@dataclass(frozen=True)
class Match:
    """The route for a request, or (route None) the methods the path does allow."""

    route: Route | None
    path_args: dict[str, str]
    allowed: tuple[str, ...]


def match(method: str, path: str) -> Match:
    allowed: list[str] = []
    for route in ROUTES:
        found = route.pattern.fullmatch(path)
        if found is None:
            continue
        if route.method == method:
            return Match(route, {k: unquote(v) for k, v in found.groupdict().items()}, ())
        allowed.append(route.method)
    return Match(None, {}, tuple(allowed))
