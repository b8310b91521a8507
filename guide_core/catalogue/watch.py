"""Follow curators' edits: reload the store whenever a file in its folder changes."""

from __future__ import annotations

import asyncio
import threading

import watchfiles

from guide_core.catalogue.store import CatalogueStore


def _is_catalogue_file(change: watchfiles.Change, path: str) -> bool:
    return path.endswith(".json")


async def watch_catalogue(store: CatalogueStore, *, stop: asyncio.Event | None = None) -> None:
    """Reload `store` on every batch of edits until `stop` is set or the task is cancelled.

    Safe to cancel. Reloads run in a worker thread so the event loop never blocks.
    """
    async for _ in watchfiles.awatch(
        store.folder, watch_filter=_is_catalogue_file, stop_event=stop, debounce=200, step=50
    ):
        await asyncio.to_thread(store.reload)


class CatalogueWatchThread:
    """The same watch for code without an event loop (the ROS nodes)."""

    def __init__(self, store: CatalogueStore) -> None:
        self._store = store
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="catalogue-watch", daemon=True)

    def start(self) -> CatalogueWatchThread:
        """Start watching in the background."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching and wait for the thread to end."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        for _ in watchfiles.watch(
            self._store.folder,
            watch_filter=_is_catalogue_file,
            stop_event=self._stop,
            debounce=200,
            step=50,
            yield_on_timeout=False,
        ):
            self._store.reload()
