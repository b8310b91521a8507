"""The generation engine interface: what the server needs from a language model.

Implementations: `TransformersEngine` (local model, run off the event loop) and
`OpenAICompatibleEngine` (vLLM, TGI, llama.cpp server over HTTP). A scripted
engine exists for protocol tests that need exact text; end-to-end tests always
also run the real packaged model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from guide_server.generation.prompts import ChatMessage


@dataclass(frozen=True)
class GenerationParams:
    """How much to generate and how; greedy by default, for repeatable facts."""

    max_new_tokens: int = 180
    temperature: float = 0.0
    repetition_penalty: float = 1.1


@dataclass(frozen=True)
class Chunk:
    """A piece of generated text and how many tokens it holds."""

    text: str
    tokens: int = 1


@runtime_checkable
class Engine(Protocol):
    """A language model that streams text for chat messages."""

    @property
    def model_id(self) -> str:
        """Which model speaks, e.g. 'smollm2-135m-instruct+cypriot-lora'."""
        ...

    async def start(self) -> None:
        """Load the model; the server reports ready once this returns."""
        ...

    async def close(self) -> None:
        """Release the model and any worker threads or connections."""
        ...

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> AsyncIterator[Chunk]:
        """Yield generated text as it is produced.

        Safe to cancel: closing or cancelling the iterator stops generation
        promptly (the worker thread is told to stop between tokens).
        """
        ...
