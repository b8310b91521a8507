"""`proximity_node`: robot pose in, map-frame pose and exhibit proximity events out.

Subscribes to /odom (nav_msgs/Odometry, a Kobuki) or /amcl_pose
(geometry_msgs/PoseWithCovarianceStamped), chosen by `pose_source`; publishes
/guide/pose (PoseStamped, map frame) at `pose_rate` Hz, /guide/exhibit_proximity
(std_msgs/String holding a `guide_core.protocol.Proximity`) and
/guide/exhibit_zones (MarkerArray for RViz). Follows catalogue edits live.

Pose watchdog: with `pose_source:=odom`, when no /odom came for `pose_timeout`
seconds the node stops publishing /guide/pose (a stale pose must not look live),
so the bridge sends none and the server reports the robot offline; it publishes
again with the next odometry. AMCL publishes only when the robot moves, so the
watchdog does not apply to `pose_source:=amcl`; 0 turns it off.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geometry_msgs.msg import PoseStamped, PoseWithCovarianceStamped
from nav_msgs.msg import Odometry
from rclpy.node import Node
from std_msgs.msg import String
from visualization_msgs.msg import MarkerArray

from guide_core.catalogue import CatalogueChange
from guide_core.catalogue.watch import CatalogueWatchThread
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_core.pose_watch import PoseWatch
from guide_robot.messages import pose_stamped, proximity_msg, robot_pose, zone_markers
from guide_robot.parameters import CheckedParameters, open_catalogue
from guide_robot.proximity import (
    MapTransform,
    ProximitySettings,
    ProximityTracker,
    RobotPose,
    zones_from_plan,
)
from guide_robot.spin import spin_node
from guide_robot.topics import EVENTS_QOS, EVENTS_TOPIC, LATCHED_QOS, POSE_SOURCES, POSE_TOPIC, ZONES_TOPIC

ZONES_PERIOD = 0.5
"""Seconds between redraws of the RViz zones (a MarkerArray of 100 exhibits takes milliseconds to build)."""

DEFAULTS: dict[str, Any] = {
    "pose_source": "odom",
    "exhibits_dir": str(DEFAULT_EXHIBITS_DIR),
    "odom_x": 0.0,
    "odom_y": 0.0,
    "odom_yaw": 0.0,
    "leave_factor": ProximitySettings.leave_factor,
    "dwell_time": ProximitySettings.dwell_time,
    "min_stay": ProximitySettings.min_stay,
    "pose_rate": 5.0,
    "pose_timeout": 2.0,
    "watch_catalogue": True,
}


def check_parameters(values: Mapping[str, Any]) -> list[str]:
    """Every problem with the proximity node's parameters, each with its fix."""
    problems = []
    if values["pose_source"] not in POSE_SOURCES:
        problems.append(
            f"unknown pose_source {values['pose_source']!r}: use 'odom' (nav_msgs/Odometry on /odom) "
            "or 'amcl' (PoseWithCovarianceStamped on /amcl_pose)"
        )
    folder = Path(values["exhibits_dir"])
    if not (folder / "museum.json").is_file():
        problems.append(
            f"exhibits_dir {str(folder)!r} holds no museum.json: point it at the catalogue folder "
            "(the one `guide exhibits validate` checks)"
        )
    if not 0.0 < values["pose_rate"] <= 100.0:
        problems.append(f"pose_rate {values['pose_rate']} Hz must be above 0 and at most 100")
    if not 0.0 <= values["pose_timeout"] <= 3600.0:
        problems.append(f"pose_timeout {values['pose_timeout']} s must be from 0 (off) to 3600")
    return problems + settings_from(values).check()


def settings_from(values: Mapping[str, Any]) -> ProximitySettings:
    """The tracker's settings from the node's parameter values."""
    return ProximitySettings(
        leave_factor=values["leave_factor"], dwell_time=values["dwell_time"], min_stay=values["min_stay"]
    )


