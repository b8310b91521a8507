"""Abuse on a real server: tokens compared in constant time, question rate limit, Origin allow-list,
path-like exhibit ids, SQL in feedback, and no token or question text in the INFO logs."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from conftest import TIMEOUT
from server_harness import EXHIBIT, Client, guide_server, settings_for, shared_embedder, visitor
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from guide_core.demo_tokens import DEMO_VISITOR_TOKEN
from guide_core.protocol import ClientKind, Feedback, Goto, Hello, Question, dump_message
from guide_server.api import deps
from guide_server.api.running import running_server
from guide_server.api.sockets.session import origin_allowed
from guide_server.feedback.store import export_feedback
from guide_server.generation.engines.scripted import ScriptedEngine

ANSWER = "The castle's keep has three storeys."
SECRET = "visitor-secret-0123456789abcdef"
QUESTION_TEXT = "Which zebra-marker-7731 question is this?"


@pytest.fixture
def engine() -> ScriptedEngine:
    return ScriptedEngine(ANSWER)


async def _first_reply_and_close(server, path: str, hello: Hello, **options) -> tuple[dict, int]:
    """The server's first message after `hello` and the close code that follows (-1: none)."""
    async with connect(server.ws(path), **options) as socket:
        with contextlib.suppress(ConnectionClosed):  # an origin refusal closes before hello
            await socket.send(dump_message(hello))
        reply = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
        try:
            await asyncio.wait_for(socket.recv(), TIMEOUT)
        except ConnectionClosed as closed:
            return reply, closed.rcvd.code if closed.rcvd else -1
    return reply, -1


