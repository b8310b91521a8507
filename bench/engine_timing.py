"""Timings shared by `guide bench serve` and its llama.cpp reference: the engine alone, a round of visitors."""

from __future__ import annotations

import time
from typing import Any

from bench.visits import timed_visit


def forget_prompts(engine: Any) -> None:
    """Empty the engine's prompt-prefix cache, if it has one, so each run reads its prompt cold."""
    prefixes = getattr(engine, "prefixes", None)
    if prefixes is not None:
        prefixes.clear()


async def bare_engine_timing(engine: Any, messages: list, budget: int) -> tuple[float, float, float]:
    """(ms to first token, ms to the end of the first sentence, tokens/s after the first token) alone."""
    from guide_server.generation.engine import GenerationParams
    from guide_server.narration.claim_text import complete_sentences

    started = time.perf_counter()
    first = last = sentence = None
    tokens = 0
    text = ""
    async for chunk in engine.stream(messages, GenerationParams(max_new_tokens=budget)):
        last = time.perf_counter()
        first = first or last
        tokens += chunk.tokens
        text += chunk.text
        if sentence is None and complete_sentences(text)[0]:
            sentence = last
    assert first is not None and last is not None, "the engine produced no text"
    sentence = sentence or last
    rate = (tokens - 1) / (last - first) if last > first else float("nan")
    return (first - started) * 1000, (sentence - started) * 1000, rate


async def visitor_round(
    url: str, count: int, exhibit_id: str, seq: int
) -> tuple[list[float], list[float], list[float]]:
    """`count` visitors on one proximity: ms to first delta, tokens/s, claim-check ms per sentence."""
    from guide_core.protocol import parse_server_message

    async def listen(socket: Any) -> tuple[float, float, int, float]:
        first = None
        while True:
            message = parse_server_message(await socket.recv())
            if message.type == "description.delta" and first is None:
                first = time.perf_counter()
            if message.type == "description.end":
                check = message.fact_check
                checks = check.released + len(check.withheld) if check else 0
                per_sentence = check.check_ms / checks if check and checks else 0.0
                return (first or time.perf_counter(), time.perf_counter(), message.token_count, per_sentence)

    sent, results = await timed_visit(url, count, exhibit_id, seq, listen)
    ttft = [(first - sent) * 1000 for first, _, _, _ in results]
    rates = [(tokens - 1) / (end - first) for first, end, tokens, _ in results if end > first and tokens > 1]
    return ttft, rates, [check for *_, check in results]
