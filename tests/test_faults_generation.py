"""The engine fails or hangs mid-description: visitors get `error` generation_failed and the curated
summary instead of silence, the engine's stream is closed, and the next exhibit is described normally.

The failing engine is the scripted one told to fail (a fault the real model cannot be made to show on
demand); `guide serve` reaches the same failure modes through GUIDE_SCRIPTED_FAULT.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from conftest import TIMEOUT
from fault_support import GuideServeProcess, of_type, proximity, until_description_end
from server_harness import (
    EXHIBIT,
    NEXT_EXHIBIT,
    guide_server,
    robot,
    scripted_description,
    settings_for,
    text_of,
    visitor,
    words_to_release,
)
from test_server_cli import free_port
from websockets.asyncio.client import connect

from guide_core.catalogue.loader import load_catalogue
from guide_core.demo_tokens import DEMO_ROBOT_TOKEN, DEMO_VISITOR_TOKEN
from guide_core.protocol import (
    ClientKind,
    ErrorCode,
    FinishReason,
    Hello,
    ProximityKind,
    dump_message,
    parse_server_message,
)
from guide_server.core.config import GuideSettings
from guide_server.generation.engines.factory import build_engine
from guide_server.generation.engines.scripted import ScriptedEngine

SAID_BEFORE_FAULT = 2


@pytest.mark.parametrize("fault", ["raise", "hang"])
async def test_failed_generation_sends_the_curated_summary_then_the_next_exhibit_works(
    tmp_path: Path, exhibits_dir: Path, fault: str
) -> None:
    catalogue = load_catalogue(exhibits_dir).catalogue
    words = words_to_release(scripted_description(catalogue.get(EXHIBIT)), SAID_BEFORE_FAULT)
    engine = ScriptedEngine(
        fail_after=words if fault == "raise" else None,
        pause_after=words if fault == "hang" else None,
    )
    settings = settings_for(tmp_path, exhibits_dir, generation_timeout_s=TIMEOUT / 10)
    async with guide_server(settings, engine=engine) as server, visitor(server) as headset:
        async with robot(server) as bridge:
            await bridge.send(proximity(ProximityKind.ENTER, EXHIBIT, 0))
            failed = await until_description_end(headset)
            await asyncio.wait_for(engine.wait_for(started=1, closed=1), TIMEOUT)
            engine.fail_after = engine.pause_after = None
            await bridge.send(proximity(ProximityKind.ENTER, NEXT_EXHIBIT, 1))
            following = await until_description_end(headset)
    start, end = of_type(failed, "description.start")[0], failed[-1]
    (error,) = of_type(failed, "error")
    assert error.code is ErrorCode.GENERATION_FAILED and error.request_id == start.request_id
    assert ("timed out" if fault == "hang" else "ScriptedGenerationError") in error.message
    assert len(of_type(failed, "description.delta")) == SAID_BEFORE_FAULT
    assert end.finish_reason is FinishReason.ERROR
    assert end.fallback_text == catalogue.get(EXHIBIT).summary
    assert not of_type(following, "error")
    assert following[-1].finish_reason is FinishReason.STOP
    assert text_of(following).strip() == scripted_description(catalogue.get(NEXT_EXHIBIT))


def test_scripted_fault_settings_build_a_failing_engine_and_need_the_scripted_engine() -> None:
    hanging = build_engine(GuideSettings(engine="scripted", scripted_fault="hang", scripted_fault_after=3))
    assert isinstance(hanging, ScriptedEngine) and hanging.pause_after == 3 and hanging.fail_after is None
    raising = build_engine(GuideSettings(engine="scripted", scripted_fault="raise"))
    assert isinstance(raising, ScriptedEngine) and raising.fail_after == 0
    with pytest.raises(ValueError, match="GUIDE_SCRIPTED_FAULT=hang is test tooling"):
        GuideSettings(engine="onnx", scripted_fault="hang")


async def test_guide_serve_enforces_the_generation_timeout(tmp_path: Path, exhibits_dir: Path) -> None:
    port = free_port()
    env = os.environ | {
        "GUIDE_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        "GUIDE_SCRIPTED_FAULT": "hang",
        "GUIDE_SCRIPTED_FAULT_AFTER": "1",
        "GUIDE_GENERATION_TIMEOUT_S": str(TIMEOUT / 10),
    }
    server = await GuideServeProcess.start(port=port, exhibits_dir=exhibits_dir, env=env)
    try:
        base = f"ws://127.0.0.1:{port}"
        async with connect(f"{base}/ws/visitor") as headset, connect(f"{base}/ws/robot") as bridge:
            await headset.send(dump_message(Hello(client=ClientKind.VISITOR, token=DEMO_VISITOR_TOKEN)))
            await bridge.send(dump_message(Hello(client=ClientKind.ROBOT, token=DEMO_ROBOT_TOKEN)))
            await asyncio.wait_for(bridge.recv(), TIMEOUT)
            await bridge.send(dump_message(proximity(ProximityKind.ENTER, EXHIBIT, 0)))
            seen = []
            while not seen or seen[-1].type != "description.end":
                seen.append(parse_server_message(await asyncio.wait_for(headset.recv(), TIMEOUT)))
    finally:
        await server.kill()
    assert [m.code for m in of_type(seen, "error")] == [ErrorCode.GENERATION_FAILED]
    assert seen[-1].finish_reason is FinishReason.ERROR and seen[-1].fallback_text
