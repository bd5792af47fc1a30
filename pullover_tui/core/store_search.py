"""The WHERE clauses of history searches: pure query building, shared by search and count.

Each filter is written so SQLite can use an index: rows come newest first by
their integer primary key (no sort for a page); ``since`` first finds the
lowest id at or after the time through the creation-time index, so the
newest-first scan stops early; words go through the FTS5 index in rowid order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pullover_tui.core.history_entry import STATUSES

IN_OUTBOX = "status IN ('pending', 'failed')"  # verbatim: lets SQLite use history_outbox
_WORD = re.compile(r"[^\W_]+")  # what the index's unicode61 tokenizer calls a word
_FTS_SOURCE = "history_fts f CROSS JOIN history h ON h.id = f.rowid"


@dataclass(frozen=True)
class Query:
    """``SELECT ... FROM {source} {where}`` with ``params``; ``order`` is the newest-first key."""

    source: str = "history h"
    where: str = ""
    params: dict[str, object] = field(default_factory=dict)
    order: str = "h.id"
    text_only: bool = False  # only a word filter: the FTS index alone can count

    def page_sql(self) -> str:
        return (
            f"SELECT h.* FROM {self.source} {self.where} "
            f"ORDER BY {self.order} DESC LIMIT :limit OFFSET :offset"
        )

    def count_sql(self) -> str:
        if self.text_only:
            return f"SELECT count(*) FROM history_fts {self.where}"
        return f"SELECT count(*) FROM {self.source} {self.where}"


def search_query(
    *,
    since: float | None = None,
    profile: str | None = None,
    status: str | None = None,
    text: str | None = None,
    full_text: bool = True,
) -> Query:
    """The query for rows matching every filter given (see ``HistoryStore.search``)."""
    terms: list[str] = []
    params: dict[str, object] = {}
    if status == "outbox":
        terms.append(f"h.{IN_OUTBOX}")
    elif status is not None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)} or outbox")
        terms.append("h.status = :status")
        params["status"] = status
    if profile is not None:
        terms.append("h.profile = :profile")
        params["profile"] = profile
    if since is not None:
        # min(+id): the plain min(id) would walk the primary key instead of the index
        terms.append(
            "h.id >= (SELECT min(+id) FROM history WHERE created_at >= :since) "
            "AND h.created_at >= :since"
        )
        params["since"] = float(since)
    needle = (text or "").strip()
    words = _WORD.findall(needle)
    if words and full_text:
        params["match"] = " ".join(f'"{word}"*' for word in words)
        # CROSS JOIN keeps the full-text index as the outer loop, in rowid order
        return Query(
            source=_FTS_SOURCE,
            where=_where(["history_fts MATCH :match", *terms]),
            params=params,
            order="f.rowid",
            text_only=not terms,
        )
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        terms.append("(h.message LIKE :like ESCAPE '\\' OR h.title LIKE :like ESCAPE '\\')")
        params["like"] = f"%{escaped}%"
    return Query(where=_where(terms), params=params)


def _where(terms: list[str]) -> str:
    return f"WHERE {' AND '.join(terms)}" if terms else ""
