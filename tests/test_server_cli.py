"""`guide serve` as visitors' machines see it: a real process, a real port."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import httpx
from conftest import TIMEOUT
from websockets.asyncio.client import connect

from guide_core.demo_tokens import DEMO_VISITOR_TOKEN
from guide_core.protocol import ClientKind, Hello, dump_message, parse_server_message

GUIDE = [sys.executable, "-m", "guide_server.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _wait_for_line(stream: asyncio.StreamReader, needle: bytes) -> list[bytes]:
    lines = []
    while needle not in (line := await stream.readline()):
        assert line, f"the server exited before logging {needle!r}:\n" + b"".join(lines).decode()
        lines.append(line)
    return lines


async def test_guide_serve_runs_a_server_visitors_can_join(tmp_path: Path, exhibits_dir: Path) -> None:
    port = free_port()
    env = os.environ | {"GUIDE_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    command = [*GUIDE, "serve", "--engine", "scripted", "--port", str(port), "--exhibits", str(exhibits_dir)]
    process = await asyncio.create_subprocess_exec(
        *command, "--no-watch", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        assert process.stderr is not None
        await asyncio.wait_for(_wait_for_line(process.stderr, b"engine scripted ready"), TIMEOUT * 3)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            ready = await http.get("/readyz")
        async with connect(f"ws://127.0.0.1:{port}/ws/visitor") as visitor:
            await visitor.send(dump_message(Hello(client=ClientKind.VISITOR, token=DEMO_VISITOR_TOKEN)))
            welcome = parse_server_message(await asyncio.wait_for(visitor.recv(), TIMEOUT))
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), TIMEOUT)
    assert ready.json()["model_id"] == "scripted"
    assert welcome.type == "welcome" and welcome.model_id == "scripted"


async def test_guide_serve_refuses_demo_tokens_on_a_public_address(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDE_")}
    process = await asyncio.create_subprocess_exec(
        *GUIDE, "serve", "--host", "0.0.0.0", "--engine", "scripted", env=env, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT * 3)
    assert process.returncode == 2
    assert b"GUIDE_VISITOR_TOKEN" in output
