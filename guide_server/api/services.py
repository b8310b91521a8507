"""Everything one app holds while it runs, built in its lifespan (never at import time)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from guide_server.catalogue.loader import Catalogue
from guide_server.catalogue.store import CatalogueChange, CatalogueStore
from guide_server.core.config import GuideSettings
from guide_server.core.metrics import GuideMetrics
from guide_server.feedback.store import FeedbackStore
from guide_server.generation.engine import Engine
from guide_server.generation.fact_guard import check_facts
from guide_server.generation.prompts import description_messages
from guide_server.narration.cache import CacheKey, DescriptionCache
from guide_server.narration.narrator import Narrator, Request
from guide_server.protocol import VisitorProfile
from guide_server.tours.description_stream import Narrate
from guide_server.tours.tour import TourRegistry

log = logging.getLogger(__name__)


@dataclass
class EngineStatus:
    """Whether the engine's `start()` returned, or why it failed."""

    ready: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once `start()` returned."""
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once `start()` returned or failed."""
    error: str | None = None


class CatalogueChanges:
    """Counts catalogue changes applied on the event loop, and lets a caller wait for the next."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = asyncio.Condition()

    async def applied(self) -> None:
        """Count one change and wake waiters."""
        async with self._changed:
            self.count += 1
            self._changed.notify_all()

    async def wait_for(self, count: int) -> None:
        """Wait until `count` changes were applied."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.count >= count)


@dataclass
class GuideServices:
    """The app's parts; route handlers reach them through `api.deps`."""

    settings: GuideSettings
    catalogue: CatalogueStore
    engine: Engine
    engine_status: EngineStatus
    metrics: GuideMetrics
    cache: DescriptionCache
    narrator: Narrator
    tours: TourRegistry
    feedback: FeedbackStore
    catalogue_changes: CatalogueChanges

    def current_catalogue(self) -> Catalogue:
        """The last good catalogue."""
        return self.catalogue.current


def build_services(settings: GuideSettings, engine: Engine, catalogue: CatalogueStore) -> GuideServices:
    """Wire the parts together on the running event loop; nothing is started here."""
    metrics = GuideMetrics()
    cache = DescriptionCache(settings.description_cache_size)
    status = EngineStatus()
    narrator = Narrator(
        engine=engine,
        settings=settings,
        metrics=metrics,
        cache=cache,
        check_facts=check_facts,
        engine_ready=status.ready,
    )

    def narration(request_id: str, exhibit_id: str, profile: VisitorProfile) -> Narrate:
        async def narrate(publish) -> None:  # type: ignore[no-untyped-def]
            snapshot = catalogue.current
            exhibit = snapshot.exhibits[exhibit_id]
            key = CacheKey(
                exhibit_id,
                snapshot.fingerprints[exhibit_id],
                engine.model_id,
                profile.audience,
                profile.language,
            )
            request = Request(
                "description", request_id, exhibit, profile, description_messages(exhibit, profile), key
            )
            await narrator.narrate(request, publish)

        return narrate

    loop = asyncio.get_running_loop()
    changes = CatalogueChanges()
    pending: set[asyncio.Task[None]] = set()
    tours = TourRegistry(
        catalogue=lambda: catalogue.current,
        narration=narration,
        robot_pose_timeout_s=settings.robot_pose_timeout_s,
    )

    async def finish_change(removed: frozenset[str]) -> None:
        # A removed exhibit's description is cancelled before the change counts as applied.
        if removed:
            await tours.on_exhibits_removed(removed)
        await changes.applied()

    def apply_change(change: CatalogueChange) -> None:
        dropped = cache.invalidate(change.changed_ids)
        log.info("catalogue changed %s: dropped %d cached descriptions", sorted(change.changed_ids), dropped)
        removed = frozenset(i for i in change.changed_ids if i not in change.catalogue.exhibits)
        pending.add(task := loop.create_task(finish_change(removed)))
        task.add_done_callback(pending.discard)

    def on_change(change: CatalogueChange) -> None:
        # Called on the reload's worker thread: hand the change to the event loop.
        loop.call_soon_threadsafe(apply_change, change)

    catalogue.on_change(on_change)
    return GuideServices(
        settings=settings,
        catalogue=catalogue,
        engine=engine,
        engine_status=status,
        metrics=metrics,
        cache=cache,
        narrator=narrator,
        tours=tours,
        feedback=FeedbackStore(settings.feedback_db),
        catalogue_changes=changes,
    )
