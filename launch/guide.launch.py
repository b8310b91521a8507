"""Launch the museum guide's robot side on a real ROS 2 install: `ros2 launch guide_robot guide.launch.py`.

Wiring only. Arguments: use_sim (run the simulated TurtleBot2 instead of a real
base), pose_source (odom|amcl), exhibits_dir, server_url, token, ca_file or
cert_fingerprint (for a wss:// server_url), start_server (also run `guide serve`,
listening where server_url points, with the robot's token) and engine (its
generation engine), odom_topic and goal_topic (remap the base's /odom and the
navigation goal /goal_pose, names from guide_robot.topics). If the bridge (or that
server) cannot start or dies, the whole launch stops with one message. `guide robot`
runs the same nodes without ROS tooling.
"""

from collections.abc import Callable
from typing import Any

from guide_robot.launch_plan import check_server_command, serve_command, stop_reason
from guide_robot.topics import GOAL_TOPIC, ODOM_TOPIC
from launch.actions import (
    DeclareLaunchArgument,
    EmitEvent,
    ExecuteProcess,
    LogInfo,
    OpaqueFunction,
    RegisterEventHandler,
)
from launch.conditions import IfCondition
from launch.event_handlers import OnProcessExit
from launch.events import Shutdown
from launch.substitutions import EnvironmentVariable, LaunchConfiguration
from launch_ros.actions import Node

from launch import LaunchContext, LaunchDescription

PACKAGE = "guide_robot"


def stop_launch_if_failed(node: str) -> Callable[[Any, LaunchContext], list[Any]]:
    """An exit handler: a failed `node` ends the launch with one message; a clean stop does not,
    nor an exit while the launch is already stopping (Ctrl-C sent to launch alone ends with SIGTERM)."""

    def on_exit(event: Any, context: LaunchContext) -> list[Any]:
        reason = stop_reason(node, event.returncode, stopping=context.is_shutdown)
        if reason is None:
            return []
        return [LogInfo(msg=f"[guide] {reason}"), EmitEvent(event=Shutdown(reason=reason))]

    return on_exit


def guide_server(context: LaunchContext) -> list[Any]:
    """`guide serve` on the address server_url names, when start_server:=true."""
    value = LaunchConfiguration
    command = serve_command(
        value("server_url").perform(context),
        value("exhibits_dir").perform(context),
        value("engine").perform(context),
    )
    check_server_command(command)  # launch would log a traceback and never report the exit
    token = value("token").perform(context)
    server = ExecuteProcess(
        cmd=command,
        name="guide_serve",
        output="screen",
        additional_env={"GUIDE_ROBOT_TOKEN": token} if token else None,
    )
    handler = OnProcessExit(target_action=server, on_exit=stop_launch_if_failed("guide serve"))
    return [server, RegisterEventHandler(handler)]


def generate_launch_description() -> LaunchDescription:
    """The guide's nodes with their parameters, chosen by launch arguments."""
    use_sim = LaunchConfiguration("use_sim")
    pose_source = LaunchConfiguration("pose_source")
    exhibits_dir = LaunchConfiguration("exhibits_dir")
    server_url = LaunchConfiguration("server_url")
    token = LaunchConfiguration("token")
    ca_file = LaunchConfiguration("ca_file")
    cert_fingerprint = LaunchConfiguration("cert_fingerprint")
    start_server = LaunchConfiguration("start_server")
    odom = (ODOM_TOPIC, LaunchConfiguration("odom_topic"))
    goal = (GOAL_TOPIC, LaunchConfiguration("goal_topic"))
    return LaunchDescription(
        [
            DeclareLaunchArgument(
                "use_sim", default_value="false", description="run the simulated TurtleBot2"
            ),
            DeclareLaunchArgument("pose_source", default_value="odom", description="odom (Kobuki) or amcl"),
            DeclareLaunchArgument("exhibits_dir", description="the catalogue folder holding museum.json"),
            DeclareLaunchArgument("server_url", default_value="ws://127.0.0.1:8000/ws/robot"),
            DeclareLaunchArgument(
                "token", default_value=EnvironmentVariable("GUIDE_ROBOT_TOKEN", default_value="")
            ),
            DeclareLaunchArgument(
                "ca_file", default_value="", description="wss://: CA certificate that signed the server's"
            ),
            DeclareLaunchArgument(
                "cert_fingerprint",
                default_value="",
                description="wss://: the server certificate's SHA-256 (printed by `guide serve --tls`)",
            ),
            DeclareLaunchArgument(
                "start_server", default_value="false", description="also run `guide serve`"
            ),
            DeclareLaunchArgument(
                "engine",
                default_value="",
                description="with start_server: onnx, transformers, openai or scripted (default: the server's)",
            ),
            DeclareLaunchArgument("odom_topic", default_value=ODOM_TOPIC, description="the base's odometry"),
            DeclareLaunchArgument("goal_topic", default_value=GOAL_TOPIC, description="the navigation goal"),
            OpaqueFunction(function=guide_server, condition=IfCondition(start_server)),
            Node(
                package=PACKAGE,
                executable="sim_turtlebot_node",
                name="sim_turtlebot_node",
                output="screen",
                parameters=[{"exhibits_dir": exhibits_dir}],
                remappings=[odom, goal],
                condition=IfCondition(use_sim),
            ),
            Node(
                package=PACKAGE,
                executable="proximity_node",
                name="proximity_node",
                output="screen",
                parameters=[{"exhibits_dir": exhibits_dir, "pose_source": pose_source}],
                remappings=[odom],
            ),
            bridge := Node(
                package=PACKAGE,
                executable="guide_bridge_node",
                name="guide_bridge_node",
                output="screen",
                parameters=[
                    {
                        "server_url": server_url,
                        "token": token,
                        "ca_file": ca_file,
                        "cert_fingerprint": cert_fingerprint,
                    }
                ],
                remappings=[goal],
            ),
            RegisterEventHandler(
                OnProcessExit(target_action=bridge, on_exit=stop_launch_if_failed("guide_bridge_node"))
            ),
        ]
    )
