"""History rows for people: an aligned table that fits the terminal, and one entry in full."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from datetime import datetime

from pullover_tui.core.history_entry import HistoryEntry, iso_time

ELLIPSIS = "…"
TIME_FORMAT = "%Y-%m-%d %H:%M"
MIN_TEXT = 12
PROFILE_MAX = 12
PRIORITY_LABELS = {-2: "lowest", -1: "low", 0: "normal", 1: "high", 2: "emerg"}


def terminal_width() -> int:
    """Columns to fit: the terminal's (or ``$COLUMNS``), else 80; at least 20."""
    return max(20, shutil.get_terminal_size((80, 24)).columns)


def local_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds).strftime(TIME_FORMAT)


def clip(text: str, width: int) -> str:
    """One line of at most ``width`` characters, whitespace collapsed, cut with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    return flat[: max(0, width - 1)] + ELLIPSIS


def summary(entry: HistoryEntry) -> str:
    """Title and the start of the message, as a table shows them."""
    return f"{entry.title}: {entry.message}" if entry.title else entry.message


def table(entries: Sequence[HistoryEntry], width: int | None = None) -> list[str]:
    """Header and one line per entry: time (local), id, status, profile, priority, text.

    In a terminal too narrow for all of them, profile and priority go first, then the
    time, so that the message keeps at least ``MIN_TEXT`` columns.
    """
    width = terminal_width() if width is None else width
    id_width = max([2, *(len(str(e.id)) for e in entries)])
    profiles = [clip(e.profile or "-", PROFILE_MAX) for e in entries]
    profile_width = max([7, *(len(p) for p in profiles)])
    columns: list[tuple[str, int, Callable[[HistoryEntry, str], str]]] = [
        ("TIME", 16, lambda e, _: local_time(e.created_at)),
        ("ID", -id_width, lambda e, _: str(e.id)),
        ("STATUS", 8, lambda e, _: e.status),
        ("PROFILE", profile_width, lambda _, profile: profile),
        ("PRIORITY", 8, lambda e, _: PRIORITY_LABELS.get(int(e.priority), str(int(e.priority)))),
    ]
    for dropped in ((), ("PROFILE", "PRIORITY"), ("PROFILE", "PRIORITY", "TIME")):
        shown = [c for c in columns if c[0] not in dropped]
        if width - sum(abs(w) + 1 for _, w, _ in shown) >= MIN_TEXT:
            break
    text_width = max(MIN_TEXT, width - sum(abs(w) + 1 for _, w, _ in shown))
    lines = ["".join(_cell(name, w) for name, w, _ in shown) + "MESSAGE"]
    for entry, profile in zip(entries, profiles, strict=True):
        cells = "".join(_cell(cell(entry, profile), w) for _, w, cell in shown)
        lines.append(cells + clip(summary(entry), text_width))
    return lines


def _cell(text: str, width: int) -> str:
    """Padded to ``abs(width)`` and a space; a negative width aligns right."""
    return f"{text:>{-width}} " if width < 0 else f"{text:<{width}} "


def detail(entry: HistoryEntry) -> list[str]:
    """Every recorded field, one per line; the message itself last, indented, in full."""
    fields: list[tuple[str, object]] = [
        ("id", entry.id),
        ("status", entry.status + (" (in the outbox)" if entry.in_outbox else "")),
        ("created", iso_time(entry.created_at)),
        ("sent", iso_time(entry.sent_at)),
        ("profile", entry.profile),
        ("recipients", entry.recipients),
        ("api url", entry.api_url),
        ("attempts", entry.attempts),
        ("request", entry.request),
        ("receipt", entry.receipt),
        ("last error", entry.last_error),
        ("title", entry.title),
        ("priority", f"{entry.priority.label} ({int(entry.priority)})"),
        ("url", entry.url),
        ("url title", entry.url_title),
        ("sound", entry.sound),
        ("device", ",".join(entry.devices) or None),
        ("timestamp", iso_time(entry.timestamp)),
        ("ttl", entry.ttl),
        ("format", "html" if entry.html else "monospace" if entry.monospace else None),
        ("retry", entry.retry),
        ("expire", entry.expire),
        ("callback", entry.callback),
        ("tags", ",".join(entry.tags) or None),
        ("attachment", _attachment(entry)),
    ]
    lines = [f"{name + ':':<12} {value}" for name, value in fields if value is not None]
    lines.append("message:")
    lines.extend(f"  {line}" for line in entry.message.splitlines() or [""])
    return lines


def _attachment(entry: HistoryEntry) -> str | None:
    a = entry.attachment
    if a is None:
        return None
    size = f"{a.size:,} bytes" if a.size is not None else "size unknown"
    kind = a.content_type or "image"
    if a.resendable:
        return f"{a.path} ({kind}, {size})"
    return f"{a.filename or 'data'} ({kind}, {size}; given as data, not kept: cannot be resent)"
