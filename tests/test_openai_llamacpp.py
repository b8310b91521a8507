"""OpenAICompatibleEngine against a real OpenAI-compatible server that is not ours: llama.cpp's
(`llama_cpp.server` from llama-cpp-python[server], in the bench environment), serving the packaged
SmolLM2 GGUF on 127.0.0.1. Streaming, cancelling mid-stream, and the server going away.

Building llama.cpp takes about 15 minutes on 2 cores, so this runs from `make test-llamacpp`
(which builds `make bench-env` first), not in `make test`."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from conftest import TIMEOUT

from guide_core.model_registry import DEFAULT_BASE
from guide_core.paths import PROJECT_ROOT
from guide_server.exceptions import EngineUnreachable, RemoteEngineError
from guide_server.generation.engine import GenerationParams
from guide_server.generation.engines.openai import OpenAICompatibleEngine
from guide_server.generation.model_store import PACKAGED_BASES
from guide_server.generation.prompts import ChatMessage

pytestmark = pytest.mark.bench_env

BENCH_PYTHON = PROJECT_ROOT / ".venv-bench" / "bin" / "python"
LLAMACPP_COMPAT = PROJECT_ROOT / "bench" / "llamacpp_compat.py"
"""Runs `llama_cpp.server` without the extra buffer types that segfault on these machines."""
MODEL_NAME = "smollm2-gguf"
MESSAGES: list[ChatMessage] = [
    {"role": "system", "content": "You are a museum guide in Cyprus."},
    {"role": "user", "content": "Describe Kolossi Castle to a visitor."},
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LlamaCppServer:
    """llama.cpp's `llama_cpp.server` in the bench environment, on a free port."""

    def __init__(self, gguf: Path, log: Path) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._log = log.open("wb")
        command = [
            str(BENCH_PYTHON), str(LLAMACPP_COMPAT), "server", "--model", str(gguf), "--model_alias", MODEL_NAME,
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", "2048", "--n_threads", "2",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        self.log_path = log

    async def wait_until_serving(self) -> None:
        """Poll /v1/models until it answers (fails with the server's log if it exits first)."""
        async with httpx.AsyncClient() as http:
            for _ in range(int(30 * TIMEOUT)):
                assert self.process.poll() is None, self.log_path.read_text(errors="replace")[-3000:]
                try:
                    if (await http.get(f"{self.base_url}/models", timeout=1.0)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(
            "llama.cpp's server did not start:\n" + self.log_path.read_text(errors="replace")
        )

    def stop(self) -> None:
        """Kill it (it is gone at once, as a crashed model server is)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(TIMEOUT)
        self._log.close()


@pytest.fixture(scope="module")
def gguf() -> Path:
    if not BENCH_PYTHON.is_file():
        pytest.fail("the bench environment is missing: run `make test-llamacpp` (it runs `make bench-env`)")
    return PACKAGED_BASES[DEFAULT_BASE].locate()


@pytest.fixture
def llama_server(gguf: Path, tmp_path: Path) -> Iterator[LlamaCppServer]:
    server = LlamaCppServer(gguf, tmp_path / "llama-server.log")
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture
async def engine(llama_server: LlamaCppServer) -> AsyncIterator[OpenAICompatibleEngine]:
    await llama_server.wait_until_serving()
    engine = OpenAICompatibleEngine(llama_server.base_url, MODEL_NAME, timeout=10 * TIMEOUT)
    await engine.start()
    try:
        yield engine
    finally:
        await engine.close()


async def _collect(engine: OpenAICompatibleEngine, params: GenerationParams) -> list[str]:
    return [chunk.text async for chunk in engine.stream(MESSAGES, params)]


async def test_llamacpp_streams_a_description_chunk_by_chunk(engine: OpenAICompatibleEngine) -> None:
    pieces = await _collect(engine, GenerationParams(max_new_tokens=24, temperature=0.0))
    assert len(pieces) >= 5, f"streamed in {len(pieces)} pieces: {pieces!r}"
    assert "".join(pieces).strip(), "some text came back"


async def test_cancelling_mid_stream_leaves_the_server_serving(engine: OpenAICompatibleEngine) -> None:
    stream = engine.stream(MESSAGES, GenerationParams(max_new_tokens=400, temperature=0.0))
    first = [await anext(stream) for _ in range(3)]
    await stream.aclose()  # what the guide does when the robot walks on or a visitor leaves
    assert all(chunk.text is not None for chunk in first)
    again = await asyncio.wait_for(_collect(engine, GenerationParams(max_new_tokens=8)), 10 * TIMEOUT)
    assert "".join(again).strip(), "the next request is answered after a cancelled one"


async def test_a_server_that_goes_away_is_a_clear_error(
    engine: OpenAICompatibleEngine, llama_server: LlamaCppServer
) -> None:
    stream = engine.stream(MESSAGES, GenerationParams(max_new_tokens=400, temperature=0.0))
    await anext(stream)
    llama_server.stop()
    with pytest.raises(RemoteEngineError, match=r"broke the connection mid-answer|sent nothing|cannot reach"):
        async for _ in stream:
            pass
    restarted = OpenAICompatibleEngine(llama_server.base_url, MODEL_NAME)
    with pytest.raises(EngineUnreachable, match=r"cannot reach the model server .* start it"):
        await restarted.start()
