"""Whether the robot's poses keep coming: the server side of the pose watchdog.

The watch arms with the robot's first pose on a connection (a robot that never
sends poses, e.g. one without localisation, is not judged by it). Once armed, no
pose for `timeout` seconds makes it stale; the next pose makes it fresh again.
Plain logic over times the caller passes in, so it is tested without a clock.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PoseWatch:
    """Staleness of one robot connection's pose stream."""

    timeout: float
    last_pose_at: float | None = None
    stale: bool = False

    def pose_seen(self, now: float) -> bool:
        """Record a pose at `now`; True when this ends a stale spell (the robot is back)."""
        was_stale, self.stale = self.stale, False
        self.last_pose_at = now
        return was_stale

    def check(self, now: float) -> bool:
        """True exactly once when poses stopped for `timeout` seconds at `now`."""
        if self.stale or self.last_pose_at is None or now - self.last_pose_at < self.timeout:
            return False
        self.stale = True
        return True

    def reset(self) -> None:
        """A new (or no) robot connection: unarmed and fresh."""
        self.last_pose_at = None
        self.stale = False
