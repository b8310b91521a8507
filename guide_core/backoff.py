"""Reconnect delays shared by every client of the guide server (robot bridge, `guide listen`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Backoff:
    """Reconnect delays: `initial`, doubling up to `maximum`; `reset()` after a good connection."""

    initial: float = 0.5
    maximum: float = 10.0
    _current: float = 0.0

    def next_delay(self) -> float:
        """The delay before the next connection attempt."""
        self._current = self.initial if self._current == 0.0 else min(self.maximum, self._current * 2)
        return self._current

    def reset(self) -> None:
        """Start again from `initial` (the last connection was good)."""
        self._current = 0.0
