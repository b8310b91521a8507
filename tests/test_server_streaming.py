"""Descriptions on a real server: fan-out, cancellation, late joiners, resume, cache, failures."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from conftest import TIMEOUT
from server_harness import (
    EXHIBIT,
    NEXT_EXHIBIT,
    Client,
    assert_gapless,
    guide_server,
    robot,
    settings_for,
    text_of,
    visitor,
    words_to_release,
)

from guide_core.catalogue.loader import load_catalogue_or_raise
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_core.protocol import Proximity, ProximityKind, ResumePoint, ServerMessage, VisitorProfile
from guide_server.generation.engines.scripted import ScriptedEngine, split_words
from guide_server.generation.prompts import description_facts

SENTENCES = description_facts(load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR).exhibits[EXHIBIT])
"""Scripted description: the adult plan's statements in order, so each is released as one delta."""
TEXT = " ".join(SENTENCES)
WORDS = split_words(TEXT)


def words_through(sentences: int) -> int:
    """Scripted chunks of TEXT after which exactly `sentences` sentences are released."""
    return words_to_release(TEXT, sentences)


def proximity(event: ProximityKind, exhibit_id: str = EXHIBIT, seq: int = 0) -> Proximity:
    """A proximity event as the robot bridge sends it."""
    return Proximity(
        event=event, exhibit_id=exhibit_id, distance=0.5, bearing=0.0, seq=seq, stamp=time.time()
    )


async def enter(bot: Client, exhibit_id: str = EXHIBIT, seq: int = 0) -> None:
    """The robot enters an exhibit's zone."""
    await bot.send(proximity(ProximityKind.ENTER, exhibit_id, seq))


async def described_twice(guest: Client, bot: Client) -> tuple[list[ServerMessage], list[ServerMessage]]:
    """The robot enters, leaves and enters again: the visitor's two description streams."""
    await enter(bot)
    first = await guest.stream()
    await bot.send(proximity(ProximityKind.LEAVE, seq=1))
    await enter(bot, seq=2)
    return first, await guest.stream()


async def test_entering_streams_one_description_to_every_visitor(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(TEXT, model_id="scripted-test")
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server) as first, visitor(server) as second, robot(server) as bot:
            await enter(bot)
            streams = await asyncio.gather(first.stream(), second.stream())
    for messages in streams:
        start, *deltas, end = messages
        assert (start.type, start.exhibit_id, start.model_id, start.cached) == (
            "description.start",
            EXHIBIT,
            "scripted-test",
            False,
        )
        assert [d.seq for d in deltas] == list(range(len(SENTENCES)))
        assert text_of(deltas) == TEXT
        assert end.finish_reason == "stop" and end.token_count == len(WORDS)
        assert end.ttft_ms is not None and end.fact_check is not None
    assert streams[0][0].request_id == streams[1][0].request_id
    assert engine.started == 1, "both visitors must share one generation"


async def test_tour_state_says_where_the_robot_is(tmp_path: Path, exhibits_dir: Path) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), ScriptedEngine(TEXT)) as server:
        async with visitor(server) as guest:
            state = await guest.recv_type("tour.state")
            assert (state.robot_online, state.exhibit_id) == (False, None)
            async with robot(server) as bot:
                assert (await guest.recv_type("tour.state")).robot_online is True
                await enter(bot)
                state = await guest.recv_type("tour.state")
                assert (state.exhibit_id, state.robot_online) == (EXHIBIT, True)
                assert state.exhibit_title
            assert (await guest.recv_type("tour.state")).robot_online is False


async def _cancelled_by(event: str, tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(TEXT, pause_after=words_through(2))
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server) as guest, robot(server) as bot:
            await enter(bot)
            start = await guest.recv_type("description.start")
            assert [(await guest.recv_type("description.delta")).seq for _ in range(2)] == [0, 1]
            if event == "leave":
                await bot.send(proximity(ProximityKind.LEAVE))
            else:
                await enter(bot, NEXT_EXHIBIT, seq=1)
            end = await guest.recv_type("description.end")
            assert (end.request_id, end.finish_reason) == (start.request_id, "cancelled")
            assert end.token_count == words_through(2)
            await asyncio.wait_for(engine.wait_for(closed=1), TIMEOUT)
            if event == "enter-next":
                assert (await guest.recv_type("description.start")).exhibit_id == NEXT_EXHIBIT


async def test_leaving_the_exhibit_cancels_the_description(tmp_path: Path, exhibits_dir: Path) -> None:
    await _cancelled_by("leave", tmp_path, exhibits_dir)


async def test_entering_the_next_exhibit_cancels_the_description(tmp_path: Path, exhibits_dir: Path) -> None:
    await _cancelled_by("enter-next", tmp_path, exhibits_dir)


