"""The Unity package's own connection code (ClientWebSocket under mono) against a real guide server."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import TIMEOUT
from server_harness import EXHIBIT, guide_server, robot, settings_for, text_of, visitor

from guide_server.core.config import DEMO_VISITOR_TOKEN
from guide_server.paths import UNITY_BRIDGE_DIR
from guide_server.protocol import Proximity, ProximityKind


@pytest.fixture(scope="module")
def live_client_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GuideConnection plus the LiveClient driver, compiled with mcs."""
    mcs = shutil.which("mcs")
    if mcs is None:
        pytest.fail("mono's C# compiler `mcs` is missing: run `make vr-tools`")
    out = tmp_path_factory.mktemp("unity-live") / "LiveClient.exe"
    sources = [
        *sorted(str(p) for p in (UNITY_BRIDGE_DIR / "Runtime").rglob("*.cs")),
        *sorted(str(p) for p in (UNITY_BRIDGE_DIR / "Tests~" / "Stubs").glob("*.cs")),
        str(UNITY_BRIDGE_DIR / "Tests~" / "LiveClient" / "LiveClient.cs"),
    ]
    done = subprocess.run(
        [mcs, f"-out:{out}", *sources], capture_output=True, text=True, timeout=20 * TIMEOUT
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


async def test_unity_connection_streams_a_description_and_an_answer(
    tmp_path: Path, exhibits_dir: Path, live_client_exe: Path
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir)) as server:
        unity = await asyncio.create_subprocess_exec(
            "mono", str(live_client_exe), server.ws("/ws/visitor"), DEMO_VISITOR_TOKEN, str(6 * TIMEOUT),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            for expected in ("welcome", "tour.state"):
                line = await asyncio.wait_for(unity.stdout.readline(), 3 * TIMEOUT)
                assert line.decode().strip() == expected
            async with visitor(server) as headset, robot(server) as bridge:
                await bridge.send(
                    Proximity(event=ProximityKind.ENTER, exhibit_id=EXHIBIT, distance=1.0, bearing=0.0, seq=0, stamp=time.time())
                )  # fmt: skip
                streamed = await headset.stream("description")
                out, err = await asyncio.wait_for(unity.communicate(), 6 * TIMEOUT)
        finally:
            if unity.returncode is None:
                unity.kill()
                await unity.wait()
    lines = out.decode().splitlines()
    assert unity.returncode == 0, out.decode() + err.decode()
    assert f"DESCRIPTION {text_of(streamed).replace(chr(10), ' ')}" in lines
    assert {"description.start", "description.delta", "description.end", "answer.start", "answer.end"} <= set(
        lines
    )
    answer_deltas = lines.count("answer.delta")
    assert f"RESUME unity-q-1 {answer_deltas - 1}" in lines, (
        "the resume point must be the last answer seq seen"
    )
