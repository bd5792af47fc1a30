"""Misbehaving on purpose: which Pushover API requests fail, and how."""

from __future__ import annotations

import enum
import random
import threading
from dataclasses import dataclass

from pullover_tui.sandbox.config import SandboxConfig


class FaultKind(enum.Enum):
    NONE = "none"
    STATUS = "status"  # fail_status with a Pushover-like JSON body
    GARBAGE = "garbage"  # an HTML page, as a proxy in front of an API sends
    DROP = "drop"  # close the connection without any answer
    HANG = "hang"  # never answer, until the sandbox stops


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    status: int = 0


NO_FAULT = Fault(FaultKind.NONE)


class FaultPlan:
    """Decides request by request which fault to play, following the live config.

    ``fail_first`` counts from the moment it is set (or changed), so a test can
    re-arm it on a running sandbox; ``fail_rate`` draws from an RNG seeded with
    ``seed`` (re-seeded whenever ``seed`` changes).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random()
        self._seed: int | None = None
        self._fail_first_seen = 0
        self._failures_left = 0

    def next_fault(self, config: SandboxConfig) -> Fault:
        kind = _failure_kind(config)
        if not self._picked(config, default=kind is not FaultKind.STATUS):
            return NO_FAULT
        if kind is FaultKind.GARBAGE:
            return Fault(kind, config.garbage_status)
        return Fault(kind, config.fail_status)

    def _picked(self, config: SandboxConfig, default: bool) -> bool:
        """Whether this request fails: by fail_first, fail_rate, or (neither set) ``default``."""
        with self._lock:
            if config.fail_first != self._fail_first_seen:
                self._fail_first_seen = self._failures_left = config.fail_first
            if config.seed is not None and config.seed != self._seed:
                self._seed = config.seed
                self._rng.seed(config.seed)
            if self._failures_left > 0:
                self._failures_left -= 1
                return True
            if config.fail_rate > 0:
                return self._rng.random() < config.fail_rate
            return config.fail_first == 0 and default


def _failure_kind(config: SandboxConfig) -> FaultKind:
    if config.hang:
        return FaultKind.HANG
    if config.drop_connections:
        return FaultKind.DROP
    if config.garbage_body:
        return FaultKind.GARBAGE
    return FaultKind.STATUS
