"""The bounded outgoing queue of one client connection, and what happens when it is full.

Fan-out calls `offer`, which never awaits: a slow or stalled visitor can never
delay the robot, the generation or any other visitor. A sender task per
connection drains the queue into the socket at the client's own pace.

Policy when the queue holds `maxsize` messages (from PEERS.md):
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
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable

from pydantic import BaseModel

from guide_core.protocol import AnswerDelta, DescriptionDelta, Pose, TourState, dump_message
from guide_server.exceptions import OutboxClosed, OutboxOverflow

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

    async def get_text(self) -> str:
        """The next message's wire JSON; waits while empty. Safe to cancel (see `get`)."""
        message, text = await self._next()
        return text if text is not None else dump_message(message)

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
