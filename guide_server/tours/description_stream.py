"""One description generation shared by every visitor of a tour with the same profile.

The stream keeps every message it published (its history), so a visitor who
joins mid-stream is sent the history first and then the live messages, and a
reconnecting visitor gets only what follows the last `seq` it saw. Publishing
calls each subscriber's `Outbox.offer`, which never waits: one slow headset
cannot delay the others.

Speech: once a subscriber with speech on joins, a `SpeechTrack` speaks every
released sentence (those already published first), once for the whole group;
its `speech.audio` messages join the history but go only to subscribers with
speech on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from pydantic import BaseModel

from guide_core.protocol import (
    DescriptionDelta,
    DescriptionEnd,
    DescriptionStart,
    SpeechAudio,
    VisitorProfile,
    dump_message,
)
from guide_server.speech.speaker import Speaker
from guide_server.speech.track import SpeechTrack
from guide_server.tours.connection import Connection

Narrate = Callable[[Callable[[BaseModel], None]], Coroutine[Any, Any, None]]


class DescriptionStream:
    """Fan-out of one narration to many visitors, with replay for late joiners."""

    def __init__(
        self, *, request_id: str, exhibit_id: str, profile: VisitorProfile, speaker: Speaker | None = None
    ) -> None:
        self.request_id = request_id
        self.exhibit_id = exhibit_id
        self.profile = profile
        self._speaker = speaker
        self._speech: SpeechTrack | None = None
        self.history: list[BaseModel] = []
        self._texts: list[str] = []
        """The wire JSON of each history message, serialised once for every subscriber."""
        self._subscribers: list[Connection] = []
        self._task: asyncio.Task[None] | None = None

    @property
    def finished(self) -> bool:
        """Whether the narration ended (completed, failed or cancelled)."""
        return self._task is not None and self._task.done()

    def start(self, narrate: Narrate) -> None:
        """Run `narrate(publish)` in a task."""
        self._task = asyncio.get_running_loop().create_task(narrate(self.publish), name=self.request_id)

    async def cancel(self) -> None:
        """Stop the narration (publishes `description.end` cancelled) and its speech, and wait."""
        if self._speech is not None:
            await self._speech.cancel()
        if self._task is None or self._task.done():
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    def publish(self, message: BaseModel) -> None:
        """Record `message` and offer it to every subscriber (audio: those with speech on); never waits."""
        text = dump_message(message)
        self.history.append(message)
        self._texts.append(text)
        speech = isinstance(message, SpeechAudio)
        for connection in self._subscribers:
            if connection.speech or not speech:
                connection.outbox.offer(message, text)
        if self._speech is not None and not speech:
            self._speech.feed(message)

    def subscribe(self, connection: Connection, *, after: tuple[str, int] | None = None) -> None:
        """Send `connection` the history (all, or what follows `after=(request_id, seq)`), then live."""
        start = self._resume_index(after)
        replay = zip(self.history[start:], self._texts[start:], strict=True)
        connection.outbox.offer_all(
            (m, t) for m, t in replay if connection.speech or not isinstance(m, SpeechAudio)
        )
        if connection not in self._subscribers:
            self._subscribers.append(connection)
        if connection.speech:
            self.start_speech()

    def start_speech(self) -> None:
        """Speak this description from its first sentence on, once for the group (idempotent)."""
        if self._speech is not None or self._speaker is None:
            return
        if not self._speaker.speaks(self.profile.language):
            return
        self._speech = SpeechTrack(self._speaker, self.profile.language, self.publish)
        for message in list(self.history):
            self._speech.feed(message)

    def unsubscribe(self, connection: Connection) -> None:
        """Stop sending to `connection`."""
        if connection in self._subscribers:
            self._subscribers.remove(connection)

    def holds(self, request_id: str) -> bool:
        """Whether this stream published request `request_id` (its own, or a correction)."""
        return any(getattr(m, "request_id", None) == request_id for m in self.history) or (
            request_id == self.request_id
        )

    def _resume_index(self, after: tuple[str, int] | None) -> int:
        if after is None:
            return 0
        request_id, seq = after
        seen = False
        for index, message in enumerate(self.history):
            if getattr(message, "request_id", None) != request_id:
                continue
            seen = True
            if seq < 0 and isinstance(message, DescriptionStart):
                return index + 1
            if isinstance(message, DescriptionDelta) and message.seq == seq:
                return index + 1
            if isinstance(message, DescriptionEnd):
                return index  # seq beyond what was sent: only the end is left
        return len(self.history) if seen else 0
