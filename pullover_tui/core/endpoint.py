"""Where requests go: the API root, from the caller, the environment or the default."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from pullover_tui.core.errors import ValidationError

DEFAULT_API_URL = "https://api.pushover.net"
API_URL_ENV = "PUSHOVER_API_URL"


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_api_url(url: str, field: str = "api_url") -> str:
    """An API root without its trailing slash; plain http only for loopback hosts."""
    url = url.strip().rstrip("/")
    if any(not char.isprintable() or char.isspace() for char in url):
        raise ValidationError(field, "is not a valid URL")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        raise ValidationError(field, "is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValidationError(field, "must be an http(s):// URL with a host")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise ValidationError(field, "must use https:// (plain http only for loopback hosts)")
    if parts.query or parts.fragment:
        raise ValidationError(field, "must not have a query or fragment")
    if parts.username is not None or parts.password is not None:
        # it would be shown wherever the API root is (-v, history): keep secrets out of it
        raise ValidationError(field, "must not hold a user name or password")
    return url


def resolve_api_url(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The constructor's URL, else ``PUSHOVER_API_URL``, else Pushover's own root."""
    environ = os.environ if env is None else env
    if explicit:
        return check_api_url(explicit)
    if environ.get(API_URL_ENV):
        return check_api_url(environ[API_URL_ENV], API_URL_ENV)
    return DEFAULT_API_URL
