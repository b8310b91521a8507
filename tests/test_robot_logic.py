"""The robot's decision modules without ROS: zones, hysteresis, dwell, kinematics, the bridge core."""

from __future__ import annotations

import math

import pytest
from guide_robot.bridge_core import (
    EventBuffer,
    PoseRateLimit,
    check_server_url,
    expect_welcome,
    goal_from_frame,
    hello_text,
)
from guide_robot.drive import DriveSettings, TourDriver, Velocity, Waypoint, integrate
from guide_robot.exceptions import ServerRefused
from guide_robot.proximity import ExhibitZone, MapTransform, ProximitySettings, ProximityTracker, RobotPose

from guide_core.backoff import Backoff
from guide_core.protocol import Error, ErrorCode, Goto, Hello, Proximity, ProximityKind, Welcome, dump_message

ZONE = ExhibitZone("kourion-theatre", 5.0, 0.0, enter_radius=1.0, leave_radius=1.3)
OTHER = ExhibitZone("kolossi-castle", 10.0, 0.0, enter_radius=1.0, leave_radius=1.3)


def _walk(tracker: ProximityTracker, points: list[tuple[float, float, float]]) -> list[tuple[str, str]]:
    """Feed (x, t, yaw=0) positions along y=0; return (event, exhibit) pairs."""
    events: list[Proximity] = []
    for x, now, yaw in points:
        events += tracker.update(RobotPose(x, 0.0, yaw), now)
    return [(str(e.event), e.exhibit_id) for e in events]


def test_enter_dwell_leave_once_each_with_increasing_seq() -> None:
    tracker = ProximityTracker([ZONE, OTHER], ProximitySettings(dwell_time=2.0, min_stay=0.5))
    events: list[Proximity] = []
    for step in range(0, 121):
        x, now = step * 0.1, step * 0.1
        events += tracker.update(RobotPose(x if x < 5 else 5.0 if now < 8 else x - 3, 0.0, 0.0), now)
    kinds = [(str(e.event), e.exhibit_id) for e in events]
    assert kinds == [
        ("enter", "kourion-theatre"),
        ("dwell", "kourion-theatre"),
        ("leave", "kourion-theatre"),
        ("enter", "kolossi-castle"),
    ]
    assert [e.seq for e in events] == list(range(len(events)))
    assert events[0].distance == pytest.approx(1.0, abs=0.11)


@pytest.mark.parametrize(
    ("x", "expected"),
    [(3.95, []), (4.05, [("enter", "kourion-theatre")])],
)
def test_enter_radius_is_the_trigger_radius(x: float, expected: list) -> None:
    tracker = ProximityTracker([ZONE], ProximitySettings())
    assert _walk(tracker, [(x, 0.0, 0.0)]) == expected


def test_hysteresis_ignores_noise_between_enter_and_leave_radius() -> None:
    tracker = ProximityTracker([ZONE], ProximitySettings(dwell_time=100.0, min_stay=0.0))
    # In at 4.1 m (0.9 from the exhibit), then jitter between 0.95 and 1.25 m away: no leave, no new enter.
    jitter = [(4.1, 0.0, 0.0)] + [(3.75 if i % 2 else 4.05, 0.1 * i, 0.0) for i in range(1, 40)]
    assert _walk(tracker, jitter) == [("enter", "kourion-theatre")]
    assert _walk(tracker, [(3.6, 5.0, 0.0)]) == [("leave", "kourion-theatre")]


def test_min_stay_holds_back_a_leave_until_the_visit_is_long_enough() -> None:
    tracker = ProximityTracker([ZONE], ProximitySettings(dwell_time=100.0, min_stay=1.0))
    assert _walk(tracker, [(5.0, 0.0, 0.0), (2.0, 0.5, 0.0)]) == [("enter", "kourion-theatre")]
    assert _walk(tracker, [(2.0, 1.0, 0.0)]) == [("leave", "kourion-theatre")]


def test_dwell_comes_once_per_visit() -> None:
    tracker = ProximityTracker([ZONE], ProximitySettings(dwell_time=1.0, min_stay=0.0))
    stay = [(5.0, t * 0.5, 0.0) for t in range(10)]
    assert _walk(tracker, stay) == [("enter", "kourion-theatre"), ("dwell", "kourion-theatre")]
    again = [(0.0, 6.0, 0.0)] + [(5.0, 7.0 + t * 0.5, 0.0) for t in range(4)]
    assert _walk(tracker, again) == [
        ("leave", "kourion-theatre"),
        ("enter", "kourion-theatre"),
        ("dwell", "kourion-theatre"),
    ]


@pytest.mark.parametrize(("yaw", "bearing"), [(0.0, 0.0), (math.pi / 2, -math.pi / 2), (math.pi, -math.pi)])
def test_bearing_is_relative_to_the_robot_heading(yaw: float, bearing: float) -> None:
    tracker = ProximityTracker([ZONE], ProximitySettings())
    (event,) = tracker.update(RobotPose(4.5, 0.0, yaw), 0.0)
    assert event.bearing == pytest.approx(bearing)


def test_replacing_zones_keeps_visits_of_exhibits_that_remain() -> None:
    tracker = ProximityTracker([ZONE, OTHER], ProximitySettings(dwell_time=100.0, min_stay=0.0))
    tracker.update(RobotPose(5.0, 0.0, 0.0), 0.0)
    tracker.replace([ZONE])
    assert tracker.inside == {"kourion-theatre"}
    assert tracker.update(RobotPose(5.0, 0.0, 0.0), 1.0) == []
    tracker.replace([OTHER])
    assert tracker.inside == frozenset()


