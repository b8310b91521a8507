"""The robot nodes over real DDS: the simulated tour, odometry and AMCL poses, live catalogue edits,
and parameter checks."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TIMEOUT
from geometry_msgs.msg import PoseStamped, PoseWithCovarianceStamped
from guide_robot.exceptions import BadParameter
from guide_robot.guide_bridge_node import GuideBridgeNode
from guide_robot.messages import pose_msg
from guide_robot.proximity import RobotPose
from guide_robot.proximity_node import ProximityNode
from guide_robot.sim_turtlebot_node import SimTurtlebotNode
from guide_robot.synthetic_museum import exhibit_id, write_museum
from guide_robot.topics import LATCHED_QOS, ZONES_TOPIC
from nav_msgs.msg import Odometry
from rclpy.parameter import Parameter
from robot_support import EventRecorder, Session, ros_session, wait_until
from visualization_msgs.msg import Marker, MarkerArray

# Four exhibits in a row at x = 3, 6, 9, 12 (y = 3), trigger radius 1 m.
FAST = {"dwell_time": 0.3, "min_stay": 0.2}


@pytest.fixture
def museum(tmp_path: Path) -> Path:
    """A small museum the simulator tours in a few seconds."""
    return write_museum(tmp_path / "exhibits", count=4, spacing=3.0, radius=1.0, columns=4)


@pytest.fixture
def session() -> Session:
    with ros_session() as session:
        yield session


def _params(values: dict) -> list[Parameter]:
    return [Parameter(k, value=v) for k, v in values.items()]


def _proximity(session: Session, museum: Path, **values: object) -> ProximityNode:
    node = ProximityNode(
        context=session.context, parameter_overrides=_params({"exhibits_dir": str(museum), **FAST, **values})
    )
    session.add(node)
    return node


class OdomPublisher:
    """An independent publisher of robot poses, as a Kobuki base or AMCL would send them."""

    def __init__(self, session: Session, *, amcl: bool = False) -> None:
        self.node = session.node("test_pose_source")
        self.amcl = amcl
        self.publisher = self.node.create_publisher(
            PoseWithCovarianceStamped if amcl else Odometry, "/amcl_pose" if amcl else "/odom", 10
        )

    def at(self, x: float, y: float, yaw: float = 0.0):
        """An action publishing one pose at (x, y, yaw)."""

        def publish() -> None:
            msg = PoseWithCovarianceStamped() if self.amcl else Odometry()
            msg.header.frame_id = "map" if self.amcl else "odom"
            msg.pose.pose = pose_msg(RobotPose(x, y, yaw))
            self.publisher.publish(msg)

        return publish


def _pairs(events) -> list[tuple[str, str]]:
    return [(str(e.event), e.exhibit_id) for e in events]


def test_simulated_tour_gives_enter_dwell_leave_in_tour_order_without_flicker(
    session: Session, museum: Path
) -> None:
    recorder = EventRecorder(session)
    _proximity(session, museum, odom_x=0.0, odom_y=3.0)
    sim = SimTurtlebotNode(
        context=session.context,
        parameter_overrides=_params(
            {
                "exhibits_dir": str(museum),
                "speed": 3.0,
                "turn_rate": 6.0,
                "pause": 0.6,
                "noise_position": 0.05,
                "noise_yaw": 0.02,
                "seed": 7,
                "start_x": 0.0,
                "start_y": 3.0,
            }
        ),
    )
    session.add(sim)
    ids = [exhibit_id(i) for i in range(4)]
    expected = [(kind, i) for i in ids[:-1] for kind in ("enter", "dwell", "leave")] + [
        ("enter", ids[-1]),
        ("dwell", ids[-1]),
    ]
    recorder.wait_for(lambda events: len(events) >= len(expected), "the whole tour", timeout=4 * TIMEOUT)
    assert _pairs(recorder.events) == expected
    assert [e.seq for e in recorder.events] == list(range(len(expected)))
    # The last enter fires 1 m before the robot arrives: wait for the arrival itself.
    wait_until(lambda: len(sim.driver.arrivals) >= len(ids), "arrival at the last exhibit")
    assert sim.driver.arrivals == ids


def test_odometry_inside_and_outside_zones_with_the_odom_to_map_transform(
    session: Session, museum: Path
) -> None:
    recorder = EventRecorder(session)
    _proximity(session, museum, odom_x=1.0, odom_y=2.0)
    odom = OdomPublisher(session)
    # The exhibit stands at (3, 3) in the map: (2, 1) in this odometry frame.
    odom_of = lambda x, y: odom.at(x - 1.0, y - 2.0)  # noqa: E731
    odom_of(0.0, 3.0)()  # outside every zone: no event (the first one below is the enter at 0.5 m)
    recorder.wait_while(odom_of(3.5, 3.0), lambda e: len(e) >= 2, "enter and dwell")
    # Between the enter (1.0 m) and leave (1.3 m) radii: still inside; then beyond it: leave.
    odom_of(4.2, 3.0)()  # 1.2 m away: beyond the enter radius, inside the leave radius
    # (3, 5) is 2 m from exhibit-000 and 3.6 m from exhibit-001: outside every zone.
    recorder.wait_while(odom_of(3.0, 5.0), lambda e: len(e) >= 3, "leave")
    assert _pairs(recorder.events) == [
        ("enter", "exhibit-000"),
        ("dwell", "exhibit-000"),
        ("leave", "exhibit-000"),
    ]
    enter, dwell, leave = recorder.events
    assert enter.distance == pytest.approx(0.5, abs=1e-6) and dwell.distance == pytest.approx(0.5, abs=1e-6)
    assert leave.distance == pytest.approx(2.0, abs=1e-6)
    assert abs(enter.bearing) == pytest.approx(math.pi, abs=1e-6)  # the exhibit is behind the robot


def test_amcl_pose_source(session: Session, museum: Path) -> None:
    recorder = EventRecorder(session)
    _proximity(session, museum, pose_source="amcl", odom_x=50.0)  # AMCL is in the map already
    amcl = OdomPublisher(session, amcl=True)
    recorder.wait_while(amcl.at(6.5, 3.0, math.pi / 2), lambda e: len(e) >= 1, "enter from /amcl_pose")
    (event, *_) = recorder.events
    assert (event.event, event.exhibit_id) == ("enter", "exhibit-001")
    assert event.bearing == pytest.approx(math.pi / 2, abs=1e-6)  # facing +y, the exhibit is on the left


def test_catalogue_edit_moves_a_zone_without_restart(session: Session, museum: Path) -> None:
    recorder = EventRecorder(session)
    _proximity(session, museum)
    zones: list[MarkerArray] = []
    listener = session.node("zone_listener")
    listener.create_subscription(MarkerArray, ZONES_TOPIC, zones.append, LATCHED_QOS)
    wait_until(lambda: bool(zones), "the first zone markers")
    plan_file = museum / "museum.json"
    plan = json.loads(plan_file.read_text())
    plan["exhibits"][0]["trigger_radius"] = 2.0
    plan_file.write_text(json.dumps(plan))

    def enter_discs(array: MarkerArray) -> list[float]:
        return [m.scale.x for m in array.markers if m.ns == "guide/enter" and m.action == Marker.ADD]

    wait_until(lambda: 4.0 in enter_discs(zones[-1]), "markers of the edited zone", timeout=3 * TIMEOUT)
    odom = OdomPublisher(session)
    recorder.wait_while(odom.at(4.5, 3.0), lambda e: len(e) >= 1, "enter of the widened zone")
    assert recorder.events[0].exhibit_id == "exhibit-000"
    assert recorder.events[0].distance == pytest.approx(1.5, abs=1e-6)


def test_goal_pose_drives_the_simulated_robot(session: Session, museum: Path) -> None:
    recorder = EventRecorder(session)
    _proximity(session, museum)
    sim = SimTurtlebotNode(
        context=session.context,
        parameter_overrides=_params(
            {"exhibits_dir": str(museum), "follow_tour": False, "speed": 3.0, "turn_rate": 6.0}
        ),
    )
    session.add(sim)
    goals = session.node("nav_goal").create_publisher(PoseStamped, "/goal_pose", 10)
    goal = PoseStamped()
    goal.header.frame_id = "map"
    goal.pose = pose_msg(RobotPose(9.0, 3.0, 0.0))
    # The events are not latched: the recorder must hear the proximity node before the robot moves.
    wait_until(
        lambda: recorder.subscription.get_publisher_count() > 0, "DDS discovery of the proximity events"
    )

    def goal_taken() -> bool:
        goals.publish(goal)  # again until the simulator has it (DDS discovery); then it drives alone
        target = sim.driver.target
        return target is not None and target.name.startswith("goal@")

    wait_until(goal_taken, "the simulator to take the goal")
    # Driving there is simulated time on the session's one executor thread: give a busy CPU room.
    recorder.wait_for(lambda e: ("dwell", "exhibit-002") in _pairs(e), "arrival", timeout=3 * TIMEOUT)
    assert _pairs(recorder.events)[-2:] == [("enter", "exhibit-002"), ("dwell", "exhibit-002")]


@pytest.mark.parametrize(
    ("node_class", "values", "message"),
    [
        (ProximityNode, {"pose_source": "gps"}, "unknown pose_source 'gps'"),
        (ProximityNode, {"exhibits_dir": "/nowhere/exhibits"}, "holds no museum.json"),
        (ProximityNode, {"leave_factor": 0.8}, "leave_factor 0.8 must be above 1.0"),
        (ProximityNode, {"dwell_time": 3}, "dwell_time must be a float"),
        (SimTurtlebotNode, {"tour": "exhibit-000,atlantis"}, "does not place: atlantis"),
        (SimTurtlebotNode, {"speed": 0.0}, "speed 0.0 m/s must be above 0"),
        (
            GuideBridgeNode,
            {"server_url": "http://127.0.0.1:8000/ws/robot", "token": "t"},
            "not a WebSocket URL",
        ),
        (GuideBridgeNode, {"server_url": "ws://127.0.0.1:8000/ws/robot"}, "token is empty"),
    ],
)
def test_bad_parameters_are_refused_at_start(
    session: Session, museum: Path, node_class: type, values: dict, message: str
) -> None:
    base = {} if node_class is GuideBridgeNode else {"exhibits_dir": str(museum)}
    with pytest.raises(BadParameter, match=message.replace("(", r"\(").replace(".", r"\.")):
        node_class(context=session.context, parameter_overrides=_params({**base, **values}))


def test_later_parameter_changes_are_checked(session: Session, museum: Path) -> None:
    node = _proximity(session, museum)
    (bad,) = node.set_parameters([Parameter("leave_factor", value=0.9)])
    assert not bad.successful and "leave_factor 0.9 must be above 1.0" in bad.reason
    (frozen,) = node.set_parameters([Parameter("pose_source", value="amcl")])
    assert not frozen.successful and "restart the node" in frozen.reason
    (good,) = node.set_parameters([Parameter("leave_factor", value=1.5)])
    assert good.successful and node.params.values["leave_factor"] == 1.5


def test_guide_robot_command_exits_with_the_reason(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "guide_server.cli",
            "robot",
            "--no-bridge",
            "--exhibits",
            str(tmp_path / "missing"),
        ],
        capture_output=True,
        text=True,
        timeout=6 * TIMEOUT,
    )
    assert done.returncode == 2
    assert "holds no museum.json" in done.stderr
