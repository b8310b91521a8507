"""Everything one app holds while it runs, built in its lifespan (never at import time)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from guide_core.catalogue.loader import Catalogue
from guide_core.catalogue.store import CatalogueChange, CatalogueStore
from guide_core.protocol import VisitorProfile
from guide_server.core.config import GuideSettings
from guide_server.core.metrics import GuideMetrics
from guide_server.feedback.store import FeedbackStore
from guide_server.generation.engine import Engine
from guide_server.narration.cache import DescriptionCache
from guide_server.narration.narrator import Narrator
from guide_server.narration.questions import QuestionRouter
from guide_server.narration.requests import description_request
from guide_server.narration.retrieval import Embedder, FactRanker
from guide_server.speech.speaker import Speaker
from guide_server.tours.description_stream import Narrate
from guide_server.tours.registry import TourRegistry

log = logging.getLogger(__name__)


@dataclass
class EngineStatus:
    """Whether the engine's `start()` returned (and the fact ranker's embedder loaded), or why it failed."""

    ready: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once `start()` returned and the embedder is loaded."""
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
    ranker: FactRanker
    questions: QuestionRouter
    tours: TourRegistry
    speaker: Speaker
    feedback: FeedbackStore
    catalogue_changes: CatalogueChanges

    def current_catalogue(self) -> Catalogue:
        """The last good catalogue."""
        return self.catalogue.current


def build_services(
    settings: GuideSettings, engine: Engine, catalogue: CatalogueStore, embedder: Embedder | None = None
) -> GuideServices:
    """Wire the parts together on the running event loop; nothing is started or loaded here.

    With no `embedder`, the app loads the packaged MiniLM when it starts the engine.
    """
    metrics = GuideMetrics()
    cache = DescriptionCache(settings.description_cache_size)
    status = EngineStatus()
    narrator = Narrator(
        engine=engine,
        settings=settings,
        metrics=metrics,
        cache=cache,
        engine_ready=status.ready,
    )
    ranker = FactRanker(embedder)
    speaker = Speaker(enabled=settings.speech, cache_size=settings.speech_cache_size)

    def narration(request_id: str, exhibit_id: str, profile: VisitorProfile) -> Narrate:
        async def narrate(publish) -> None:  # type: ignore[no-untyped-def]
            request = description_request(
                catalogue.current,
                request_id=request_id,
                exhibit_id=exhibit_id,
                profile=profile,
                model_id=engine.model_id,
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
        speaker=speaker,
        pregenerate=settings.pregenerate,
        on_pregeneration=lambda outcome: metrics.pregenerations.labels(outcome).inc(),
        max_tours=settings.max_tours,
        idle_expiry_s=settings.tour_idle_expiry_s,
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
        ranker=ranker,
        questions=QuestionRouter(ranker),
        tours=tours,
        speaker=speaker,
        feedback=FeedbackStore(settings.feedback_db),
        catalogue_changes=changes,
    )
