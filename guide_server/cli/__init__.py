"""`guide`: the one command line of the museum guide.

This package holds the server's own command groups (`serve`, `vr`, `demo`, and
`listen`, the terminal visitor they share); every other group lives beside the
code it drives (catalogue, protocol, narration, bench, training, robot). Each
registers itself through an `add_commands(subparsers)` function, imported below
by name so that the import graph shows what the command line reaches; heavy
imports (torch, rclpy) happen only inside the handlers, so `guide exhibits
validate` starts in a blink.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from guide_robot import commands as robot_commands

from bench import commands as bench_commands
from guide_core import protocol_commands
from guide_core.catalogue import commands as catalogue_commands
from guide_core.log_levels import configure_logging
from guide_server.cli import demo, serve, vr
from guide_server.narration import commands as narration_commands
from training import commands as training_commands

COMMAND_GROUPS = (
    catalogue_commands,
    protocol_commands,
    serve,
    narration_commands,
    demo,
    vr,
    bench_commands,
    training_commands,
    robot_commands,
)
"""Each module's `add_commands(subparsers)` registers its group; imported here so the import graph shows them."""


def build_parser() -> argparse.ArgumentParser:
    """The full `guide` parser with every registered command group."""
    parser = argparse.ArgumentParser(prog="guide", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `guide` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    configure_logging(verbose=args.verbose)
    return int(args.handler(args) or 0)
