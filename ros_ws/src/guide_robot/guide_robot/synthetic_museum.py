"""A generated museum of any size, for the proximity benchmark and the robot tests.

Exhibits stand on a grid, `spacing` metres apart, in a single room; the tour
visits them row by row, so a robot driving the tour in straight lines crosses
no other exhibit's zone.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from guide_core.catalogue.loader import FLOOR_PLAN_FILE


def exhibit_id(index: int) -> str:
    """The id of the generated exhibit number `index`."""
    return f"exhibit-{index:03d}"


def write_museum(
    folder: Path, *, count: int, spacing: float = 3.0, radius: float = 1.0, columns: int = 0
) -> Path:
    """Write `count` valid exhibits and a floor plan into `folder`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = columns or max(1, math.ceil(math.sqrt(count)))
    rows = math.ceil(count / columns)
    places = []
    for index in range(count):
        row, column = divmod(index, columns)
        if row % 2:
            column = columns - 1 - column  # serpentine: the next exhibit is always a neighbour
        places.append(
            {
                "id": exhibit_id(index),
                "room": "hall",
                "x": spacing * (column + 1),
                "y": spacing * (row + 1),
                "trigger_radius": radius,
            }
        )
        _write_exhibit(folder, index)
    plan = {
        "name": f"Synthetic museum of {count} exhibits",
        "rooms": [
            {
                "id": "hall",
                "name": "Hall",
                "x_min": 0.0,
                "y_min": 0.0,
                "x_max": spacing * (columns + 1),
                "y_max": spacing * (rows + 1),
            }
        ],
        "exhibits": places,
        "tour": [p["id"] for p in places],
    }
    (folder / FLOOR_PLAN_FILE).write_text(json.dumps(plan, indent=2), encoding="utf-8")
    return folder


def _write_exhibit(folder: Path, index: int) -> None:
    ident = exhibit_id(index)
    facts = [
        {
            "text": f"Exhibit {index} is a generated test piece number {n}.",
            "source": "guide test suite",
            "kind": "description",
        }
        for n in range(5)
    ]
    exhibit = {
        "id": ident,
        "title": f"Generated exhibit {index}",
        "period": {"label": "Medieval", "start_year": 1191, "end_year": 1489},
        "site": "Nicosia",
        "district": "Nicosia",
        "facts": facts,
        "summary": f"A generated exhibit, number {index}, for tests and benchmarks.",
    }
    (folder / f"{ident}.json").write_text(json.dumps(exhibit, indent=2), encoding="utf-8")
