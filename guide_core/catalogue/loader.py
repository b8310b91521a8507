"""Load and validate the whole catalogue folder into one immutable `Catalogue`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from pydantic import ValidationError

from guide_core.catalogue.checks import check_exhibit, check_floor_plan
from guide_core.catalogue.models import Exhibit, FloorPlan
from guide_core.catalogue.problems import Problem, SourceFile, problems_from_validation
from guide_core.exceptions import CatalogueError

M = TypeVar("M", Exhibit, FloorPlan)

FLOOR_PLAN_FILE = "museum.json"
SCHEMA_FILES = frozenset({"schema.json", "museum.schema.json"})


@dataclass(frozen=True)
class Catalogue:
    """A validated snapshot of every exhibit and the floor plan; never mutated."""

    folder: Path
    floor_plan: FloorPlan
    exhibits: Mapping[str, Exhibit]
    fingerprints: Mapping[str, str] = field(repr=False)
    """Per exhibit, a hash of its content (for caches keyed on what it says)."""
    version: str = ""

    def get(self, exhibit_id: str) -> Exhibit | None:
        """The exhibit with this id, or None."""
        return self.exhibits.get(exhibit_id)

    def tour(self) -> list[Exhibit]:
        """The exhibits in the floor plan's default tour order."""
        return [self.exhibits[i] for i in self.floor_plan.tour if i in self.exhibits]


@dataclass(frozen=True)
class LoadResult:
    """What loading a folder gave: a catalogue when clean, and every problem found."""

    catalogue: Catalogue | None
    problems: list[Problem]


def exhibit_paths(folder: Path) -> list[Path]:
    """The exhibit files of a catalogue folder (every *.json but the plan and schemas)."""
    return sorted(
        p
        for p in folder.glob("*.json")
        if p.name != FLOOR_PLAN_FILE and p.name not in SCHEMA_FILES and not p.name.startswith(".")
    )


def display_name(path: Path, folder: Path) -> str:
    """How problems name `path`: relative to the folder above the catalogue, e.g. `exhibits/x.json`."""
    try:
        return str(path.relative_to(folder.parent))
    except ValueError:
        return str(path)


def _read(path: Path, folder: Path) -> tuple[SourceFile | None, Problem | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, Problem(display_name(path, folder), f"cannot read the file ({exc}); save it as UTF-8")
    return SourceFile(path, display_name(path, folder), text), None


def load_catalogue(folder: Path) -> LoadResult:
    """Read, validate and cross-check every file in `folder`; never raises on bad content."""
    folder = Path(folder)
    if not folder.is_dir():
        problem = Problem(str(folder), "catalogue folder not found: pass the folder that holds museum.json")
        return LoadResult(None, [problem])
    problems: list[Problem] = []
    exhibits: dict[str, Exhibit] = {}
    files_by_id: dict[str, str] = {}
    digests: dict[str, str] = {}
    present: dict[str, str] = {}  # broken files still count as present for the floor plan
    for path in exhibit_paths(folder):
        exhibit, source_problems = _load_exhibit(path, folder)
        problems += source_problems
        if exhibit is None:
            present.setdefault(path.stem, path.name)
            continue
        if exhibit.id in files_by_id:
            source = SourceFile(path, display_name(path, folder), path.read_text(encoding="utf-8"))
            problems.append(
                source.problem(
                    "/id",
                    f"duplicate id '{exhibit.id}', already used by {files_by_id[exhibit.id]}: "
                    "give each exhibit its own id",
                )
            )
            continue
        exhibits[exhibit.id] = exhibit
        files_by_id[exhibit.id] = path.name
        digests[exhibit.id] = hashlib.sha256(exhibit.model_dump_json().encode()).hexdigest()[:16]
    plan, plan_problems = _load_floor_plan(folder, {**present, **files_by_id})
    problems += plan_problems
    if problems or plan is None:
        return LoadResult(None, problems)
    version = hashlib.sha256(
        (plan.model_dump_json() + "".join(digests[k] for k in sorted(digests))).encode()
    ).hexdigest()[:16]
    catalogue = Catalogue(
        folder=folder,
        floor_plan=plan,
        exhibits=MappingProxyType(exhibits),
        fingerprints=MappingProxyType(digests),
        version=version,
    )
    return LoadResult(catalogue, [])


def _validated(path: Path, folder: Path, model: type[M]) -> tuple[SourceFile | None, M | None, list[Problem]]:
    """Read, parse and schema-check one file: (its source, the model or None, problems)."""
    source, problem = _read(path, folder)
    if source is None:
        return None, None, [problem] if problem else []
    data, syntax = source.parse()
    if syntax is not None:
        return source, None, [syntax]
    try:
        return source, model.model_validate(data), []
    except ValidationError as exc:
        return source, None, problems_from_validation(source, exc)


def _load_exhibit(path: Path, folder: Path) -> tuple[Exhibit | None, list[Problem]]:
    source, exhibit, problems = _validated(path, folder, Exhibit)
    if source is None or exhibit is None:
        return None, problems
    return exhibit, list(check_exhibit(source, exhibit))


def _load_floor_plan(folder: Path, files_by_id: dict[str, str]) -> tuple[FloorPlan | None, list[Problem]]:
    path = folder / FLOOR_PLAN_FILE
    if not path.exists():
        missing = "floor plan missing: create museum.json with rooms, exhibits and tour"
        return None, [Problem(display_name(path, folder), missing)]
    source, plan, problems = _validated(path, folder, FloorPlan)
    if source is None or plan is None:
        return None, problems
    found = list(check_floor_plan(source, plan, files_by_id))
    return (None if found else plan), found


def load_catalogue_or_raise(folder: Path) -> Catalogue:
    """The catalogue in `folder`, or `CatalogueError` listing every problem."""
    result = load_catalogue(folder)
    if result.catalogue is None:
        raise CatalogueError(result.problems)
    return result.catalogue
