"""Catalogue problems: one line each, naming the file, the place in it, and the fix."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from json_source_map import calculate
from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the catalogue, located as precisely as the file allows."""

    file: str
    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.pointer or '/'}: {self.message}"


@dataclass
class SourceFile:
    """A JSON file's text, with JSON-pointer -> line:column lookup for its problems."""

    path: Path
    display: str
    text: str

    @cached_property
    def _positions(self) -> dict[str, Any]:
        try:
            return calculate(self.text)
        except Exception:  # the source map is best effort; the problem is reported without it
            return {}

    def problem(self, pointer: str, message: str) -> Problem:
        """A problem at `pointer` (e.g. "/facts/2/text"), with its line and column when known."""
        entry = self._positions.get(pointer)
        probe = pointer
        while entry is None and probe:
            probe = probe.rsplit("/", 1)[0]
            entry = self._positions.get(probe)
        if entry is None:
            return Problem(self.display, message, pointer)
        at = entry.key_start or entry.value_start
        return Problem(self.display, message, pointer, at.line + 1, at.column + 1)

    def parse(self) -> tuple[Any, Problem | None]:
        """The parsed JSON, or the syntax problem with its line and column."""
        try:
            return json.loads(self.text), None
        except json.JSONDecodeError as exc:
            return None, Problem(
                self.display,
                f"invalid JSON: {exc.msg}; fix the syntax (a missing comma or quote is typical)",
                "",
                exc.lineno,
                exc.colno,
            )


def pointer_of(loc: tuple[int | str, ...]) -> str:
    """JSON pointer for a pydantic error location."""
    return "".join(f"/{part}" for part in loc)


def explain(err: dict[str, Any]) -> str:
    """A curator-facing sentence for one pydantic error: what is wrong and how to fix it."""
    kind, loc = err["type"], err["loc"]
    key = loc[-1] if loc else "value"
    if kind == "missing":
        return f"required key '{key}' is missing: add it"
    if kind == "extra_forbidden":
        return f"unknown key '{key}': remove it or correct its spelling"
    slug_field = key in ("id", "room") or (len(loc) > 1 and loc[-2] in ("tags", "tour"))
    if kind == "string_pattern_mismatch" and slug_field:
        return (
            f"{err['input']!r} is not a slug: use lower-case letters, digits and single hyphens, "
            "e.g. 'kolossi-castle'"
        )
    if kind == "value_error" and "error" in err.get("ctx", {}):
        return str(err["ctx"]["error"])  # our validators' own sentence, already naming the fix
    if kind == "too_short" and key == "facts":
        return "an exhibit needs at least 5 facts: add single-claim facts with sources"
    shown = repr(err.get("input"))
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return f"{err['msg']} (got {shown})"


def problems_from_validation(source: SourceFile, exc: ValidationError) -> list[Problem]:
    """Turn a pydantic ValidationError on `source` into located problems."""
    return [
        source.problem(pointer_of(tuple(e["loc"])), explain(dict(e))) for e in exc.errors(include_url=False)
    ]