async def test_a_visitor_joining_mid_stream_gets_it_from_the_start(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    engine = ScriptedEngine(TEXT, pause_after=words_through(3))
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server) as early, robot(server) as bot:
            await enter(bot)
            await early.recv_type("description.start")
            for _ in range(3):
                await early.recv_type("description.delta")
            async with visitor(server) as late:
                engine.resume.set()
                late_stream = await late.stream()
            early_rest = await early.stream()
    assert late_stream[0].type == "description.start"
    assert_gapless(late_stream)
    assert text_of(late_stream) == TEXT
    assert text_of(early_rest) == " " + " ".join(SENTENCES[3:])


async def test_resume_sends_only_what_follows_the_last_seq(tmp_path: Path, exhibits_dir: Path) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), ScriptedEngine(TEXT)) as server:
        async with visitor(server) as guest, robot(server) as bot:
            await enter(bot)
            full = await guest.stream()
        request_id = full[0].request_id
        async with robot(server), visitor(server, resume=ResumePoint(request_id=request_id, seq=1)) as back:
            rest = await back.stream(request_id=request_id)
    assert [m.seq for m in rest if m.type == "description.delta"] == list(range(2, len(SENTENCES)))
    assert rest[-1].type == "description.end"
    assert " ".join(SENTENCES[:2]) + text_of(rest) == TEXT


async def test_a_cached_description_streams_at_once(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(TEXT)
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server) as guest, robot(server) as bot:
            first, second = await described_twice(guest, bot)
    assert (first[0].cached, second[0].cached) == (False, True)
    assert text_of(second) == text_of(first) == TEXT
    assert second[-1].fact_check == first[-1].fact_check
    assert engine.started == 1


async def test_a_curator_edit_invalidates_the_cached_description(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(TEXT)
    settings = settings_for(tmp_path, exhibits_dir, watch_catalogue=True)
    async with guide_server(settings, engine) as server:
        async with visitor(server) as guest, robot(server) as bot:
            await enter(bot)
            await guest.stream()
            path = exhibits_dir / f"{EXHIBIT}.json"
            data = json.loads(path.read_text(encoding="utf-8"))
            data["title"] = "Kolossi Castle (edited)"
            path.write_text(json.dumps(data, indent=2), encoding="utf-8")
            await asyncio.wait_for(server.services.catalogue_changes.wait_for(1), TIMEOUT)
            await bot.send(proximity(ProximityKind.LEAVE, seq=1))
            await enter(bot, seq=2)
            again = await guest.stream()
    assert again[0].cached is False
    assert engine.started == 2


async def test_each_profile_group_gets_its_own_description(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(lambda messages: messages[0]["content"][-8:])
    child = VisitorProfile(audience="child")
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server) as adult, visitor(server, profile=child) as kid, robot(server) as bot:
            await enter(bot)
            adult_stream, kid_stream = await asyncio.gather(adult.stream(), kid.stream())
    assert adult_stream[0].request_id != kid_stream[0].request_id
    assert kid_stream[0].profile == child
    assert engine.started == 2


async def test_a_failed_generation_sends_the_curated_summary(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(TEXT, fail_after=2)
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        summary = server.services.current_catalogue().exhibits[EXHIBIT].summary
        async with visitor(server) as guest, robot(server) as bot:
            await enter(bot)
            error = await guest.recv_type("error")
            end = await guest.recv_type("description.end")
    assert error.code == "generation_failed" and error.request_id == end.request_id
    assert (end.finish_reason, end.fallback_text, end.token_count) == ("error", summary, 2)


async def test_a_generation_timeout_sends_the_curated_summary(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(TEXT, pause_after=1)
    settings = settings_for(tmp_path, exhibits_dir, generation_timeout_s=0.2)
    async with guide_server(settings, engine) as server:
        async with visitor(server) as guest, robot(server) as bot:
            await enter(bot)
            error = await guest.recv_type("error")
            end = await guest.recv_type("description.end")
            await asyncio.wait_for(engine.wait_for(closed=1), TIMEOUT)
    assert "timed out" in error.message
    assert end.finish_reason == "error" and end.fallback_text


async def test_a_visitor_who_drops_mid_stream_resumes_where_it_stopped(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    engine = ScriptedEngine(TEXT, pause_after=words_through(3))
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with robot(server) as bot:
            async with visitor(server) as guest:
                await enter(bot)
                start = await guest.recv_type("description.start")
                seen = [await guest.recv_type("description.delta") for _ in range(3)]
            resume = ResumePoint(request_id=start.request_id, seq=seen[-1].seq)
            async with visitor(server, resume=resume) as back:
                engine.resume.set()
                rest = await back.stream(request_id=start.request_id)
    assert rest[0].type == "description.delta" and rest[0].seq == 3
    assert text_of(seen) + text_of(rest) == TEXT
