"""The truth run without a model: questions reach the router as a visitor's would (earlier turns,
no current exhibit), every category is reported, and `guide select` reads every category's share."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from guide_core.catalogue.loader import Catalogue
from guide_core.catalogue.models import Exhibit
from guide_core.model_registry import RegisteredModel
from guide_server.generation.engines.scripted import ScriptedEngine
from guide_server.narration.questions import AnswerPlan, QuestionRouter, Turn
from training.evaluation.answering import Answered, answer_items
from training.evaluation.question_set import Category, VisitorQuestion, load_questions
from training.evaluation.truth_run import category_shares, render_report, summarise
from training.selection import candidates_from_report

SILENT = "The museum's record does not say."


class RecordingRouter(QuestionRouter):
    """Answers every question with the record's silence, about the exhibit it stands at or the last
    turn's; no exhibit at all: declines, as the real router does. Records what it was handed."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Exhibit | None, tuple[Turn, ...]]] = []

    def plan(
        self,
        catalogue: Catalogue,
        question: str,
        *,
        current: Exhibit | None,
        named: Exhibit | None = None,
        history: Sequence[Turn] = (),
    ) -> AnswerPlan | None:
        self.calls.append((question, current, tuple(history)))
        about = current or (catalogue.exhibits[history[-1].exhibit_id] if history else None)
        return AnswerPlan(about, [], canned=[SILENT]) if about else None


async def test_follow_up_history_and_no_current_exhibit_reach_the_router(catalogue: Catalogue) -> None:
    items = load_questions()
    follow_up = next(i for i in items if i.category is Category.FOLLOW_UP and i.asked_at is None)
    nowhere = next(i for i in items if i.category is Category.CROSS_EXHIBIT and i.asked_at is None)
    router = RecordingRouter()
    engine = ScriptedEngine()
    await engine.start()
    answered = await answer_items([follow_up, nowhere], engine=engine, catalogue=catalogue, router=router)
    await engine.close()
    (_, current, history), (_, current_2, history_2) = router.calls
    assert current is None and current_2 is None and history_2 == ()
    assert history == tuple(Turn(question=t.question, exhibit_id=t.exhibit_id) for t in follow_up.history)
    assert answered[0].exhibit_id == follow_up.exhibit_id and answered[0].text == SILENT
    assert answered[1].exhibit_id is None and answered[1].sentences == []


def _answered(items: list[VisitorQuestion]) -> list[Answered]:
    """Every item answered with the record's silence, about its own exhibit; follow-ups not at all."""
    rows = []
    for item in items:
        declined = item.category is Category.FOLLOW_UP
        about = None if declined else item.exhibit_id or item.asked_at
        sentences = [] if declined else [SILENT]
        rows.append(Answered(item, about, " ".join(sentences), sentences, None, []))
    return rows


def test_every_category_is_reported_and_read_by_selection(catalogue: Catalogue, tmp_path: Path) -> None:
    items = load_questions()
    follow_ups = sum(i.category is Category.FOLLOW_UP for i in items)
    model = RegisteredModel(id="scripted", base="scripted")
    result = summarise(model, "all", _answered(items), catalogue, 1.0)
    assert list(result.by_category) == [c.value for c in Category]
    assert result.by_category["unanswerable"]["share"] == 1.0
    assert result.by_category["follow_up"] == {"n": follow_ups, "correct": 0, "share": 0.0}
    assert result.by_category["answerable"]["share"] == 0.0 and result.factual_accuracy == 0.0
    assert result.unsupported_released == 0
    line = category_shares(result)
    assert all(c.value in line for c in Category) and f"follow_up 0/{follow_ups} (0.00)" in line
    assert "follow_up" in render_report([result], "all")
    report = tmp_path / "all.json"
    report.write_text(json.dumps([asdict(result)]), encoding="utf-8")
    (candidate,) = candidates_from_report(report)
    assert {f"{c.value}_share" for c in Category} <= set(candidate.scores)
    assert candidate.scores["follow_up_share"] == 0.0 and candidate.scores["unanswerable_share"] == 1.0
