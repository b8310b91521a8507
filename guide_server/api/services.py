"""Everything one app holds while it runs, built in its lifespan (never at import time)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from guide_core.catalogue.loader import Catalogue
from guide_core.catalogue.store import CatalogueStore
from guide_server.core.config import GuideSettings
from guide_server.core.metrics import GuideMetrics
from guide_server.feedback.store import FeedbackStore
from guide_server.generation.engine import Engine
from guide_server.narration.cache import DescriptionCache
from guide_server.narration.catalogue_follower import CatalogueFollower
from guide_server.narration.narrator import Narrator, TourNarration
from guide_server.narration.questions import QuestionRouter
from guide_server.narration.retrieval import Embedder, FactRanker
from guide_server.speech.speaker import Speaker
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
    catalogue_changes: CatalogueFollower
    narration: TourNarration

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

    questions = QuestionRouter(ranker)
    narration = TourNarration(narrator=narrator, catalogue=catalogue, questions=questions)
    tours = TourRegistry(
        catalogue=lambda: catalogue.current,
        narration=narration.description,
        robot_pose_timeout_s=settings.robot_pose_timeout_s,
        speaker=speaker,
        pregenerate=settings.pregenerate,
        on_pregeneration=lambda outcome: metrics.pregenerations.labels(outcome).inc(),
        max_tours=settings.max_tours,
        idle_expiry_s=settings.tour_idle_expiry_s,
    )
    follower = CatalogueFollower(cache, tours.on_exhibits_removed, asyncio.get_running_loop())
    catalogue.on_change(follower.on_change)
    return GuideServices(
        settings=settings,
        catalogue=catalogue,
        engine=engine,
        engine_status=status,
        metrics=metrics,
        cache=cache,
        narrator=narrator,
        ranker=ranker,
        questions=questions,
        tours=tours,
        speaker=speaker,
        feedback=FeedbackStore(settings.feedback_db),
        catalogue_changes=follower,
        narration=narration,
    )
