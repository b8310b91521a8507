"""A simulated TurtleBot2 (Kobuki base): differential-drive kinematics and a tour driver, no ROS.

`TourDriver` visits exhibits in tour order, pausing at each, and lets a goal
(as Nav2 would receive on /goal_pose) pre-empt the tour; afterwards the tour
carries on where it was. The node steps it on a timer and publishes /odom.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from guide_robot.proximity import RobotPose, normalize_angle


@dataclass(frozen=True)
class Waypoint:
    """A place to drive to in the map frame, and what it is (an exhibit id or a goal)."""

    name: str
    x: float
    y: float


@dataclass(frozen=True)
class DriveSettings:
    """The simulated base's tunables; `check()` names the one at fault."""

    speed: float = 0.3
    """Top linear speed, m/s (a Kobuki does about 0.7)."""
    turn_rate: float = 1.5
    """Top angular speed, rad/s."""
    pause: float = 5.0
    """Seconds to stand at each exhibit."""
    arrive_tolerance: float = 0.05
    """Metres from a waypoint that count as arrived."""
    loop: bool = False
    """Start the tour again after its last exhibit."""

    def check(self) -> list[str]:
        """Every problem with these settings, each with its fix; empty when good."""
        problems = []
        if not 0.0 < self.speed <= 20.0:
            problems.append(f"speed {self.speed} m/s must be above 0 and at most 20")
        if not 0.0 < self.turn_rate <= 100.0:
            problems.append(f"turn_rate {self.turn_rate} rad/s must be above 0 and at most 100")
        if not 0.0 <= self.pause < math.inf:
            problems.append(f"pause {self.pause} s must be 0 or more")
        if not 0.0 < self.arrive_tolerance <= 1.0:
            problems.append(f"arrive_tolerance {self.arrive_tolerance} m must be above 0 and at most 1")
        return problems


@dataclass(frozen=True)
class Velocity:
    """A base command: forward metres/second and counter-clockwise radians/second."""

    linear: float = 0.0
    angular: float = 0.0


def integrate(pose: RobotPose, velocity: Velocity, dt: float) -> RobotPose:
    """Differential-drive kinematics: the pose after `dt` seconds at `velocity` (exact arc)."""
    v, w = velocity.linear, velocity.angular
    if abs(w) < 1e-9:
        return RobotPose(pose.x + v * dt * math.cos(pose.yaw), pose.y + v * dt * math.sin(pose.yaw), pose.yaw)
    yaw = pose.yaw + w * dt
    radius = v / w
    return RobotPose(
        pose.x + radius * (math.sin(yaw) - math.sin(pose.yaw)),
        pose.y - radius * (math.cos(yaw) - math.cos(pose.yaw)),
        normalize_angle(yaw),
    )


@dataclass(frozen=True)
class PoseNoise:
    """Gaussian noise added to each reported pose (not to the true one)."""

    position: float = 0.0
    """Standard deviation, metres."""
    yaw: float = 0.0
    """Standard deviation, radians."""

    def apply(self, pose: RobotPose, rng: random.Random) -> RobotPose:
        """`pose` as a noisy sensor would report it."""
        if self.position == 0.0 and self.yaw == 0.0:
            return pose
        return RobotPose(
            pose.x + rng.gauss(0.0, self.position),
            pose.y + rng.gauss(0.0, self.position),
            normalize_angle(pose.yaw + rng.gauss(0.0, self.yaw)),
        )


@dataclass
class TourDriver:
    """Drives the simulated robot along the tour, pausing at each exhibit; goals pre-empt it."""

    pose: RobotPose
    tour: list[Waypoint]
    settings: DriveSettings
    _next: int = 0
    _goal: Waypoint | None = None
    _pause_left: float = 0.0
    arrivals: list[str] = field(default_factory=list)
    """Names of the waypoints reached, in order (exhibit ids and goal names)."""

    def set_tour(self, tour: Sequence[Waypoint]) -> None:
        """Follow a new tour (a catalogue edit), keeping the place reached in it by name."""
        current = self.tour[self._next].name if self._next < len(self.tour) else None
        self.tour = list(tour)
        names = [w.name for w in self.tour]
        self._next = names.index(current) if current in names else min(self._next, len(self.tour))

    def set_goal(self, goal: Waypoint) -> None:
        """Go to `goal` now, as Nav2 would; the tour resumes after the pause there."""
        self._goal = goal
        self._pause_left = 0.0

    @property
    def target(self) -> Waypoint | None:
        """Where the robot is heading, or None when the tour is over."""
        if self._goal is not None:
            return self._goal
        if self._next >= len(self.tour) and self.settings.loop and self.tour:
            self._next = 0
        return self.tour[self._next] if self._next < len(self.tour) else None

    def step(self, dt: float) -> Velocity:
        """Advance the simulation by `dt` seconds; returns the velocity commanded for it."""
        if self._pause_left > 0.0:
            self._pause_left = max(0.0, self._pause_left - dt)
            return Velocity()
        target = self.target
        if target is None:
            return Velocity()
        velocity = self._command(target, dt)
        self.pose = integrate(self.pose, velocity, dt)
        if math.hypot(target.x - self.pose.x, target.y - self.pose.y) <= self.settings.arrive_tolerance:
            self._arrive(target)
        return velocity

    def _command(self, target: Waypoint, dt: float) -> Velocity:
        distance = math.hypot(target.x - self.pose.x, target.y - self.pose.y)
        heading_error = normalize_angle(
            math.atan2(target.y - self.pose.y, target.x - self.pose.x) - self.pose.yaw
        )
        max_turn = self.settings.turn_rate
        angular = max(-max_turn, min(max_turn, heading_error / dt if dt > 0 else 0.0))
        if abs(heading_error) > math.pi / 4:
            return Velocity(0.0, angular)  # turn on the spot first, as a careful base would
        linear = min(self.settings.speed, distance / dt if dt > 0 else 0.0) * math.cos(heading_error)
        return Velocity(linear, angular)

    def _arrive(self, target: Waypoint) -> None:
        self.arrivals.append(target.name)
        self._pause_left = self.settings.pause
        if self._goal is target:
            self._goal = None
        else:
            self._next += 1
