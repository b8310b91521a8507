"""A slow visitor never delays the others, and never loses a word (the outbox merge policy)."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from server_harness import Client, assert_gapless, guide_server, robot, settings_for, text_of, visitor
from test_server_streaming import SENTENCES, enter
from websockets.asyncio.client import connect

from guide_core.demo_tokens import DEMO_VISITOR_TOKEN
from guide_core.protocol import (
    ClientKind,
    DescriptionDelta,
    DescriptionEnd,
    FinishReason,
    Hello,
    Pose,
    TourState,
)
from guide_server.exceptions import OutboxOverflow
from guide_server.generation.engine import Chunk
from guide_server.generation.engines.scripted import ScriptedEngine
from guide_server.tours.delivery import Outbox


def delta(seq: int, request_id: str = "d-1") -> DescriptionDelta:
    return DescriptionDelta(request_id=request_id, seq=seq, text=f"w{seq} ")


def drain(outbox: Outbox) -> list:
    items = []
    while len(outbox):
        items.append(outbox._items.popleft()[0])
    return items


def test_a_full_outbox_merges_deltas_without_losing_a_word() -> None:
    outbox = Outbox(4)
    for seq in range(10):
        outbox.offer(delta(seq))
    items = drain(outbox)
    assert len(items) <= 4 and outbox.merges == 6
    assert "".join(i.text for i in items) == "".join(f"w{seq} " for seq in range(10))
    assert_gapless(items)


def test_merging_keeps_requests_apart_and_supersedes_old_poses() -> None:
    outbox = Outbox(6)
    pose = {"x": 0.0, "y": 0.0, "yaw": 0.0}
    messages = [
        delta(0, "a"),
        Pose(**pose, stamp=1.0),
        delta(1, "a"),
        TourState(tour="t"),
        delta(0, "b"),
        Pose(**pose, stamp=2.0),
        delta(1, "b"),
    ]
    for message in messages:
        outbox.offer(message)
    items = drain(outbox)
    poses = [i for i in items if isinstance(i, Pose)]
    assert [p.stamp for p in poses] == [2.0]
    for request in ("a", "b"):
        mine = [i for i in items if getattr(i, "request_id", None) == request]
        assert_gapless(mine)
        assert text_of(mine) == "w0 w1 "


async def test_an_outbox_that_cannot_shrink_overflows() -> None:
    outbox = Outbox(2)
    for seq in range(3):
        outbox.offer(DescriptionEnd(request_id=f"d-{seq}", finish_reason=FinishReason.STOP, token_count=0))
    assert outbox.overflowed
    with pytest.raises(OutboxOverflow):
        await outbox.get()


REPEATS = 4000
"""Each planned statement said this many times in one sentence: about 4 MB for a description, far more
than the socket buffers of a client that stopped reading."""


def long_sentence(statement: str) -> str:
    """`statement` said over and over in one sentence, which Kolossi's record still supports."""
    return " and ".join([statement.rstrip(".")] * REPEATS) + "."


class LongSentences(ScriptedEngine):
    """Says each planned statement of the prompt as one very long sentence, one sentence a chunk."""

    async def stream(self, messages, params):  # type: ignore[no-untyped-def]
        self.started += 1
        for statement in re.findall(r"^\d+\. (.*)$", messages[-1]["content"], re.MULTILINE):
            yield Chunk(long_sentence(statement) + " ", 1)


async def test_a_stalled_visitor_never_delays_the_others(tmp_path: Path, exhibits_dir: Path) -> None:
    text = " ".join(long_sentence(s) for s in SENTENCES)
    settings = settings_for(tmp_path, exhibits_dir, visitor_queue_size=4, max_new_tokens=2048)
    async with guide_server(settings, LongSentences()) as server:
        tiny = socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])))
        tiny.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        async with connect(server.ws("/ws/visitor"), sock=tiny, max_queue=1, max_size=None) as stalled_socket:
            stalled = Client(stalled_socket)
            await stalled.send(Hello(client=ClientKind.VISITOR, token=DEMO_VISITOR_TOKEN))
            async with visitor(server, max_size=None) as reader, robot(server) as bot:
                await enter(bot)
                fast = await reader.stream()  # completes while the stalled visitor reads nothing
                merges = server.services.metrics.delta_merges._value.get()
                slow = await stalled.stream()
    assert text_of(fast) == text
    assert merges > 0, "the stalled visitor's outbox should have merged pending deltas"
    assert_gapless(slow)
    assert text_of(slow) == text
    assert any(m.type == "description.delta" and m.first_seq is not None for m in slow)
