"""Why generation failed, for every engine.

    GenerationError                 anything an engine cannot do; the server sends `generation_failed`
    ├── EngineNotStarted            stream() before start() (or after close())
    ├── ModelLoadError              the registered base or LoRA adapter cannot be loaded
    └── RemoteEngineError           an OpenAI-compatible server failed
        ├── EngineUnreachable       no connection (refused, DNS, timeout)
        ├── EngineHTTPError         it answered with an HTTP error status
        └── BadEngineResponse       it answered, but not with chat-completion chunks

Each message says what went wrong and what to do about it.
"""

from __future__ import annotations


class GenerationError(Exception):
    """An engine could not generate text."""


class EngineNotStarted(GenerationError):
    """The engine was asked to generate before `start()` finished, or after `close()`."""


class ModelLoadError(GenerationError):
    """The registered base model or its LoRA adapter could not be loaded."""


class RemoteEngineError(GenerationError):
    """An OpenAI-compatible server failed."""


class EngineUnreachable(RemoteEngineError):
    """The server could not be reached at all."""


class EngineHTTPError(RemoteEngineError):
    """The server answered with an HTTP error status."""

    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class BadEngineResponse(RemoteEngineError):
    """The server answered with something that is not a streamed chat completion."""
