"""Every error the guide server raises, each message saying what went wrong and what to do.

    GenerationError                 anything an engine cannot do; the server sends `generation_failed`
    ├── EngineNotStarted            stream() before start() (or after close())
    ├── ModelLoadError              the registered base or LoRA adapter cannot be loaded
    └── RemoteEngineError           an OpenAI-compatible server failed
        ├── EngineUnreachable       no connection (refused, DNS, timeout)
        ├── EngineHTTPError         it answered with an HTTP error status
        └── BadEngineResponse       it answered, but not with chat-completion chunks
    ModelNotFound                   a base model id is neither packaged nor a local folder
    ScriptedGenerationError         a scripted stream told to fail (tests of the error path)
    NoExhibitToAnswer               a question names no exhibit and the robot is at none
    SpeechOutputError               speech cannot go where `guide listen` was asked to send it
    UnknownExhibit                  the robot reported an exhibit the catalogue lacks
    TourLimitReached                every tour slot is taken by a tour with clients
    OutboxClosed                    a connection must end once its queued messages are out
    ├── OutboxOverflow              the client fell hopelessly behind
    └── ConnectionReplaced          a newer connection took its place
    DemoError                       a part of `guide demo` could not start

Only the edge (guide_server.api) turns these into HTTP statuses, `error` codes and close codes.
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


class ModelNotFound(Exception):
    """A base model id is neither packaged nor a local model folder."""


class ScriptedGenerationError(RuntimeError):
    """Raised by a scripted stream told to fail (to test the error path)."""


class NoExhibitToAnswer(Exception):
    """A question names no exhibit and the robot is at none: there is nothing to ground it in."""


class SpeechOutputError(Exception):
    """The speech cannot go where it was asked to; the message says how to fix it."""


class UnknownExhibit(Exception):
    """The robot reported an exhibit the catalogue does not hold (a stale floor plan)."""


class TourLimitReached(Exception):
    """Every one of the `max_tours` tours has a client connected: no room for another."""


class OutboxClosed(Exception):
    """The connection must end (once the messages queued before are sent); `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OutboxOverflow(OutboxClosed):
    """The client fell so far behind that even merged, its queue stayed full."""


class ConnectionReplaced(OutboxClosed):
    """A newer connection (the robot's) took this one's place."""


class DemoError(Exception):
    """A part of the demo could not start; the message says which and why."""
