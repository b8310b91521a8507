"""`sim_turtlebot_node`: a simulated TurtleBot2 that walks the museum tour and publishes /odom.

Differential-drive kinematics at `rate` Hz, Gaussian pose noise on what it
reports, a pause at each exhibit of the floor plan's tour (or the `tour`
parameter, comma-separated ids), and goals from /goal_pose (map frame) that
pre-empt the tour as Nav2 would. Its odometry frame starts at
(`start_x`, `start_y`, `start_yaw`) in the map, as a Kobuki's starts where it
was switched on; give the proximity node the same numbers as odom_x/y/yaw.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Odometry
from rclpy.node import Node

from guide_core.catalogue import CatalogueChange
from guide_core.catalogue.models import FloorPlan
from guide_core.catalogue.watch import CatalogueWatchThread
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_robot.drive import DriveSettings, PoseNoise, TourDriver, Waypoint
from guide_robot.exceptions import BadParameter
from guide_robot.messages import pose_msg, robot_pose
from guide_robot.parameters import CheckedParameters, open_catalogue
from guide_robot.proximity import MapTransform, RobotPose
from guide_robot.spin import spin_node
from guide_robot.topics import GOAL_TOPIC, ODOM_TOPIC

DEFAULTS: dict[str, Any] = {
    "exhibits_dir": str(DEFAULT_EXHIBITS_DIR),
    "tour": "",
    "follow_tour": True,
    "speed": DriveSettings.speed,
    "turn_rate": DriveSettings.turn_rate,
    "pause": DriveSettings.pause,
    "arrive_tolerance": DriveSettings.arrive_tolerance,
    "loop": DriveSettings.loop,
    "rate": 30.0,
    "noise_position": 0.0,
    "noise_yaw": 0.0,
    "seed": 0,
    "start_x": 0.0,
    "start_y": 0.0,
    "start_yaw": 0.0,
    "watch_catalogue": True,
}


def check_parameters(values: Mapping[str, Any]) -> list[str]:
    """Every problem with the simulator's parameters, each with its fix."""
    problems = []
    folder = Path(values["exhibits_dir"])
    if not (folder / "museum.json").is_file():
        problems.append(
            f"exhibits_dir {str(folder)!r} holds no museum.json: point it at the catalogue folder "
            "(the one `guide exhibits validate` checks)"
        )
    if not 1.0 <= values["rate"] <= 500.0:
        problems.append(f"rate {values['rate']} Hz must be from 1 to 500")
    if values["noise_position"] < 0.0 or values["noise_yaw"] < 0.0:
        problems.append("noise_position and noise_yaw are standard deviations: use 0 or more")
    return problems + drive_settings(values).check()


def drive_settings(values: Mapping[str, Any]) -> DriveSettings:
    """The driver's settings from the node's parameter values."""
    return DriveSettings(
        speed=values["speed"],
        turn_rate=values["turn_rate"],
        pause=values["pause"],
        arrive_tolerance=values["arrive_tolerance"],
        loop=values["loop"],
    )


def tour_waypoints(plan: FloorPlan, tour: str) -> list[Waypoint]:
    """The waypoints of `tour` (comma-separated ids; empty = the plan's tour); raises on unknown ids."""
    ids = [i.strip() for i in tour.split(",") if i.strip()] or list(plan.tour)
    unknown = [i for i in ids if plan.placement(i) is None]
    if unknown:
        raise BadParameter(
            f"sim_turtlebot_node: tour names exhibits the floor plan does not place: {', '.join(unknown)}; "
            f"use ids from {', '.join(p.id for p in plan.exhibits)}"
        )
    return [Waypoint(i, p.x, p.y) for i in ids if (p := plan.placement(i)) is not None]


class SimTurtlebotNode(Node):
    """Thin ROS shell around `TourDriver`."""

    def __init__(self, **kwargs: Any) -> None:
        self._watch: CatalogueWatchThread | None = None  # destroy_node may run after a failed start
        super().__init__("sim_turtlebot_node", **kwargs)
        self._lock = threading.Lock()
        self.params = CheckedParameters(
            self,
            DEFAULTS,
            check_parameters,
            restart_only=frozenset(
                {"exhibits_dir", "rate", "seed", "start_x", "start_y", "start_yaw", "watch_catalogue"}
            ),
            on_change=self._retune,
        )
        values = self.params.values
        self._store = open_catalogue("sim_turtlebot_node", values["exhibits_dir"])
        tour = tour_waypoints(self._store.current.floor_plan, values["tour"]) if values["follow_tour"] else []
        self._odom_origin = MapTransform(values["start_x"], values["start_y"], values["start_yaw"])
        self.driver = TourDriver(
            RobotPose(values["start_x"], values["start_y"], values["start_yaw"]), tour, drive_settings(values)
        )
        self._noise = PoseNoise(values["noise_position"], values["noise_yaw"])
        self._rng = random.Random(values["seed"])
        self._dt = 1.0 / values["rate"]
        self._odom = self.create_publisher(Odometry, ODOM_TOPIC, 50)
        self.create_subscription(PoseStamped, GOAL_TOPIC, self._on_goal, 10)
        self._timer = self.create_timer(self._dt, self._step)
        self._store.on_change(self._on_catalogue)
        self._watch = CatalogueWatchThread(self._store).start() if values["watch_catalogue"] else None
        self.get_logger().info(
            f"simulated TurtleBot2 touring {[w.name for w in tour]} at {values['speed']} m/s"
        )

    def destroy_node(self) -> None:
        """Stop following the catalogue, then destroy the node."""
        if self._watch is not None:
            self._watch.stop()
        super().destroy_node()

    def _step(self) -> None:
        with self._lock:
            velocity = self.driver.step(self._dt)
            true_pose = self.driver.pose
        reported = self._odom_origin.to_odom(self._noise.apply(true_pose, self._rng))
        msg = Odometry()
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id, msg.child_frame_id = "odom", "base_footprint"
        msg.pose.pose = pose_msg(reported)
        msg.twist.twist.linear.x, msg.twist.twist.angular.z = velocity.linear, velocity.angular
        self._odom.publish(msg)

    def _on_goal(self, msg: PoseStamped) -> None:
        if msg.header.frame_id not in ("", "map", self._store.current.floor_plan.map_frame):
            self.get_logger().warning(
                f"goal in frame {msg.header.frame_id!r} ignored: send goals in the map frame"
            )
            return
        goal = robot_pose(msg.pose)
        self.get_logger().info(f"new goal ({goal.x:.2f}, {goal.y:.2f})")
        with self._lock:
            self.driver.set_goal(Waypoint(f"goal@{goal.x:.2f},{goal.y:.2f}", goal.x, goal.y))

    def _retune(self, values: Mapping[str, Any]) -> None:
        with self._lock:
            self.driver.settings = drive_settings(values)
            self._noise = PoseNoise(values["noise_position"], values["noise_yaw"])

    def _on_catalogue(self, change: CatalogueChange) -> None:
        if not self.params.values["follow_tour"]:
            return
        try:
            tour = tour_waypoints(change.catalogue.floor_plan, self.params.values["tour"])
        except BadParameter as exc:
            self.get_logger().error(f"{exc}; keeping the current tour")
            return
        with self._lock:
            self.driver.set_tour(tour)


def main(args: list[str] | None = None) -> int:
    """Console script `sim_turtlebot_node`: init, spin, shut down."""
    return spin_node(SimTurtlebotNode, args)


if __name__ == "__main__":
    sys.exit(main())
