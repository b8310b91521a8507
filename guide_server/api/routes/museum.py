"""`GET /api/museum`: the floor plan (rooms, exhibit placements, tour order) for the VR clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from guide_core.catalogue.models import FloorPlan
from guide_server.api.deps import get_services
from guide_server.api.services import GuideServices

router = APIRouter(prefix="/api/museum", tags=["museum"])


@router.get("")
def get_museum(services: Annotated[GuideServices, Depends(get_services)]) -> FloorPlan:
    """The current catalogue's floor plan, in the map frame (metres)."""
    return services.current_catalogue().floor_plan
