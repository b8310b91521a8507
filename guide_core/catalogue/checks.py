"""Rules beyond the schema: facts that hold one claim, years inside the period, glosses
of terms the record uses, a floor plan that agrees with the exhibit files, and zones
that do not overlap."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping

from guide_core.catalogue.models import Exhibit, FactKind, FloorPlan
from guide_core.catalogue.problems import Problem, SourceFile
from guide_core.catalogue.years import format_year, mentioned_years

_SENTENCE_END = re.compile(r"([A-Za-z.]*)[.!?]\s+(?=[A-Z0-9])")
_ABBREVIATIONS = {"c", "ca", "st", "mt", "dr", "a.d", "b.c", "e.g", "i.e", "no", "vol"}


def sentence_count(text: str) -> int:
    """Sentences in `text`, not counting stops after common abbreviations ("c. 300 BC")."""
    breaks = [m for m in _SENTENCE_END.finditer(text) if m.group(1).lower() not in _ABBREVIATIONS]
    return len(breaks) + 1


def term_pattern(term: str) -> re.Pattern[str]:
    """Matches `term` as whole words, any case, with any run of spaces between its words."""
    words = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def record_text(exhibit: Exhibit) -> str:
    """The exhibit's own English text that a gloss may explain: title, site, period label, summary, facts."""
    parts = [exhibit.title, exhibit.site, exhibit.period.label, exhibit.summary]
    return "\n".join(parts + [fact.text for fact in exhibit.facts])


def check_glosses(source: SourceFile, exhibit: Exhibit) -> Iterator[Problem]:
    """Each gloss explains a term the record uses, once, without repeating the term."""
    text = record_text(exhibit)
    seen: dict[str, int] = {}
    for index, gloss in enumerate(exhibit.glosses):
        at = f"/glosses/{index}"
        key = " ".join(gloss.term.lower().split())
        if key in seen:
            yield source.problem(
                f"{at}/term",
                f"term '{gloss.term}' is glossed twice (also /glosses/{seen[key]}): keep one gloss per term",
            )
            continue
        seen[key] = index
        pattern = term_pattern(gloss.term)
        if not pattern.search(text):
            yield source.problem(
                f"{at}/term",
                f"term '{gloss.term}' is not in the record (title, site, period label, summary or facts): "
                "copy the term exactly as the record spells it, as whole words, or remove the gloss",
            )
        if pattern.search(gloss.plain):
            yield source.problem(
                f"{at}/plain",
                f"plain repeats the term '{gloss.term}': explain it in other, simpler words",
            )


def check_exhibit(source: SourceFile, exhibit: Exhibit) -> Iterator[Problem]:
    """Problems within one valid-by-schema exhibit: its id, its facts and their years, its glosses."""
    stem = source.path.stem
    if exhibit.id != stem:
        yield source.problem(
            "/id",
            f"id '{exhibit.id}' differs from the file name '{stem}.json': "
            f"rename the file to '{exhibit.id}.json' or set id to '{stem}'",
        )
    period = exhibit.period
    for index, fact in enumerate(exhibit.facts):
        at = f"/facts/{index}/text"
        if not fact.text:
            yield source.problem(at, "fact is empty: write one verifiable claim or remove the fact")
            continue
        if ";" in fact.text or sentence_count(fact.text) > 1:
            yield source.problem(at, "fact holds more than one claim: split it into one fact per sentence")
        if fact.kind is not FactKind.HISTORY:
            continue
        years = ([fact.year] if fact.year is not None else []) + mentioned_years(fact.text)
        for year in years:
            if not period.start_year <= year <= period.end_year:
                yield source.problem(
                    f"/facts/{index}/year" if year == fact.year else at,
                    f"year {format_year(year)} lies outside the period "
                    f"{format_year(period.start_year)} to {format_year(period.end_year)}: "
                    "correct the year or the period, or set kind to 'discovery' or "
                    "'recognition' if the fact is about later times",
                )
    yield from check_glosses(source, exhibit)


def check_floor_plan(
    source: SourceFile, plan: FloorPlan, exhibit_files: Mapping[str, str]
) -> Iterator[Problem]:
    """Problems between the floor plan and the exhibit files (`exhibit id -> file name`)."""
    rooms = {room.id: room for room in plan.rooms}
    seen: dict[str, int] = {}
    for index, place in enumerate(plan.exhibits):
        at = f"/exhibits/{index}"
        if place.id in seen:
            yield source.problem(
                f"{at}/id",
                f"exhibit '{place.id}' is placed twice (also /exhibits/{seen[place.id]}): remove one",
            )
            continue
        seen[place.id] = index
        if place.id not in exhibit_files:
            yield source.problem(
                f"{at}/id",
                f"the floor plan places '{place.id}' but there is no exhibits/{place.id}.json: "
                "add the file or remove the placement",
            )
        room = rooms.get(place.room)
        if room is None:
            yield source.problem(
                f"{at}/room", f"unknown room '{place.room}': use one of {', '.join(sorted(rooms))}"
            )
        elif not room.contains(place.x, place.y):
            yield source.problem(
                f"{at}/x",
                f"({place.x}, {place.y}) lies outside room '{room.id}' "
                f"(x {room.x_min}..{room.x_max}, y {room.y_min}..{room.y_max}): move it or change its room",
            )
    placed = list(seen)
    for i, first in enumerate(placed):
        a = plan.exhibits[seen[first]]
        for second in placed[i + 1 :]:
            b = plan.exhibits[seen[second]]
            gap = math.dist((a.x, a.y), (b.x, b.y))
            if gap < a.trigger_radius + b.trigger_radius:
                yield source.problem(
                    f"/exhibits/{seen[second]}",
                    f"trigger zones of '{a.id}' and '{b.id}' overlap ({gap:.2f} m apart, radii "
                    f"{a.trigger_radius} + {b.trigger_radius} m): move them apart or shrink a radius",
                )
    for exhibit_id, file_name in sorted(exhibit_files.items()):
        if exhibit_id not in seen:
            yield source.problem(
                "/exhibits",
                f"exhibit '{exhibit_id}' ({file_name}) is missing from the floor plan: "
                "add a placement with its room, x, y and trigger_radius",
            )
    yield from _check_tour(source, plan, set(seen))


def _check_tour(source: SourceFile, plan: FloorPlan, placed: set[str]) -> Iterator[Problem]:
    visited: set[str] = set()
    for index, exhibit_id in enumerate(plan.tour):
        if exhibit_id not in placed:
            yield source.problem(
                f"/tour/{index}",
                f"the tour visits '{exhibit_id}', which the floor plan does not place: "
                "place it or remove it from the tour",
            )
        if exhibit_id in visited:
            yield source.problem(f"/tour/{index}", f"the tour visits '{exhibit_id}' twice: remove one")
        visited.add(exhibit_id)
