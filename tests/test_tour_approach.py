"""Ready on arrival: the description starts as the robot heads for an exhibit, is held until its
`enter`, and is dropped when the robot turns away (pure course logic, then a real server)."""

from __future__ import annotations

import asyncio
import math
import random
import time
from pathlib import Path

from conftest import TIMEOUT
from server_harness import EXHIBIT, Client, guide_server, robot, settings_for, visitor

from guide_core.catalogue.models import ApproachSettings, ExhibitPlacement
from guide_core.protocol import Pose, Proximity, ProximityKind
from guide_server.generation.engines.scripted import ScriptedEngine, grounded_script
from guide_server.tours.approach import ApproachChange, ApproachKind, ApproachWatch

SETTINGS = ApproachSettings()
TARGET = ExhibitPlacement(id="target", room="hall", x=0.0, y=0.0, trigger_radius=0.8)
BESIDE = ExhibitPlacement(id="beside", room="hall", x=2.0, y=-6.0, trigger_radius=0.8)
PLAN = [TARGET, BESIDE]
STEP_S = 0.5
SPEED = 0.5


def _line(
    start: tuple[float, float], end: tuple[float, float], t0: float = 0.0
) -> list[tuple[float, float, float]]:
    """Poses every STEP_S along a straight line at SPEED, as (x, y, stamp)."""
    length = math.dist(start, end)
    steps = max(1, round(length / (SPEED * STEP_S)))
    return [
        (
            start[0] + (end[0] - start[0]) * i / steps,
            start[1] + (end[1] - start[1]) * i / steps,
            t0 + i * STEP_S,
        )
        for i in range(steps + 1)
    ]


def _drive(
    poses: list[tuple[float, float, float]], watch: ApproachWatch | None = None
) -> list[ApproachChange]:
    watch = watch or ApproachWatch()
    return [change for x, y, t in poses for change in watch.update(x, y, t, PLAN, SETTINGS)]


def test_heading_for_an_exhibit_approaches_it_once_inside_the_radius() -> None:
    watch = ApproachWatch()
    changes: list[tuple[float, ApproachChange]] = []
    for x, y, t in _line((0.0, 8.0), (0.0, 0.9)):
        changes += [(math.hypot(x, y), c) for c in watch.update(x, y, t, PLAN, SETTINGS)]
    assert [c for _, c in changes] == [ApproachChange(ApproachKind.APPROACH, "target")]
    assert changes[0][0] <= SETTINGS.radius, "approached before it was inside the approach radius"
    assert watch.target == "target"


def test_driving_past_an_exhibit_is_no_approach() -> None:
    # The course passes 2 m beside `beside`, inside its approach radius but never into its zone.
    assert _drive(_line((0.0, -2.0), (0.0, -10.0))) == []


def test_standing_still_near_an_exhibit_is_no_approach() -> None:
    assert _drive([(0.0, 2.5, i * STEP_S) for i in range(20)]) == []


def test_turning_away_before_arrival_is_reported_and_arriving_is_not() -> None:
    towards = _line((0.0, 6.0), (0.0, 2.5))
    away = _line((0.0, 2.5), (6.0, 2.5), t0=towards[-1][2] + STEP_S)
    assert _drive(towards + away) == [
        ApproachChange(ApproachKind.APPROACH, "target"),
        ApproachChange(ApproachKind.TURNED_AWAY, "target"),
    ]
    arriving = _line((0.0, 6.0), (0.0, 0.2))
    assert _drive(arriving) == [ApproachChange(ApproachKind.APPROACH, "target")]


def test_pose_noise_does_not_start_and_cancel_by_turns() -> None:
    rng = random.Random(7)
    for _ in range(50):
        noisy = [
            (x + rng.gauss(0, 0.02), y + rng.gauss(0, 0.02), t) for x, y, t in _line((0.5, 7.0), (0.1, 0.9))
        ]
        assert _drive(noisy) == [ApproachChange(ApproachKind.APPROACH, "target")]


def test_a_disabled_or_smaller_approach_follows_the_floor_plan() -> None:
    near = ApproachSettings(radius=2.0)
    watch = ApproachWatch()
    found = [
        (math.hypot(x, y), c)
        for x, y, t in _line((0.0, 8.0), (0.0, 0.9))
        for c in watch.update(x, y, t, PLAN, near)
    ]
    assert len(found) == 1 and found[0][0] <= 2.0


# --- a real server ------------------------------------------------------------------------------


