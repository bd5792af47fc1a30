"""The retry policy as data: how many attempts, how long to wait, when to give up."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pullover_tui.core.errors import ValidationError
from pullover_tui.core.limits import MIN_RETRY_WAIT


@dataclass(frozen=True)
class RetryPolicy:
    """Retry 5xx, bad bodies, connection failures and timeouts; never a refusal.

    Waits grow exponentially from ``first_wait`` with random jitter on top, are
    capped at ``max_wait``, and are never under Pushover's 5 second floor.
    ``deadline`` bounds the whole send, waits included, from the first attempt.
    """

    max_attempts: int = 5
    first_wait: float = MIN_RETRY_WAIT
    multiplier: float = 2.0
    max_wait: float = 60.0
    jitter: float = 0.25
    deadline: float | None = 300.0
    timeout: float = 15.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValidationError("retries", "must be 0 or more")
        if not self.timeout > 0:
            raise ValidationError("timeout", "must be more than 0 seconds")
        if self.deadline is not None and not self.deadline > 0:
            raise ValidationError("deadline", "must be more than 0 seconds")

    def wait_before(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before attempt number ``attempt`` (2 for the first retry)."""
        base = self.first_wait * self.multiplier ** max(attempt - 2, 0)
        base = min(base, self.max_wait)
        wait = base + base * self.jitter * rng.random()
        return max(MIN_RETRY_WAIT, min(wait, max(self.max_wait, MIN_RETRY_WAIT)))


@dataclass(frozen=True)
class RetryNotice:
    """Told to ``on_retry`` before each wait, e.g. ``attempt 2/5 in 5.3 s: HTTP 503``."""

    next_attempt: int
    max_attempts: int
    wait: float
    reason: str

    def __str__(self) -> str:
        return (
            f"attempt {self.next_attempt}/{self.max_attempts} in {self.wait:.1f} s: {self.reason}"
        )
