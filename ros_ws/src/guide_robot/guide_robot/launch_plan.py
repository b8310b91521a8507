"""Decisions the launch file makes, as plain functions (no `launch` import, so they are tested here).

- `serve_command`: with start_server:=true, the server listens where `server_url` points
  (host, port, and https/wss for a wss:// URL), with the engine asked for and the robot's token.
- `check_server_command`: with start_server:=true, `guide` must be on PATH: `launch` reports a
  process it cannot spawn with a traceback and no exit event, so the launch would go on without it.
- `stop_reason`: a node whose exit ends the tour (the bridge, the server) stops the whole launch
  with one message, instead of leaving the robot touring with no server; an exit while the launch
  is already stopping (Ctrl-C, SIGTERM escalation, another node's failure) is not a new failure.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from urllib.parse import urlsplit

from guide_robot.bridge_core import check_server_url
from guide_robot.exceptions import LaunchArgumentError

DEFAULT_PORTS = {"ws": 80, "wss": 443}


def serve_command(server_url: str, exhibits_dir: str, engine: str = "") -> list[str]:
    """The `guide serve` command line that serves the robot socket `server_url` names."""
    if (reason := check_server_url(server_url)) is not None:
        raise LaunchArgumentError(f"start_server:=true: {reason}")
    parts = urlsplit(server_url)
    host = "127.0.0.1" if parts.hostname == "localhost" else str(parts.hostname)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    command = ["guide", "serve", "--exhibits", exhibits_dir, "--host", host, "--port", str(port)]
    if parts.scheme == "wss":
        command.append("--tls")
    if engine:
        command += ["--engine", engine]
    return command


def check_server_command(command: Sequence[str]) -> None:
    """Refuse start_server:=true where the server's command is not installed, with the fix."""
    if shutil.which(command[0]) is None:
        raise LaunchArgumentError(
            f"start_server:=true: no `{command[0]}` command on PATH (the robot installs only guide_core): "
            "install the guide server on this machine and put its venv's bin/ on PATH, or run "
            "`guide serve` on the server and launch without start_server"
        )


def stop_reason(node: str, returncode: int | None, *, stopping: bool = False) -> str | None:
    """Why the launch stops when `node` exits with `returncode`; None for a clean stop (Ctrl-C),
    or when the launch is already `stopping` (its exit is then a consequence, not a cause)."""
    if returncode == 0 or stopping:
        return None
    return (
        f"{node} exited with status {returncode} (its reason is printed above); the robot would tour "
        "with no guide server, so the whole launch stops: fix that and launch again"
    )
