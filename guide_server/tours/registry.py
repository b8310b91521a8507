"""Every tour of the server: created on first use, bounded in number, forgotten when idle.

A client names its tour in `hello`; without a bound, every name would keep a tour alive for the
server's lifetime. A tour nobody is connected to is forgotten after `idle_expiry_s`, and when
`max_tours` tours exist, the one idle longest makes room for a new one. When every tour has
someone connected, a new tour is refused (`TourLimitReached`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from guide_core.catalogue.loader import Catalogue
from guide_server.exceptions import TourLimitReached
from guide_server.speech.speaker import Speaker
from guide_server.tours.tour import NarrationFactory, PregenerationOutcome, Tour


class TourRegistry:
    """The server's tours, at most `max_tours`, each forgotten `idle_expiry_s` after its last client left."""

    def __init__(
        self,
        *,
        catalogue: Callable[[], Catalogue],
        narration: NarrationFactory,
        robot_pose_timeout_s: float = 3.0,
        speaker: Speaker | None = None,
        pregenerate: bool = True,
        on_pregeneration: Callable[[PregenerationOutcome], None] | None = None,
        max_tours: int = 100,
        idle_expiry_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tours: dict[str, Tour] = {}
        self._idle_since: dict[str, float] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._catalogue = catalogue
        self._narration = narration
        self._robot_pose_timeout_s = robot_pose_timeout_s
        self._speaker = speaker
        self._pregenerate = pregenerate
        self._on_pregeneration = on_pregeneration
        self.max_tours = max_tours
        self.idle_expiry_s = idle_expiry_s
        self._clock = clock

    def __len__(self) -> int:
        return len(self._tours)

    def get(self, tour_id: str) -> Tour:
        """The tour with this id, created empty if new; raises `TourLimitReached` when there is no room."""
        tour = self._tours.get(tour_id)
        if tour is not None:
            return tour
        self._forget_idle()
        if len(self._tours) >= self.max_tours:
            raise TourLimitReached(
                f"this server already runs {self.max_tours} tours, each with someone connected; join one "
                "of them (hello.tour, e.g. 'default') or raise GUIDE_MAX_TOURS"
            )
        tour = self._tours[tour_id] = Tour(
            tour_id,
            catalogue=self._catalogue,
            narration=self._narration,
            robot_pose_timeout_s=self._robot_pose_timeout_s,
            speaker=self._speaker,
            pregenerate=self._pregenerate,
            on_pregeneration=self._on_pregeneration,
        )
        return tour

    def left(self, tour: Tour) -> None:
        """A client of `tour` disconnected: if it is now empty, its idle time starts."""
        if tour.empty and self._tours.get(tour.id) is tour:
            self._idle_since[tour.id] = self._clock()

    def _forget_idle(self) -> None:
        """Forget tours idle past the expiry, then, if still full, the one idle longest."""
        now = self._clock()
        for tour_id, since in list(self._idle_since.items()):
            if not self._tours[tour_id].empty:
                del self._idle_since[tour_id]  # someone came back
            elif now - since >= self.idle_expiry_s:
                self._forget(tour_id)
        if len(self._tours) >= self.max_tours and self._idle_since:
            self._forget(min(self._idle_since, key=self._idle_since.__getitem__))

    def _forget(self, tour_id: str) -> None:
        del self._idle_since[tour_id]
        task = asyncio.get_running_loop().create_task(self._tours.pop(tour_id).close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def on_exhibits_removed(self, removed: frozenset[str]) -> None:
        """End every tour's description of an exhibit the curators removed."""
        await asyncio.gather(*(tour.on_exhibits_removed(removed) for tour in list(self._tours.values())))

    async def close(self) -> None:
        """Cancel every tour's running descriptions."""
        await asyncio.gather(*(tour.close() for tour in list(self._tours.values())), *self._closing)
