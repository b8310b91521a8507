"""`guide bench narration`: what the narration says per audience, and how soon, against goals.

Every exhibit of the catalogue (or `--exhibits`) is described once per audience
through the narration's public API only (`description_request`, then
`Narrator.narrate`, collecting the published `description.*` messages), so the
bench measures whatever the narrator does. The released sentences are scored
by `training.evaluation.narration_metrics`: words, curated facts stated, the
share said in the plain statement's place (`fact_check.replaced`), repeated
sentences, "The museum's record says" banners, Flesch-Kincaid grade, and the
share of sentences that differ from the record's own wording.

Timing, uncached: the engine's prompt-prefix cache is emptied before each
generation and the description cache misses, so every first description
generates. The first released sentence is timed from `narrate` to its first
`description.delta`. Reference, in the same run on the same engine and prompt
(`request.messages`), measured just before: the bare engine's time to its first
token and to the end of its first sentence (stopped there; no checking). Then
the same request is replayed through the same narrator, whose description
cache now holds it: the cached time to the first delta.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, Field

from bench.engine_timing import forget_prompts
from bench.serve import percentile
from bench.table import print_table
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_core.protocol import DescriptionDelta, DescriptionEnd, DescriptionStart, FinishReason
from training.evaluation.narration_metrics import DescriptionFigures, describe, normalised_words

AUDIENCES = ("child", "adult", "expert")
GOAL_ADULT_WORDS = 90
GOAL_ADULT_FACTS = 5
GOAL_CHILD_GRADE = 6.0
GOAL_FIRST_MS = 1000.0
GOAL_CACHED_MS = 10.0
FINISHED = (FinishReason.STOP.value, FinishReason.LENGTH.value)
"""Finish reasons of a description that completed (and so was cached)."""


def add_command(sub: Any) -> None:
    """Register `guide bench narration`."""
    from guide_server.core.config import EngineKind

    parser = sub.add_parser(
        "narration", help="descriptions per audience: words, facts, repeats, grade, first sentence vs goals"
    )
    parser.add_argument("--engine", choices=get_args(EngineKind), default="onnx")
    parser.add_argument("--audiences", default=",".join(AUDIENCES), help="comma-separated audiences")
    parser.add_argument("--exhibits", default="", help="comma-separated exhibit ids (default: all)")
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_EXHIBITS_DIR, help="exhibits folder")
    parser.add_argument(
        "--max-new-tokens", type=int, default=None, help="generation budget (default: the audience's)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the raw figures here")
    parser.set_defaults(handler=run)


class DescriptionRun(BaseModel):
    """One description as the bench heard it, with its text figures and timings."""

    figures: DescriptionFigures = Field(description="The released text's figures.")
    text: str
    finish_reason: str
    first_sentence_ms: float | None = Field(description="narrate -> first description.delta, uncached.")
    cached_first_ms: float | None = Field(description="The same request replayed from the cache.")
    bare_first_token_ms: float = Field(description="Reference: the bare engine's first token.")
    bare_first_sentence_ms: float = Field(description="Reference: the bare engine's first sentence.")


class AudienceSummary(BaseModel):
    """The figures of one audience over all exhibits."""

    audience: str
    descriptions: int
    words_p50: float
    facts_p50: float
    fallback_share: float = Field(description="Replaced sentences over released sentences, pooled.")
    repeated: int
    banners: int
    fk_p50: float
    fk_max: float
    differ_share: float = Field(description="Sentences not a near-copy of the record, pooled.")
    failed: int = Field(description="Descriptions that ended in an error.")
    first_p50_ms: float
    first_p95_ms: float
    cached_p50_ms: float
    bare_first_token_p50_ms: float
    bare_first_sentence_p50_ms: float
    identical_to_adult: int | None = Field(description="Exhibits whose text equals the adult one.")


class NarrationReport(BaseModel):
    """What `--json` writes."""

    engine: str
    summaries: list[AudienceSummary]
    descriptions: list[DescriptionRun]


@dataclass
class Heard:
    """What one `narrate` published: released sentences, its end, and when its first delta came."""

    sentences: list[str]
    end: DescriptionEnd | None
    cached: bool
    first_delta_ms: float | None


async def hear(narrator: Any, request: Any) -> Heard:
    """Narrate `request`, keeping the released sentences, the end message and the first delta's time."""
    sentences: list[str] = []
    found: dict[str, Any] = {}
    started = time.perf_counter()

    def publish(message: BaseModel) -> None:
        if isinstance(message, DescriptionStart):
            found["cached"] = message.cached
        elif isinstance(message, DescriptionDelta):
            found.setdefault("first", time.perf_counter())
            sentences.append(message.text.strip())
        elif isinstance(message, DescriptionEnd):
            found["end"] = message

    await narrator.narrate(request, publish)
    first = found.get("first")
    return Heard(
        sentences=sentences,
        end=found.get("end"),
        cached=found.get("cached", False),
        first_delta_ms=(first - started) * 1000 if first is not None else None,
    )