@pytest.mark.parametrize(
    ("settings", "word"),
    [
        (ProximitySettings(leave_factor=1.0), "leave_factor"),
        (ProximitySettings(dwell_time=-1.0), "dwell_time"),
        (ProximitySettings(min_stay=-0.1), "min_stay"),
    ],
)
def test_bad_settings_name_the_setting(settings: ProximitySettings, word: str) -> None:
    (problem,) = settings.check()
    assert word in problem


def test_map_transform_round_trips_and_rotates() -> None:
    transform = MapTransform(1.0, 2.0, math.pi / 2)
    in_map = transform.to_map(RobotPose(1.0, 0.0, 0.0))
    assert (in_map.x, in_map.y, in_map.yaw) == pytest.approx((1.0, 3.0, math.pi / 2))
    back = transform.to_odom(in_map)
    assert (back.x, back.y, back.yaw) == pytest.approx((1.0, 0.0, 0.0), abs=1e-9)


def test_differential_drive_arc_matches_the_circle() -> None:
    # A quarter circle of radius 1 m: v = 1, w = 1 for pi/2 seconds.
    pose = integrate(RobotPose(0.0, 0.0, 0.0), Velocity(1.0, 1.0), math.pi / 2)
    assert (pose.x, pose.y, pose.yaw) == pytest.approx((1.0, 1.0, math.pi / 2))


def test_tour_driver_visits_in_order_and_a_goal_preempts() -> None:
    tour = [Waypoint("a", 2.0, 0.0), Waypoint("b", 2.0, 2.0)]
    driver = TourDriver(RobotPose(0.0, 0.0, 0.0), tour, DriveSettings(speed=1.0, pause=0.5))
    for _ in range(400):
        driver.step(0.02)
        if driver.arrivals == ["a"]:
            break
    driver.set_goal(Waypoint("goal", -1.0, 0.0))
    for _ in range(1000):
        driver.step(0.02)
    assert driver.arrivals == ["a", "goal", "b"]
    assert driver.target is None


@pytest.mark.parametrize(
    ("url", "word"),
    [
        ("http://127.0.0.1:8000/ws/robot", "not a WebSocket URL"),
        ("ws:///ws/robot", "not a WebSocket URL"),
        ("ws://127.0.0.1:99999/ws/robot", "bad port"),
        ("ws://127.0.0.1:8000/ws/visitor", "must end in /ws/robot"),
    ],
)
def test_bad_server_urls_say_what_to_use(url: str, word: str) -> None:
    reason = check_server_url(url)
    assert reason is not None and word in reason
    assert check_server_url("wss://guide.example.org/ws/robot") is None


def _event(seq: int) -> Proximity:
    return Proximity(
        event=ProximityKind.ENTER, exhibit_id="kourion-theatre", distance=0.5, bearing=0.0, seq=seq, stamp=1.0
    )


def test_event_buffer_drops_the_oldest_and_keeps_order() -> None:
    buffer = EventBuffer(3)
    dropped = [buffer.push(_event(i)) for i in range(5)]
    assert [d.seq for d in dropped if d is not None] == [0, 1]
    sent = []
    while (event := buffer.peek()) is not None:
        sent.append(event.seq)
        buffer.pop(event)
    assert sent == [2, 3, 4] and buffer.dropped == 2


def test_backoff_doubles_to_the_maximum_and_resets() -> None:
    backoff = Backoff(0.5, 3.0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_pose_rate_limit() -> None:
    limit = PoseRateLimit(0.5)
    assert [limit.due(t) for t in (0.0, 0.2, 0.49, 0.5, 0.6, 1.1)] == [True, False, False, True, False, True]


def test_hello_welcome_and_goto_frames() -> None:
    hello = Hello.model_validate_json(hello_text(token="secret-token", tour="default"))
    assert hello.client == "robot" and hello.token == "secret-token"
    welcome = Welcome(session_id="s1", tour="default", model_id="m")
    assert expect_welcome(dump_message(welcome)) == welcome
    with pytest.raises(ServerRefused, match="unauthorized"):
        expect_welcome(dump_message(Error(code=ErrorCode.UNAUTHORIZED, message="bad token")))
    goto = Goto(exhibit_id="kourion-theatre", x=1.0, y=2.0, frame_id="map")
    assert goal_from_frame(dump_message(goto)) == goto
    assert goal_from_frame(dump_message(Goto(exhibit_id="kourion-theatre"))) is None
    assert goal_from_frame(dump_message(welcome)) is None


def test_a_bad_server_url_is_one_problem_not_two() -> None:
    from guide_robot import guide_bridge_node

    values = {**guide_bridge_node.DEFAULTS, "server_url": "http://127.0.0.1:8000/ws/robot", "token": "t"}
    (problem,) = guide_bridge_node.check_parameters(values)
    assert "not a WebSocket URL" in problem
    pinned = {**values, "server_url": "ws://127.0.0.1:8000/ws/robot", "cert_fingerprint": "AA:BB"}
    assert any("cert_fingerprint" in p for p in guide_bridge_node.check_parameters(pinned))
