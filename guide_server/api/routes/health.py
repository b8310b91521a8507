"""`/healthz` (the process answers), `/readyz` (the engine is loaded) and `/metrics`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from guide_server.api.deps import get_services
from guide_server.api.services import GuideServices

router = APIRouter(tags=["health"])
Services = Annotated[GuideServices, Depends(get_services)]


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Always 200 while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(services: Services) -> JSONResponse:
    """200 once the engine's `start()` returned; 503 while it loads or after it failed."""
    state = services.engine_status
    if state.ready.is_set():
        return JSONResponse(
            {
                "status": "ready",
                "model_id": services.engine.model_id,
                "catalogue": services.catalogue.current.version,
            }
        )
    body = {"status": "failed", "detail": state.error} if state.error else {"status": "loading"}
    return JSONResponse(body, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


@router.get("/metrics")
def metrics(services: Services) -> Response:
    """Prometheus text exposition of this app's metrics."""
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)
