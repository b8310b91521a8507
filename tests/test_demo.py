"""`guide demo` wires server, simulated robot and listener together, as `make demo` runs it."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys

from conftest import TIMEOUT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_streams_a_description_end_to_end() -> None:
    env = {**os.environ, "ROS_DOMAIN_ID": str(random.randint(160, 229)), "PYTHONUNBUFFERED": "1"}
    env.pop("GUIDE_LOG_LEVEL", None)
    command = [
        sys.executable, "-m", "guide_server.cli", "demo", "--engine", "scripted", "--once",
        "--port", str(_free_port()), "--speed", "3.0", "--pause", "30",
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT * 12, check=False)
    out = done.stdout
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "ok: " in out and "exhibits and the floor plan are valid" in out
    assert "## Description:" in out
    first_title = out.split("## Description: ", 1)[1].split(" [", 1)[0]
    assert first_title in out.split("-- robot enter ", 1)[1]
    assert "[stop," in out, "the first description streamed to its end"

    # The terminal shows the guide, not the plumbing: one progress line for the model, no readiness
    # polls, no uvicorn connection lines, no node start-up lines (`guide demo -v` brings them back).
    terminal = done.stdout + done.stderr
    assert terminal.count("[demo] preparing the guide's model") == 1
    assert "[demo] the guide is ready" in terminal
    for plumbing in (
        "/readyz",
        "HTTP Request",
        "Uvicorn running",
        "Application startup",
        "tracking ",
        " INFO ",
        "Loading weights",  # transformers' progress bars
        "kernels-community",  # bitsandbytes' warning about an optional package
    ):
        assert plumbing not in terminal, f"{plumbing!r} in the demo's terminal:\n{terminal[-3000:]}"