def _course(start: tuple[float, float], end: tuple[float, float], t0: float) -> list[Pose]:
    return [Pose(frame_id="map", x=x, y=y, yaw=0.0, stamp=t) for x, y, t in _line(start, end, t0)]


async def _drive_and_watch(bridge: Client, headset: Client, poses: list[Pose]) -> list[str]:
    """Send the poses; the visitor's message types up to the last pose (which arrives after anything
    the tour sent before it)."""
    for pose in poses:
        await bridge.send(pose)
    seen = []
    while True:
        message = await headset.recv()
        seen.append(message.type)
        if message.type == "pose" and message.stamp == poses[-1].stamp:
            return seen


def _enter(exhibit_id: str, seq: int) -> Proximity:
    return Proximity(
        event=ProximityKind.ENTER,
        exhibit_id=exhibit_id,
        distance=0.7,
        bearing=0.0,
        seq=seq,
        stamp=time.time(),
    )


def _metric(server, outcome: str) -> float:  # type: ignore[no-untyped-def]
    return (
        server.services.metrics.registry.get_sample_value("guide_pregenerations_total", {"outcome": outcome})
        or 0.0
    )


def _placement_and_start(server):  # type: ignore[no-untyped-def]
    """The exhibit's placement, and a start 5 m north of it (outside its approach radius)."""
    placement = server.services.current_catalogue().floor_plan.placement(EXHIBIT)
    assert placement is not None
    return placement, (placement.x, placement.y + 5.0)


async def test_description_started_on_approach_is_released_at_enter(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    engine = ScriptedEngine(grounded_script, pause_after=3)
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        placement, north = _placement_and_start(server)
        async with visitor(server) as headset, robot(server) as bridge:
            seen = await _drive_and_watch(
                bridge, headset, _course(north, (placement.x, placement.y + 1.2), 100.0)
            )
            await asyncio.wait_for(engine.wait_for(started=1), TIMEOUT)
            assert not [t for t in seen if t.startswith("description.")], (
                f"held text reached a headset: {seen}"
            )
            held = server.services.tours.get("default").held
            assert [s.exhibit_id for s in held.values()] == [EXHIBIT]
            request_id = next(iter(held.values())).request_id
            await bridge.send(_enter(EXHIBIT, 0))
            start = await headset.recv_type("description.start")
            assert start.request_id == request_id, (
                "enter started a new generation instead of releasing the held one"
            )
            engine.resume.set()
            streamed = await headset.stream("description", request_id)
        assert streamed[-1].type == "description.end" and streamed[-1].finish_reason == "stop"
        assert engine.started == 1, "the exhibit was generated twice"
        assert (_metric(server, "started"), _metric(server, "released"), _metric(server, "wasted")) == (
            1,
            1,
            0,
        )


async def test_description_started_on_approach_is_dropped_when_the_robot_turns_away(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    engine = ScriptedEngine(grounded_script, pause_after=3)
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        placement, north = _placement_and_start(server)
        turn = (placement.x, placement.y + 2.5)
        async with visitor(server) as headset, robot(server) as bridge:
            towards = _course(north, turn, 100.0)
            await _drive_and_watch(bridge, headset, towards)
            await asyncio.wait_for(engine.wait_for(started=1), TIMEOUT)
            away = _course(turn, (placement.x + 5.0, turn[1]), towards[-1].stamp + STEP_S)
            seen = await _drive_and_watch(bridge, headset, away)
            await asyncio.wait_for(engine.wait_for(closed=1), TIMEOUT)
            assert not [t for t in seen if t.startswith("description.")], (
                f"dropped text reached a headset: {seen}"
            )
            assert server.services.tours.get("default").held == {}
            assert _metric(server, "wasted") == 1
            engine.resume.set()
            await bridge.send(_enter(EXHIBIT, 0))  # it came back after all: a fresh description
            streamed = await headset.stream("description")
        assert engine.started == 2
        assert streamed[-1].finish_reason == "stop"


async def test_pregeneration_off_starts_nothing_before_enter(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(grounded_script)
    async with guide_server(settings_for(tmp_path, exhibits_dir, pregenerate=False), engine) as server:
        placement = server.services.current_catalogue().floor_plan.placement(EXHIBIT)
        assert placement is not None
        async with visitor(server) as headset, robot(server) as bridge:
            poses = _course((placement.x, placement.y + 5.0), (placement.x, placement.y + 1.2), 100.0)
            await _drive_and_watch(bridge, headset, poses)
            await bridge.send(_enter(EXHIBIT, 0))
            await headset.stream("description")
        assert engine.started == 1
        assert _metric(server, "started") == 0
