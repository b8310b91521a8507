"""`guide bench serve`: time from the robot's proximity event to the first released sentence in the headsets.

For 1, 50 and 200 concurrent visitors on one tour, a real uvicorn server and
real `websockets` clients in this process: the robot sends `proximity enter`,
each visitor records when its first `description.delta` (the first sentence the
claim checker released) and its `description.end` arrive. Reference, in the
same run: the bare engine generating the same prompt (no server, no sockets,
no checking), timed to its first token and to the end of its first sentence.
The checker's share is its time per sentence (`fact_check.check_ms`) over the
client's time to the first released sentence. Ratios are server over
reference: time to first token (lower is better) and tokens per second
(closer to 1 is better). Each round's reference is measured just before it,
on the same exhibit's prompt; the engine's prompt-prefix cache is emptied
before both, so neither reuses the other's prompt. The description cache is off, so every round
generates. Clients share the server's event loop, so their own work is
included in the figures (a pessimistic bound).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.engine_timing import bare_engine_timing, forget_prompts, visitor_round
from bench.reference import (
    BENCH_PYTHON,
    cached_description_latency,
    measure_llamacpp,
    print_cached,
    print_llamacpp,
)
from bench.server_settings import bench_settings
from bench.table import print_table
from guide_core.paths import DEFAULT_EXHIBITS_DIR

EXHIBITS = ("kolossi-castle", "kourion-theatre", "choirokoitia", "kyrenia-ship", "salamis", "amathus")


def add_command(sub: Any) -> None:
    """Register `guide bench serve`."""
    parser = sub.add_parser(
        "serve", help="proximity to first released sentence at 1/50/200 visitors vs the bare engine"
    )
    parser.add_argument("--engine", choices=["onnx", "transformers", "scripted"], default="onnx")
    parser.add_argument("--visitors", default="1,50,200", help="comma-separated visitor counts")
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=1, help="descriptions per visitor count")
    parser.add_argument("--exhibits", type=Path, default=DEFAULT_EXHIBITS_DIR)
    parser.add_argument(
        "--reference", choices=["llamacpp"], help="also time llama.cpp on the same prompts (make bench-env)"
    )
    parser.add_argument("--reference-python", type=Path, default=BENCH_PYTHON, help=argparse.SUPPRESS)
    parser.add_argument("--cached-replays", type=int, default=5, help="replays of a cached description")
    tour = parser.add_argument_group("simulated tour (bench/simulated_tour.py)")
    tour.add_argument(
        "--simulated-tour",
        action="store_true",
        help="instead: enter -> first released sentence on a simulated tour, pre-generation on vs off",
    )
    tour.add_argument("--tour-stops", type=int, default=6, help="exhibits of the floor plan's tour to visit")
    tour.add_argument("--tour-speed", type=float, default=0.5, help="m/s (`guide robot --sim`'s default)")
    tour.add_argument(
        "--tour-pause", type=float, default=5.0, help="seconds at each exhibit (the simulator's)"
    )
    parser.set_defaults(handler=run)


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _engine(kind: str) -> Any:
    if kind == "scripted":
        from guide_server.generation.engines.scripted import ScriptedEngine

        return ScriptedEngine()
    if kind == "onnx":
        from guide_server.generation.engines.onnx import OnnxGenAIEngine

        return OnnxGenAIEngine()
    from guide_server.generation.engines.transformers import TransformersEngine

    return TransformersEngine()


async def _measure(args: argparse.Namespace) -> tuple[list[list[object]], dict[str, Any]]:
    from guide_core.catalogue.loader import load_catalogue_or_raise
    from guide_core.protocol import VisitorProfile
    from guide_server.api import create_app
    from guide_server.api.running import running_server
    from guide_server.generation.prompts import description_messages
    from guide_server.narration.retrieval import MiniLMEmbedder

    catalogue = load_catalogue_or_raise(args.exhibits)
    counts = [int(n) for n in args.visitors.split(",")]
    engine = _engine(args.engine)
    await engine.start()
    embedder = MiniLMEmbedder()
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as scratch:
        settings = bench_settings(args, Path(scratch) / "feedback.sqlite3", visitor_queue_size=1024)
        async with running_server(create_app(settings, engine=engine, embedder=embedder)) as url:
            seq = 0
            for count in counts:
                ref_ttft: list[float] = []
                ref_sentence: list[float] = []
                ref_rate: list[float] = []
                ttfts: list[float] = []
                rates: list[float] = []
                checks: list[float] = []
                for _ in range(max(1, args.rounds)):
                    # A new exhibit every round (the robot really moves on, nothing is replayed);
                    # the reference generates the same prompt just before, on the same engine.
                    exhibit = catalogue.exhibits[EXHIBITS[(seq // 2) % len(EXHIBITS)]]
                    messages = description_messages(exhibit, VisitorProfile())
                    forget_prompts(engine)
                    ttft, first_sentence, rate = await bare_engine_timing(
                        engine, messages, args.max_new_tokens
                    )
                    ref_ttft.append(ttft)
                    ref_sentence.append(first_sentence)
                    ref_rate.append(rate)
                    forget_prompts(engine)
                    ttft_list, rate_list, check_list = await visitor_round(url, count, exhibit.id, seq)
                    seq += 2
                    ttfts += ttft_list
                    rates += rate_list
                    checks += check_list
                p50, p95 = percentile(ttfts, 0.5), percentile(ttfts, 0.95)
                ref_p50, ref_first = statistics.median(ref_ttft), statistics.median(ref_sentence)
                ref_speed = statistics.median(ref_rate)
                check_ms = statistics.median(checks) if checks else 0.0
                rows.append(
                    [count, ref_p50, ref_first, p50, p95, p50 / ref_first, check_ms, check_ms / p50, ref_speed]
                )  # fmt: skip
        # A second server with the description cache on: the first visit generates, the rest replay.
        extras: dict[str, Any] = {"label": getattr(engine, "describe", lambda: engine.model_id)()}
        cached_settings = settings.model_copy(update={"description_cache_size": 16})
        await engine.start()  # the first server's shutdown closed it
        async with running_server(create_app(cached_settings, engine=engine, embedder=embedder)) as url:
            extras["cached"] = await cached_description_latency(
                url, EXHIBITS[0], replays=max(1, args.cached_replays), seq=0
            )
    if args.reference == "llamacpp":
        await engine.start()
        extras["llamacpp"] = await measure_llamacpp(engine, catalogue, EXHIBITS[:3], args)
    await engine.close()
    return rows, extras


async def _measure_tour(args: argparse.Namespace) -> tuple[str, list[list[object]]]:
    from bench.simulated_tour import measure_tours
    from guide_server.narration.retrieval import MiniLMEmbedder

    engine = _engine(args.engine)
    await engine.start()
    with tempfile.TemporaryDirectory() as scratch:
        rows = await measure_tours(args, engine, MiniLMEmbedder(), scratch)
    label = getattr(engine, "describe", lambda: engine.model_id)()
    await engine.close()
    return label, rows


def run(args: argparse.Namespace) -> int:
    """Measure and print the table."""
    if args.simulated_tour:
        from bench.simulated_tour import TOUR_HEADERS

        label, rows = asyncio.run(_measure_tour(args))
        print(
            f"engine: {label}, {args.max_new_tokens} new tokens, cache off; simulated tour of {args.tour_stops} "
            f"exhibits at {args.tour_speed} m/s, {args.tour_pause} s at each; reference: pre-generation off"
        )
        print_table(TOUR_HEADERS, rows)
        return 0
    rows, extras = asyncio.run(_measure(args))
    print(f"engine: {extras['label']}, {args.max_new_tokens} new tokens, cache off")
    headers = [
        "visitors",
        "bare ttft ms",
        "bare 1st sentence ms",
        "released p50 ms",
        "released p95 ms",
        "p50 x bare sentence",
        "checker ms/sentence",
        "checker share",
        "bare tok/s",
    ]
    print_table(headers, rows)
    print_cached(extras["cached"])
    if "llamacpp" in extras:
        print_llamacpp(extras["llamacpp"], extras["label"], args.max_new_tokens)
    return 0
