"""Which proximity event comes next: exhibit zones, hysteresis and dwell, with no ROS in sight.

The proximity node feeds every robot pose (map frame) to a `ProximityTracker` and
publishes what it returns. A zone is entered at `trigger_radius` and left only
beyond `trigger_radius * leave_factor`; a visit shorter than `min_stay` seconds
reports no `leave`, so pose noise at the rim cannot make events flicker.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from guide_core.catalogue.models import FloorPlan
from guide_core.protocol import Proximity, ProximityKind


@dataclass(frozen=True)
class RobotPose:
    """A planar pose: metres and radians (counter-clockwise from +x)."""

    x: float
    y: float
    yaw: float


@dataclass(frozen=True)
class MapTransform:
    """Where the odometry frame's origin lies in the map frame (odom -> map)."""

    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0

    def to_map(self, pose: RobotPose) -> RobotPose:
        """The odometry-frame `pose` expressed in the map frame."""
        cos, sin = math.cos(self.yaw), math.sin(self.yaw)
        return RobotPose(
            x=self.x + cos * pose.x - sin * pose.y,
            y=self.y + sin * pose.x + cos * pose.y,
            yaw=normalize_angle(self.yaw + pose.yaw),
        )

    def to_odom(self, pose: RobotPose) -> RobotPose:
        """The map-frame `pose` expressed in the odometry frame (inverse of `to_map`)."""
        cos, sin = math.cos(self.yaw), math.sin(self.yaw)
        dx, dy = pose.x - self.x, pose.y - self.y
        return RobotPose(
            x=cos * dx + sin * dy, y=-sin * dx + cos * dy, yaw=normalize_angle(pose.yaw - self.yaw)
        )


@dataclass(frozen=True)
class ExhibitZone:
    """The circle around one exhibit: entered at `enter_radius`, left beyond `leave_radius`."""

    exhibit_id: str
    x: float
    y: float
    enter_radius: float
    leave_radius: float


@dataclass(frozen=True)
class ProximitySettings:
    """The tracker's tunables; `check()` names the one at fault."""

    leave_factor: float = 1.3
    """Leave radius = trigger radius * this; above 1 so the rim does not flicker."""
    dwell_time: float = 3.0
    """Seconds inside a zone before the one `dwell` event of that visit."""
    min_stay: float = 1.0
    """Seconds a visit lasts at least before its `leave` may be reported."""

    def check(self) -> list[str]:
        """Every problem with these settings, each with its fix; empty when good."""
        problems = []
        if not self.leave_factor > 1.0 or not math.isfinite(self.leave_factor):
            problems.append(
                f"leave_factor {self.leave_factor} must be above 1.0 (e.g. 1.3) so the leave "
                "radius exceeds the enter radius"
            )
        if not 0.0 <= self.dwell_time < math.inf:
            problems.append(f"dwell_time {self.dwell_time} must be 0 or more seconds")
        if not 0.0 <= self.min_stay < math.inf:
            problems.append(f"min_stay {self.min_stay} must be 0 or more seconds")
        return problems


def normalize_angle(angle: float) -> float:
    """`angle` wrapped into [-pi, pi)."""
    return (angle + math.pi) % (2 * math.pi) - math.pi


def zones_from_plan(plan: FloorPlan, *, leave_factor: float) -> list[ExhibitZone]:
    """One zone per placed exhibit of the floor plan."""
    return [
        ExhibitZone(p.id, p.x, p.y, p.trigger_radius, p.trigger_radius * leave_factor) for p in plan.exhibits
    ]


def _by_distance(item: tuple[float, ProximityKind, ExhibitZone]) -> float:
    return item[0]


@dataclass
class _Visit:
    entered_at: float
    dwelt: bool = False


class ProximityTracker:
    """Turns a stream of map-frame poses into enter, dwell and leave events.

    Not thread-safe: call it from one thread (the node's callback group does that).
    """

    def __init__(self, zones: Iterable[ExhibitZone], settings: ProximitySettings) -> None:
        self._zones = {z.exhibit_id: z for z in zones}
        self._settings = settings
        self._visits: dict[str, _Visit] = {}
        self._seq = 0

    @property
    def inside(self) -> frozenset[str]:
        """Exhibits whose zone the robot is in now."""
        return frozenset(self._visits)

    @property
    def zones(self) -> list[ExhibitZone]:
        """The zones tracked now."""
        return list(self._zones.values())

    @property
    def settings(self) -> ProximitySettings:
        """The tunables in force."""
        return self._settings

    def replace(self, zones: Iterable[ExhibitZone], settings: ProximitySettings | None = None) -> None:
        """Track new zones (a catalogue edit); visits of exhibits that remain carry on."""
        self._zones = {z.exhibit_id: z for z in zones}
        self._settings = settings or self._settings
        self._visits = {k: v for k, v in self._visits.items() if k in self._zones}

    def update(self, pose: RobotPose, now: float) -> list[Proximity]:
        """Events caused by the robot being at `pose` at time `now` (seconds since the epoch)."""
        leaves: list[tuple[float, ProximityKind, ExhibitZone]] = []
        others: list[tuple[float, ProximityKind, ExhibitZone]] = []
        for zone in self._zones.values():
            distance = math.hypot(zone.x - pose.x, zone.y - pose.y)
            visit = self._visits.get(zone.exhibit_id)
            if visit is None:
                if distance <= zone.enter_radius:
                    self._visits[zone.exhibit_id] = _Visit(entered_at=now)
                    others.append((distance, ProximityKind.ENTER, zone))
                continue
            stayed = now - visit.entered_at
            if distance > zone.leave_radius and stayed >= self._settings.min_stay:
                del self._visits[zone.exhibit_id]
                leaves.append((distance, ProximityKind.LEAVE, zone))
            elif not visit.dwelt and stayed >= self._settings.dwell_time and distance <= zone.leave_radius:
                visit.dwelt = True
                others.append((distance, ProximityKind.DWELL, zone))
        # Leaving one exhibit comes before arriving at the next; nearer exhibits first.
        ordered = sorted(leaves, key=_by_distance) + sorted(others, key=_by_distance)
        return [self._event(kind, zone, pose, distance, now) for distance, kind, zone in ordered]

    def _event(
        self, kind: ProximityKind, zone: ExhibitZone, pose: RobotPose, distance: float, now: float
    ) -> Proximity:
        bearing = normalize_angle(math.atan2(zone.y - pose.y, zone.x - pose.x) - pose.yaw)
        event = Proximity(
            event=kind,
            exhibit_id=zone.exhibit_id,
            distance=distance,
            bearing=bearing,
            seq=self._seq,
            stamp=now,
        )
        self._seq += 1
        return event
