"""`guide robot`: run the proximity node, optionally the simulated TurtleBot2 and the bridge, in one process."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from guide_core.log_levels import configure_logging
from guide_core.paths import DEFAULT_EXHIBITS_DIR

DESCRIPTION = "The nodes of launch/guide.launch.py in one process, on a MultiThreadedExecutor."


def add_commands(subparsers: Any) -> None:
    """Register `guide robot`."""
    robot = subparsers.add_parser(
        "robot",
        help="run the robot nodes (proximity, bridge, optional simulator) without ROS tooling",
        description=DESCRIPTION,
    )
    add_arguments(robot)


def main(argv: Sequence[str] | None = None) -> int:
    """`guide-robot`: the same command on a robot that installs only this package and guide_core."""
    parser = argparse.ArgumentParser(prog="guide-robot", description=DESCRIPTION)
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    add_arguments(parser)
    args = parser.parse_args(argv)
    configure_logging(verbose=args.verbose)
    return robot_command(args)


def add_arguments(robot: argparse.ArgumentParser) -> None:
    """The robot command's options (shared by `guide robot` and `guide-robot`)."""
    robot.add_argument("--sim", action="store_true", help="also run the simulated TurtleBot2 on the tour")
    robot.add_argument("--pose-source", choices=("odom", "amcl"), default="odom", help="robot pose topic")
    robot.add_argument("--exhibits", type=Path, default=DEFAULT_EXHIBITS_DIR, help="catalogue folder")
    robot.add_argument(
        "--server-url", default="ws://127.0.0.1:8000/ws/robot", help="the server's robot socket"
    )
    robot.add_argument(
        "--token",
        default=None,
        help="the server's robot token (default: $GUIDE_ROBOT_TOKEN, else the loopback demo token)",
    )
    robot.add_argument("--tour", default="default", help="tour id on the server")
    trust = robot.add_mutually_exclusive_group()
    trust.add_argument(
        "--ca-file", default="", help="wss://: the CA certificate (PEM) that signed the server's"
    )
    trust.add_argument(
        "--cert-fingerprint",
        default="",
        help="wss://: the server certificate's SHA-256, as `guide serve --tls` prints it",
    )
    robot.add_argument("--no-bridge", action="store_true", help="do not connect to the guide server")
    robot.add_argument("--speed", type=float, default=0.5, help="simulator speed, m/s")
    robot.add_argument("--pause", type=float, default=5.0, help="simulator pause at each exhibit, s")
    robot.add_argument("--noise", type=float, default=0.02, help="simulator pose noise (std dev), m")
    robot.add_argument("--loop", action="store_true", help="simulator repeats the tour")
    robot.add_argument("--dwell-time", type=float, default=3.0, help="seconds in a zone before 'dwell'")
    robot.set_defaults(handler=robot_command)


def robot_command(args: argparse.Namespace) -> int:
    """Run the chosen nodes until Ctrl-C."""
    from guide_core.demo_tokens import DEMO_ROBOT_TOKEN
    from guide_robot.runner import RobotSetup, run_robot

    token = args.token if args.token is not None else os.environ.get("GUIDE_ROBOT_TOKEN", DEMO_ROBOT_TOKEN)
    setup = RobotSetup(
        exhibits_dir=args.exhibits,
        use_sim=args.sim,
        pose_source=args.pose_source,
        bridge=not args.no_bridge,
        server_url=args.server_url,
        token=token,
        tour=args.tour,
        ca_file=args.ca_file,
        cert_fingerprint=args.cert_fingerprint,
        sim={"speed": args.speed, "pause": args.pause, "noise_position": args.noise, "loop": args.loop},
        proximity={"dwell_time": args.dwell_time},
    )
    return run_robot(setup)


if __name__ == "__main__":
    sys.exit(main())
