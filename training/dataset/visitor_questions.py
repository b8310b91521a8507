"""Hand-written visitor questions from the evaluation's question set, for TRAINING exhibits only.

`training/evaluation/data/questions.jsonl` holds questions asked at every exhibit; a row may be
used only when its exhibit (`exhibit_id`, or `asked_at` when the museum holds no such exhibit)
and the exhibit it was asked at are both training exhibits, so no validation or test exhibit's
question ever reaches training. Each row's category decides the target; hand-labelled `keys`
pick the answering statement among the ranked prompt facts (no key in the prompt: row dropped).
Rows asked at no exhibit (`asked_at: null`) and follow-ups (which need the visitor's earlier
turns, and a training prompt carries none) are not used.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from guide_core.catalogue.models import Exhibit
from guide_core.paths import PROJECT_ROOT
from training.dataset.compose import NOT_HELD, NOT_IN_RECORD, REFUSAL
from training.dataset.examples import Task
from training.dataset.tasks import AUDIENCES, Pending, answer_with_key, correct_with, fixed

QUESTIONS_PATH = PROJECT_ROOT / "training" / "evaluation" / "data" / "questions.jsonl"


class VisitorQuestion(BaseModel):
    """One row of questions.jsonl, as training reads it."""

    model_config = ConfigDict(extra="ignore")

    id: str
    category: str
    exhibit_id: str | None
    asked_at: str | None
    question: str
    keys: list[str] = []
    false_value: str | None = None
    forbidden: list[str] = []


def read_questions(path: Path = QUESTIONS_PATH) -> list[VisitorQuestion]:
    """Every row of the question set ([] when the file is absent)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [VisitorQuestion.model_validate(json.loads(line)) for line in lines if line.strip()]


def usable_rows(rows: list[VisitorQuestion], train_ids: set[str]) -> list[VisitorQuestion]:
    """The rows whose exhibit and asked-at exhibit are both training exhibits (never a follow-up)."""
    return [
        r
        for r in rows
        if (r.exhibit_id or r.asked_at) in train_ids and r.asked_at in train_ids and r.category != "follow_up"
    ]


def visitor_pending(
    rows: list[VisitorQuestion], exhibits: dict[str, Exhibit], train_ids: set[str], rng: random.Random
) -> list[Pending]:
    """Pending drafts (all for the train split) from the usable rows."""
    pending = []
    for row in usable_rows(rows, train_ids):
        exhibit = exhibits.get(row.exhibit_id or row.asked_at or "")
        if exhibit is None:
            continue
        audience = rng.choice(AUDIENCES)
        forbidden = [f for f in [row.false_value, *row.forbidden] if f and f.lower() in row.question.lower()]
        if row.category in ("answerable", "cross_exhibit", "curator_injection"):
            if row.keys:
                pending.append(Pending(Task.SINGLE_FACT, exhibit, audience, row.question,
                                       answer_with_key(exhibit, row.keys)))  # fmt: skip
        elif row.category == "false_premise":
            if row.keys and forbidden:
                pending.append(Pending(Task.FALSE_PREMISE, exhibit, audience, row.question,
                                       correct_with(exhibit, keys=row.keys), forbidden=forbidden))  # fmt: skip
        elif row.category == "unanswerable":
            pending.append(Pending(Task.NOT_IN_RECORD, exhibit, audience, row.question, fixed(NOT_IN_RECORD)))
        elif row.category == "harmful":
            pending.append(Pending(Task.HARMFUL, exhibit, audience, row.question, fixed(REFUSAL)))
        elif row.category == "injection":
            target = (
                answer_with_key(exhibit, row.keys, otherwise=NOT_IN_RECORD)
                if row.keys
                else fixed(NOT_IN_RECORD)
            )
            pending.append(Pending(Task.INJECTION, exhibit, audience, row.question, target,
                                   forbidden=list(row.forbidden)))  # fmt: skip
        elif row.category == "absent_exhibit":
            pending.append(Pending(Task.UNKNOWN_EXHIBIT, exhibit, audience, row.question, fixed(NOT_HELD),
                                   about=None))  # fmt: skip
    return pending
