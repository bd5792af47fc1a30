"""Completes file paths as they are typed (accept with →), for the image field."""

from __future__ import annotations

import asyncio

from textual.suggester import Suggester


class PathSuggester(Suggester):
    """Suggests the directory entries that start with what was typed; never cached,
    since directories change. The listing runs in a thread: a slow disk must not
    stall typing."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        from pullover_tui.tui.attachments import complete_path  # once something is typed

        return await asyncio.to_thread(complete_path, value)
