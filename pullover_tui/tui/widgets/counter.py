"""A live ``length/limit`` counter that warns near the limit and errs past it."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from pullover_tui.tui.draft import counter_level


class CharCounter(Static):
    """Shows ``count/maximum``; classes ``-warning`` and ``-error`` colour it."""

    DEFAULT_CSS = """
    CharCounter {
        width: auto;
        min-width: 9;
        padding: 0 1;
        text-align: right;
        color: $text-muted;
        &.-warning { color: $text-warning; text-style: bold; }
        &.-error { color: $text-error; text-style: bold reverse; }
    }
    """

    count: reactive[int] = reactive(0)

    def __init__(self, maximum: int, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.maximum = maximum

    def on_mount(self) -> None:
        self._show(self.count)

    def watch_count(self, count: int) -> None:
        self._show(count)

    def _show(self, count: int) -> None:
        level = counter_level(count, self.maximum)
        self.set_class(level == "warning", "-warning")
        self.set_class(level == "error", "-error")
        self.update(f"{count}/{self.maximum}")