async def test_wrong_tokens_of_any_length_are_refused_alike_through_compare_digest(
    tmp_path: Path, exhibits_dir: Path, engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def spy(given: bytes, expected: bytes) -> bool:
        compared.append((len(given), len(expected)))
        return real(given, expected)

    monkeypatch.setattr(deps.hmac, "compare_digest", spy)
    same_length = "x" * len(DEMO_VISITOR_TOKEN)
    other_length = "y" * (len(DEMO_VISITOR_TOKEN) + 9)
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        refusals = [
            await _first_reply_and_close(server, "/ws/visitor", Hello(client=ClientKind.VISITOR, token=token))
            for token in (same_length, other_length)
        ]
        async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as http:
            statuses = [
                await http.post(
                    "/api/feedback",
                    json={"exhibit_id": EXHIBIT, "rating": 3},
                    headers={"Authorization": f"Bearer {token}"},
                )
                for token in (same_length, other_length)
            ]
    assert refusals[0] == refusals[1]
    assert refusals[0][0]["code"] == "unauthorized" and refusals[0][1] == 4401
    assert [r.status_code for r in statuses] == [401, 401] and statuses[0].json() == statuses[1].json()
    expected = len(DEMO_VISITOR_TOKEN)
    assert compared == [(expected, expected), (expected + 9, expected)] * 2


async def test_questions_over_the_limit_are_refused_on_that_connection_only(
    tmp_path: Path, exhibits_dir: Path, engine
) -> None:
    settings = settings_for(tmp_path, exhibits_dir, questions_per_minute=3)
    async with guide_server(settings, engine) as server, visitor(server) as eager, visitor(server) as calm:
        for index in range(4):
            await eager.send(Question(request_id=f"q-{index}", text="Who built it?", exhibit_id=EXHIBIT))
        ended, error = set(), None
        while len(ended) < 3 or error is None:
            message = await eager.recv_type("answer.end", "error")
            if message.type == "error":
                error = message
            else:
                ended.add(message.request_id)
        await calm.send(Question(request_id="calm-0", text="Who built it?", exhibit_id=EXHIBIT))
        calm_reply = await calm.recv_type("answer.end", "error")
    assert (error.code, error.request_id) == ("rate_limited", "q-3")
    assert ended == {"q-0", "q-1", "q-2"}
    assert (calm_reply.type, calm_reply.request_id) == ("answer.end", "calm-0")


ORIGINS = [
    pytest.param(None, True, id="no-origin-non-browser"),
    pytest.param("SELF", True, id="the-servers-own-page"),
    pytest.param("https://guide.museum.example", True, id="configured-origin"),
    pytest.param("http://evil.example", False, id="foreign-origin"),
    pytest.param("null", False, id="opaque-origin"),
    pytest.param("SELF.evil.example", False, id="lookalike-origin"),
]


@pytest.mark.parametrize(("origin", "accepted"), ORIGINS)
async def test_browser_origins_are_checked_against_the_allow_list(
    tmp_path: Path, exhibits_dir: Path, engine, origin: str | None, accepted: bool
) -> None:
    settings = settings_for(tmp_path, exhibits_dir, allowed_origins=["https://guide.museum.example"])
    async with guide_server(settings, engine) as server:
        if origin is not None:
            origin = origin.replace("SELF", server.url)
        hello = Hello(client=ClientKind.VISITOR, token=DEMO_VISITOR_TOKEN)
        reply, closed_with = await _first_reply_and_close(server, "/ws/visitor", hello, origin=origin)
    if accepted:
        assert reply["type"] == "welcome" and closed_with == -1
    else:
        assert (reply.get("code"), closed_with) == ("not_allowed", 4403)


@pytest.mark.parametrize(
    ("host", "origin", "allowed"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000", True),
        ("[::1]:8000", "http://[::1]:8000", True),
        ("localhost:8000", "http://localhost:8000", True),
        ("rebound.example:8000", "http://rebound.example:8000", False),
        ("rebound.example:8000", "http://rebound.example:8000", True),
    ],
    ids=["ipv4", "ipv6", "localhost", "dns-rebinding", "named-and-listed"],
)
def test_the_own_origin_counts_only_when_addressed_directly(host: str, origin: str, allowed: bool) -> None:
    listed = [origin] if allowed and "rebound" in host else []
    socket = SimpleNamespace(headers={"host": host, "origin": origin})
    assert origin_allowed(socket, listed) is allowed


PATH_LIKE_IDS = ["../x", "..%2Fx", "%2e%2e%2fx", "a/b", "a%2Fb", "..", "kolossi-castle/../x"]


@pytest.mark.parametrize("exhibit_id", PATH_LIKE_IDS)
async def test_path_like_exhibit_ids_are_refused_over_rest(
    tmp_path: Path, exhibits_dir: Path, engine, exhibit_id: str
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as http:
            got = await http.get(httpx.URL(f"{server.url}/api/exhibits/{exhibit_id}"))
            posted = await http.post(
                "/api/feedback",
                json={"exhibit_id": exhibit_id, "rating": 3},
                headers={"Authorization": f"Bearer {DEMO_VISITOR_TOKEN}"},
            )
    assert got.status_code in (400, 404), got.text
    assert "exhibit" not in got.json() or got.json().get("detail"), got.text
    assert posted.status_code == 422, posted.text


@pytest.mark.parametrize("exhibit_id", PATH_LIKE_IDS)
async def test_path_like_exhibit_ids_are_refused_over_the_socket(
    tmp_path: Path, exhibits_dir: Path, engine, exhibit_id: str
) -> None:
    frames = [
        {"type": "question", "request_id": "q-p", "text": "What is it?", "exhibit_id": exhibit_id},
        {"type": "goto", "request_id": "g-p", "exhibit_id": exhibit_id},
        {"type": "feedback", "request_id": "f-p", "exhibit_id": exhibit_id, "rating": 2},
    ]
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server, visitor(server) as guest:
        replies = []
        for frame in frames:
            await guest.send_json(frame)
            replies.append(await guest.recv_type("error"))
    assert [(r.code, r.request_id) for r in replies] == [
        ("invalid_message", "q-p"),
        ("invalid_message", "g-p"),
        ("invalid_message", "f-p"),
    ]
    assert all("exhibit_id" in r.message for r in replies)


INJECTED_SQL = "'); DROP TABLE feedback;--"


async def test_feedback_with_sql_in_it_is_stored_verbatim(tmp_path: Path, exhibits_dir: Path, engine) -> None:
    settings = settings_for(tmp_path, exhibits_dir)
    async with guide_server(settings, engine) as server, visitor(server) as guest:
        await guest.send(Feedback(exhibit_id=EXHIBIT, request_id="f-1", rating=1, comment=INJECTED_SQL))
        await guest.recv_type("feedback.saved")
        async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as http:
            response = await http.post(
                "/api/feedback",
                json={"exhibit_id": EXHIBIT, "correction": f"x\"; {INJECTED_SQL} ' OR 1=1 --"},
                headers={"Authorization": f"Bearer {DEMO_VISITOR_TOKEN}"},
            )
        await guest.send(Feedback(exhibit_id=EXHIBIT, request_id="f-3", rating=5))
        after = await guest.recv_type("feedback.saved")
    assert response.status_code == 201
    rows = export_feedback(settings.feedback_db)
    assert [r.comment for r in rows] == [INJECTED_SQL, None, None]
    assert rows[1].correction == f"x\"; {INJECTED_SQL} ' OR 1=1 --"
    assert after.feedback_id == rows[2].id == 3
    with sqlite3.connect(settings.feedback_db) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "feedback" in tables


async def test_no_token_or_question_text_is_logged_at_info(
    tmp_path: Path, exhibits_dir: Path, engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = settings_for(tmp_path, exhibits_dir, visitor_token=SECRET)
    from guide_server.api import create_app

    app = create_app(settings, engine=engine, embedder=shared_embedder())
    async with running_server(app, log_level="info") as url:
        # uvicorn's loggers do not propagate to the root: listen on them directly.
        uvicorn_loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
        for logger in uvicorn_loggers:
            logger.addHandler(caplog.handler)
        try:
            await asyncio.wait_for(app.state.services.engine_status.ready.wait(), TIMEOUT)
            async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as http:
                assert (await http.get(f"/?token={SECRET}")).status_code == 200
            ws_url = url.replace("http://", "ws://") + f"/ws/visitor?token={SECRET}"
            async with connect(ws_url) as socket:
                guest = Client(socket)
                await guest.send(Hello(client=ClientKind.VISITOR, token=SECRET))
                assert (await guest.recv()).type == "welcome"
                await guest.send(Question(request_id="q-log", text=QUESTION_TEXT, exhibit_id=EXHIBIT))
                assert (await guest.recv_type("answer.end")).request_id == "q-log"
                await guest.send(Goto(exhibit_id=EXHIBIT, request_id="g-log"))
                assert (await guest.recv_type("error")).code == "robot_unavailable"
        finally:
            for logger in uvicorn_loggers:
                logger.removeHandler(caplog.handler)
    # The clients here (httpx, websockets.client) log their own URLs; only the server's logs count.
    logged = "\n".join(
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.INFO and not r.name.startswith(("httpx", "websockets.client"))
    )
    assert "/ws/visitor" in logged and '"GET /' in logged, "uvicorn's INFO lines were not captured"
    assert SECRET not in logged
    assert QUESTION_TEXT not in logged and "zebra-marker-7731" not in logged
