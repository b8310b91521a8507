"""`guide demo`: the whole guide on the embedded defaults (what `make demo` runs).

Starts the guide server and the simulated robot as child processes, waits for the
server to be ready, and prints the tour's streamed descriptions in this terminal
until interrupted. The browser VR client is at the printed address meanwhile.

Quiet by default: the children log at WARNING (no readiness polls, connection
lines or node start-up lines), and the wait for the model is one progress line;
`guide demo -v` shows every log line.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

import httpx

from guide_core.catalogue.commands import validate_command
from guide_core.log_levels import LOG_LEVEL_ENV
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_server.exceptions import DemoError

READY_TIMEOUT_S = 600.0
"""The first start dequantises the packaged model; allow for a slow machine."""


def add_commands(subparsers: Any) -> None:
    """Register `guide demo`."""
    demo = subparsers.add_parser("demo", help="run the whole guide on the embedded defaults")
    demo.add_argument("--port", type=int, default=8000, help="server port on 127.0.0.1 (default 8000)")
    demo.add_argument(
        "--engine",
        choices=("onnx", "transformers", "scripted"),
        default="onnx",
        help="onnx: the registry's tuned model, int4 on ONNX Runtime (default); transformers: the same "
        "model in fp32 torch; scripted: canned text, no model",
    )
    demo.add_argument("--speed", type=float, default=0.6, help="simulated robot speed, m/s")
    demo.add_argument(
        "--pause", type=float, default=25.0, help="seconds the robot stays at each exhibit (time to listen)"
    )
    demo.add_argument("--once", action="store_true", help="stop after the first finished description")
    demo.add_argument(
        "-v", "--verbose", dest="demo_verbose", action="store_true", help="show every process's log lines"
    )
    demo.set_defaults(handler=demo_command, path=DEFAULT_EXHIBITS_DIR)


def _guide(*args: str) -> list[str]:
    return [sys.executable, "-m", "guide_server.cli", *args]


def _start(name: str, command: Sequence[str], *, verbose: bool) -> subprocess.Popen[bytes]:
    if verbose:
        print(f"[demo] starting {name}: {' '.join(command[2:])}", flush=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if not verbose:
        env[LOG_LEVEL_ENV] = "WARNING"
        env["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"  # transformers' "Loading weights" bars too
    return subprocess.Popen(command, env=env)


def wait_until_ready(
    base_url: str, server: subprocess.Popen[bytes], timeout: float = READY_TIMEOUT_S
) -> float:
    """Poll /readyz until the model is loaded, on one progress line; returns the seconds it took.

    Raises `DemoError` if the server dies or is not ready within `timeout`."""
    started = time.monotonic()
    progress = ProgressLine(
        "[demo] preparing the guide's model (the first run converts it once, a few minutes)"
    )
    try:
        while (elapsed := time.monotonic() - started) < timeout:
            if server.poll() is not None:
                raise DemoError(f"the guide server exited with status {server.returncode}; see its log above")
            try:
                if httpx.get(f"{base_url}/readyz", timeout=2.0).status_code == 200:
                    return elapsed
            except httpx.TransportError:
                pass
            progress.update(f"{elapsed:.0f} s")
            time.sleep(0.5)
    finally:
        progress.end()
    raise DemoError(f"the guide server was not ready within {timeout:.0f} s")


class ProgressLine:
    """One status line: rewritten in place on a terminal, printed once elsewhere (logs, pipes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.live = sys.stdout.isatty()
        print(text, end="" if self.live else "\n", flush=True)

    def update(self, suffix: str) -> None:
        """Show `suffix` after the text (terminals only)."""
        if self.live:
            print(f"\r{self.text}: {suffix}", end="", flush=True)

    def end(self) -> None:
        """Finish the line."""
        if self.live:
            print(flush=True)


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def demo_command(args: argparse.Namespace) -> int:
    """Validate the catalogue, start server and simulated robot, print the stream."""
    from guide_server.cli.listen import ListenOptions, listen

    if validate_command(args):
        return 1
    verbose = args.demo_verbose or args.verbose
    if not verbose:
        logging.getLogger().setLevel(logging.WARNING)
    base_url = f"http://127.0.0.1:{args.port}"
    server = robot = None
    try:
        server = _start(
            "guide server",
            _guide("serve", "--host", "127.0.0.1", "--port", str(args.port), "--engine", args.engine),
            verbose=verbose,
        )
        ready_s = wait_until_ready(base_url, server)
        robot = _start(
            "simulated TurtleBot2",
            _guide(
                "robot", "--sim", "--loop", "--speed", str(args.speed), "--pause", str(args.pause),
                "--server-url", f"ws://127.0.0.1:{args.port}/ws/robot",
            ),
            verbose=verbose,
        )  # fmt: skip
        print(
            f"[demo] the guide is ready ({ready_s:.0f} s): open {base_url}/ in a browser or headset "
            "to join the tour; the simulated robot is on its way to the first exhibit",
            flush=True,
        )
        options = ListenOptions(url=f"ws://127.0.0.1:{args.port}/ws/visitor", once=args.once)
        return asyncio.run(listen(options))
    except DemoError as exc:
        print(f"[demo] {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(robot)
        _stop(server)
