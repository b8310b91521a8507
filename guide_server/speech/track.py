"""One request's speech: its released sentences spoken in order, as `speech.audio` messages.

`feed` takes every message the narration publishes: each `*.delta` is queued
for the speaker, `*.end` lets the track finish once the queue is spoken. A
worker task speaks one sentence at a time, so audio comes in `seq` order, each
right after its text (a sentence is spoken as soon as it is released, while
the model writes the next).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable

from pydantic import BaseModel

from guide_core.protocol import (
    AnswerDelta,
    AnswerEnd,
    DescriptionDelta,
    DescriptionEnd,
    Language,
    SpeechAudio,
)
from guide_server.speech.speaker import Speaker
from guide_server.speech.voices import SpeechClip

log = logging.getLogger(__name__)

_DONE = None


def audio_message(request_id: str, seq: int, clip: SpeechClip) -> SpeechAudio:
    """The `speech.audio` message carrying `clip` for delta `seq` of `request_id`."""
    return SpeechAudio(
        request_id=request_id,
        seq=seq,
        voice=clip.voice,
        sample_rate=clip.sample_rate,
        duration_ms=round(clip.duration_ms, 1),
        audio=base64.b64encode(clip.pcm).decode("ascii"),
    )


class SpeechTrack:
    """Speaks the deltas fed to it, in order, publishing each clip as it is made."""

    def __init__(self, speaker: Speaker, language: Language, publish: Callable[[SpeechAudio], None]) -> None:
        self._speaker = speaker
        self._language = language
        self._publish = publish
        self._queue: asyncio.Queue[tuple[str, int, str] | None] = asyncio.Queue()
        self._finished = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="speech-track")

    @property
    def done(self) -> bool:
        """Whether every fed sentence was spoken (or the track was cancelled)."""
        return self._task.done()

    def feed(self, message: BaseModel) -> None:
        """Queue a delta's text; an end message finishes the track after what is queued."""
        if self._finished:
            return
        if isinstance(message, DescriptionDelta | AnswerDelta):
            first = message.first_seq if message.first_seq is not None else message.seq
            if first == message.seq:  # merged deltas are an outbox's, never a narration's
                self._queue.put_nowait((message.request_id, message.seq, message.text.strip()))
        elif isinstance(message, DescriptionEnd | AnswerEnd):
            self._finished = True
            self._queue.put_nowait(_DONE)

    async def wait(self) -> None:
        """Wait until every fed sentence was spoken."""
        await asyncio.gather(self._task, return_exceptions=True)

    async def cancel(self) -> None:
        """Stop speaking now."""
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while (item := await self._queue.get()) is not _DONE:
            request_id, seq, text = item
            if not text:
                continue
            try:
                clip = await self._speaker.speak(text, self._language)
            except Exception:  # a sentence the voice cannot say must not end the text stream
                log.exception("speech failed for %s seq %d", request_id, seq)
                continue
            self._publish(audio_message(request_id, seq, clip))
