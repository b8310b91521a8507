"""Run the guide's robot nodes together in one process (what `guide robot` does without ROS tooling)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rclpy.context import Context
from rclpy.node import Node
from rclpy.parameter import Parameter


@dataclass(frozen=True)
class RobotSetup:
    """Which nodes run and their parameters; the same choices as the launch file's arguments."""

    exhibits_dir: Path
    use_sim: bool = False
    pose_source: str = "odom"
    bridge: bool = True
    server_url: str = "ws://127.0.0.1:8000/ws/robot"
    token: str = ""
    tour: str = "default"
    ca_file: str = ""
    """wss://: the CA file that signed the server's certificate."""
    cert_fingerprint: str = ""
    """wss://: the server certificate's pinned SHA-256."""
    sim: dict[str, Any] = field(default_factory=dict)
    """Extra simulator parameters (speed, pause, noise_position, ...)."""
    proximity: dict[str, Any] = field(default_factory=dict)
    """Extra proximity node parameters (dwell_time, leave_factor, ...)."""
    bridge_params: dict[str, Any] = field(default_factory=dict)
    """Extra bridge parameters (pose_interval, buffer_size, ...)."""


def _overrides(values: dict[str, Any]) -> list[Parameter]:
    return [Parameter(name, value=value) for name, value in values.items()]


def build_nodes(setup: RobotSetup, *, context: Context | None = None) -> list[Node]:
    """Create the nodes `setup` asks for; raises `BadParameter` (after destroying any made) on bad ones."""
    from guide_robot.guide_bridge_node import GuideBridgeNode
    from guide_robot.proximity_node import ProximityNode
    from guide_robot.sim_turtlebot_node import SimTurtlebotNode

    exhibits = str(setup.exhibits_dir)
    plans: list[tuple[Callable[..., Node], dict[str, Any]]] = []
    if setup.use_sim:
        plans.append((SimTurtlebotNode, {"exhibits_dir": exhibits, **setup.sim}))
    start = {k: setup.sim.get(f"start_{k}", 0.0) for k in ("x", "y", "yaw")} if setup.use_sim else {}
    plans.append(
        (
            ProximityNode,
            {
                "exhibits_dir": exhibits,
                "pose_source": setup.pose_source,
                **{f"odom_{k}": v for k, v in start.items()},
                **setup.proximity,
            },
        )
    )
    if setup.bridge:
        plans.append(
            (
                GuideBridgeNode,
                {
                    "server_url": setup.server_url,
                    "token": setup.token,
                    "tour": setup.tour,
                    "ca_file": setup.ca_file,
                    "cert_fingerprint": setup.cert_fingerprint,
                    **setup.bridge_params,
                },
            )
        )
    nodes: list[Node] = []
    try:
        for node_class, values in plans:
            nodes.append(node_class(context=context, parameter_overrides=_overrides(values)))
    except BaseException:
        for node in nodes:
            node.destroy_node()
        raise
    return nodes


def run_robot(setup: RobotSetup) -> int:
    """Init ROS, spin every node on a MultiThreadedExecutor until Ctrl-C; returns the exit status."""
    from guide_core.log_levels import ros_log_level
    from guide_robot.spin import MultiThreadedExecutor, spin_nodes

    ros_args = ["guide-robot", "--ros-args", "--log-level", ros_log_level()]
    return spin_nodes(lambda: build_nodes(setup), args=ros_args, executor=MultiThreadedExecutor)
