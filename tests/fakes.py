"""Test doubles shared by several test files."""

from __future__ import annotations


class FakeClock:
    """Time that passes only when slept through: retries and polls cost no real time.

    Call it for the time; ``sleep``/``asleep`` record each wait in ``waits`` and move on.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
