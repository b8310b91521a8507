"""Shared pieces of the fault tests: proximity events, and reading a visitor's messages up to an end."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from conftest import TIMEOUT
from server_harness import Client

from guide_core.protocol import Proximity, ProximityKind, ServerMessage


def proximity(event: ProximityKind, exhibit_id: str, seq: int) -> Proximity:
    """A proximity event as the robot's proximity node publishes it."""
    return Proximity(
        event=event, exhibit_id=exhibit_id, distance=0.5, bearing=0.0, seq=seq, stamp=time.time()
    )


async def until_description_end(client: Client) -> list[ServerMessage]:
    """Every message (of any type) up to and including the next `description.end`."""
    messages: list[ServerMessage] = []
    while True:
        message = await client.recv()
        messages.append(message)
        if message.type == "description.end":
            return messages


def of_type(messages: list[ServerMessage], kind: str) -> list[ServerMessage]:
    """The messages of one type."""
    return [m for m in messages if m.type == kind]


class GuideServeProcess:
    """`guide serve` as a subprocess whose log lines (stderr) a test can wait on."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, *, port: int, exhibits_dir: Path, env: dict[str, str]) -> GuideServeProcess:
        """Start the scripted-engine server on `port` and wait until it serves and its engine is ready."""
        command = ["serve", "--engine", "scripted", "--port", str(port), "--exhibits", str(exhibits_dir)]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "guide_server.cli",
            *command,
            "--no-watch",
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        server = cls(process)
        await server.wait_for_line("engine scripted ready", timeout=3 * TIMEOUT)
        await server.wait_for_line("Uvicorn running on", timeout=3 * TIMEOUT)
        return server

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            async with self._changed:
                self.lines.append(line.decode(errors="replace"))
                self._changed.notify_all()

    async def wait_for_line(self, needle: str, *, timeout: float = TIMEOUT) -> None:
        """Wait until a log line contains `needle` (fails with the log so far)."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: any(needle in x for x in self.lines)), timeout
                )
            except TimeoutError:
                raise AssertionError(f"no log line with {needle!r}:\n{''.join(self.lines)}") from None

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        await self._reader
