"""Questions per minute, per connection: a sliding window of the last minute."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 60.0


class QuestionRateLimit:
    """Allows `per_minute` questions in any 60 s window."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._times: deque[float] = deque()

    def allow(self) -> bool:
        """Count a question now if the window has room; False when over the limit."""
        now = self._clock()
        while self._times and now - self._times[0] >= WINDOW_S:
            self._times.popleft()
        if len(self._times) >= self.per_minute:
            return False
        self._times.append(now)
        return True

    def retry_after(self) -> float:
        """Seconds until the next question would be allowed."""
        return max(0.0, WINDOW_S - (self._clock() - self._times[0])) if self._times else 0.0
