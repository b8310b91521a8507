"""OpenAICompatibleEngine against a real OpenAI-style server on 127.0.0.1: scripted
chunks for exact text and every failure, then the real SmolLM2 streamed over SSE."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from conftest import TIMEOUT
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from guide_core.model_registry import DEFAULT_BASE, RegisteredModel
from guide_server.api.running import running_server
from guide_server.exceptions import (
    BadEngineResponse,
    EngineHTTPError,
    EngineNotStarted,
    EngineUnreachable,
    RemoteEngineError,
)
from guide_server.generation.engine import Chunk, GenerationParams
from guide_server.generation.engines.openai import OpenAICompatibleEngine
from guide_server.generation.engines.transformers import TransformersEngine
from guide_server.generation.prompts import ChatMessage

pytestmark = pytest.mark.asyncio(loop_scope="module")

SCRIPT = ["Kolossi ", "Castle ", "stands ", "near ", "Limassol."]
API_KEY = "sesame"
MESSAGES: list[ChatMessage] = [
    {"role": "system", "content": "You are a museum guide."},
    {"role": "user", "content": "Describe Kolossi Castle in one sentence."},
]
SHORT = GenerationParams(max_new_tokens=12)


def sse(payload: dict[str, Any] | str) -> str:
    return f"data: {payload if isinstance(payload, str) else json.dumps(payload)}\n\n"


def chunk(content: str | None = None, finish: str | None = None, role: str | None = None) -> dict[str, Any]:
    delta = {k: v for k, v in (("role", role), ("content", content)) if v is not None}
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


class ModelServer:
    """A tiny OpenAI-compatible server: scripted models for exact text and faults, one real model."""

    def __init__(self, real: TransformersEngine) -> None:
        self.real = real
        self.requests: list[dict[str, Any]] = []
        self.endless_closed = asyncio.Event()
        self.app = FastAPI()
        self.app.get("/v1/models")(self.models)
        self.app.post("/v1/chat/completions")(self.completions)

    async def models(self) -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "scripted"}, {"id": DEFAULT_BASE}]}

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        model = body["model"]
        if model == "locked" and request.headers.get("authorization") != f"Bearer {API_KEY}":
            return JSONResponse({"error": {"message": "invalid api key"}}, status_code=401)
        if model == "overloaded":
            return JSONResponse({"error": {"message": "out of memory"}}, status_code=500)
        if model == "not-streaming":
            return JSONResponse({"choices": [{"message": {"content": "whole answer"}}]})
        if model == "unknown":
            return PlainTextResponse("no such model", status_code=404)
        streams = {
            "scripted": self.scripted,
            "locked": self.scripted,
            "bad-json": self.bad_json,
            "cut-short": self.cut_short,
            "error-event": self.error_event,
            "endless": self.endless,
            DEFAULT_BASE: lambda: self.from_engine(body),
        }
        return StreamingResponse(streams[model](), media_type="text/event-stream")

    async def scripted(self) -> AsyncIterator[str]:
        yield ": keep-alive comment\n\n"
        yield sse(chunk(role="assistant"))
        for piece in SCRIPT:
            yield sse(chunk(piece))
        yield sse(chunk(finish="stop"))
        yield sse({"choices": [], "usage": {"completion_tokens": len(SCRIPT)}})
        yield sse("[DONE]")

    async def bad_json(self) -> AsyncIterator[str]:
        yield sse(chunk("Kolossi "))
        yield "data: {not json\n\n"

    async def cut_short(self) -> AsyncIterator[str]:
        yield sse(chunk("Kolossi "))

    async def error_event(self) -> AsyncIterator[str]:
        yield sse(chunk("Kolossi "))
        yield sse({"error": {"message": "the GPU fell over"}})

    async def endless(self) -> AsyncIterator[str]:
        try:
            yield sse(chunk("Kolossi "))
            await asyncio.Event().wait()  # until the client goes away
        finally:
            self.endless_closed.set()

    async def from_engine(self, body: dict[str, Any]) -> AsyncIterator[str]:
        params = GenerationParams(
            max_new_tokens=body["max_tokens"],
            temperature=body["temperature"],
            repetition_penalty=body["repetition_penalty"],
        )
        async for piece in self.real.stream(body["messages"], params):
            yield sse(chunk(piece.text))
        yield sse(chunk(finish="length"))
        yield sse("[DONE]")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def real_engine() -> AsyncIterator[TransformersEngine]:
    engine = TransformersEngine(RegisteredModel(id=DEFAULT_BASE, base=DEFAULT_BASE))
    await engine.start()
    yield engine
    await engine.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def model_server(real_engine: TransformersEngine) -> AsyncIterator[tuple[str, ModelServer]]:
    server = ModelServer(real_engine)
    async with running_server(server.app) as url:
        yield f"{url}/v1", server


async def started(
    url: str, model: str, api_key: str | None = None, *, timeout: float = TIMEOUT
) -> OpenAICompatibleEngine:
    engine = OpenAICompatibleEngine(url, model, api_key=api_key, timeout=timeout)
    await asyncio.wait_for(engine.start(), TIMEOUT)
    return engine


async def collect(engine: OpenAICompatibleEngine, params: GenerationParams = SHORT) -> list[Chunk]:
    return await asyncio.wait_for(_collect(engine.stream(MESSAGES, params)), TIMEOUT * 3)


async def _collect(stream: AsyncIterator[Chunk]) -> list[Chunk]:
    return [piece async for piece in stream]


async def test_scripted_stream_arrives_piece_by_piece(model_server: tuple[str, ModelServer]) -> None:
    url, server = model_server
    engine = await started(url, "scripted")
    try:
        chunks = await collect(engine)
    finally:
        await engine.close()
    assert [c.text for c in chunks] == SCRIPT
    sent = server.requests[-1]
    assert sent["stream"] is True and sent["messages"] == MESSAGES
    assert sent["max_tokens"] == SHORT.max_new_tokens and sent["temperature"] == 0.0
    assert engine.model_id == "scripted"


async def test_real_model_over_http_equals_the_local_engine(
    model_server: tuple[str, ModelServer], real_engine: TransformersEngine
) -> None:
    url, _ = model_server
    engine = await started(url, DEFAULT_BASE, timeout=TIMEOUT * 3)
    try:
        remote = "".join(c.text for c in await collect(engine))
    finally:
        await engine.close()
    local = "".join(
        c.text for c in await asyncio.wait_for(_collect(real_engine.stream(MESSAGES, SHORT)), TIMEOUT * 3)
    )
    assert remote.strip() and remote == local


async def test_api_key_is_sent_as_bearer(model_server: tuple[str, ModelServer]) -> None:
    url, _ = model_server
    without = await started(url, "locked")
    with pytest.raises(EngineHTTPError, match=r"HTTP 401.*openai_api_key") as caught:
        await collect(without)
    assert caught.value.status_code == 401
    await without.close()
    keyed = await started(url, "locked", api_key=API_KEY)
    assert [c.text for c in await collect(keyed)] == SCRIPT
    await keyed.close()


@pytest.mark.parametrize(
    ("model", "error", "words"),
    [
        ("overloaded", EngineHTTPError, "HTTP 500.*out of memory"),
        ("unknown", EngineHTTPError, "HTTP 404.*end in /v1"),
        ("not-streaming", BadEngineResponse, "not text/event-stream"),
        ("bad-json", BadEngineResponse, "not JSON"),
        ("cut-short", BadEngineResponse, "before \\[DONE\\]"),
        ("error-event", RemoteEngineError, "GPU fell over"),
    ],
)
async def test_bad_answers_are_clear_errors(
    model_server: tuple[str, ModelServer], model: str, error: type[Exception], words: str
) -> None:
    url, _ = model_server
    engine = await started(url, model)
    try:
        with pytest.raises(error, match=words):
            await collect(engine)
    finally:
        await engine.close()


async def test_closing_the_stream_disconnects_from_the_server(model_server: tuple[str, ModelServer]) -> None:
    url, server = model_server
    engine = await started(url, "endless")
    stream = engine.stream(MESSAGES, SHORT)
    first = await asyncio.wait_for(anext(stream), TIMEOUT)
    assert first.text == "Kolossi "
    await asyncio.wait_for(stream.aclose(), TIMEOUT)
    await asyncio.wait_for(server.endless_closed.wait(), TIMEOUT)
    await engine.close()


async def test_refused_connection_says_where_and_what_to_do() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago, with nobody listening now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine = OpenAICompatibleEngine(f"http://127.0.0.1:{port}/v1", "scripted", timeout=TIMEOUT)
    with pytest.raises(EngineUnreachable, match=f"127.0.0.1:{port}.*openai_base_url"):
        await engine.start()


async def test_stream_before_start_and_bad_url_are_refused() -> None:
    engine = OpenAICompatibleEngine("http://127.0.0.1:9/v1", "scripted")
    with pytest.raises(EngineNotStarted):
        await anext(engine.stream(MESSAGES, SHORT))
    with pytest.raises(ValueError, match="http://"):
        OpenAICompatibleEngine("127.0.0.1:8080/v1", "scripted")