class ProximityNode(Node):
    """Thin ROS shell around `ProximityTracker`."""

    def __init__(self, **kwargs: Any) -> None:
        self._watch: CatalogueWatchThread | None = None  # destroy_node may run after a failed start
        super().__init__("proximity_node", **kwargs)
        self._lock = threading.Lock()
        self.params = CheckedParameters(
            self,
            DEFAULTS,
            check_parameters,
            restart_only=frozenset({"pose_source", "exhibits_dir", "watch_catalogue"}),
            on_change=self._retune,
        )
        values = self.params.values
        self._store = open_catalogue("proximity_node", values["exhibits_dir"])
        plan = self._store.current.floor_plan
        self._frame = plan.map_frame
        self._transform = self._transform_from(values)
        self._tracker = ProximityTracker(
            zones_from_plan(plan, leave_factor=values["leave_factor"]), settings_from(values)
        )
        self._pose: RobotPose | None = None
        self._odom_watch = PoseWatch(timeout=values["pose_timeout"])
        self._events = self.create_publisher(String, EVENTS_TOPIC, EVENTS_QOS)
        self._pose_out = self.create_publisher(PoseStamped, POSE_TOPIC, 10)
        self._zones_out = self.create_publisher(MarkerArray, ZONES_TOPIC, LATCHED_QOS)
        source = values["pose_source"]
        if source == "odom":
            self.create_subscription(Odometry, POSE_SOURCES[source], self._on_odom, 50)
        else:
            self.create_subscription(PoseWithCovarianceStamped, POSE_SOURCES[source], self._on_amcl, 50)
        self._timer = self.create_timer(1.0 / values["pose_rate"], self._publish_pose)
        self._zones_changed = False
        self._zones_timer = self.create_timer(ZONES_PERIOD, self._redraw_zones)
        self._store.on_change(self._on_catalogue)
        self._watch = CatalogueWatchThread(self._store).start() if values["watch_catalogue"] else None
        self._publish_zones()
        self.get_logger().info(
            f"tracking {len(self._tracker.zones)} exhibit zones from {source} ({POSE_SOURCES[source]})"
        )

    def destroy_node(self) -> None:
        """Stop following the catalogue, then destroy the node."""
        if self._watch is not None:
            self._watch.stop()
        super().destroy_node()

    @staticmethod
    def _transform_from(values: Mapping[str, Any]) -> MapTransform:
        if values["pose_source"] != "odom":
            return MapTransform()  # AMCL already reports in the map frame
        return MapTransform(values["odom_x"], values["odom_y"], values["odom_yaw"])

    def _on_odom(self, msg: Odometry) -> None:
        self._track(self._transform.to_map(robot_pose(msg.pose.pose)))

    def _on_amcl(self, msg: PoseWithCovarianceStamped) -> None:
        self._track(robot_pose(msg.pose.pose))

    def _track(self, pose: RobotPose) -> None:
        now = self.get_clock().now().nanoseconds / 1e9
        with self._lock:
            self._pose = pose
            if self._odom_watch.pose_seen(now):
                self.get_logger().info("/odom is back: publishing /guide/pose again")
            before = self._tracker.inside
            events = self._tracker.update(pose, now)
            changed = self._tracker.inside != before
        for event in events:
            self._events.publish(proximity_msg(event))
        if changed:
            self._zones_changed = True  # redrawn by the zones timer, never on the event path

    def _publish_pose(self) -> None:
        pose = self._pose
        if pose is None or self._pose_is_stale():
            return
        self._pose_out.publish(pose_stamped(pose, frame_id=self._frame, stamp=self.get_clock().now()))

    def _pose_is_stale(self) -> bool:
        """Whether odometry stopped for `pose_timeout` seconds (logged once per spell; its end in _track)."""
        timeout = self.params.values["pose_timeout"]
        if self.params.values["pose_source"] != "odom" or timeout <= 0.0:
            return False
        now = self.get_clock().now().nanoseconds / 1e9
        with self._lock:
            self._odom_watch.timeout = timeout
            if self._odom_watch.check(now):
                self.get_logger().warning(f"no /odom for {timeout:g} s: /guide/pose paused until it returns")
            return self._odom_watch.stale

    def _redraw_zones(self) -> None:
        if self._zones_changed:
            self._zones_changed = False
            self._publish_zones()

    def _publish_zones(self) -> None:
        with self._lock:
            zones, inside = self._tracker.zones, self._tracker.inside
        self._zones_out.publish(
            zone_markers(zones, frame_id=self._frame, stamp=self.get_clock().now(), inside=inside)
        )

    def _retune(self, values: Mapping[str, Any]) -> None:
        plan = self._store.current.floor_plan
        with self._lock:
            self._transform = self._transform_from(values)
            self._tracker.replace(
                zones_from_plan(plan, leave_factor=values["leave_factor"]), settings_from(values)
            )
        self._publish_zones()

    def _on_catalogue(self, change: CatalogueChange) -> None:
        # Runs on the watch thread; the lock keeps the tracker consistent with pose callbacks.
        plan = change.catalogue.floor_plan
        with self._lock:
            self._frame = plan.map_frame
            self._tracker.replace(zones_from_plan(plan, leave_factor=self.params.values["leave_factor"]))
        self.get_logger().info(f"catalogue changed: now tracking {len(plan.exhibits)} exhibit zones")
        self._publish_zones()


def main(args: list[str] | None = None) -> int:
    """Console script `proximity_node`: init, spin, shut down."""
    return spin_node(ProximityNode, args)


if __name__ == "__main__":
    sys.exit(main())
