"""Ctrl-C is a clean stop: `guide serve` and the robot nodes exit 0 without a traceback, also when a
second SIGINT arrives while they shut down (what `ros2 launch` forwards, and what an impatient
operator presses). Real processes, real signals."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from conftest import TIMEOUT
from test_server_cli import free_port

GUIDE = [sys.executable, "-m", "guide_server.cli"]


class LoggedProcess:
    """A subprocess whose stderr lines a test waits on."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    async def wait_for(self, needle: str) -> None:
        """Read stderr until a line holds `needle` (fails with the log if the process ends first)."""
        assert self.process.stderr is not None
        while not any(needle in line for line in self.lines):
            line = await asyncio.wait_for(self.process.stderr.readline(), 3 * TIMEOUT)
            assert line, f"exited before logging {needle!r}:\n{self.log}"
            self.lines.append(line.decode(errors="replace"))

    async def finish(self) -> int:
        """The exit status, once stderr is read to its end."""
        assert self.process.stderr is not None
        rest = await asyncio.wait_for(self.process.stderr.read(), 3 * TIMEOUT)
        self.lines.append(rest.decode(errors="replace"))
        return await asyncio.wait_for(self.process.wait(), TIMEOUT)

    @property
    def log(self) -> str:
        return "".join(self.lines)


async def _start(*args: str, env: dict[str, str]) -> LoggedProcess:
    process = await asyncio.create_subprocess_exec(*GUIDE, *args, env=env, stderr=asyncio.subprocess.PIPE)
    return LoggedProcess(process)


async def test_guide_serve_stops_cleanly_on_a_second_sigint_during_shutdown(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    env = os.environ | {"GUIDE_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    port = str(free_port())
    server = await _start(
        "serve", "--engine", "scripted", "--port", port, "--exhibits", str(exhibits_dir), env=env
    )
    await _interrupt_twice(server, ready="Uvicorn running on", stopping="Shutting down")


async def test_robot_nodes_stop_cleanly_on_a_second_sigint_during_clean_up(exhibits_dir: Path) -> None:
    env = os.environ | {"ROS_DOMAIN_ID": str(150 + os.getpid() % 60)}
    robot = await _start("robot", "--sim", "--no-bridge", "--exhibits", str(exhibits_dir), env=env)
    # The second SIGINT lands while the nodes clean up, as ros2 launch sends it.
    await _interrupt_twice(robot, ready="tracking", stopping="stopping ")


async def _interrupt_twice(process: LoggedProcess, *, ready: str, stopping: str) -> None:
    """SIGINT once `ready` is logged and again once `stopping` is: a clean exit, no traceback."""
    try:
        await process.wait_for(ready)
        process.process.send_signal(signal.SIGINT)
        await process.wait_for(stopping)
        process.process.send_signal(signal.SIGINT)
        status = await process.finish()
    finally:
        if process.process.returncode is None:
            process.process.kill()
    assert status == 0, process.log
    assert "Traceback" not in process.log and "KeyboardInterrupt" not in process.log, process.log
