"""The exhibit catalogue: models, validation, the live store and its file watcher."""

from guide_core.catalogue.loader import Catalogue, LoadResult, load_catalogue, load_catalogue_or_raise
from guide_core.catalogue.models import Exhibit, Fact, FloorPlan, Gloss, Period
from guide_core.catalogue.problems import Problem
from guide_core.catalogue.store import CatalogueChange, CatalogueStore
from guide_core.exceptions import CatalogueError

__all__ = [
    "Catalogue",
    "CatalogueChange",
    "CatalogueError",
    "CatalogueStore",
    "Exhibit",
    "Fact",
    "FloorPlan",
    "Gloss",
    "LoadResult",
    "Period",
    "Problem",
    "load_catalogue",
    "load_catalogue_or_raise",
]
