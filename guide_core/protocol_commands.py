"""`guide protocol schema`: export the wire protocol for the Unity and browser clients."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from guide_core.paths import UNITY_BRIDGE_DIR
from guide_core.protocol import protocol_json_schema

DEFAULT_SCHEMA_PATH = UNITY_BRIDGE_DIR / "protocol.schema.json"


def add_commands(subparsers: Any) -> None:
    """Register `guide protocol ...`."""
    protocol = subparsers.add_parser("protocol", help="the WebSocket protocol shared with the VR clients")
    sub = protocol.add_subparsers(dest="protocol_command", required=True, metavar="ACTION")
    schema = sub.add_parser("schema", help="write the protocol's JSON Schema")
    schema.add_argument("path", nargs="?", type=Path, default=DEFAULT_SCHEMA_PATH)
    schema.set_defaults(handler=schema_command)


def schema_command(args: argparse.Namespace) -> int:
    """Write the protocol schema to `args.path`."""
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_text(json.dumps(protocol_json_schema(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.path}")
    return 0
