"""Follow the curators' edits: drop the changed exhibits' cached descriptions, stop removed ones.

The catalogue reloads on a worker thread; each change is handed to the event loop, applied
there, and counted, so a caller can wait until a change it caused is in effect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from guide_core.catalogue.store import CatalogueChange
from guide_server.narration.cache import DescriptionCache

log = logging.getLogger(__name__)

OnRemoved = Callable[[frozenset[str]], Awaitable[None]]


class CatalogueFollower:
    """Applies catalogue changes on the event loop `loop`; `count` says how many are applied."""

    def __init__(
        self, cache: DescriptionCache, on_removed: OnRemoved, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.count = 0
        self._cache = cache
        self._on_removed = on_removed
        self._loop = loop
        self._changed = asyncio.Condition()
        self._pending: set[asyncio.Task[None]] = set()

    def on_change(self, change: CatalogueChange) -> None:
        """The store's callback (any thread): apply `change` on the event loop."""
        self._loop.call_soon_threadsafe(self._apply, change)

    async def wait_for(self, count: int) -> None:
        """Wait until `count` changes were applied."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.count >= count)

    def _apply(self, change: CatalogueChange) -> None:
        dropped = self._cache.invalidate(change.changed_ids)
        log.info("catalogue changed %s: dropped %d cached descriptions", sorted(change.changed_ids), dropped)
        removed = frozenset(i for i in change.changed_ids if i not in change.catalogue.exhibits)
        self._pending.add(task := self._loop.create_task(self._finish(removed)))
        task.add_done_callback(self._pending.discard)

    async def _finish(self, removed: frozenset[str]) -> None:
        # A removed exhibit's description is cancelled before the change counts as applied.
        if removed:
            await self._on_removed(removed)
        async with self._changed:
            self.count += 1
            self._changed.notify_all()
