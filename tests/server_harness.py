"""A real guide server on 127.0.0.1 (uvicorn in-process) and real `websockets` clients for it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from conftest import TIMEOUT
from fastapi import FastAPI
from pydantic import BaseModel
from websockets.asyncio.client import ClientConnection, connect

from guide_core.catalogue.models import Exhibit
from guide_core.demo_tokens import DEMO_ROBOT_TOKEN, DEMO_VISITOR_TOKEN
from guide_core.protocol import (
    ClientKind,
    Hello,
    ResumePoint,
    ServerMessage,
    VisitorProfile,
    dump_message,
    parse_server_message,
)
from guide_core.tls import ServerCertificate
from guide_server.api import create_app
from guide_server.api.running import running_server
from guide_server.api.services import GuideServices
from guide_server.core.config import GuideSettings
from guide_server.generation.engine import Engine
from guide_server.generation.engines.scripted import split_words
from guide_server.generation.prompts import description_facts
from guide_server.narration.claim_text import split_sentences
from guide_server.narration.retrieval import Embedder, MiniLMEmbedder

EXHIBIT = "kolossi-castle"
NEXT_EXHIBIT = "kourion-theatre"


@dataclass
class GuideServer:
    """A running server: its base URL, app and services."""

    url: str
    app: FastAPI

    @property
    def services(self) -> GuideServices:
        """The app's live services."""
        return self.app.state.services

    def ws(self, path: str) -> str:
        """The ws:// (wss:// over TLS) URL of a socket path."""
        return self.url.replace("https://", "wss://").replace("http://", "ws://") + path


def settings_for(tmp_path: Path, exhibits_dir: Path, **overrides: Any) -> GuideSettings:
    """Test settings: the private catalogue copy, a private feedback file, no file watcher."""
    values: dict[str, Any] = {
        "exhibits_dir": exhibits_dir,
        "feedback_db": tmp_path / "feedback.sqlite3",
        "engine": "scripted",
        "watch_catalogue": False,
    }
    return GuideSettings(**(values | overrides))


@cache
def shared_embedder() -> MiniLMEmbedder:
    """The real packaged MiniLM, loaded once for the whole test session (it takes seconds)."""
    return MiniLMEmbedder()


@asynccontextmanager
async def guide_server(
    settings: GuideSettings,
    engine: Engine | None = None,
    *,
    tls: ServerCertificate | None = None,
    embedder: Embedder | None = None,
) -> AsyncIterator[GuideServer]:
    """Serve a new app on a free port until the block ends (https and wss with `tls`); `embedder`
    replaces the shared MiniLM (a fault test's stand-in)."""
    app = create_app(settings, engine=engine, embedder=embedder or shared_embedder())
    async with running_server(app, tls=tls) as url:
        server = GuideServer(url, app)
        await asyncio.wait_for(server.services.engine_status.ready.wait(), TIMEOUT)
        yield server


class Client:
    """A websockets client that speaks protocol models."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.timeout = TIMEOUT
        """Seconds to wait for each message; a real model on a busy CPU needs more."""

    async def send(self, message: BaseModel | str | bytes) -> None:
        """Send a protocol model, or a raw text/binary frame."""
        await self.socket.send(dump_message(message) if isinstance(message, BaseModel) else message)

    async def send_json(self, data: dict[str, Any]) -> None:
        """Send a dict as JSON text."""
        await self.socket.send(json.dumps(data))

    async def recv(self) -> ServerMessage:
        """The next server message (fails the test after TIMEOUT)."""
        raw = await asyncio.wait_for(self.socket.recv(), self.timeout)
        return parse_server_message(raw)

    async def recv_type(self, *types: str) -> ServerMessage:
        """Skip messages until one of `types` arrives."""
        while True:
            message = await self.recv()
            if message.type in types:
                return message

    async def stream(self, kind: str = "description", request_id: str | None = None) -> list[ServerMessage]:
        """Every `<kind>.*` message of one request, from start (or first seen) to end."""
        messages: list[ServerMessage] = []
        while True:
            message = await self.recv()
            if not message.type.startswith(kind + "."):
                continue
            if request_id is not None and message.request_id != request_id:
                continue
            request_id = message.request_id
            messages.append(message)
            if message.type == f"{kind}.end":
                return messages

    async def close(self) -> None:
        """Close the socket."""
        await self.socket.close()


def text_of(messages: list[ServerMessage]) -> str:
    """The text of the deltas in `messages`."""
    return "".join(m.text for m in messages if m.type.endswith(".delta"))


def assert_gapless(messages: list[ServerMessage]) -> None:
    """Deltas cover seq 0, 1, 2 ... with no gap (merged deltas cover first_seq..seq)."""
    expected = 0
    for message in messages:
        if message.type.endswith(".delta"):
            first = message.first_seq if message.first_seq is not None else message.seq
            assert first == expected, f"gap: expected seq {expected}, got {first}"
            expected = message.seq + 1


@asynccontextmanager
async def visitor(
    server: GuideServer,
    *,
    profile: VisitorProfile | None = None,
    resume: ResumePoint | None = None,
    tour: str = "default",
    speech: bool = False,
    **connect_options: Any,
) -> AsyncIterator[Client]:
    """A visitor that said hello and got `welcome`."""
    async with connect(server.ws("/ws/visitor"), **connect_options) as socket:
        client = Client(socket)
        hello = Hello(
            client=ClientKind.VISITOR,
            token=DEMO_VISITOR_TOKEN,
            tour=tour,
            profile=profile or VisitorProfile(),
            speech=speech,
            resume=resume,
        )
        await client.send(hello)
        welcome = await client.recv()
        assert welcome.type == "welcome", welcome
        yield client


@asynccontextmanager
async def robot(
    server: GuideServer, *, tour: str = "default", **connect_options: Any
) -> AsyncIterator[Client]:
    """A robot bridge that said hello and got `welcome`."""
    async with connect(server.ws("/ws/robot"), **connect_options) as socket:
        client = Client(socket)
        await client.send(Hello(client=ClientKind.ROBOT, token=DEMO_ROBOT_TOKEN, tour=tour))
        welcome = await client.recv()
        assert welcome.type == "welcome", welcome
        yield client


def scripted_description(exhibit: Exhibit) -> str:
    """What the default scripted engine says for `exhibit`'s description: the prompt's facts, in order."""
    return " ".join(description_facts(exhibit))


def words_to_release(text: str, sentences: int) -> int:
    """Scripted chunks of `text` after which exactly `sentences` sentences are released (one more word
    shows that the last of them ended)."""
    return len(split_words(" ".join(split_sentences(text)[:sentences]))) + 1
