"""A curator breaks or deletes the exhibit being described, in the folder the server watches.

Broken: the catalogue keeps its last good state (the API still lists the exhibit) and the
description in flight ends normally from the snapshot it started with. Deleted cleanly (file and
floor-plan entry gone): the description ends `cancelled` and the tour is between exhibits.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import httpx
from conftest import TIMEOUT
from fault_support import of_type, proximity, until_description_end
from server_harness import EXHIBIT, guide_server, robot, settings_for, text_of, visitor, words_to_release
from test_server_streaming import TEXT

from guide_core.protocol import ErrorCode, FinishReason, ProximityKind
from guide_server.generation.engines.scripted import ScriptedEngine

SAID_BEFORE_EDIT = 2


async def _first_deltas(headset, count: int) -> None:
    seen = 0
    while seen < count:
        if (await headset.recv()).type == "description.delta":
            seen += 1


async def test_broken_exhibit_keeps_last_good_and_the_description_ends(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    engine = ScriptedEngine(TEXT, pause_after=words_to_release(TEXT, SAID_BEFORE_EDIT))
    settings = settings_for(tmp_path, exhibits_dir, watch_catalogue=True)
    async with (
        guide_server(settings, engine=engine) as server,
        visitor(server) as headset,
        robot(server) as bridge,
    ):
        rejected = threading.Event()
        server.services.catalogue.on_problems(lambda problems: rejected.set())
        await bridge.send(proximity(ProximityKind.ENTER, EXHIBIT, 0))
        await _first_deltas(headset, SAID_BEFORE_EDIT)
        path = exhibits_dir / f"{EXHIBIT}.json"
        path.write_text(path.read_text(encoding="utf-8")[:100], encoding="utf-8")
        assert await asyncio.to_thread(rejected.wait, TIMEOUT), "the broken edit was never rejected"
        async with httpx.AsyncClient(base_url=server.url) as http:
            listed = [e["id"] for e in (await http.get("/api/exhibits")).json()]
            one = await http.get(f"/api/exhibits/{EXHIBIT}")
        engine.resume.set()
        rest = await until_description_end(headset)
    assert EXHIBIT in listed and one.status_code == 200
    assert rest[-1].finish_reason is FinishReason.STOP and not of_type(rest, "error")
    assert TEXT.endswith(text_of(rest).strip())


async def test_deleted_exhibit_cancels_its_description(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(TEXT, pause_after=words_to_release(TEXT, SAID_BEFORE_EDIT))
    settings = settings_for(tmp_path, exhibits_dir, watch_catalogue=True)
    async with (
        guide_server(settings, engine=engine) as server,
        visitor(server) as headset,
        robot(server) as bridge,
    ):
        await bridge.send(proximity(ProximityKind.ENTER, EXHIBIT, 0))
        await _first_deltas(headset, SAID_BEFORE_EDIT)
        plan_path = exhibits_dir / "museum.json"
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
        plan["exhibits"] = [e for e in plan["exhibits"] if e["id"] != EXHIBIT]
        plan["tour"] = [i for i in plan["tour"] if i != EXHIBIT]
        plan_path.write_text(json.dumps(plan, indent=2), encoding="utf-8")
        (exhibits_dir / f"{EXHIBIT}.json").unlink()
        rest = await until_description_end(headset)
        state = await headset.recv_type("tour.state")
        await asyncio.wait_for(engine.wait_for(closed=1), TIMEOUT)
        async with httpx.AsyncClient(base_url=server.url) as http:
            listed = [e["id"] for e in (await http.get("/api/exhibits")).json()]
        await bridge.send(proximity(ProximityKind.DWELL, EXHIBIT, 1))
        refused = await bridge.recv_type("error")
    assert rest[-1].finish_reason is FinishReason.CANCELLED
    assert state.exhibit_id is None
    assert EXHIBIT not in listed
    assert refused.code is ErrorCode.UNKNOWN_EXHIBIT
