"""Which exhibit the robot is heading for, from its poses: the trigger for pre-generation.

The robot approaches an exhibit when it is within the floor plan's approach radius
of it, outside its trigger radius, moving (faster than `min_speed`), closing in, and
its straight-line course passes within the trigger radius (so an exhibit it merely
drives past is not approached). It turns away when that stops holding before it
enters. Plain logic over the poses the caller passes in, so it is tested without a
clock or a robot.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from guide_core.catalogue.models import ApproachSettings, ExhibitPlacement


class ApproachKind(StrEnum):
    """What changed about the exhibit the robot heads for."""

    APPROACH = "approach"
    TURNED_AWAY = "turned_away"


@dataclass(frozen=True)
class ApproachChange:
    """The robot started heading for `exhibit_id`, or turned away from it."""

    kind: ApproachKind
    exhibit_id: str


@dataclass(frozen=True)
class _Fix:
    x: float
    y: float
    stamp: float


BASELINE_S = 1.0
"""The course is measured over at least this much robot time, so pose noise does not swing it."""
KEEP_SLACK = 2.0
"""Once approached, an exhibit is kept while the course passes within this many trigger radii
(and the radius grows by half): noise near the edge does not start and cancel it by turns."""


class ApproachWatch:
    """Follows one robot's poses; reports the exhibit it heads for and when it turns away."""

    def __init__(self) -> None:
        self.target: str | None = None
        self._fixes: deque[_Fix] = deque(maxlen=64)

    def reset(self) -> None:
        """Forget the course (a new robot connection, or the robot arrived)."""
        self.target = None
        self._fixes.clear()

    def update(
        self, x: float, y: float, stamp: float, placements: list[ExhibitPlacement], settings: ApproachSettings
    ) -> list[ApproachChange]:
        """Take one pose (map frame, robot time in seconds); the changes it causes, oldest first."""
        if self._fixes and stamp <= self._fixes[-1].stamp:
            return []  # a repeated or out-of-order pose
        self._fixes.append(_Fix(x, y, stamp))
        base = next((f for f in reversed(self._fixes) if stamp - f.stamp >= BASELINE_S), self._fixes[0])
        if base.stamp == stamp:
            return []
        vx, vy = (x - base.x) / (stamp - base.stamp), (y - base.y) / (stamp - base.stamp)
        speed = math.hypot(vx, vy)
        if speed < max(settings.min_speed, 1e-6):
            return []  # standing still says nothing about where it goes next
        ux, uy = vx / speed, vy / speed
        changes: list[ApproachChange] = []
        target = next((p for p in placements if p.id == self.target), None)
        if self.target is not None:
            if target is not None and math.hypot(target.x - x, target.y - y) <= target.trigger_radius:
                return []  # arriving: the robot's `enter` takes over
            if target is None or not _heads_for(target, x, y, ux, uy, settings, slack=KEEP_SLACK):
                changes.append(ApproachChange(ApproachKind.TURNED_AWAY, self.target))
                self.target = None
        heading = [p for p in placements if _heads_for(p, x, y, ux, uy, settings)]
        if self.target is None and heading:
            nearest = min(heading, key=lambda p: math.hypot(p.x - x, p.y - y))
            self.target = nearest.id
            changes.append(ApproachChange(ApproachKind.APPROACH, nearest.id))
        return changes


def _heads_for(
    placement: ExhibitPlacement,
    x: float,
    y: float,
    ux: float,
    uy: float,
    settings: ApproachSettings,
    *,
    slack: float = 1.0,
) -> bool:
    dx, dy = placement.x - x, placement.y - y
    distance = math.hypot(dx, dy)
    if not placement.trigger_radius < distance <= settings.radius * (1 + (slack - 1) / 2):
        return False
    along = dx * ux + dy * uy  # > 0: closing in
    miss = abs(dx * uy - dy * ux)  # how far the straight course passes from the exhibit
    return along > 0 and miss <= placement.trigger_radius * slack
