"""The exhibit catalogue: models, validation, the live store and its file watcher."""

from guide_server.catalogue.loader import Catalogue, LoadResult, load_catalogue, load_catalogue_or_raise
from guide_server.catalogue.models import Exhibit, Fact, FloorPlan, Period
from guide_server.catalogue.problems import CatalogueError, Problem
from guide_server.catalogue.store import CatalogueChange, CatalogueStore

__all__ = [
    "Catalogue",
    "CatalogueChange",
    "CatalogueError",
    "CatalogueStore",
    "Exhibit",
    "Fact",
    "FloorPlan",
    "LoadResult",
    "Period",
    "Problem",
    "load_catalogue",
    "load_catalogue_or_raise",
]
