"""`guide evaluate`: every candidate (bases and tuned runs) answers the question set; truth is scored.

Per candidate and category: how many answers were right (`truth.score_answer`),
every category of the question set reported (follow-ups included) where the split
has items of it. Factual accuracy is the share of answerable and cross-exhibit
questions whose answer states the key with every sentence supported (follow-ups
are reported beside it, not in it, so the gated figure keeps its meaning); the
gate (fixed in `training/configs/selection.yaml` before any run) is applied by `guide select`.
Released sentences the claim checker would not support are counted separately:
with sentence gating there should be none, and the gate demands none.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from guide_core.catalogue.loader import Catalogue, load_catalogue_or_raise
from guide_core.model_registry import RegisteredModel
from guide_server.narration.questions import QuestionRouter
from guide_server.narration.retrieval import FactRanker, MiniLMEmbedder
from training.evaluation.answering import Answered, answer_items
from training.evaluation.question_set import QUESTIONS_PATH, Category, VisitorQuestion, load_questions
from training.evaluation.statistics import bootstrap
from training.evaluation.truth import ItemScore, score_answer, unanswered, unsupported_sentences

FACTUAL = frozenset({Category.ANSWERABLE, Category.CROSS_EXHIBIT})


@dataclass
class CandidateResult:
    """One candidate's figures on one split."""

    model_id: str
    base: str
    adapter: str | None
    split: str
    factual_accuracy: float
    factual_low: float
    factual_high: float
    by_category: dict[str, dict[str, float]]
    released_sentences: int
    unsupported_released: int
    withheld_sentences: int
    fallbacks: int
    seconds: float
    answers: list[dict[str, object]] = field(default_factory=list)


def split_items(
    items: list[VisitorQuestion], exhibit_split: dict[str, str], split: str
) -> list[VisitorQuestion]:
    """The items whose exhibit belongs to `split` ('all' keeps every item)."""
    return [item for item in items if split == "all" or exhibit_split.get(item.split_exhibit) == split]


def summarise(
    model: RegisteredModel, split: str, answered: list[Answered], catalogue: Catalogue, seconds: float
) -> CandidateResult:
    """Score every answer and gather the figures."""
    scores: list[ItemScore] = []
    released = unsupported = withheld = fallbacks = 0
    rows: list[dict[str, object]] = []
    for answer in answered:
        item = answer.item
        if answer.exhibit_id is None:
            score = unanswered(item)
        else:
            exhibit = catalogue.exhibits[item.exhibit_id or answer.exhibit_id]
            score = score_answer(
                item, answer.sentences, exhibit, about=answer.exhibit_id, catalogue=catalogue
            )
            about = catalogue.exhibits[answer.exhibit_id]
            # A bare offer of another exhibit is no claim about this one (as in `score_answer`).
            unsupported += len(unsupported_sentences(answer.sentences, about, offers_from=catalogue))
        scores.append(score)
        released += len(answer.sentences)
        check = answer.fact_check
        withheld += len(check.withheld) if check else 0
        fallbacks += int(bool(check and check.fallback))
        rows.append(
            {
                "id": answer.item.id,
                "category": answer.item.category.value,
                "question": answer.item.question,
                "answer": answer.text,
                "sentences": answer.sentences,
                "about": answer.exhibit_id,
                "correct": score.correct,
                "why": score.why,
                "withheld": [w.model_dump() for w in check.withheld] if check else [],
            }
        )
    by_category: dict[str, list[float]] = defaultdict(list)
    for score in sorted(scores, key=lambda s: list(Category).index(s.category)):
        by_category[score.category.value].append(float(score.correct))
    factual = [float(s.correct) for s in scores if s.category in FACTUAL]
    estimate = bootstrap(factual)
    return CandidateResult(
        model_id=model.id,
        base=model.base,
        adapter=model.adapter,
        split=split,
        factual_accuracy=estimate.mean,
        factual_low=estimate.low,
        factual_high=estimate.high,
        by_category={
            k: {"n": len(v), "correct": sum(v), "share": sum(v) / len(v)} for k, v in by_category.items()
        },
        released_sentences=released,
        unsupported_released=unsupported,
        withheld_sentences=withheld,
        fallbacks=fallbacks,
        seconds=round(seconds, 1),
        answers=rows,
    )


