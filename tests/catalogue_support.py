"""Curator actions on a test's private catalogue copy: add an exhibit (with its place on the floor plan),
slip a fact into one."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

KANTARA = {
    "id": "kantara-castle",
    "title": "Kantara Castle",
    "period": {"label": "Byzantine to Venetian (10th to 16th century)", "start_year": 965, "end_year": 1525},
    "site": "Kantara, Kyrenia mountain range",
    "district": "Famagusta",
    "facts": [
        {"text": "Kantara Castle stands at about 630 metres on the eastern Kyrenia mountain range.",
         "source": "Department of Antiquities, Cyprus", "kind": "description"},
        {"text": "The castle is first mentioned in 1191, when Isaac Komnenos took refuge there.",
         "source": "Department of Antiquities, Cyprus", "kind": "history", "year": 1191},
        {"text": "The Lusignans strengthened the castle in the 14th century.",
         "source": "Department of Antiquities, Cyprus", "kind": "history"},
        {"text": "The Venetians partly dismantled the castle in the 16th century.",
         "source": "Department of Antiquities, Cyprus", "kind": "history"},
        {"text": "Kantara is the easternmost of the three castles of the Kyrenia range.",
         "source": "Department of Antiquities, Cyprus", "kind": "description"},
    ],
    "summary": "Kantara Castle guards the eastern end of the Kyrenia range; it is first mentioned in 1191.",
    "tags": ["medieval", "castle"],
}  # fmt: skip
"""A real castle the shipped catalogue lacks, as a curator would add it (test copies only)."""


def _free_spot(plan: dict[str, Any], radius: float) -> tuple[str, float, float]:
    """A room and a point in it at least 2 radii clear of every zone."""
    placed = plan["exhibits"]
    for room in plan["rooms"]:
        steps = 12
        for i in range(1, steps):
            for j in range(1, steps):
                x = room["x_min"] + (room["x_max"] - room["x_min"]) * i / steps
                y = room["y_min"] + (room["y_max"] - room["y_min"]) * j / steps
                if all(
                    math.dist((x, y), (p["x"], p["y"])) > p["trigger_radius"] + 2 * radius for p in placed
                ):
                    return room["id"], round(x, 2), round(y, 2)
    raise AssertionError("the floor plan has no free spot for one more exhibit")


def add_exhibit(exhibits_dir: Path, exhibit: dict[str, Any] = KANTARA, *, radius: float = 0.5) -> None:
    """Write the exhibit's file and place it on the floor plan, as a curator adds one."""
    plan_path = exhibits_dir / "museum.json"
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    room, x, y = _free_spot(plan, radius)
    plan["exhibits"].append({"id": exhibit["id"], "room": room, "x": x, "y": y, "trigger_radius": radius})
    plan["tour"].append(exhibit["id"])
    (exhibits_dir / f"{exhibit['id']}.json").write_text(json.dumps(exhibit, indent=2), encoding="utf-8")
    plan_path.write_text(json.dumps(plan, indent=2), encoding="utf-8")


def slip_in_fact(exhibits_dir: Path, exhibit_id: str, text: str) -> None:
    """Append a fact to an exhibit's file: a curator-side prompt injection."""
    path = exhibits_dir / f"{exhibit_id}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["facts"].append({"text": text, "source": "curator note", "kind": "description"})
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
