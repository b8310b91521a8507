"""`GET /api/exhibits` and `GET /api/exhibits/{id}`: the catalogue for clients (floor plan: `museum.py`)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel

from guide_core.catalogue.models import SLUG_PATTERN, Exhibit, ExhibitPlacement
from guide_server.api.deps import get_services
from guide_server.api.services import GuideServices

router = APIRouter(prefix="/api", tags=["exhibits"])
_SLUG = re.compile(SLUG_PATTERN)


class ExhibitSummary(BaseModel):
    """One line of the catalogue listing, in tour order."""

    id: str
    title: str
    period: str
    site: str
    district: str
    placement: ExhibitPlacement | None


class ExhibitPublic(BaseModel):
    """One exhibit with its place on the floor plan."""

    exhibit: Exhibit
    placement: ExhibitPlacement | None
    fingerprint: str


Services = Annotated[GuideServices, Depends(get_services)]


@router.get("/exhibits")
def list_exhibits(services: Services) -> list[ExhibitSummary]:
    """Every exhibit: the tour's first, in order, then the rest by id."""
    catalogue = services.current_catalogue()
    order = [*catalogue.floor_plan.tour, *sorted(set(catalogue.exhibits) - set(catalogue.floor_plan.tour))]
    return [
        ExhibitSummary(
            id=e.id,
            title=e.title,
            period=e.period.label,
            site=e.site,
            district=e.district.value,
            placement=catalogue.floor_plan.placement(e.id),
        )
        for e in (catalogue.exhibits[i] for i in order if i in catalogue.exhibits)
    ]


# `:path` so that ids with slashes (`a/b`, `..%2Fx`) reach the check below and get a 400 saying why.
@router.get("/exhibits/{exhibit_id:path}")
def get_exhibit(exhibit_id: str, services: Services) -> ExhibitPublic:
    """One exhibit, or 400 for a malformed id and 404 for an unknown one."""
    if not _SLUG.fullmatch(exhibit_id) or len(exhibit_id) > 64:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"{exhibit_id!r} is not an exhibit id: use lower-case letters, digits and hyphens, "
            "e.g. 'kolossi-castle' (see GET /api/exhibits)",
        )
    catalogue = services.current_catalogue()
    exhibit = catalogue.get(exhibit_id)
    if exhibit is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no exhibit {exhibit_id!r}: GET /api/exhibits lists the ids there are"
        )
    return ExhibitPublic(
        exhibit=exhibit,
        placement=catalogue.floor_plan.placement(exhibit_id),
        fingerprint=catalogue.fingerprints[exhibit_id],
    )
