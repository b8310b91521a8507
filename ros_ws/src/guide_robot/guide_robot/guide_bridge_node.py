"""`guide_bridge_node`: the robot's side of the guide server's /ws/robot socket.

Forwards /guide/pose (rate-limited) and /guide/exhibit_proximity to the server
as `pose` and `proximity` messages, and publishes each `goto` it receives as a
/goal_pose (PoseStamped, map frame) for Nav2 or the simulator. Reconnects with
backoff; proximity events wait in a bounded buffer while the server is away.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geometry_msgs.msg import PoseStamped
from pydantic import ValidationError
from rclpy.node import Node
from std_msgs.msg import String

from guide_core.backoff import Backoff
from guide_core.protocol import Goto, Pose, Proximity
from guide_core.tls import ClientTrust
from guide_robot.bridge_client import BridgeClient
from guide_robot.bridge_core import EventBuffer, check_server_url
from guide_robot.messages import pose_stamped, robot_pose
from guide_robot.parameters import CheckedParameters
from guide_robot.proximity import RobotPose
from guide_robot.spin import spin_node
from guide_robot.topics import EVENTS_QOS, EVENTS_TOPIC, GOAL_TOPIC, POSE_TOPIC

DEFAULTS: dict[str, Any] = {
    "server_url": "ws://127.0.0.1:8000/ws/robot",
    "token": "",
    "tour": "default",
    "pose_interval": 0.5,
    "buffer_size": 200,
    "backoff_initial": 0.5,
    "backoff_max": 10.0,
    "ca_file": "",
    "cert_fingerprint": "",
}


def check_parameters(values: Mapping[str, Any]) -> list[str]:
    """Every problem with the bridge's parameters, each with its fix."""
    problems = []
    if (reason := check_server_url(values["server_url"])) is not None:
        problems.append(reason)
    try:
        trust = client_trust(values)
        trust.ssl_context(values["server_url"])
    except ValueError as exc:
        problems.append(f"{exc} (parameters ca_file / cert_fingerprint)")
    if not values["token"]:
        problems.append("token is empty: set it to the guide server's robot token (--token or token:=...)")
    if not 0.0 < values["pose_interval"] <= 60.0:
        problems.append(f"pose_interval {values['pose_interval']} s must be above 0 and at most 60")
    if not 1 <= values["buffer_size"] <= 100_000:
        problems.append(f"buffer_size {values['buffer_size']} must be from 1 to 100000 events")
    if not 0.0 < values["backoff_initial"] <= values["backoff_max"]:
        problems.append("backoff_initial must be above 0 and at most backoff_max (seconds)")
    return problems


def client_trust(values: Mapping[str, Any]) -> ClientTrust:
    """How the bridge trusts a wss:// server: system CAs, `ca_file`, or the pinned `cert_fingerprint`."""
    return ClientTrust(
        ca_file=Path(values["ca_file"]) if values["ca_file"] else None,
        fingerprint=values["cert_fingerprint"] or None,
    )


class GuideBridgeNode(Node):
    """Thin ROS shell around `BridgeClient`."""

    def __init__(self, **kwargs: Any) -> None:
        self.client: BridgeClient | None = None  # destroy_node may run after a failed start
        super().__init__("guide_bridge_node", **kwargs)
        self.params = CheckedParameters(self, DEFAULTS, check_parameters, restart_only=frozenset(DEFAULTS))
        values = self.params.values
        self.buffer = EventBuffer(values["buffer_size"])
        self._goals = self.create_publisher(PoseStamped, GOAL_TOPIC, 10)
        client = BridgeClient(
            url=values["server_url"],
            token=values["token"],
            tour=values["tour"],
            buffer=self.buffer,
            pose_interval=values["pose_interval"],
            on_goal=self._on_goto,
            backoff=Backoff(values["backoff_initial"], values["backoff_max"]),
            trust=client_trust(values),
        )
        self.create_subscription(PoseStamped, POSE_TOPIC, self._on_pose, 10)
        self.create_subscription(String, EVENTS_TOPIC, self._on_event, EVENTS_QOS)
        self.client = client.start()
        self.get_logger().info(f"bridging to {values['server_url']} (tour {values['tour']})")

    def destroy_node(self) -> None:
        """Close the server socket, then destroy the node."""
        if self.client is not None:
            self.client.stop()
        super().destroy_node()

    def _on_pose(self, msg: PoseStamped) -> None:
        if self.client is None:
            return
        pose = robot_pose(msg.pose)
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec / 1e9
        self.client.send_pose(
            Pose(frame_id=msg.header.frame_id or "map", x=pose.x, y=pose.y, yaw=pose.yaw, stamp=stamp)
        )

    def _on_event(self, msg: String) -> None:
        try:
            event = Proximity.model_validate_json(msg.data)
        except ValidationError as exc:
            self.get_logger().warning(f"ignoring a malformed proximity event on {EVENTS_TOPIC}: {exc}")
            return
        if self.client is not None:
            self.client.send_event(event)

    def _on_goto(self, goto: Goto) -> None:
        # Called on the client's thread; rclpy publishers are thread-safe.
        assert goto.x is not None and goto.y is not None
        self.get_logger().info(f"server sends the robot to {goto.exhibit_id} ({goto.x:.2f}, {goto.y:.2f})")
        goal = RobotPose(goto.x, goto.y, 0.0)
        self._goals.publish(pose_stamped(goal, frame_id=goto.frame_id or "map", stamp=self.get_clock().now()))


def main(args: list[str] | None = None) -> int:
    """Console script `guide_bridge_node`: init, spin, shut down."""
    return spin_node(GuideBridgeNode, args)


if __name__ == "__main__":
    sys.exit(main())
