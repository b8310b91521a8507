"""Visitor and robot sockets on a real server: questions, goto, feedback, sentence gating, and every bad input."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import pytest
from conftest import TIMEOUT
from server_harness import (
    EXHIBIT,
    Client,
    assert_gapless,
    guide_server,
    robot,
    settings_for,
    text_of,
    visitor,
)
from test_server_streaming import SENTENCES, TEXT, described_twice, enter
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from guide_core.demo_tokens import DEMO_ROBOT_TOKEN, DEMO_VISITOR_TOKEN
from guide_core.protocol import (
    MAX_QUESTION_CHARS,
    ClientKind,
    Feedback,
    Goto,
    Hello,
    Question,
    dump_message,
)
from guide_server.core.config import GuideSettings
from guide_server.feedback.store import export_feedback
from guide_server.generation.engines.scripted import ScriptedEngine

ANSWER = "The castle's keep has three storeys."
UNSUPPORTED = "Kolossi Castle was built in 1066 by King Harold."


def describe_or_answer(messages) -> str:
    """Scripted text: descriptions get TEXT, answers get ANSWER."""
    return ANSWER if "\nQuestion: " in messages[-1]["content"] else TEXT


@pytest.fixture
def engine() -> ScriptedEngine:
    return ScriptedEngine(describe_or_answer)


async def test_a_question_is_answered_to_the_asker_only(tmp_path: Path, exhibits_dir: Path, engine) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server) as asker, visitor(server) as other, robot(server) as bot:
            await enter(bot)
            await asker.stream()
            await other.stream()
            await asker.send(Question(request_id="q-1", text="How many storeys has the keep?"))
            answer = await asker.stream("answer")
            # The other visitor's next message is the reply to its own feedback: no answer came before it.
            await other.send(Feedback(exhibit_id=EXHIBIT, rating=5))
            assert (await other.recv()).type == "feedback.saved"
    start, *_, end = answer
    assert (start.request_id, start.exhibit_id, start.question) == (
        "q-1",
        EXHIBIT,
        "How many storeys has the keep?",
    )
    assert text_of(answer) == ANSWER and end.finish_reason == "stop"
    prompt = engine.prompts[-1][-1]["content"]
    assert "How many storeys has the keep?" in prompt and "Kolossi" in prompt


async def test_a_question_may_name_another_exhibit(tmp_path: Path, exhibits_dir: Path, engine) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server) as guest:
            await guest.send(Question(request_id="q-2", text="What is it?", exhibit_id="choirokoitia"))
            answer = await guest.stream("answer")
    assert answer[0].exhibit_id == "choirokoitia"
    assert "Choirokoitia" in engine.prompts[-1][-1]["content"]


async def test_goto_reaches_the_robot_with_floor_plan_coordinates(
    tmp_path: Path, exhibits_dir: Path, engine
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        placement = server.services.current_catalogue().floor_plan.placement(EXHIBIT)
        async with visitor(server) as guest:
            await guest.send(Goto(exhibit_id=EXHIBIT, request_id="g-1"))
            error = await guest.recv_type("error")
            assert (error.code, error.request_id) == ("robot_unavailable", "g-1")
            async with robot(server) as bot:
                await guest.send(Goto(exhibit_id=EXHIBIT, request_id="g-2"))
                goto = await bot.recv_type("goto")
    assert (goto.exhibit_id, goto.request_id, goto.x, goto.y, goto.frame_id) == (
        EXHIBIT,
        "g-2",
        placement.x,
        placement.y,
        "map",
    )


async def test_feedback_over_the_socket_is_stored(tmp_path: Path, exhibits_dir: Path, engine) -> None:
    settings = settings_for(tmp_path, exhibits_dir)
    async with guide_server(settings, engine) as server, visitor(server) as guest:
        await guest.send(
            Feedback(exhibit_id=EXHIBIT, request_id="d-1", rating=2, correction="Three storeys.")
        )
        saved = await guest.recv_type("feedback.saved")
    [record] = export_feedback(settings.feedback_db)
    assert (record.id, record.exhibit_id, record.request_id, record.rating, record.correction) == (
        saved.feedback_id,
        EXHIBIT,
        "d-1",
        2,
        "Three storeys.",
    )


async def test_an_unsupported_sentence_never_reaches_the_visitor(tmp_path: Path, exhibits_dir: Path) -> None:
    script = f"{SENTENCES[0]} {UNSUPPORTED} {SENTENCES[2]}"
    engine = ScriptedEngine(script)
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server) as guest, robot(server) as bot:
            stream, cached = await described_twice(guest, bot)
        metrics = server.services.metrics.render().decode()
    assert_gapless(stream)
    # The failed sentence stood for the plan's second statement: that is said plainly in its place,
    # and the statements the script never reached are said plainly after it, in order.
    assert [m.text.strip() for m in stream if m.type == "description.delta"] == SENTENCES
    assert all("1066" not in m.model_dump_json() or m.type == "description.end" for m in stream)
    check = stream[-1].fact_check
    assert (check.ok, check.released, [w.text for w in check.withheld]) == (
        False,
        len(SENTENCES),
        [UNSUPPORTED],
    )
    assert (check.replaced, check.fallback) == (len(SENTENCES) - 2, False)
    assert check.withheld[0].reason == "the record names no 'king harold'"
    assert 'guide_sentences_total{kind="description",verdict="withheld"} 1.0' in metrics
    assert f'guide_sentences_total{{kind="description",verdict="released"}} {len(SENTENCES)}.0' in metrics
    assert cached[0].cached is True and text_of(cached) == text_of(stream), "only released text is cached"


async def test_the_regenerate_policy_asks_again_when_nothing_survived(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    def first_wrong_then_right(messages) -> str:
        return TEXT if "were not supported" in messages[0]["content"] else UNSUPPORTED

    engine = ScriptedEngine(first_wrong_then_right)
    settings = settings_for(tmp_path, exhibits_dir, fact_guard="regenerate")
    async with guide_server(settings, engine) as server:
        async with visitor(server) as guest, robot(server) as bot:
            await enter(bot)
            stream = await guest.stream()
    assert text_of(stream) == TEXT and "1066" not in text_of(stream)
    check = stream[-1].fact_check
    assert (check.regenerated, check.fallback, [w.text for w in check.withheld]) == (
        True,
        False,
        [UNSUPPORTED],
    )
    assert "1066" in engine.prompts[-1][0]["content"], "the retry is told what was not supported"


@pytest.mark.parametrize("policy", ["drop", "regenerate"])
async def test_when_nothing_survives_the_visitor_hears_the_plan_in_the_records_words(
    tmp_path: Path, exhibits_dir: Path, policy: str
) -> None:
    settings = settings_for(tmp_path, exhibits_dir, fact_guard=policy)
    async with guide_server(settings, ScriptedEngine(UNSUPPORTED)) as server:
        async with visitor(server) as guest, robot(server) as bot:
            await enter(bot)
            stream = await guest.stream()
    assert text_of(stream) == TEXT, "every planned statement, in order, with no banner"
    assert "1066" not in text_of(stream) and "record says" not in text_of(stream)
    check = stream[-1].fact_check
    assert (check.fallback, check.replaced) == (True, len(SENTENCES))


def test_the_removed_mark_policy_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match="'drop' \\(default\\) or 'regenerate'"):
        GuideSettings(fact_guard="mark")


LONG_QUESTION = {"type": "question", "request_id": "q-long", "text": "why " * (MAX_QUESTION_CHARS // 4 + 1)}
BAD_INPUTS = [
    pytest.param("{not json", "bad_json", id="malformed-json"),
    pytest.param('{"type": "dance"}', "unknown_type", id="unknown-type"),
    pytest.param('["question"]', "invalid_message", id="not-an-object"),
    pytest.param('{"type": "question", "request_id": "q-3"}', "invalid_message", id="missing-field"),
    pytest.param(
        '{"type": "question", "request_id": "q-4", "text": "Hi?", "exhibit_id": "atlantis"}',
        "unknown_exhibit",
        id="unknown-exhibit",
    ),
    pytest.param('{"type": "goto", "exhibit_id": "../../etc/passwd"}', "invalid_message", id="path-like-id"),
    pytest.param("x" * 20_000, "too_large", id="too-large"),
    pytest.param(LONG_QUESTION, "question_too_long", id="question-too-long"),
    pytest.param(b"\x00\x01binary", "binary_frame", id="binary-frame"),
    pytest.param(
        {"type": "question", "request_id": "q-5", "text": "Now?"}, "no_current_exhibit", id="no-exhibit"
    ),
    pytest.param(
        {
            "type": "proximity",
            "event": "enter",
            "exhibit_id": EXHIBIT,
            "distance": 0,
            "bearing": 0,
            "seq": 0,
            "stamp": 0,
        },
        "not_allowed",
        id="robot-only-message",
    ),
    pytest.param(
        Hello(client=ClientKind.VISITOR, token=DEMO_VISITOR_TOKEN), "invalid_message", id="second-hello"
    ),
]


@pytest.mark.parametrize(("frame", "code"), BAD_INPUTS)
async def test_bad_input_gets_an_error_and_the_socket_stays_usable(
    tmp_path: Path, exhibits_dir: Path, engine, frame, code: str
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server, visitor(server) as guest:
        if isinstance(frame, dict):
            await guest.send_json(frame)
        else:
            await guest.send(dump_message(frame) if isinstance(frame, Hello) else frame)
        error = await guest.recv_type("error")
        assert error.code == code
        assert len(error.message) > 10
        await guest.send(Feedback(exhibit_id=EXHIBIT, rating=4))
        assert (await guest.recv_type("feedback.saved")).feedback_id >= 1


async def test_questions_over_the_rate_limit_are_refused(tmp_path: Path, exhibits_dir: Path, engine) -> None:
    settings = settings_for(tmp_path, exhibits_dir, questions_per_minute=2)
    async with guide_server(settings, engine) as server, visitor(server) as guest:
        for index in range(3):
            await guest.send(Question(request_id=f"q-{index}", text="Who built it?", exhibit_id=EXHIBIT))
        error = await guest.recv_type("error")
    assert (error.code, error.request_id) == ("rate_limited", "q-2")


async def _refused(server, path: str, first_frame: str | bytes | None) -> tuple[dict | None, int]:
    async with connect(server.ws(path)) as socket:
        if first_frame is not None:
            await socket.send(first_frame)
        error = None
        try:
            while True:
                raw = await asyncio.wait_for(socket.recv(), TIMEOUT)
                error = json.loads(raw)
        except ConnectionClosed as closed:
            return error, closed.rcvd.code if closed.rcvd else -1


HANDSHAKES = [
    pytest.param(
        "/ws/visitor",
        Hello(client=ClientKind.VISITOR, token="wrong-token-of-some-length"),
        "unauthorized",
        4401,
        id="bad-token",
    ),
    pytest.param(
        "/ws/visitor", Hello(client=ClientKind.VISITOR, token=""), "unauthorized", 4401, id="missing-token"
    ),
    pytest.param(
        "/ws/robot",
        Hello(client=ClientKind.ROBOT, token=DEMO_VISITOR_TOKEN),
        "unauthorized",
        4401,
        id="visitor-token-on-robot",
    ),
    pytest.param(
        "/ws/visitor",
        Question(request_id="q", text="Hi?", exhibit_id=EXHIBIT),
        "hello_required",
        4400,
        id="no-hello",
    ),
    pytest.param("/ws/visitor", b"\x00", "binary_frame", 4400, id="binary-hello"),
    pytest.param(
        "/ws/robot",
        Hello(client=ClientKind.VISITOR, token=DEMO_ROBOT_TOKEN),
        "not_allowed",
        4400,
        id="wrong-endpoint",
    ),
    pytest.param(
        "/ws/visitor",
        Hello(client=ClientKind.VISITOR, token=DEMO_VISITOR_TOKEN, protocol=99),
        "bad_protocol_version",
        4426,
        id="protocol-version",
    ),
    pytest.param("/ws/visitor", None, "hello_required", 4400, id="hello-timeout"),
]


@pytest.mark.parametrize(("path", "first", "code", "close_code"), HANDSHAKES)
async def test_a_refused_handshake_says_why_and_closes(
    tmp_path: Path, exhibits_dir: Path, engine, path: str, first, code: str, close_code: int
) -> None:
    settings = settings_for(tmp_path, exhibits_dir, hello_timeout_s=0.3)
    frame = dump_message(first) if first is not None and not isinstance(first, bytes) else first
    async with guide_server(settings, engine) as server:
        error, closed_with = await _refused(server, path, frame)
        assert server.services.tours.get("default").robot is None
    assert error is not None and error["code"] == code
    assert closed_with == close_code


async def test_a_foreign_browser_origin_is_refused(tmp_path: Path, exhibits_dir: Path, engine) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with connect(server.ws("/ws/visitor"), origin="http://evil.example") as socket:
            error = await asyncio.wait_for(socket.recv(), TIMEOUT)
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), TIMEOUT)
    assert '"not_allowed"' in error and closed.value.rcvd.code == 4403


async def test_a_newer_robot_replaces_the_older(tmp_path: Path, exhibits_dir: Path, engine) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with robot(server) as old:
            async with robot(server):
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        await old.recv()
    assert closed.value.rcvd.code == 4409


async def test_the_robot_gets_errors_for_bad_input_too(tmp_path: Path, exhibits_dir: Path, engine) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server, robot(server) as bot:
        await bot.send_json(
            {
                "type": "proximity",
                "event": "enter",
                "exhibit_id": "atlantis",
                "distance": 1,
                "bearing": 0,
                "seq": 0,
                "stamp": 0,
            }
        )
        assert (await bot.recv_type("error")).code == "unknown_exhibit"
        await bot.send(Question(request_id="q-r", text="Hi?", exhibit_id=EXHIBIT))
        assert (await bot.recv_type("error")).code == "not_allowed"
        await bot.send_json({"type": "pose", "x": "NaN", "y": 0, "yaw": 0, "stamp": 0})
        assert (await bot.recv_type("error")).code == "invalid_message"
        await enter(bot)
        async with visitor(server) as guest:
            assert (await guest.stream())[0].exhibit_id == EXHIBIT


def _mutations(seed: int, count: int) -> list[str | bytes]:
    """Valid messages with fields dropped, retyped or inflated, plus junk frames."""
    rng = random.Random(seed)
    valid = [
        Question(request_id="q-f", text="What is it?", exhibit_id=EXHIBIT).model_dump(),
        Feedback(exhibit_id=EXHIBIT, rating=3).model_dump(),
        Goto(exhibit_id=EXHIBIT).model_dump(),
    ]
    junk = [None, -1, 10**30, 1e308, "", "x" * 600, [], {}, {"a": [1]}, True]
    frames: list[str | bytes] = ["[" * 5000 + "]" * 5000, b"\xff" * 10, "\u0000\u202e", "null"]
    for _ in range(count):
        message = dict(rng.choice(valid))
        key = rng.choice(sorted(message))
        if rng.random() < 0.3:
            message.pop(key)
        else:
            message[key] = rng.choice(junk)
        frames.append(json.dumps(message))
    return frames


async def test_random_garbage_never_breaks_a_visit(tmp_path: Path, exhibits_dir: Path, engine) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server, visitor(server) as guest:
        for frame in _mutations(seed=7, count=60):
            await guest.send(frame)
        await guest.send(Feedback(exhibit_id=EXHIBIT, request_id="final", rating=5, comment="still here"))
        while (reply := await guest.recv()).type != "feedback.saved" or reply.request_id != "final":
            assert reply.type != "error" or reply.code != "internal", reply
        health = server.services.metrics.render().decode()
    assert "guide_client_errors_total" in health


async def test_a_listener_reads_the_tour_but_cannot_send_the_robot(
    tmp_path: Path, exhibits_dir: Path, engine
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with connect(server.ws("/ws/visitor")) as socket, robot(server) as bot:
            listener = Client(socket)
            await listener.send(Hello(client=ClientKind.LISTENER, token=DEMO_VISITOR_TOKEN))
            assert (await listener.recv()).type == "welcome"
            await enter(bot)
            assert text_of(await listener.stream()) == TEXT
            await listener.send(Goto(exhibit_id=EXHIBIT, request_id="g-l"))
            assert (await listener.recv_type("error")).code == "not_allowed"


async def test_the_servers_own_page_may_open_a_socket(tmp_path: Path, exhibits_dir: Path, engine) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server, origin=server.url) as guest:
            assert (await guest.recv_type("tour.state")).tour == "default"


async def test_the_model_may_not_say_what_the_museum_lacks(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(f"The museum holds no exhibit on that. {ANSWER}")
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server) as guest:
            await guest.send(
                Question(request_id="q-1", text="How many storeys has the keep?", exhibit_id=EXHIBIT)
            )
            answer = await guest.stream("answer")
    # The withheld sentence stood for the answer: the statement that answers is said in its place.
    assert text_of(answer) == "The keep is a three-storey tower built of limestone."
    assert answer[-1].fact_check.withheld[0].reason == "only the catalogue says what the museum does not hold"
    assert answer[-1].fact_check.replaced == 1
