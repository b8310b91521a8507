"""`guide bench ...`: every benchmark prints a table with ratios against a reference
measured in the same run. Each benchmark module registers one subcommand here."""

from __future__ import annotations

from typing import Any

from bench import catalogue, claims, engine, injection, narration, proximity, serve, soak, speech, train

BENCH_MODULES = (catalogue, claims, proximity, engine, serve, narration, speech, train, soak, injection)
"""Each registers its subcommand with `add_command(subparsers)`; heavy imports wait for the run."""


def add_commands(subparsers: Any) -> None:
    """Register `guide bench <name>` for every benchmark module."""
    bench = subparsers.add_parser("bench", help="benchmarks: speed and memory tables")
    sub = bench.add_subparsers(dest="bench_command", required=True, metavar="BENCHMARK")
    for module in BENCH_MODULES:
        module.add_command(sub)
