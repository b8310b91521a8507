"""`guide bench proximity`: latency from an /odom message to its proximity event, and the pose rate
the proximity node sustains, on a generated 100-exhibit floor plan.

References in the same run: the bare `ProximityTracker.update` cost (no ROS), and the DDS round
trip of a plain std_msgs/String echo between two nodes of the same process.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.table import print_table


def add_command(sub: Any) -> None:
    """Register `guide bench proximity`."""
    parser = sub.add_parser(
        "proximity", help="odom-to-event latency and sustained pose rate of the proximity node"
    )
    parser.add_argument("--exhibits", type=int, default=100, help="exhibits in the generated floor plan")
    parser.add_argument("--round-trips", type=int, default=300, help="sequential round trips per latency row")
    parser.add_argument(
        "--burst", type=int, default=3000, help="poses published back to back for the rate row"
    )
    parser.add_argument("--domain", type=int, default=201, help="ROS domain id to run in (keep it private)")
    parser.set_defaults(handler=run)


WINDOW = 50
"""Poses published before waiting for their events in the rate row."""


def _stats(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def _bare_update_us(folder: Path, repeat: int) -> float:
    from guide_robot.proximity import ProximitySettings, ProximityTracker, RobotPose, zones_from_plan

    from guide_core.catalogue import load_catalogue_or_raise

    plan = load_catalogue_or_raise(folder).floor_plan
    tracker = ProximityTracker(zones_from_plan(plan, leave_factor=1.3), ProximitySettings(min_stay=0.0))
    first = plan.exhibits[0]
    started = time.perf_counter()
    for i in range(repeat):
        tracker.update(RobotPose(first.x + (0.0 if i % 2 else 5.0), first.y, 0.0), float(i))
    return (time.perf_counter() - started) / repeat * 1e6


class _Waiter:
    """Counts arrivals on a subscription and lets the caller wait for the next one."""

    def __init__(self) -> None:
        self.count = 0
        self.arrived = threading.Condition()

    def __call__(self, _msg: object) -> None:
        with self.arrived:
            self.count += 1
            self.arrived.notify_all()

    def wait_past(self, count: int, timeout: float = 5.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: self.count > count, timeout)


def run(args: argparse.Namespace) -> int:
    """Print the latency and rate table."""
    import rclpy
    from guide_robot.messages import pose_msg
    from guide_robot.proximity import RobotPose
    from guide_robot.proximity_node import ProximityNode
    from guide_robot.synthetic_museum import write_museum
    from guide_robot.topics import EVENTS_QOS, EVENTS_TOPIC
    from nav_msgs.msg import Odometry
    from rclpy.context import Context
    from rclpy.executors import MultiThreadedExecutor
    from rclpy.node import Node
    from rclpy.parameter import Parameter
    from std_msgs.msg import String

    from guide_core.catalogue import load_catalogue_or_raise

    folder = write_museum(Path(tempfile.mkdtemp(prefix="guide-bench-")) / "exhibits", count=args.exhibits)
    first = load_catalogue_or_raise(folder).floor_plan.exhibits[0]
    bare_us = _bare_update_us(folder, 20_000)

    context = Context()
    rclpy.init(context=context, domain_id=args.domain)
    executor = MultiThreadedExecutor(context=context)
    params = {"exhibits_dir": str(folder), "min_stay": 0.0, "dwell_time": 1e9, "watch_catalogue": False}
    proximity = ProximityNode(
        context=context, parameter_overrides=[Parameter(k, value=v) for k, v in params.items()]
    )
    client = Node("bench_client", context=context)
    echo = Node("bench_echo", context=context)
    events, echoes = _Waiter(), _Waiter()
    client.create_subscription(String, EVENTS_TOPIC, events, EVENTS_QOS)
    client.create_subscription(String, "/bench/echo_back", echoes, 100)
    echo_back = echo.create_publisher(String, "/bench/echo_back", 100)
    echo.create_subscription(String, "/bench/echo", echo_back.publish, 100)
    odom = client.create_publisher(Odometry, "/odom", 100)
    ping = client.create_publisher(String, "/bench/echo", 100)
    for node in (proximity, client, echo):
        executor.add_node(node)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    try:
        inside, outside = Odometry(), Odometry()
        inside.pose.pose = pose_msg(RobotPose(first.x, first.y, 0.0))
        outside.pose.pose = pose_msg(RobotPose(first.x + 5 * first.trigger_radius, first.y, 0.0))
        deadline = time.monotonic() + 10
        while (
            odom.get_subscription_count() == 0
            or ping.get_subscription_count() == 0
            or echo_back.get_subscription_count() == 0
        ):
            if time.monotonic() > deadline:
                raise SystemExit(
                    "DDS discovery did not finish in 10 s; is another process using this domain?"
                )
            threading.Event().wait(0.01)

        def round_trips(publish, waiter: _Waiter) -> list[float]:
            samples = []
            for i in range(args.round_trips):
                seen = waiter.count
                started = time.perf_counter()
                publish(i)
                if not waiter.wait_past(seen):
                    raise SystemExit(f"no reply within 5 s after {i} round trips")
                samples.append((time.perf_counter() - started) * 1000)
            return samples

        echo_ms = round_trips(lambda i: ping.publish(String(data="x")), echoes)
        odom_ms = round_trips(lambda i: odom.publish(inside if i % 2 == 0 else outside), events)

        # Windows smaller than the topics' queue depth (100): a reliable DDS reader that falls a
        # whole queue behind waits for heartbeat repairs, which would measure DDS, not the node.
        before = events.count
        started = time.perf_counter()
        for window in range(args.burst // WINDOW):
            for i in range(WINDOW):
                odom.publish(outside if i % 2 == 0 else inside)  # every pose is an enter or a leave
            if not events.wait_past(before + (window + 1) * WINDOW - 1):
                break
        elapsed = time.perf_counter() - started
        handled = events.count - before
    finally:
        executor.shutdown()
        for node in (proximity, client, echo):
            node.destroy_node()
        rclpy.try_shutdown(context=context)

    echo_median, echo_p99 = _stats(echo_ms)
    odom_median, odom_p99 = _stats(odom_ms)
    rows = [
        [
            "bare tracker update (reference)",
            args.exhibits,
            bare_us / 1000,
            bare_us / 1000,
            "-",
            1000.0 / (bare_us / 1000),
            "-",
        ],
        ["String echo over DDS (reference)", "-", echo_median, echo_p99, 1.0, "-", "-"],
        [
            "/odom -> proximity event",
            args.exhibits,
            odom_median,
            odom_p99,
            odom_median / echo_median,
            "-",
            "-",
        ],
        [
            f"{args.burst} poses, windows of {WINDOW}",
            args.exhibits,
            "-",
            "-",
            "-",
            handled / elapsed,
            f"{handled}/{args.burst}",
        ],
    ]
    print_table(["what", "exhibits", "median ms", "p99 ms", "x echo", "poses/s", "events/poses"], rows)
    return 0
