"""`guide`: the one command line of the museum guide.

Each command group lives beside the code it drives and registers itself through
an `add_commands(subparsers)` function; heavy imports (torch, rclpy) happen only
inside the handlers, so `guide exhibits validate` starts in a blink.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "guide_server.catalogue.commands",
    "guide_server.protocol_commands",
    "guide_server.serve_commands",
    "guide_server.narration.commands",
    "guide_server.demo",
    "guide_server.vr_commands",
    "bench.commands",
    "training.commands",
    "guide_robot.commands",
)


def build_parser() -> argparse.ArgumentParser:
    """The full `guide` parser with every registered command group."""
    parser = argparse.ArgumentParser(prog="guide", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `guide` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
