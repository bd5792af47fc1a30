"""The history screen's data: one page of entries at a time, and how each row reads.

No Textual here. Pages come from the core's indexed ``search``/``count``, so a
history of 100,000 messages costs what a page of 100 does; the screen calls
``load_page`` from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.text import Text

from pullover_tui.core.history_entry import FAILED, PENDING, REJECTED, SENT, HistoryEntry
from pullover_tui.core.store import HistoryStore

PAGE_SIZE = 100
COLUMN_LABELS = {
    "time": "Time",
    "status": "Status",
    "profile": "Profile",
    "priority": "Priority",
    "title": "Title",
    "message": "Message",
}
FIXED_WIDTHS = {"time": 16, "status": 10, "profile": 10, "priority": 9, "title": 16}
WIDE = 100
"""From this many columns on, the table shows priority and title in columns of their own;
narrower, the title starts the message cell."""
MIN_MESSAGE_WIDTH = 16
STATUS_FILTERS: tuple[tuple[str, str], ...] = (
    ("all statuses", ""),
    ("outbox (pending, failed)", "outbox"),
    ("sent", SENT),
    ("failed", FAILED),
    ("pending", PENDING),
    ("rejected", REJECTED),
)
STATUS_LOOK = {
    SENT: ("✓ sent", "green"),
    PENDING: ("◷ pending", "bold yellow"),
    FAILED: ("✗ failed", "bold red"),
    REJECTED: ("⊘ rejected", "red"),
}
PRIORITY_LABELS = {-2: "lowest", -1: "low", 0: "normal", 1: "high", 2: "emergency"}


@dataclass(frozen=True)
class HistoryQuery:
    """What the user filters by: words of title or message, and a status (or "outbox")."""

    text: str = ""
    status: str = ""

    @property
    def words(self) -> str | None:
        return self.text.strip() or None

    @property
    def status_filter(self) -> str | None:
        return self.status or None


@dataclass(frozen=True)
class HistoryPage:
    """Entries ``offset``… of a query, newest first; ``total`` is counted with the first page."""

    query: HistoryQuery
    offset: int
    entries: tuple[HistoryEntry, ...]
    total: int | None


def load_page(
    path: Path, query: HistoryQuery, offset: int = 0, limit: int = PAGE_SIZE
) -> HistoryPage:
    """One page (and, for the first, the count) from a fresh store; no file means no rows.

    Raises ``StoreError`` when the file cannot be read. Never creates the file.
    """
    store = HistoryStore.open_existing(path)
    if store is None:
        return HistoryPage(query, offset, (), 0 if offset == 0 else None)
    with store:
        text, status = query.words, query.status_filter
        entries = tuple(store.search(limit=limit, offset=offset, text=text, status=status))
        total = store.count(text=text, status=status) if offset == 0 else None
    return HistoryPage(query, offset, entries, total)


def local_time(seconds: float | None, with_seconds: bool = False) -> str:
    if seconds is None:
        return "—"
    return datetime.fromtimestamp(seconds).strftime(
        "%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M"
    )


@dataclass(frozen=True)
class TableLayout:
    """Which columns fit, and how wide the message column is."""

    keys: tuple[str, ...]
    message_width: int

    def width(self, key: str) -> int:
        return self.message_width if key == "message" else FIXED_WIDTHS[key]


def table_layout(width: int) -> TableLayout:
    """The columns for a table ``width`` cells wide; the message takes what is left."""
    keys = tuple(COLUMN_LABELS)
    if width < WIDE:
        keys = tuple(key for key in keys if key not in ("priority", "title"))
    used = sum(FIXED_WIDTHS[key] for key in keys if key != "message") + 2 * len(keys)
    return TableLayout(keys, max(MIN_MESSAGE_WIDTH, width - used))


def one_line(text: str, width: int) -> str:
    """Whitespace collapsed, cut with an ellipsis past ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def status_text(entry: HistoryEntry) -> Text:
    label, style = STATUS_LOOK.get(entry.status, (entry.status, ""))
    return Text(label, style=style)


def priority_label(entry: HistoryEntry) -> str:
    return PRIORITY_LABELS.get(int(entry.priority), str(int(entry.priority)))


def row_cells(entry: HistoryEntry, layout: TableLayout) -> list[str | Text]:
    """The cells of ``layout``'s columns: time, status, profile, priority, title, message."""
    text = entry.message
    if "title" not in layout.keys and entry.title:
        text = f"{entry.title}: {text}"
    cells: dict[str, str | Text] = {
        "time": local_time(entry.created_at),
        "status": status_text(entry),
        "profile": one_line(entry.profile or "—", FIXED_WIDTHS["profile"]),
        "priority": priority_label(entry),
        "title": one_line(entry.title or "", FIXED_WIDTHS["title"]),
        "message": one_line(text, layout.message_width),
    }
    return [cells[key] for key in layout.keys]
