"""`create_app(settings, engine=...)`: the FastAPI app of the guide server.

Nothing is built at import time. The lifespan opens the catalogue, wires the
services, starts the engine in the background (`/readyz` says 503 until its
`start()` returned) and follows curators' edits; on shutdown it cancels running
descriptions and closes the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from guide_core.catalogue.loader import Catalogue
from guide_core.catalogue.store import CatalogueStore
from guide_core.catalogue.watch import watch_catalogue
from guide_server.api.routes import exhibits, feedback, health, museum
from guide_server.api.services import EngineStatus, build_services
from guide_server.api.sockets import robot, visitor
from guide_server.core.config import GuideSettings, get_settings
from guide_server.generation.engine import Engine
from guide_server.generation.engines.factory import build_engine
from guide_server.narration.retrieval import Embedder, FactRanker

log = logging.getLogger(__name__)


async def _start_engine(
    engine: Engine, status: EngineStatus, ranker: FactRanker, catalogue: Catalogue
) -> None:
    try:
        await asyncio.to_thread(ranker.load)
        await asyncio.to_thread(ranker.warm, list(catalogue.exhibits.values()))
        await engine.start()
    except Exception as exc:
        status.error = f"{type(exc).__name__}: {exc}"
        log.exception("the engine failed to start; /readyz reports it")
        return
    else:
        status.ready.set()
        log.info("engine %s ready", engine.model_id)
    finally:
        status.settled.set()


def create_app(
    settings: GuideSettings | None = None, *, engine: Engine | None = None, embedder: Embedder | None = None
) -> FastAPI:
    """A new guide server app; `engine` overrides the one the settings name, `embedder` the packaged MiniLM."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.uses_demo_tokens:
            log.warning("using the embedded demo tokens: set GUIDE_VISITOR_TOKEN and GUIDE_ROBOT_TOKEN")
        store = await asyncio.to_thread(CatalogueStore.open, settings.exhibits_dir)
        chosen = engine or build_engine(settings)
        services = build_services(settings, chosen, store, embedder)
        app.state.services = services
        start = _start_engine(chosen, services.engine_status, services.ranker, store.current)
        background = [asyncio.create_task(start, name="engine-start")]
        if settings.speech:
            background.append(asyncio.create_task(asyncio.to_thread(services.speaker.load), name="voices"))
        if settings.watch_catalogue:
            background.append(asyncio.create_task(watch_catalogue(store), name="catalogue-watch"))
        try:
            yield
        finally:
            await services.tours.close()
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            services.speaker.close()
            with contextlib.suppress(Exception):
                await chosen.close()

    app = FastAPI(title="Museum guide", version="1", lifespan=lifespan)
    app.state.settings = settings
    for module in (health, exhibits, museum, feedback, robot, visitor):
        app.include_router(module.router)
    if settings.static_dir.is_dir():
        app.mount("/", StaticFiles(directory=settings.static_dir, html=True), name="static")
    return app
