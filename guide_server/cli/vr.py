"""`guide listen` and `guide unity messages`: the VR side's command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DEFAULT_LISTEN_URL = "ws://127.0.0.1:8000/ws/visitor"


def add_commands(subparsers: Any) -> None:
    """Register `guide listen` and `guide unity ...`."""
    listen = subparsers.add_parser("listen", help="print a tour's live stream in the terminal")
    listen.add_argument(
        "--url", default=DEFAULT_LISTEN_URL, help=f"visitor socket (default {DEFAULT_LISTEN_URL})"
    )
    listen.add_argument("--tour", default="default", help="tour id to join (default: default)")
    listen.add_argument(
        "--token", default=None, help="access token (default: $GUIDE_TOKEN, else the server's demo token)"
    )
    listen.add_argument("--once", action="store_true", help="exit after the first finished description")
    listen.add_argument("--raw", action="store_true", help="also print every frame as JSON")
    listen.add_argument(
        "--speak", action="store_true", help="play the guide's speech on this machine's audio output"
    )
    listen.add_argument(
        "--speak-to", type=Path, metavar="FILE", help="write the guide's speech to a WAV file instead"
    )
    trust = listen.add_mutually_exclusive_group()
    trust.add_argument(
        "--ca-file", type=Path, metavar="PEM", help="wss://: trust the server through this CA certificate"
    )
    trust.add_argument(
        "--cert-fingerprint",
        metavar="SHA256",
        help="wss://: trust only the server certificate with this SHA-256 (as `guide serve --tls` prints it)",
    )
    listen.set_defaults(handler=listen_command)

    unity = subparsers.add_parser("unity", help="the Unity package in unity_bridge/")
    sub = unity.add_subparsers(dest="unity_command", required=True, metavar="ACTION")
    messages = sub.add_parser("messages", help="regenerate the C# message classes from the protocol")
    messages.add_argument("path", nargs="?", type=Path, default=None)
    messages.set_defaults(handler=messages_command)
    meta = sub.add_parser("meta", help="write the .meta files Unity needs for a read-only (git) package")
    meta.set_defaults(handler=meta_command)


def listen_command(args: argparse.Namespace) -> int:
    """Run the terminal listener until interrupted (or one description with --once)."""
    import asyncio

    from guide_core.tls import ClientTrust
    from guide_server.cli.listen import ListenOptions, listen

    try:
        trust = ClientTrust(ca_file=args.ca_file, fingerprint=args.cert_fingerprint)
    except ValueError as exc:
        print(f"guide listen: {exc}")
        return 2
    options = ListenOptions(
        trust=trust,
        url=args.url,
        tour=args.tour,
        token=args.token,
        once=args.once,
        raw=args.raw,
        speak=args.speak,
        speak_to=args.speak_to,
    )
    try:
        return asyncio.run(listen(options))
    except KeyboardInterrupt:
        return 130


def messages_command(args: argparse.Namespace) -> int:
    """Write unity_bridge/Runtime/Protocol/GuideMessages.g.cs from the current protocol."""
    from guide_core.csharp_messages import MESSAGES_PATH, csharp_source
    from guide_core.protocol import protocol_json_schema

    path: Path = args.path or MESSAGES_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csharp_source(protocol_json_schema()), encoding="utf-8")
    print(f"wrote {path}")
    return 0


def meta_command(args: argparse.Namespace) -> int:
    """Write missing or stale .meta files in unity_bridge/."""
    from guide_core.unity_meta import write_meta_files

    for path in write_meta_files():
        print(f"wrote {path}")
    return 0
