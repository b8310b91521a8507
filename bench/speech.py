"""`guide bench speech`: how fast the guide speaks, and what speech costs the text.

1. Real-time factor of the packaged voice (seconds to synthesise / seconds of
   audio) over the first facts of several exhibits, one sentence at a time as
   the server speaks them. Goal: at most 0.1 on 2 cores.
2. On a real uvicorn server with the real engine (description cache off, a new
   exhibit every round) and real `websockets` visitors, for 1 and 50 visitors:
   proximity `enter` to the first released sentence with speech off (the
   reference, measured in the same run) and with every visitor's speech on,
   and proximity to the first `speech.audio`. Goals: first audio at most 1.5 s
   for one visitor; speech adds at most 10% to the time to first text.
Clients share the server's event loop, so their work is in the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.engine_timing import forget_prompts
from bench.serve import EXHIBITS, percentile
from bench.server_settings import bench_settings
from bench.table import print_table
from bench.visits import timed_visit
from guide_core.paths import DEFAULT_EXHIBITS_DIR


def add_command(sub: Any) -> None:
    """Register `guide bench speech`."""
    parser = sub.add_parser(
        "speech", help="voice real-time factor; proximity to first audio, speech on vs off"
    )
    parser.add_argument("--engine", choices=["onnx", "transformers", "scripted"], default="onnx")
    parser.add_argument("--visitors", default="1,50", help="comma-separated visitor counts")
    parser.add_argument("--rounds", type=int, default=3, help="descriptions per visitor count and mode")
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--exhibits", type=Path, default=DEFAULT_EXHIBITS_DIR)
    parser.set_defaults(handler=run)


def real_time_factor(sentences: list[str]) -> tuple[float, float, float, float]:
    """(voice load s, first sentence s, seconds of audio, real-time factor) of the packaged voice."""
    from guide_server.speech.voices import load_english_voice

    started = time.perf_counter()
    voice = load_english_voice()
    loaded = time.perf_counter() - started
    spent = audio = 0.0
    first = None
    for sentence in sentences:
        started = time.perf_counter()
        clip = voice.synthesize(sentence)
        took = time.perf_counter() - started
        first = took if first is None else first
        spent += took
        audio += clip.duration_ms / 1000
    return loaded, first or 0.0, audio, spent / audio


async def _round(
    url: str, count: int, exhibit_id: str, seq: int, speech: bool
) -> list[tuple[float, float | None]]:
    """Each visitor's (ms to first released sentence, ms to first audio) after one `enter`."""
    from guide_core.protocol import parse_server_message

    async def listen(socket: Any) -> tuple[float, float | None]:
        text = audio = None
        ended = False
        while not (ended and (audio is not None or not speech)):
            message = parse_server_message(await socket.recv())
            now = time.perf_counter()
            if message.type == "description.delta" and text is None:
                text = now
            elif message.type == "speech.audio" and audio is None:
                audio = now
            elif message.type == "description.end":
                ended = True
                if not message.fact_check or not message.fact_check.released:
                    break
        return (text or time.perf_counter(), audio)

    sent, results = await timed_visit(url, count, exhibit_id, seq, listen, speech=speech)
    return [
        ((text - sent) * 1000, None if audio is None else (audio - sent) * 1000) for text, audio in results
    ]


async def _measure(args: argparse.Namespace) -> list[list[object]]:
    from guide_server.api import create_app
    from guide_server.api.running import running_server
    from guide_server.generation.engines.factory import build_engine

    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as scratch:
        settings = bench_settings(
            args, Path(scratch) / "feedback.sqlite3", speech_cache_size=0, visitor_queue_size=1024
        )
        engine = build_engine(settings)
        async with running_server(create_app(settings, engine=engine)) as url:
            await asyncio.wait_for(_ready(url), 600)
            seq = 0
            for count in [int(n) for n in args.visitors.split(",")]:
                figures: dict[bool, list[tuple[float, float | None]]] = {False: [], True: []}
                for index in range(max(1, args.rounds)):
                    exhibit = EXHIBITS[index % len(EXHIBITS)]
                    for speech in (False, True):  # the same exhibit each way, one right after the other
                        forget_prompts(engine)  # every round reads its prompt cold
                        figures[speech] += await _round(url, count, exhibit, seq, speech)
                        seq += 2
                off = [text for text, _ in figures[False]]
                on = [text for text, _ in figures[True]]
                audio = [a for _, a in figures[True] if a is not None]
                rows.append([
                    count, statistics.median(off), statistics.median(on), statistics.median(on) / statistics.median(off),
                    percentile(audio, 0.5) if audio else float("nan"), percentile(audio, 0.95) if audio else float("nan"),
                    f"{len(audio)}/{len(on)}",
                ])  # fmt: skip
    return rows


async def _ready(url: str) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=url) as client:
        while (await client.get("/readyz")).status_code != 200:
            await asyncio.sleep(0.2)


def run(args: argparse.Namespace) -> int:
    """Measure and print both tables."""
    from guide_core.catalogue.loader import load_catalogue_or_raise

    catalogue = load_catalogue_or_raise(args.exhibits)
    sentences = [catalogue.exhibits[e].facts[0].text for e in EXHIBITS]
    loaded, first, audio, factor = real_time_factor(sentences)
    print(f"voice en_US-joe-medium: load {loaded:.2f} s, first sentence {first:.3f} s")
    print_table(["sentences", "audio s", "real-time factor (goal <= 0.1)"], [[len(sentences), audio, factor]])
    print()
    rows = asyncio.run(_measure(args))
    print(
        f"engine {args.engine}, {args.max_new_tokens} new tokens, description cache off, {args.rounds} rounds"
    )
    headers = [
        "visitors",
        "1st text ms, speech off",
        "1st text ms, speech on",
        "on / off (goal <= 1.1)",
        "1st audio p50 ms (goal <= 1500)",
        "1st audio p95 ms",
        "visitors with audio",
    ]
    print_table(headers, rows)
    return 0
