"""`guide bench ...`: every benchmark prints a table with ratios against a reference
measured in the same run. Each benchmark module registers one subcommand here."""

from __future__ import annotations

import importlib
from typing import Any

BENCH_MODULES = (
    "bench.catalogue",
    "bench.claims",
    "bench.proximity",
    "bench.engine",
    "bench.serve",
    "bench.speech",
    "bench.train",
    "bench.soak",
    "bench.injection",
)


def add_commands(subparsers: Any) -> None:
    """Register `guide bench <name>` for every benchmark module."""
    bench = subparsers.add_parser("bench", help="benchmarks: speed and memory tables")
    sub = bench.add_subparsers(dest="bench_command", required=True, metavar="BENCHMARK")
    for name in BENCH_MODULES:
        importlib.import_module(name).add_command(sub)