async def bare_first_sentence(engine: Any, messages: list, budget: int) -> tuple[float, float]:
    """Reference: ms to the bare engine's first token and to the end of its first sentence (then stopped)."""
    from guide_server.generation.engine import GenerationParams
    from guide_server.narration.claim_text import complete_sentences

    started = time.perf_counter()
    first: float | None = None
    text = ""
    async with aclosing(engine.stream(messages, GenerationParams(max_new_tokens=budget))) as chunks:
        async for chunk in chunks:
            first = first or time.perf_counter()
            text += chunk.text
            if complete_sentences(text)[0]:
                break
    if first is None:
        raise RuntimeError("the engine produced no text for the reference")
    return (first - started) * 1000, (time.perf_counter() - started) * 1000


async def describe_once(
    narrator: Any, catalogue: Any, exhibit_id: str, audience: str, seq: int
) -> DescriptionRun:
    """Reference, then the uncached description, then its cached replay, of one exhibit for one audience."""
    from guide_core.protocol import Audience, VisitorProfile
    from guide_server.narration.narrator import description_request

    engine = narrator.engine

    def request(suffix: str) -> Any:
        return description_request(
            catalogue,
            request_id=f"bench-{seq}-{suffix}",
            exhibit_id=exhibit_id,
            profile=VisitorProfile(audience=Audience(audience), language="en"),
            model_id=engine.model_id,
        )

    uncached = request("uncached")
    forget_prompts(engine)
    budget = narrator.params(uncached.profile).max_new_tokens
    bare_token, bare_sentence = await bare_first_sentence(engine, uncached.messages, budget)
    forget_prompts(engine)
    heard = await hear(narrator, uncached)
    finish = heard.end.finish_reason.value if heard.end is not None else "none"
    cached_ms = None
    if finish in FINISHED:
        replay = await hear(narrator, request("cached"))
        cached_ms = replay.first_delta_ms if replay.cached else None
    check = heard.end.fact_check if heard.end is not None else None
    exhibit = catalogue.exhibits[exhibit_id]
    return DescriptionRun(
        figures=describe(heard.sentences, exhibit, audience=audience, check=check),
        text=" ".join(heard.sentences),
        finish_reason=finish,
        first_sentence_ms=heard.first_delta_ms,
        cached_first_ms=cached_ms,
        bare_first_token_ms=bare_token,
        bare_first_sentence_ms=bare_sentence,
    )


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarise(audience: str, runs: list[DescriptionRun], adult: dict[str, str] | None) -> AudienceSummary:
    """One audience's figures; `adult` (exhibit -> text) counts the exhibits with the very same text."""
    figures = [run.figures for run in runs]
    released = sum(f.sentences for f in figures)
    firsts = [run.first_sentence_ms for run in runs if run.first_sentence_ms is not None]
    cached = [run.cached_first_ms for run in runs if run.cached_first_ms is not None]
    identical = None
    if adult is not None and audience != "adult":
        identical = sum(
            normalised_words(run.text) == normalised_words(adult.get(run.figures.exhibit_id, ""))
            for run in runs
        )
    return AudienceSummary(
        audience=audience,
        descriptions=len(runs),
        words_p50=_median([f.words for f in figures]),
        facts_p50=_median([f.facts_stated for f in figures]),
        fallback_share=sum(f.replaced for f in figures) / released if released else 0.0,
        repeated=sum(f.repeated for f in figures),
        banners=sum(f.banners for f in figures),
        fk_p50=_median([f.fk_grade for f in figures]),
        fk_max=max((f.fk_grade for f in figures), default=float("nan")),
        differ_share=sum(f.differing for f in figures) / released if released else 0.0,
        failed=sum(run.finish_reason not in FINISHED for run in runs),
        first_p50_ms=percentile(firsts, 0.5) if firsts else float("nan"),
        first_p95_ms=percentile(firsts, 0.95) if firsts else float("nan"),
        cached_p50_ms=percentile(cached, 0.5) if cached else float("nan"),
        bare_first_token_p50_ms=_median([run.bare_first_token_ms for run in runs]),
        bare_first_sentence_p50_ms=_median([run.bare_first_sentence_ms for run in runs]),
        identical_to_adult=identical,
    )


async def measure(args: argparse.Namespace) -> NarrationReport:
    """Describe every chosen exhibit for every chosen audience; the report of it all."""
    from guide_core.catalogue.loader import load_catalogue_or_raise
    from guide_server.core.config import GuideSettings
    from guide_server.core.metrics import GuideMetrics
    from guide_server.generation.engines.factory import build_engine
    from guide_server.narration.cache import DescriptionCache
    from guide_server.narration.narrator import Narrator

    catalogue = load_catalogue_or_raise(args.catalogue)
    exhibit_ids = _chosen(args.exhibits, sorted(catalogue.exhibits), "exhibit")
    audiences = _chosen(args.audiences, list(AUDIENCES), "audience")
    with tempfile.TemporaryDirectory() as scratch:
        settings = GuideSettings(
            exhibits_dir=args.catalogue,
            engine=args.engine,
            max_new_tokens=args.max_new_tokens,
            description_cache_size=0,
            watch_catalogue=False,
            feedback_db=Path(scratch) / "feedback.sqlite3",
        )
        engine = build_engine(settings)
        await engine.start()
        ready = asyncio.Event()
        ready.set()
        # The cache holds each description just long enough for its replay.
        narrator = Narrator(
            engine=engine,
            settings=settings,
            metrics=GuideMetrics(),
            cache=DescriptionCache(4),
            engine_ready=ready,
        )
        runs: list[DescriptionRun] = []
        try:
            for exhibit_id in exhibit_ids:
                for audience in audiences:
                    runs.append(await describe_once(narrator, catalogue, exhibit_id, audience, len(runs)))
        finally:
            await engine.close()
    adult = {r.figures.exhibit_id: r.text for r in runs if r.figures.audience == "adult"} or None
    summaries = [summarise(a, [r for r in runs if r.figures.audience == a], adult) for a in audiences]
    label = getattr(engine, "describe", lambda: engine.model_id)()
    return NarrationReport(engine=label, summaries=summaries, descriptions=runs)


