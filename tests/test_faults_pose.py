"""The robot's odometry stops: visitors are told the robot is unavailable, and it recovers.

Real nodes over DDS (proximity node, bridge) and a real server; an independent test node publishes
nav_msgs/Odometry, stops, then resumes. The chain under test: no /odom for `pose_timeout` -> the
proximity node pauses /guide/pose -> the bridge sends no pose -> after `robot_pose_timeout_s` the
server sends `error` robot_unavailable and `tour.state` robot_online=false; odometry back -> online.
"""

from __future__ import annotations

import threading
from pathlib import Path

from conftest import TIMEOUT
from guide_robot.guide_bridge_node import GuideBridgeNode
from guide_robot.proximity_node import ProximityNode
from nav_msgs.msg import Odometry
from rclpy.parameter import Parameter
from robot_support import ros_session
from server_harness import EXHIBIT, guide_server, settings_for, visitor

from guide_core.demo_tokens import DEMO_ROBOT_TOKEN
from guide_core.pose_watch import PoseWatch
from guide_core.protocol import ErrorCode, Goto

ODOM_PERIOD = 0.05


def _params(values: dict) -> list[Parameter]:
    return [Parameter(k, value=v) for k, v in values.items()]


async def test_visitors_learn_the_robot_is_unavailable_while_odometry_stops(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    settings = settings_for(tmp_path, exhibits_dir, robot_pose_timeout_s=TIMEOUT / 20)
    async with guide_server(settings) as server, visitor(server) as headset:
        with ros_session() as session:
            flowing = threading.Event()
            flowing.set()
            odometry = session.node("test_odometry")
            odom_out = odometry.create_publisher(Odometry, "/odom", 10)
            odometry.create_timer(ODOM_PERIOD, lambda: flowing.is_set() and odom_out.publish(Odometry()))
            proximity_values = {
                "exhibits_dir": str(exhibits_dir),
                "watch_catalogue": False,
                "pose_rate": 20.0,
            }
            session.add(
                ProximityNode(
                    context=session.context,
                    parameter_overrides=_params(proximity_values | {"pose_timeout": TIMEOUT / 40}),
                )
            )
            bridge_values = {
                "server_url": server.ws("/ws/robot"),
                "token": DEMO_ROBOT_TOKEN,
                "pose_interval": ODOM_PERIOD,
                "backoff_initial": 0.05,
                "backoff_max": 0.2,
            }
            session.add(GuideBridgeNode(context=session.context, parameter_overrides=_params(bridge_values)))

            await headset.recv_type("pose")
            flowing.clear()
            unavailable = await headset.recv_type("error")
            offline = await headset.recv_type("tour.state")
            await headset.send(Goto(exhibit_id=EXHIBIT, request_id="g-1"))
            refused_goto = await headset.recv_type("error")
            flowing.set()
            back = await headset.recv_type("tour.state")
            await headset.recv_type("pose")
    assert unavailable.code is ErrorCode.ROBOT_UNAVAILABLE
    assert offline.robot_online is False
    assert refused_goto.code is ErrorCode.ROBOT_UNAVAILABLE and refused_goto.request_id == "g-1"
    assert back.robot_online is True


def test_pose_watch_arms_on_the_first_pose_goes_stale_once_and_recovers() -> None:
    watch = PoseWatch(timeout=2.0)
    assert not watch.check(100.0), "a robot that never sent a pose is not judged"
    assert not watch.pose_seen(100.0)
    assert not watch.check(101.9)
    assert watch.check(102.0) and watch.stale
    assert not watch.check(105.0), "stale is reported once per spell"
    assert watch.pose_seen(106.0) and not watch.stale
