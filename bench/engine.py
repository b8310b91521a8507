"""`guide bench engine`: time to first token and tokens/s of the guide's TransformersEngine.

Reference, in the same run on the same loaded model: a plain greedy `model.generate`
of the same prompt with the same token budget (a bare streamer only timestamps
tokens). The engine adds prompt rendering, the worker thread, word-wise decoding
and the hand-over to the event loop; the ratios show what that costs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.table import print_table
from guide_core.catalogue import load_catalogue_or_raise
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_core.protocol import VisitorProfile
from guide_server.generation.engine import GenerationParams
from guide_server.generation.prompts import (
    ANSWER_FACTS,
    answer_messages,
    description_facts,
    description_messages,
)

if TYPE_CHECKING:
    from guide_server.generation.engines.transformers import TransformersEngine

EXHIBITS = ("kolossi-castle", "choirokoitia", "kourion-theatre")
QUESTION = "When was it built, and by whom?"


def add_command(sub: Any) -> None:
    """Register `guide bench engine`."""
    parser = sub.add_parser("engine", help="time to first token and tokens/s of the local engine")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: all cores, up to 8)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per prompt; the median is shown")
    parser.set_defaults(handler=run)


@dataclass
class Timing:
    """One generation: tokens, time to the first token and to the first visible text, total."""

    new_tokens: int
    reused_tokens: int
    first_token_s: float
    first_text_s: float
    total_s: float

    @property
    def tokens_per_s(self) -> float:
        """Decoding speed after the first token."""
        return (self.new_tokens - 1) / max(self.total_s - self.first_token_s, 1e-9)


class _TokenClock:
    """A `generate` streamer that only notes when tokens arrive."""

    def __init__(self) -> None:
        self.prompt_seen = False
        self.first: float | None = None
        self.count = 0

    def put(self, value: Any) -> None:
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        if self.first is None:
            self.first = time.perf_counter()
        self.count += int(value.numel())

    def end(self) -> None:
        pass


def reference_generate(model: Any, tokenizer: Any, prompt: str, params: GenerationParams) -> Timing:
    """Plain `model.generate` of an already rendered prompt, timed."""
    import torch

    from guide_server.generation.engines.transformers import sampling_kwargs

    clock = _TokenClock()
    started = time.perf_counter()
    inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
    with torch.inference_mode():
        model.generate(
            **inputs,
            **sampling_kwargs(params),
            pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
            streamer=clock,
        )
    total = time.perf_counter() - started
    first = (clock.first or started) - started
    return Timing(clock.count, 0, first, first, total)


async def engine_generate(engine: TransformersEngine, messages: Any, params: GenerationParams) -> Timing:
    """One `engine.stream()`, timed from the reader's side."""
    started = time.perf_counter()
    first_text: float | None = None
    async for _ in engine.stream(messages, params):
        if first_text is None:
            first_text = time.perf_counter() - started
    total = time.perf_counter() - started
    stats = engine.last_stats
    assert stats is not None and stats.first_token_s is not None
    return Timing(
        stats.new_tokens, stats.reused_prompt_tokens, stats.first_token_s, first_text or total, total
    )


def _median(timings: list[Timing]) -> Timing:
    return Timing(
        new_tokens=timings[0].new_tokens,
        reused_tokens=timings[0].reused_tokens,
        first_token_s=statistics.median(t.first_token_s for t in timings),
        first_text_s=statistics.median(t.first_text_s for t in timings),
        total_s=statistics.median(t.total_s for t in timings),
    )


def _requests(catalogue: Any) -> list[tuple[str, str, Any]]:
    """(exhibit, request, messages): each exhibit's description, then a visitor's question about it."""
    profile = VisitorProfile()
    requests = []
    for exhibit_id in EXHIBITS:
        exhibit = catalogue.exhibits[exhibit_id]
        requests.append((exhibit_id, "description", description_messages(exhibit, profile)))
        facts = description_facts(exhibit)[:ANSWER_FACTS]
        requests.append((exhibit_id, "question", answer_messages(exhibit, QUESTION, profile, facts)))
    return requests


async def _measure(args: argparse.Namespace) -> tuple[str, int, list[list[object]]]:
    from guide_server.generation.engines.transformers import TransformersEngine

    catalogue = load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR)
    engine = TransformersEngine(threads=args.threads)
    await engine.start()
    params = GenerationParams(max_new_tokens=args.max_new_tokens)
    rows: list[list[object]] = []
    try:
        for exhibit_id, request, messages in _requests(catalogue):
            prompt = engine.render(messages)
            prompt_tokens = len(engine.tokenizer(prompt, add_special_tokens=False)["input_ids"])
            refs, runs = [], []
            for _ in range(args.repeat):
                refs.append(
                    await asyncio.to_thread(
                        reference_generate, engine.model, engine.tokenizer, prompt, params
                    )
                )
                runs.append(await engine_generate(engine, messages, params))
            ref, measured = _median(refs), _median(runs)
            for name, timing in (("model.generate (reference)", ref), ("TransformersEngine", measured)):
                rows.append(
                    [
                        exhibit_id,
                        request,
                        name,
                        prompt_tokens,
                        timing.reused_tokens,
                        timing.new_tokens,
                        timing.first_token_s * 1000,
                        timing.first_text_s * 1000,
                        timing.tokens_per_s,
                        timing.first_token_s / ref.first_token_s,
                        timing.tokens_per_s / ref.tokens_per_s,
                    ]
                )
    finally:
        await engine.close()
    return engine.model_id, engine.threads, rows


def run(args: argparse.Namespace) -> int:
    """Time the engine and the plain-generate reference on three exhibits; print the table."""
    model_id, threads, rows = asyncio.run(_measure(args))
    print(f"model {model_id}, greedy, {args.max_new_tokens} new tokens, {threads} torch threads")
    print_table(
        [
            "exhibit",
            "request",
            "what",
            "prompt tok",
            "reused tok",
            "new tok",
            "first token ms",
            "first text ms",
            "tok/s",
            "x ref first token",
            "x ref tok/s",
        ],
        rows,
    )
    return 0