def _chosen(option: str, known: list[str], what: str) -> list[str]:
    chosen = [item.strip() for item in option.split(",") if item.strip()] or known
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise SystemExit(f"unknown {what} {', '.join(unknown)}: choose from {', '.join(known)}")
    return chosen


def goals(summaries: list[AudienceSummary]) -> list[list[object]]:
    """Rows (goal, audience, measured, target, met) for the goals the figures can be held to."""
    by = {s.audience: s for s in summaries}
    rows: list[list[object]] = []
    if "adult" in by:
        rows.append(
            [
                "median words",
                "adult",
                by["adult"].words_p50,
                f">= {GOAL_ADULT_WORDS}",
                by["adult"].words_p50 >= GOAL_ADULT_WORDS,
            ]
        )
        rows.append(
            [
                "median facts stated",
                "adult",
                by["adult"].facts_p50,
                f">= {GOAL_ADULT_FACTS}",
                by["adult"].facts_p50 >= GOAL_ADULT_FACTS,
            ]
        )
    if "child" in by:
        rows.append(
            [
                "median FK grade",
                "child",
                by["child"].fk_p50,
                f"<= {GOAL_CHILD_GRADE:g}",
                by["child"].fk_p50 <= GOAL_CHILD_GRADE,
            ]
        )
    repeats = sum(s.repeated for s in summaries)
    banners = sum(s.banners for s in summaries)
    first = max(s.first_p50_ms for s in summaries)
    cached = max(s.cached_p50_ms for s in summaries)
    rows += [
        ["repeated sentences", "all", repeats, "0", repeats == 0],
        ["banner sentences", "all", banners, "0", banners == 0],
        [
            "first sentence p50 ms, uncached (worst audience)",
            "all",
            first,
            f"<= {GOAL_FIRST_MS:g}",
            first <= GOAL_FIRST_MS,
        ],
        [
            "first delta p50 ms, cached (worst audience)",
            "all",
            cached,
            f"<= {GOAL_CACHED_MS:g}",
            cached <= GOAL_CACHED_MS,
        ],
    ]
    return [[*row[:4], "yes" if row[4] else "NO"] for row in rows]


def print_report(report: NarrationReport) -> None:
    """The text, timing, goal and audience-difference tables."""
    summaries = report.summaries
    print(f"engine: {report.engine}")
    print_table(
        [
            "audience",
            "descr.",
            "words p50",
            "facts p50",
            "replaced share",
            "repeats",
            "banners",
            "FK p50",
            "FK max",
            "differ share",
            "failed",
        ],
        [
            [
                s.audience,
                s.descriptions,
                s.words_p50,
                s.facts_p50,
                s.fallback_share,
                s.repeated,
                s.banners,
                s.fk_p50,
                s.fk_max,
                s.differ_share,
                s.failed,
            ]
            for s in summaries
        ],
    )
    print()
    print_table(
        [
            "audience",
            "bare 1st token p50 (ref)",
            "bare 1st sentence p50",
            "1st released p50",
            "p95",
            "x bare sentence",
            "x bare token",
            "cached 1st delta p50",
        ],
        [
            [
                s.audience,
                s.bare_first_token_p50_ms,
                s.bare_first_sentence_p50_ms,
                s.first_p50_ms,
                s.first_p95_ms,
                s.first_p50_ms / s.bare_first_sentence_p50_ms,
                s.first_p50_ms / s.bare_first_token_p50_ms,
                s.cached_p50_ms,
            ]
            for s in summaries
        ],
    )
    print("(milliseconds; ratios are first released sentence over the bare engine's, same prompt, same run)")
    print()
    print_table(["goal", "audience", "measured", "target", "met"], goals(summaries))
    others = [s for s in summaries if s.identical_to_adult is not None]
    if others:
        print()
        print_table(
            ["audience", "exhibits", "text identical to adult's"],
            [[s.audience, s.descriptions, s.identical_to_adult] for s in others],
        )


def run(args: argparse.Namespace) -> int:
    """Measure, print the tables, and write `--json` if asked."""
    report = asyncio.run(measure(args))
    print_report(report)
    if args.json is not None:
        args.json.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0
