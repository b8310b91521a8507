"""Property-based fuzz of both sockets on a real server: over 10,000 generated bad frames.

Frames: binary, non-JSON text, JSON that is not an object, unknown or non-string
`type`, deep nesting, huge strings, lone surrogates (as JSON escapes; a Python
client cannot encode them raw), text frames of invalid UTF-8, and valid messages
with one field dropped or given a wrong value. Property: the server answers every
frame with exactly one `error` carrying a known code, in order, and keeps the
socket open; only invalid UTF-8 in a text frame ends it, with close 1007. A
bystander visitor on the tour meanwhile answers pings and still gets a whole
description. Deterministic: `derandomize=True`, no example database.

The server runs in a thread with its own event loop (uvicorn on 127.0.0.1, the
scripted engine); the fuzzers use websockets' synchronous client, one connection
per endpoint reused across examples, many frames per example.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import TIMEOUT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_harness import EXHIBIT, settings_for, shared_embedder
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from guide_core.catalogue.loader import load_catalogue_or_raise
from guide_core.demo_tokens import DEMO_ROBOT_TOKEN, DEMO_VISITOR_TOKEN
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_core.protocol import MAX_MESSAGE_BYTES, ErrorCode, Feedback, Goto, Hello, Pose, Proximity, Question
from guide_server.api import create_app
from guide_server.api.running import running_server
from guide_server.generation.engines.scripted import ScriptedEngine
from guide_server.generation.prompts import description_facts

# The server thread (uvicorn, websockets) draws on `random` while Hypothesis generates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module")

TEXT = " ".join(description_facts(load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR).exhibits[EXHIBIT]))
"""The scripted description: the adult plan's statements, each released as it is."""
EXAMPLES_PER_ENDPOINT = 110
FRAMES_PER_EXAMPLE = (46, 60)
MIN_FRAMES_TOTAL = 10_000
INVALID_UTF8_CLOSE = 1007
ERROR_CODES = {code.value for code in ErrorCode}


class InvalidUtf8(bytes):
    """Bytes sent as a text frame although they are not UTF-8."""


# --- what the fuzzer sends ---------------------------------------------------------

VALID: dict[str, dict[str, Any]] = {
    "question": {"type": "question", "request_id": "q-1", "text": "What is it?", "exhibit_id": EXHIBIT},
    "feedback": {"type": "feedback", "exhibit_id": EXHIBIT, "rating": 3, "comment": "nice"},
    "goto": {"type": "goto", "exhibit_id": EXHIBIT, "request_id": "g-1"},
    "pose": {"type": "pose", "x": 1.0, "y": 2.0, "yaw": 0.1, "stamp": 1.0},
    "proximity": {
        "type": "proximity",
        "event": "enter",
        "exhibit_id": EXHIBIT,
        "distance": 0.5,
        "bearing": 0.0,
        "seq": 0,
        "stamp": 1.0,
    },
    "hello": {"type": "hello", "client": "visitor", "token": "t" * 20},
}
REQUIRED = {
    "question": ["request_id", "text"],
    "feedback": ["exhibit_id"],
    "goto": ["exhibit_id"],
    "pose": ["x", "y", "yaw", "stamp"],
    "proximity": ["event", "exhibit_id", "distance", "bearing", "seq", "stamp"],
    "hello": ["client", "token"],
}
MODELS = {
    "question": Question,
    "feedback": Feedback,
    "goto": Goto,
    "pose": Pose,
    "proximity": Proximity,
    "hello": Hello,
}
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# Wrong for every field of every message: lists (no field is a list), lone surrogates,
# non-finite numbers (as JSON extensions Python emits), strings of the wrong shape.
WRONG_VALUES = st.one_of(
    st.lists(JSON_SCALARS, max_size=3),
    st.sampled_from(["\ud800", "x\udfff", "\udbff\udc00\ud800"]),
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
)


def _json(value: Any) -> str:
    return json.dumps(value, allow_nan=True)


@st.composite
def wrong_field(draw: st.DrawFn) -> str:
    """A valid message with one required field dropped, or one field given a wrong value."""
    kind = draw(st.sampled_from(sorted(VALID)))
    message = dict(VALID[kind])
    key = draw(st.sampled_from(sorted(set(MODELS[kind].model_fields) - {"type"})))
    if draw(st.booleans()) and key in REQUIRED[kind]:
        message.pop(key)
    else:
        message[key] = draw(WRONG_VALUES)
    return _json(message)


