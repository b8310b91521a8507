"""A scripted engine: exact, known text for protocol tests and quick benchmark runs.

It is a stand-in for a model only where a test needs exact words or control of
timing; end-to-end tests also run the real packaged model. Its default script
speaks the prompt's curated facts, so even `--engine scripted` says nothing
the catalogue does not.

Timing without sleeps: with `pause_after=n` every stream yields `n` chunks and
then waits on `resume` (an `asyncio.Event`) before each further chunk; a test
clears or sets it. `started` and `closed` count streams and wake waiters, so a
test can wait until generation really stopped.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable

from guide_server.exceptions import ScriptedGenerationError
from guide_server.generation.engine import Chunk, GenerationParams
from guide_server.generation.prompts import ChatMessage

Script = Callable[[list[ChatMessage]], str]
_PIECES = re.compile(r"\s*\S+")
_FACT = re.compile(r"^\d+\. (.*)$", re.MULTILINE)
_QUESTION = re.compile(r"^Question: ", re.MULTILINE)


def grounded_script(messages: list[ChatMessage]) -> str:
    """The default script: the prompt's facts as given (an answer: the first, best-matching one)."""
    user = messages[-1]["content"]
    facts = _FACT.findall(user)
    if not facts:
        return "The museum's record does not say."
    if _QUESTION.search(user):
        return facts[0]
    return " ".join(facts)


def split_words(text: str) -> list[str]:
    """Chunks of one word each, keeping the whitespace before it, so they join back exactly."""
    return _PIECES.findall(text)


class ScriptedEngine:
    """An `Engine` that streams a script word by word."""

    def __init__(
        self,
        script: Script | str = grounded_script,
        *,
        model_id: str = "scripted",
        pause_after: int | None = None,
        fail_after: int | None = None,
    ) -> None:
        self._script = (lambda _messages: script) if isinstance(script, str) else script
        self._model_id = model_id
        self.pause_after = pause_after
        self.fail_after = fail_after
        self.resume = asyncio.Event()
        self.started = 0
        self.closed = 0
        self.prompts: list[list[ChatMessage]] = []
        self._changed = asyncio.Condition()
        self.ready = False

    @property
    def model_id(self) -> str:
        """The scripted model's id."""
        return self._model_id

    async def start(self) -> None:
        """Nothing to load."""
        self.ready = True

    async def close(self) -> None:
        """Nothing to release."""

    async def wait_for(self, *, started: int = 0, closed: int = 0) -> None:
        """Wait until at least `started` streams began and `closed` streams ended."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.started >= started and self.closed >= closed)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def stream(self, messages: list[ChatMessage], params: GenerationParams) -> AsyncIterator[Chunk]:
        """Yield the script's words, at most `params.max_new_tokens` of them.

        Safe to cancel or close: `closed` counts the stream as ended either way.
        """
        self.prompts.append(messages)
        self.started += 1
        await self._notify()
        try:
            for index, word in enumerate(split_words(self._script(messages))[: params.max_new_tokens]):
                if self.fail_after is not None and index >= self.fail_after:
                    raise ScriptedGenerationError(f"scripted failure after {index} chunks")
                if self.pause_after is not None and index >= self.pause_after:
                    await self.resume.wait()
                yield Chunk(word, 1)
        finally:
            self.closed += 1
            # Notify without awaiting the lock: this may run while the generator is being closed.
            asyncio.get_running_loop().create_task(self._notify())
