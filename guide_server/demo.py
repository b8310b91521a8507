"""`guide demo`: run the whole guide on the embedded defaults (what `make demo` runs)."""

from __future__ import annotations

import argparse
from typing import Any

from guide_server.catalogue.commands import list_command, validate_command
from guide_server.paths import DEFAULT_EXHIBITS_DIR


def add_commands(subparsers: Any) -> None:
    """Register `guide demo`."""
    demo = subparsers.add_parser("demo", help="run the whole guide on the embedded defaults")
    demo.set_defaults(handler=demo_command, path=DEFAULT_EXHIBITS_DIR)


def demo_command(args: argparse.Namespace) -> int:
    """Validate and list the catalogue (the server and robot join in later)."""
    return validate_command(args) or list_command(args)
