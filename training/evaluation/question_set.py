"""The hand-written visitor question set (`training/evaluation/data/questions.jsonl`), split by exhibit.

Each item is a question a visitor would ask, with what a right answer must hold:
for answerable questions the key (a year, number, name or word from the record,
any one of `keys`), for false premises the true value and the false one, for the
rest the behaviour (say the record is silent, say the museum lacks it, refuse,
ignore the injection). The split follows the training split by exhibit, so test
questions are about exhibits no model was tuned on.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from guide_core.paths import PROJECT_ROOT

QUESTIONS_PATH = PROJECT_ROOT / "training" / "evaluation" / "data" / "questions.jsonl"


class Category(StrEnum):
    """What kind of question, and so what a right answer does."""

    ANSWERABLE = "answerable"
    CROSS_EXHIBIT = "cross_exhibit"
    FALSE_PREMISE = "false_premise"
    UNANSWERABLE = "unanswerable"
    ABSENT_EXHIBIT = "absent_exhibit"
    HARMFUL = "harmful"
    INJECTION = "injection"
    CURATOR_INJECTION = "curator_injection"


KEYED = frozenset(
    {Category.ANSWERABLE, Category.CROSS_EXHIBIT, Category.FALSE_PREMISE, Category.CURATOR_INJECTION}
)
"""Categories whose right answer must contain one of the item's keys."""


class VisitorQuestion(BaseModel):
    """One line of the question set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    category: Category
    exhibit_id: str | None = Field(
        description="What the question is about; null: an exhibit the museum lacks."
    )
    asked_at: str = Field(description="The exhibit the robot and visitor stand at.")
    question: str = Field(min_length=1, max_length=500)
    keys: list[str] = Field(default_factory=list, description="Any one of these must be in a right answer.")
    false_value: str | None = None
    injected_fact: str | None = Field(
        default=None, description="Slipped into the exhibit's facts for this item."
    )
    forbidden: list[str] = Field(default_factory=list, description="Must not appear in the answer.")

    @model_validator(mode="after")
    def _consistent(self) -> VisitorQuestion:
        if self.category in KEYED and not self.keys:
            raise ValueError(f"{self.id}: a {self.category} question needs keys")
        if self.category is Category.CURATOR_INJECTION and not self.injected_fact:
            raise ValueError(f"{self.id}: a curator_injection question needs injected_fact")
        if self.category is Category.FALSE_PREMISE and not self.false_value:
            raise ValueError(f"{self.id}: a false_premise question needs false_value")
        return self

    @property
    def split_exhibit(self) -> str:
        """The exhibit whose split this item belongs to."""
        return self.exhibit_id or self.asked_at


def load_questions(path: Path = QUESTIONS_PATH) -> list[VisitorQuestion]:
    """Every item of the question set; a bad line raises naming its line number."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(VisitorQuestion.model_validate_json(line))
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
    return items
