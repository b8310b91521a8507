"""`guide bench serve --simulated-tour`: proximity `enter` to the first released sentence, with and
without pre-generation, on a tour the simulated TurtleBot2 drives.

The robot is the simulator's own logic (`guide_robot.drive.TourDriver`, pose noise as
`guide robot --sim`) and the robot node's `ProximityTracker`, stepped in real time in this
process; its poses (every `pose_interval`, as the bridge sends them) and proximity events go
over a real robot socket to a real server, and one visitor socket times each exhibit's first
`description.delta` after its `enter`. The description cache is off, so no exhibit is cached.
The reference is the same tour on the same engine with pre-generation off, in the same run.
Wasted: descriptions started early that were cancelled (the robot went elsewhere).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

STEP_S = 0.05
"""Simulation step (20 Hz, as the simulator node's timer)."""


@dataclass
class TourTiming:
    """What one simulated tour measured."""

    enter_to_text_ms: list[float] = field(default_factory=list)
    """Per exhibit after the first: robot's `enter` sent -> first released sentence at the visitor."""
    started: float = 0.0
    released: float = 0.0
    wasted: float = 0.0
    generations: int = 0


async def drive_tour(url: str, plan: Any, stops: list[str], *, speed: float, pause: float, pose_interval: float,
                     noise: float, seed: int = 3) -> dict[str, float]:  # fmt: skip
    """Drive `stops` in real time; exhibit id -> ms from its `enter` to its first released sentence."""
    from guide_robot.drive import DriveSettings, PoseNoise, TourDriver, Waypoint
    from guide_robot.proximity import ProximitySettings, ProximityTracker, RobotPose, zones_from_plan
    from websockets.asyncio.client import connect

    from guide_core.demo_tokens import DEMO_ROBOT_TOKEN, DEMO_VISITOR_TOKEN
    from guide_core.protocol import ClientKind, Hello, Pose, ProximityKind, dump_message, parse_server_message

    places = {p.id: p for p in plan.exhibits}
    first = places[stops[0]]
    driver = TourDriver(
        pose=RobotPose(first.x, first.y, 0.0),
        tour=[Waypoint(s, places[s].x, places[s].y) for s in stops],
        settings=DriveSettings(speed=speed, pause=pause),
    )
    sensor, rng = PoseNoise(position=noise), random.Random(seed)
    settings = ProximitySettings()
    tracker = ProximityTracker(zones_from_plan(plan, leave_factor=settings.leave_factor), settings)
    entered: dict[str, float] = {}
    first_text: dict[str, float] = {}
    ws = url.replace("http://", "ws://")
    async with connect(f"{ws}/ws/visitor", max_size=None) as headset, connect(f"{ws}/ws/robot") as robot:
        await headset.send(dump_message(Hello(client=ClientKind.VISITOR, token=DEMO_VISITOR_TOKEN)))
        await robot.send(dump_message(Hello(client=ClientKind.ROBOT, token=DEMO_ROBOT_TOKEN)))
        await robot.recv()

        async def watch() -> None:
            exhibit_of: dict[str, str] = {}
            async for raw in headset:
                message = parse_server_message(raw)
                if message.type == "description.start":
                    exhibit_of[message.request_id] = message.exhibit_id
                elif message.type == "description.delta":
                    exhibit = exhibit_of.get(message.request_id)
                    if exhibit in entered and exhibit not in first_text:
                        first_text[exhibit] = time.perf_counter()

        watcher = asyncio.create_task(watch())
        start = time.perf_counter()
        next_pose = 0.0
        sim_time = 0.0
        try:
            while driver.target is not None or driver.arrivals[-1:] != stops[-1:]:
                driver.step(STEP_S)
                sim_time += STEP_S
                seen = sensor.apply(driver.pose, rng)
                for event in tracker.update(seen, sim_time):
                    if event.event is ProximityKind.ENTER:
                        entered.setdefault(event.exhibit_id, time.perf_counter())
                    await robot.send(dump_message(event))
                if sim_time >= next_pose:
                    pose = Pose(frame_id=plan.map_frame, x=seen.x, y=seen.y, yaw=seen.yaw, stamp=sim_time)
                    await robot.send(dump_message(pose))
                    next_pose += pose_interval
                await asyncio.sleep(max(0.0, start + sim_time - time.perf_counter()))
            last = stops[-1]
            deadline = time.perf_counter() + 60
            while last not in first_text and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
    return {e: (first_text[e] - entered[e]) * 1000 for e in entered if e in first_text and e != stops[0]}


async def measure_tours(args: Any, engine: Any, embedder: Any, scratch: str) -> list[list[object]]:
    """One tour with pre-generation and one without, on fresh servers; the table's rows."""
    from pathlib import Path

    from bench.engine_timing import forget_prompts
    from bench.server_settings import bench_settings
    from guide_core.catalogue.loader import load_catalogue_or_raise
    from guide_server.api import create_app
    from guide_server.api.running import running_server

    plan = load_catalogue_or_raise(args.exhibits).floor_plan
    stops = plan.tour[: max(2, args.tour_stops)]
    rows: list[list[object]] = []
    timings: dict[bool, TourTiming] = {}
    for pregenerate in (False, True):
        settings = bench_settings(
            args, Path(scratch) / f"feedback-{pregenerate}.sqlite3", pregenerate=pregenerate, speech=False
        )
        forget_prompts(engine)
        await engine.start()
        app = create_app(settings, engine=engine, embedder=embedder)
        async with running_server(app) as url:
            await asyncio.wait_for(app.state.services.engine_status.ready.wait(), 120)
            latencies = await drive_tour(
                url, plan, stops, speed=args.tour_speed, pause=args.tour_pause, pose_interval=0.5, noise=0.02
            )
            metrics = app.state.services.metrics.registry

            def sample(outcome: str, registry: Any = metrics) -> float:
                return registry.get_sample_value("guide_pregenerations_total", {"outcome": outcome}) or 0.0

            generated = sum(
                metrics.get_sample_value(
                    "guide_generations_total", {"kind": "description", "finish_reason": r}
                )
                or 0
                for r in ("stop", "length", "cancelled", "error")
            )
            timings[pregenerate] = TourTiming(
                list(latencies.values()),
                sample("started"),
                sample("released"),
                sample("wasted"),
                int(generated),
            )
    off = timings[False]
    for pregenerate in (False, True):
        t = timings[pregenerate]
        values = t.enter_to_text_ms or [float("nan")]
        p50 = statistics.median(values)
        rows.append(
            [
                "on" if pregenerate else "off",
                len(t.enter_to_text_ms),
                p50,
                max(values),
                p50 / statistics.median(off.enter_to_text_ms or [float("nan")]),
                t.generations,
                int(t.started),
                int(t.released),
                int(t.wasted),
            ]
        )
    return rows


TOUR_HEADERS = [
    "pre-generation",
    "exhibits",
    "enter->text p50 ms",
    "max ms",
    "p50 x off",
    "generations",
    "started early",
    "released",
    "wasted",
]
