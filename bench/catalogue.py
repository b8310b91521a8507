"""`guide bench catalogue`: how long validating the whole catalogue takes.

Reference, in the same run: reading and `json.loads`-ing the same files, the
least any validator must do.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.table import print_table
from guide_core.catalogue.loader import load_catalogue
from guide_core.paths import DEFAULT_EXHIBITS_DIR


def add_command(sub: Any) -> None:
    """Register `guide bench catalogue`."""
    parser = sub.add_parser("catalogue", help="time full catalogue validation")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_EXHIBITS_DIR)
    parser.add_argument("--repeat", type=int, default=20)
    parser.set_defaults(handler=run)


def _timings(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(args: argparse.Namespace) -> int:
    """Time validation and the bare JSON parse; print median, max and the ratio."""
    folder: Path = args.path

    def parse_only() -> None:
        for path in sorted(folder.glob("*.json")):
            json.loads(path.read_text(encoding="utf-8"))

    def validate() -> None:
        result = load_catalogue(folder)
        if result.catalogue is None:
            raise SystemExit(f"catalogue has problems; run `guide exhibits validate {folder}`")

    files = len(list(folder.glob("*.json")))
    reference = _timings(parse_only, args.repeat)
    measured = _timings(validate, args.repeat)
    ref_median = statistics.median(reference)
    rows = [
        ["json.loads only (reference)", files, ref_median, max(reference), 1.0],
        [
            "guide validation",
            files,
            statistics.median(measured),
            max(measured),
            statistics.median(measured) / ref_median,
        ],
    ]
    print_table(["what", "files", "median ms", "max ms", "x reference"], rows)
    return 0
