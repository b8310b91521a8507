"""`guide exhibits validate|schema|list`: the curators' commands."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from guide_core.catalogue.instructions import instruction_marker
from guide_core.catalogue.loader import Catalogue, display_name, load_catalogue
from guide_core.catalogue.models import Exhibit, FloorPlan
from guide_core.catalogue.problems import SourceFile
from guide_core.paths import DEFAULT_EXHIBITS_DIR


def add_commands(subparsers: Any) -> None:
    """Register `guide exhibits ...`."""
    exhibits = subparsers.add_parser("exhibits", help="validate, list and describe the exhibit catalogue")
    sub = exhibits.add_subparsers(dest="exhibits_command", required=True, metavar="ACTION")

    validate = sub.add_parser("validate", help="check every exhibit file and the floor plan together")
    validate.add_argument("path", nargs="?", type=Path, default=DEFAULT_EXHIBITS_DIR)
    validate.set_defaults(handler=validate_command)

    schema = sub.add_parser("schema", help="write the JSON Schemas that editors validate against")
    schema.add_argument("path", nargs="?", type=Path, default=DEFAULT_EXHIBITS_DIR)
    schema.set_defaults(handler=schema_command)

    listing = sub.add_parser("list", help="print the catalogue in tour order")
    listing.add_argument("path", nargs="?", type=Path, default=DEFAULT_EXHIBITS_DIR)
    listing.set_defaults(handler=list_command)


def validate_command(args: argparse.Namespace) -> int:
    """Print one line per problem; exit 0 when clean, 1 when not."""
    started = time.perf_counter()
    result = load_catalogue(args.path)
    elapsed = time.perf_counter() - started
    for problem in result.problems:
        print(problem)
    if result.catalogue is None:
        print(f"{len(result.problems)} problem(s) in {args.path}", file=sys.stderr)
        return 1
    for warning in instruction_warnings(args.path, result.catalogue):
        print(warning)
    count = len(result.catalogue.exhibits)
    print(f"ok: {count} exhibits and the floor plan are valid ({elapsed * 1000:.0f} ms)")
    return 0


def instruction_warnings(folder: Path, catalogue: Catalogue) -> list[str]:
    """One line per fact that reads like an instruction to a model: never prompted, never evidence."""
    lines = []
    for exhibit in catalogue.exhibits.values():
        path = folder / f"{exhibit.id}.json"
        source = SourceFile(path, display_name(path, folder), path.read_text(encoding="utf-8"))
        for index, fact in enumerate(exhibit.facts):
            marker = instruction_marker(fact.text)
            if marker is not None:
                problem = source.problem(
                    f"/facts/{index}/text",
                    f"warning: reads like an instruction to the model ({marker.group(0)!r}); the guide never "
                    "puts it in a prompt nor takes it as evidence: rewrite it as a fact about the exhibit",
                )
                lines.append(str(problem))
    return lines


def schema_command(args: argparse.Namespace) -> int:
    """Write schema.json (exhibits) and museum.schema.json (floor plan) into the folder."""
    folder: Path = args.path
    for name, model in (("schema.json", Exhibit), ("museum.schema.json", FloorPlan)):
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        (folder / name).write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {folder / name}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    """Print each exhibit of the tour with its period and fact count."""
    result = load_catalogue(args.path)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.catalogue is None:
        return 1
    for index, exhibit in enumerate(result.catalogue.tour(), start=1):
        print(
            f"{index:2d}. {exhibit.title} — {exhibit.period.label}, {exhibit.site} ({len(exhibit.facts)} facts)"
        )
    return 0