def _nested(depth: int, inner: str) -> str:
    return "[" * depth + inner + "]" * depth


FRAMES = st.one_of(
    wrong_field(),
    st.binary(max_size=64),
    st.text(max_size=40).filter(lambda t: not t.strip().startswith("{")),
    JSON_VALUES.filter(lambda v: not isinstance(v, dict)).map(_json),
    st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4).map(_json),
    st.one_of(st.integers(), st.none(), st.text(max_size=12).filter(lambda t: t not in VALID)).map(
        lambda kind: _json({"type": kind, "request_id": "r-1"})
    ),
    st.integers(min_value=1_000, max_value=MAX_MESSAGE_BYTES // 2 - 10).map(lambda d: _nested(d, "1")),
    st.integers(min_value=1_000, max_value=5_000).map(
        lambda d: '{"type": "question", "request_id": "q-n", "text": ' + _nested(d, '"x"') + "}"
    ),
    st.integers(min_value=MAX_MESSAGE_BYTES + 1, max_value=4 * MAX_MESSAGE_BYTES).map(
        lambda n: _json({"type": "feedback", "exhibit_id": EXHIBIT, "comment": "é" * (n // 2)})
    ),
    st.integers(min_value=501, max_value=2_000).map(
        lambda n: _json({"type": "question", "request_id": "q-l", "text": "why " * (n // 4 + 1)})
    ),
    st.binary(min_size=1, max_size=16).map(lambda b: InvalidUtf8(b"\xff" + b)),
)


# --- the server and its clients ----------------------------------------------------


@dataclass
class FuzzedServer:
    """A guide server in a background thread; `ws_url` of its sockets."""

    base_ws: str
    stats: dict[str, int] = field(default_factory=lambda: {"frames": 0, "closes_1007": 0})

    def ws_url(self, path: str) -> str:
        """The socket URL of `path`."""
        return self.base_ws + path


def _serve_in_thread(tmp: Path, started: threading.Event, stop: threading.Event, box: dict) -> None:
    async def main() -> None:
        settings = settings_for(tmp, DEFAULT_EXHIBITS_DIR, questions_per_minute=600)
        app = create_app(
            settings, engine=ScriptedEngine(TEXT, model_id="scripted-fuzz"), embedder=shared_embedder()
        )
        async with running_server(app) as url:
            await asyncio.wait_for(app.state.services.engine_status.ready.wait(), TIMEOUT)
            box["url"] = url.replace("http://", "ws://")
            started.set()
            await asyncio.to_thread(stop.wait)

    try:
        asyncio.run(main())
    except BaseException as exc:  # surfaced by the fixture
        box["error"] = exc
        started.set()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzedServer]:
    started, stop, box = threading.Event(), threading.Event(), {}
    shared_embedder()  # loaded here, outside the server's start-up wait: it takes seconds
    thread = threading.Thread(
        target=_serve_in_thread, args=(tmp_path_factory.mktemp("fuzz"), started, stop, box), daemon=True
    )
    thread.start()
    assert started.wait(TIMEOUT * 3), "the server did not start"
    if "error" in box:
        raise box["error"]
    yield FuzzedServer(box["url"])
    stop.set()
    thread.join(TIMEOUT * 3)


def _hello(socket: ClientConnection, client: str, token: str, tour: str) -> None:
    socket.send(_json({"type": "hello", "client": client, "token": token, "tour": tour}))
    welcome = json.loads(socket.recv(TIMEOUT))
    assert welcome["type"] == "welcome", welcome


class Fuzzer:
    """One reused connection to an endpoint; reconnects after a documented close."""

    def __init__(self, server: FuzzedServer, path: str, client: str, token: str, tour: str) -> None:
        self.server, self.path, self.client, self.token, self.tour = server, path, client, token, tour
        self._connections = contextlib.ExitStack()
        self.socket = self._open()
        self.sentinels = 0

    def _open(self) -> ClientConnection:
        socket = self._connections.enter_context(
            connect(self.server.ws_url(self.path), open_timeout=TIMEOUT, max_size=None)
        )
        _hello(socket, self.client, self.token, self.tour)
        return socket

    def send_all(self, frames: list[str | bytes]) -> None:
        """Send `frames`; each must get one `error`, in order (invalid UTF-8: close 1007)."""
        batch: list[str | bytes] = []
        for frame in frames:
            if isinstance(frame, InvalidUtf8):
                self._check(batch)
                self._send_invalid_utf8(frame)
                batch = []
            else:
                batch.append(frame)
        self._check(batch)

    def _check(self, batch: list[str | bytes]) -> None:
        self.sentinels += 1
        sentinel = f"sentinel-{self.sentinels}"
        for frame in batch:
            self.socket.send(frame)
        self.socket.send(_json({"type": "question", "request_id": sentinel, "text": ""}))
        codes = []
        while True:
            reply = json.loads(self.socket.recv(TIMEOUT))
            if reply["type"] != "error":
                continue  # the tour's own stream (tour.state, description.*) may interleave
            if reply.get("request_id") == sentinel:
                break
            codes.append(reply["code"])
        assert len(codes) == len(batch), (codes, batch)
        assert set(codes) <= ERROR_CODES, codes
        assert "internal" not in codes
        self.server.stats["frames"] += len(batch)

    def _send_invalid_utf8(self, frame: bytes) -> None:
        self.socket.send(frame, text=True)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                self.socket.recv(TIMEOUT)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == INVALID_UTF8_CLOSE
        self.server.stats["frames"] += 1
        self.server.stats["closes_1007"] += 1
        self.socket = self._open()

    def close(self) -> None:
        """Close every connection it opened."""
        self._connections.close()


@pytest.fixture(scope="module")
def bystander(server: FuzzedServer) -> Iterator[ClientConnection]:
    """A visitor on the default tour who must not notice the fuzzing."""
    with connect(server.ws_url("/ws/visitor"), open_timeout=TIMEOUT) as socket:
        _hello(socket, "visitor", DEMO_VISITOR_TOKEN, "default")
        yield socket


def _still_served(socket: ClientConnection) -> None:
    assert socket.ping().wait(TIMEOUT), "the bystander's ping went unanswered"


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_ENDPOINT,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@pytest.fixture(scope="module")
def visitor_fuzzer(server: FuzzedServer) -> Iterator[Fuzzer]:
    fuzzer = Fuzzer(server, "/ws/visitor", "visitor", DEMO_VISITOR_TOKEN, "default")
    yield fuzzer
    fuzzer.close()


@pytest.fixture(scope="module")
def robot_fuzzer(server: FuzzedServer) -> Iterator[Fuzzer]:
    fuzzer = Fuzzer(server, "/ws/robot", "robot", DEMO_ROBOT_TOKEN, "fuzz")
    yield fuzzer
    fuzzer.close()


@FUZZ_SETTINGS
@given(frames=st.lists(FRAMES, min_size=FRAMES_PER_EXAMPLE[0], max_size=FRAMES_PER_EXAMPLE[1]))
def test_every_bad_visitor_frame_gets_an_error(visitor_fuzzer: Fuzzer, bystander, frames) -> None:
    visitor_fuzzer.send_all(frames)
    _still_served(bystander)


@FUZZ_SETTINGS
@given(frames=st.lists(FRAMES, min_size=FRAMES_PER_EXAMPLE[0], max_size=FRAMES_PER_EXAMPLE[1]))
def test_every_bad_robot_frame_gets_an_error(robot_fuzzer: Fuzzer, bystander, frames) -> None:
    robot_fuzzer.send_all(frames)
    _still_served(bystander)


def test_the_bystander_still_gets_a_whole_description(server: FuzzedServer, bystander) -> None:
    """Runs after both fuzzers (file order): the tour still narrates, and enough was sent."""
    assert server.stats["frames"] >= MIN_FRAMES_TOTAL, server.stats
    assert server.stats["closes_1007"] > 0, server.stats
    with connect(server.ws_url("/ws/robot"), open_timeout=TIMEOUT) as bot:
        _hello(bot, "robot", DEMO_ROBOT_TOKEN, "default")
        bot.send(_json(VALID["proximity"]))
        text, end = "", None
        while end is None:
            message = json.loads(bystander.recv(TIMEOUT))
            if message["type"] == "description.delta":
                text += message["text"]
            elif message["type"] == "description.end":
                end = message
    assert (text, end["finish_reason"]) == (TEXT, "stop")
