"""Masking of app tokens and user keys, for every place a person can see them."""

from __future__ import annotations

ELLIPSIS = "…"


def mask_secret(value: str) -> str:
    """Show the shape of a secret without giving it away: ``azGD…yUi``.

    Comma-joined keys are masked one by one. Short values are hidden entirely,
    since keeping seven characters of them would give away most of the value.
    """
    if "," in value:
        return ",".join(mask_secret(part) for part in value.split(","))
    value = value.strip()
    if len(value) < 16:
        return ELLIPSIS if value else ""
    return f"{value[:4]}{ELLIPSIS}{value[-3:]}"


def redact(text: str, *secrets: str) -> str:
    """Replace every occurrence of the given secrets in ``text`` by their masked form."""
    for secret in secrets:
        for part in secret.split(","):
            part = part.strip()
            if len(part) >= 4:
                text = text.replace(part, mask_secret(part))
    return text
