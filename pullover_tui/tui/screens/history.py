"""F4: every message sent or attempted, newest first; search, open, resend, send the outbox.

Rows are read a page at a time in a worker thread (the core's indexed search),
and the next page only when the cursor nears the end: a history of 100,000
messages costs what 100 do. Typing in the search box reloads after a short pause.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from pullover_tui.core.history_entry import HistoryEntry
from pullover_tui.core.store import StoreError
from pullover_tui.tui.history_pages import (
    COLUMN_LABELS,
    PAGE_SIZE,
    STATUS_FILTERS,
    HistoryPage,
    HistoryQuery,
    TableLayout,
    load_page,
    row_cells,
    table_layout,
)
from pullover_tui.tui.recording import read_entry
from pullover_tui.tui.screens import history_actions
from pullover_tui.tui.screens.common import apply_cursor_blink, pullover_app, spare_first_restyle
from pullover_tui.tui.screens.history_entry import HistoryEntryScreen
from pullover_tui.tui.widgets.choice_field import ChoiceField
from pullover_tui.tui.widgets.footer import KeyFooter
from pullover_tui.tui.widgets.title_bar import TitleBar

MORE_MARGIN = 10
"""Load the next page once the cursor is this close to the last loaded row."""


class HistoryScreen(Screen[None]):
    """The history table, its search box and status filter."""

    SUB_TITLE = "History"
    SEARCH_DELAY = 0.25
    """Seconds of quiet typing before the search runs."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="history_open", tooltip="Show the whole message"),
        Binding("r", "resend", "Resend", id="history_resend", tooltip="Send it again as it was"),
        Binding(
            "e",
            "edit",
            "Edit & resend",
            id="history_edit",
            tooltip="Put it in the compose form to change and send",
        ),
        Binding(
            "n",
            "send_now",
            "Send now",
            id="history_send_now",
            tooltip="Send a pending or failed message from the outbox now",
        ),
        Binding("slash", "search", "Search", id="history_search", tooltip="Search the history"),
        Binding("escape", "app.show_compose", "Back", id="history_back", tooltip="Back to compose"),
    ]

    class PageLoaded(Message):
        def __init__(self, generation: int, page: HistoryPage) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

    class LoadFailed(Message):
        def __init__(self, generation: int, reason: str) -> None:
            super().__init__()
            self.generation = generation
            self.reason = reason

    def __init__(self) -> None:
        super().__init__()
        self.query_state = HistoryQuery()
        self.entries: dict[int, HistoryEntry] = {}
        self.total: int | None = None
        self._generation = 0
        self._loading = False
        self._exhausted = False
        self._keep: int | None = None
        self._search_timer: Timer | None = None
        self._layout: TableLayout | None = None
        self._keys: tuple[bool, bool] | None = None
        self._table: DataTable[object] = DataTable(
            id="history-table", cursor_type="row", zebra_stripes=True
        )

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="history-body"):
            with Horizontal(id="history-filters"):
                yield Input(
                    id="history-search",
                    placeholder="/ to search: words or their beginnings",
                    compact=True,
                )
                yield ChoiceField(STATUS_FILTERS, id="history-status")
            yield self._table
            yield Static("", id="history-info", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        apply_cursor_blink(self)
        self._fit_columns(self.app.size.width)
        pullover_app(self).history_changed.subscribe(self, self._history_changed)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Shown (again): the newest entries, the cursor back on the table."""
        spare_first_restyle(self, event)
        self._fit_columns(self.app.size.width)
        self._history_changed(None)
        self.table.focus()

    @property
    def table(self) -> DataTable[object]:
        return self._table

    @property
    def selected(self) -> HistoryEntry | None:
        """The entry under the cursor."""
        table = self._table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.entries.get(int(row_key.value or 0))

    # Columns ----------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._fit_columns(event.size.width)

    def _fit_columns(self, screen_width: int) -> None:
        """Columns that fit the screen (body padding and scrollbar aside); rows follow."""
        layout = table_layout(screen_width - 5)
        if layout == self._layout:
            return
        self._layout = layout
        table = self.table
        selected = self.selected
        table.clear(columns=True)
        for key in layout.keys:
            table.add_column(COLUMN_LABELS[key], width=layout.width(key), key=key)
        self._add_rows(self.entries.values())
        if selected is not None and selected.id in self.entries:
            table.move_cursor(row=list(self.entries).index(selected.id), animate=False)

    def _add_rows(self, entries: Iterable[HistoryEntry]) -> None:
        assert self._layout is not None
        for entry in entries:
            self.table.add_row(*row_cells(entry, self._layout), key=str(entry.id))

    # Loading ---------------------------------------------------------------------------

    def _history_changed(self, _: None) -> None:
        selected = self.selected
        self.reload(keep=selected.id if selected is not None else None)

    def reload(self, keep: int | None = None) -> None:
        """Load the first page of the current query afresh (keeping the cursor's entry)."""
        self._generation += 1
        self._keep = keep
        self._exhausted = False
        self._request(0)

    def _request(self, offset: int) -> None:
        self._loading = True
        path = pullover_app(self).history_file
        self._fetch(self._generation, path, self.query_state, offset)

    @work(thread=True, exclusive=True, group="history-page", exit_on_error=False)
    def _fetch(self, generation: int, path: Path, query: HistoryQuery, offset: int) -> None:
        """One page from a fresh store, off the event loop; results come back as messages."""
        worker = get_current_worker()
        try:
            page = load_page(path, query, offset)
        except StoreError as exc:
            self.post_message(self.LoadFailed(generation, str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(self.PageLoaded(generation, page))

    @on(PageLoaded)
    def _page_loaded(self, event: PageLoaded) -> None:
        page = event.page
        if event.generation != self._generation or page.offset not in (0, len(self.entries)):
            return
        table = self.table
        if page.offset == 0:
            table.clear()
            self.entries.clear()
            self.total = page.total
        self._add_rows(page.entries)
        self.entries.update((entry.id, entry) for entry in page.entries)
        self._loading = False
        self._exhausted = len(page.entries) < PAGE_SIZE
        if page.offset == 0 and self._keep in self.entries:
            table.move_cursor(row=list(self.entries).index(self._keep), animate=False)
        self._show_info()
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        """The footer's keys depend on the selection: refresh them when that matters."""
        entry = self.selected
        keys = (entry is not None, entry is not None and entry.in_outbox)
        if keys != self._keys:
            self._keys = keys
            self.refresh_bindings()

    @on(LoadFailed)
    def _load_failed(self, event: LoadFailed) -> None:
        if event.generation == self._generation:
            self._loading = False
            self._show_info(f"✗ The history cannot be read: {event.reason}")

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._refresh_keys()
        near_end = event.cursor_row >= len(self.entries) - MORE_MARGIN
        if near_end and not self._loading and not self._exhausted:
            self._request(len(self.entries))

    def _show_info(self, problem: str | None = None) -> None:
        info = self.query_one("#history-info", Static)
        info.set_class(problem is not None, "-bad")
        if problem is not None:
            info.update(problem)
            return
        app = pullover_app(self)
        parts = []
        total = self.total or 0
        if not self.entries:
            filtered = self.query_state != HistoryQuery()
            parts.append("No message matches." if filtered else "Nothing sent yet.")
        else:
            parts.append(f"{len(self.entries):,} of {max(total, len(self.entries)):,} shown")
        if not app.history_on:
            parts.append("Recording is off (history = false in the config file)")
        elif app.demo is not None:
            parts.append("demo: kept only until you quit")
        info.update(" · ".join(parts))

    # Search and filter -----------------------------------------------------------------

    @on(Input.Changed, "#history-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(self.SEARCH_DELAY, self._run_search)

    def _run_search(self) -> None:
        text = self.query_one("#history-search", Input).value
        self._set_query(HistoryQuery(text, self.query_state.status))

    @on(ChoiceField.Changed, "#history-status")
    def _status_changed(self, event: ChoiceField.Changed) -> None:
        status = event.value if isinstance(event.value, str) else ""
        self._set_query(HistoryQuery(self.query_state.text, status))

    def _set_query(self, query: HistoryQuery) -> None:
        if query != self.query_state:
            self.query_state = query
            self.reload()

    @on(Input.Submitted, "#history-search")
    def _search_submitted(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._run_search()
        self.table.focus()

    def action_search(self) -> None:
        self.query_one("#history-search", Input).focus()

    # Actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "resend", "edit", "send_now"):
            entry = self.selected
            if entry is None:
                return None
            if action == "send_now":
                return True if entry.in_outbox else None
        return True

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        entry = self.selected
        if entry is not None:
            self._open(entry.id)

    @work(exclusive=True, group="history-open", exit_on_error=False)
    async def _open(self, entry_id: int) -> None:
        """Read the entry afresh (its status may have moved on), then show it."""
        import asyncio

        app = pullover_app(self)
        try:
            entry = await asyncio.to_thread(read_entry, app.history_file, entry_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if entry is None:
            self.notify(f"#{entry_id} is no longer in the history.", severity="warning")
            self.reload()
            return
        self.app.push_screen(HistoryEntryScreen(entry), self._chosen)

    def _chosen(self, choice: tuple[str, HistoryEntry] | None) -> None:
        if choice is None:
            return
        action, entry = choice
        {"resend": self._resend, "edit": self._edit, "send_now": self._send_now}[action](entry)

    def action_resend(self) -> None:
        if (entry := self.selected) is not None:
            self._resend(entry)

    def action_edit(self) -> None:
        if (entry := self.selected) is not None:
            self._edit(entry)

    def action_send_now(self) -> None:
        if (entry := self.selected) is not None and entry.in_outbox:
            self._send_now(entry)

    def _edit(self, entry: HistoryEntry) -> None:
        pullover_app(self).edit_in_compose(entry)

    def _resend(self, entry: HistoryEntry) -> None:
        """On the app, not this screen: leaving the screen must not cancel the send."""
        app = pullover_app(self)
        app.run_worker(history_actions.resend(app, entry), group="history-send")

    def _send_now(self, entry: HistoryEntry) -> None:
        app = pullover_app(self)
        app.run_worker(history_actions.send_now(app, entry.id), group="history-send")
