"""The hand-written visitor question set (`training/evaluation/data/questions.jsonl`), split by exhibit.

Each item is a question a visitor would ask, with what a right answer must hold:
for answerable questions the key (a year, number, name or word from the record,
any one of `keys`), for false premises the true value and the false one, for the
rest the behaviour (say the record is silent, say the museum lacks it and offer an
exhibit it holds, refuse, ignore the injection). A follow-up ("Who found it?")
carries the visitor's earlier turns in `history` and is only answerable with them.
The split follows the training split by exhibit (`split_exhibit`), so test
questions are about exhibits no model was tuned on.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from guide_core.paths import PROJECT_ROOT

QUESTIONS_PATH = PROJECT_ROOT / "training" / "evaluation" / "data" / "questions.jsonl"


class Category(StrEnum):
    """What kind of question, and so what a right answer does."""

    ANSWERABLE = "answerable"
    CROSS_EXHIBIT = "cross_exhibit"
    FALSE_PREMISE = "false_premise"
    UNANSWERABLE = "unanswerable"
    ABSENT_EXHIBIT = "absent_exhibit"
    FOLLOW_UP = "follow_up"
    HARMFUL = "harmful"
    INJECTION = "injection"
    CURATOR_INJECTION = "curator_injection"


KEYED = frozenset(
    {
        Category.ANSWERABLE,
        Category.CROSS_EXHIBIT,
        Category.FALSE_PREMISE,
        Category.FOLLOW_UP,
        Category.CURATOR_INJECTION,
    }
)
"""Categories whose right answer must contain one of the item's keys."""

ABOUT_NAMED = frozenset({Category.CROSS_EXHIBIT, Category.FOLLOW_UP})
"""Categories asked away from their exhibit: the answer must be about `exhibit_id`, not where the robot is."""

NOWHERE_ALLOWED = ABOUT_NAMED
"""Categories that may be asked with the robot at no exhibit (`asked_at: null`)."""


class PreviousTurn(BaseModel):
    """One earlier question of the same visitor, and the exhibit it was answered about."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=1, max_length=500)
    exhibit_id: str


class VisitorQuestion(BaseModel):
    """One line of the question set.

    Validated with `context={"exhibit_ids": ...}` (as `load_questions` does when given them),
    every exhibit id it names must be one of those.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    category: Category
    exhibit_id: str | None = Field(
        description="What the question is about; null: an exhibit the museum lacks."
    )
    asked_at: str | None = Field(
        description="The exhibit the robot and visitor stand at; null: at none (cross_exhibit, follow_up)."
    )
    question: str = Field(min_length=1, max_length=500)
    keys: list[str] = Field(default_factory=list, description="Any one of these must be in a right answer.")
    false_value: str | None = None
    injected_fact: str | None = Field(
        default=None, description="Slipped into the exhibit's facts for this item."
    )
    forbidden: list[str] = Field(default_factory=list, description="Must not appear in the answer.")
    history: list[PreviousTurn] = Field(
        default_factory=list, description="The visitor's earlier turns, oldest first (follow_up only)."
    )

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> VisitorQuestion:
        problems = self._problems()
        known = (info.context or {}).get("exhibit_ids")
        if known is not None:
            ids = [self.exhibit_id, self.asked_at, *(t.exhibit_id for t in self.history)]
            named = {i for i in ids if i is not None}
            problems += [f"no exhibit {name!r} in the catalogue" for name in sorted(named - set(known))]
        if problems:
            raise ValueError(f"{self.id}: " + "; ".join(problems))
        return self

    def _problems(self) -> list[str]:
        """Everything inconsistent in the item, with no catalogue at hand."""
        problems = []
        if self.category in KEYED and not self.keys:
            problems.append(f"a {self.category} question needs keys")
        if self.category is Category.CURATOR_INJECTION and not self.injected_fact:
            problems.append("a curator_injection question needs injected_fact")
        if self.category is Category.FALSE_PREMISE and not self.false_value:
            problems.append("a false_premise question needs false_value")
        if (self.category is Category.ABSENT_EXHIBIT) != (self.exhibit_id is None):
            problems.append("exhibit_id is null exactly for absent_exhibit questions")
        if self.asked_at is None and self.category not in NOWHERE_ALLOWED:
            problems.append(f"a {self.category} question needs asked_at")
        if self.category in ABOUT_NAMED and self.asked_at == self.exhibit_id:
            problems.append(f"a {self.category} question is asked away from its exhibit")
        if self.category is Category.FOLLOW_UP:
            if not self.history:
                problems.append("a follow_up question needs history")
            elif self.history[-1].exhibit_id != self.exhibit_id:
                problems.append("a follow_up question follows a turn about its exhibit_id")
        elif self.history:
            problems.append("only follow_up questions carry history")
        return problems

    @property
    def split_exhibit(self) -> str:
        """The exhibit whose split this item belongs to."""
        exhibit = self.exhibit_id or self.asked_at
        assert exhibit is not None  # the validator demands one of them
        return exhibit


def load_questions(
    path: Path = QUESTIONS_PATH, *, exhibit_ids: Collection[str] | None = None
) -> list[VisitorQuestion]:
    """Every item of the question set; a bad line raises naming its line number.

    With `exhibit_ids` (the catalogue's), an item naming any other exhibit is a bad line too.
    """
    context = None if exhibit_ids is None else {"exhibit_ids": frozenset(exhibit_ids)}
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(VisitorQuestion.model_validate_json(line, context=context))
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
    return items
