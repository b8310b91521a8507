"""How a tour's messages reach the headsets: each connection's bounded `Outbox`, and the
`DescriptionStream` that fans one narration out to every visitor of a group.

Outbox: fan-out calls `offer`, which never awaits, so a slow or stalled visitor can
never delay the robot, the generation or any other visitor; the connection's
sender task (`Outbox.send_to`) drains the queue into the socket at the client's
own pace. Policy when the queue holds `maxsize` messages (from PEERS.md):
1. Merge: runs of pending `description.delta` / `answer.delta` of the same
   request become ONE larger delta whose `first_seq..seq` covers them all, so no
   word is ever dropped and the client still sees gapless coverage.
2. Supersede: of pending `pose` and `tour.state` messages only the newest of each
   is kept (they describe state, and the newest state is the truth).
3. If the queue is still full (hundreds of non-mergeable messages), the client is
   hopelessly behind: `get` raises `OutboxOverflow`, the connection closes with
   4408, and the client reconnects with `hello.resume` to get the rest.
Memory per connection is therefore bounded by `maxsize` messages plus the text
of the streams in flight.

DescriptionStream: one description generation shared by every visitor of a tour
with the same profile. It keeps every message it published (its history), so a
visitor who joins mid-stream is sent the history first and then the live
messages, and a reconnecting visitor gets only what follows the last `seq` it
saw. Speech: once a subscriber with speech on joins, a `SpeechTrack` speaks every
released sentence (those already published first), once for the whole group;
its `speech.audio` messages join the history but go only to subscribers with
speech on.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from guide_core.protocol import (
    AnswerDelta,
    ClientKind,
    DescriptionDelta,
    DescriptionEnd,
    DescriptionStart,
    Pose,
    SpeechAudio,
    TourState,
    VisitorProfile,
    dump_message,
)
from guide_server.exceptions import OutboxClosed, OutboxOverflow
from guide_server.speech.speaker import Speaker
from guide_server.speech.track import SpeechTrack

SUPERSEDED_TYPES = (Pose, TourState)


def merge_deltas(first: DescriptionDelta | AnswerDelta, second: DescriptionDelta | AnswerDelta):
    """One delta covering `first` then `second` (same request, consecutive)."""
    start = first.first_seq if first.first_seq is not None else first.seq
    return first.model_copy(update={"seq": second.seq, "text": first.text + second.text, "first_seq": start})


def _mergeable(a: BaseModel, b: BaseModel) -> bool:
    return (
        isinstance(a, DescriptionDelta | AnswerDelta) and type(a) is type(b) and a.request_id == b.request_id  # type: ignore[attr-defined]
    )


class Outbox:
    """A bounded queue of server messages for one client; see the module docstring."""

    def __init__(self, maxsize: int, *, on_merge: Callable[[], None] | None = None) -> None:
        if maxsize < 2:
            raise ValueError("an outbox needs room for at least 2 messages")
        self.maxsize = maxsize
        self._on_merge = on_merge
        self.merges = 0
        """How many deltas were folded into another (for metrics and tests)."""
        self._items: deque[tuple[BaseModel, str | None]] = deque()
        """Pending messages, each with its JSON text when the publisher serialised it already."""
        self._ready = asyncio.Event()
        self._overflowed = False
        self._closed: OutboxClosed | None = None

    def __len__(self) -> int:
        return len(self._items)

    @property
    def overflowed(self) -> bool:
        """Whether the client fell hopelessly behind (the connection should close)."""
        return self._overflowed

    def close(self, ending: OutboxClosed) -> None:
        """Ask the sender to end the connection with `ending` once the queued messages are sent."""
        self._closed = ending
        self._ready.set()

    def offer(self, message: BaseModel, text: str | None = None) -> None:
        """Queue `message` without ever waiting; merges or supersedes when full.

        `text`: its wire JSON, when the caller serialised it once for many clients.
        """
        if self._overflowed or self._closed is not None:
            return
        if len(self._items) >= self.maxsize:
            if self._items and _mergeable(self._items[-1][0], message):
                self._items[-1] = (merge_deltas(self._items[-1][0], message), None)  # type: ignore[arg-type]
                self._merged()
                return
            self._compact()
        if len(self._items) >= self.maxsize:
            self._overflowed = True
        else:
            self._items.append((message, text))
        self._ready.set()

    def offer_all(self, messages: Iterable[tuple[BaseModel, str | None]]) -> None:
        """Queue several (message, text) pairs in order (a replay)."""
        for message, text in messages:
            self.offer(message, text)

    async def send_to(self, send: Callable[[str], Awaitable[None]]) -> None:
        """Write every message, in order, through `send` (the socket's `send_text`) until the outbox
        overflows or closes (raising `OutboxOverflow` / `OutboxClosed`, see `get`). The connection's
        sender task; it waits only on its own client."""
        while True:
            message, text = await self._next()
            await send(text if text is not None else dump_message(message))

    async def get(self) -> BaseModel:
        """The next message to send; waits while empty. Safe to cancel.

        Raises `OutboxOverflow` once the queue overflowed, `OutboxClosed` after `close`
        (once the messages queued before it are out).
        """
        return (await self._next())[0]

    async def _next(self) -> tuple[BaseModel, str | None]:
        while True:
            if self._overflowed:
                raise OutboxOverflow(f"more than {self.maxsize} messages pending even after merging")
            if self._items:
                return self._items.popleft()
            if self._closed is not None:
                raise self._closed
            self._ready.clear()
            await self._ready.wait()

    def _compact(self) -> None:
        newest: dict[type, int] = {}
        for index, (item, _) in enumerate(self._items):
            if isinstance(item, SUPERSEDED_TYPES):
                newest[type(item)] = index
        kept: list[tuple[BaseModel, str | None]] = []
        for index, (item, text) in enumerate(self._items):
            if isinstance(item, SUPERSEDED_TYPES) and newest[type(item)] != index:
                continue
            if kept and _mergeable(kept[-1][0], item):
                kept[-1] = (merge_deltas(kept[-1][0], item), None)  # type: ignore[arg-type]
                self._merged()
                continue
            kept.append((item, text))
        self._items = deque(kept)

    def _merged(self) -> None:
        self.merges += 1
        if self._on_merge is not None:
            self._on_merge()


@dataclass(eq=False)
class Connection:
    """A robot, visitor or listener socket; messages to it go through `outbox` only."""

    session_id: str
    kind: ClientKind
    outbox: Outbox
    profile: VisitorProfile = field(default_factory=VisitorProfile)
    speech: bool = False
    """The visitor wants `speech.audio` (and its language has a voice)."""


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