async def evaluate_model(
    model: RegisteredModel,
    items: list[VisitorQuestion],
    *,
    catalogue: Catalogue,
    ranker: FactRanker,
    split: str,
) -> CandidateResult:
    """Load `model` in the transformers engine, answer `items`, score them."""
    from guide_server.generation.engines.transformers import TransformersEngine

    engine = TransformersEngine(model)
    await engine.start()
    started = time.perf_counter()
    try:
        answered = await answer_items(
            items, engine=engine, catalogue=catalogue, router=QuestionRouter(ranker)
        )
    finally:
        await engine.close()
    return summarise(model, split, answered, catalogue, time.perf_counter() - started)


def run_evaluation(
    models: list[RegisteredModel],
    *,
    exhibits_dir: Path,
    split: str,
    exhibit_split: dict[str, str],
    out: Path,
    questions: Path | None = None,
    append: bool = False,
) -> list[CandidateResult]:
    """Evaluate every model on the split's questions; write `out/<split>.json` and `.md`.

    With `append`, candidates already in the report stay (one evaluated again replaces its row).
    """
    catalogue = load_catalogue_or_raise(exhibits_dir)
    items = split_items(
        load_questions(questions or QUESTIONS_PATH, exhibit_ids=catalogue.exhibits), exhibit_split, split
    )
    ranker = FactRanker(MiniLMEmbedder())
    results = []
    for model in models:
        result = asyncio.run(evaluate_model(model, items, catalogue=catalogue, ranker=ranker, split=split))
        results.append(result)
        print(
            f"{model.id}: factual accuracy {result.factual_accuracy:.3f} on {split} ({result.seconds:.0f} s)"
        )
        print("  " + category_shares(result))
    out.mkdir(parents=True, exist_ok=True)
    report = out / f"{split}.json"
    if append and report.exists():
        fresh = {r.model_id for r in results}
        kept = [CandidateResult(**row) for row in json.loads(report.read_text(encoding="utf-8"))]
        results = [r for r in kept if r.model_id not in fresh] + results
    report.write_text(json.dumps([asdict(r) for r in results], indent=1) + "\n", encoding="utf-8")
    (out / f"{split}.md").write_text(render_report(results, split), encoding="utf-8")
    return results


def category_shares(result: CandidateResult) -> str:
    """One line of every category's right answers ('follow_up 3/7 (0.43)'); '-' where the split has none."""
    cells = []
    for category in Category:
        row = result.by_category.get(category.value)
        figures = f"{row['correct']:.0f}/{row['n']:.0f} ({row['share']:.2f})" if row else "-"
        cells.append(f"{category.value} {figures}")
    return ", ".join(cells)


def render_report(results: list[CandidateResult], split: str) -> str:
    """A Markdown table of the candidates' figures, then each one's wrong answers."""
    categories = [c.value for c in Category]
    lines = [
        f"# Truth evaluation, {split} split",
        "",
        "Factual accuracy: answerable and cross-exhibit questions whose answer states the key in its first "
        "two sentences, every sentence supported by the record (95% bootstrap interval).",
        "",
        "| model | factual accuracy | " + " | ".join(categories) + " | released | unsupported released "
        "| withheld | fallbacks |",
        "|---|---|" + "---|" * len(categories) + "---|---|---|---|",
    ]
    for r in results:
        cells = []
        for category in categories:
            row = r.by_category.get(category)
            cells.append(f"{row['correct']:.0f}/{row['n']:.0f}" if row else "-")
        lines.append(
            f"| {r.model_id} | {r.factual_accuracy:.3f} [{r.factual_low:.2f}, {r.factual_high:.2f}] | "
            + " | ".join(cells)
            + f" | {r.released_sentences} | {r.unsupported_released} | {r.withheld_sentences} | {r.fallbacks} |"
        )
    for r in results:
        wrong = [a for a in r.answers if not a["correct"]]
        lines += ["", f"## {r.model_id}: {len(wrong)} wrong", ""]
        lines += [f"- `{a['id']}` {a['question']!r} -> {a['answer']!r} ({a['why']})" for a in wrong]
    return "\n".join(lines) + "\n"
