"""Curator corrections exported from the feedback store become training examples.

File format, one JSON object a line in `training/data/feedback*.jsonl`
(`guide dataset export-feedback` writes it from the server's SQLite store):
`{"exhibit_id": "kolossi-castle", "question": "Who built the keep?" | null,
"correction": "The keep was built in 1454 ...", "rating": 1-5 | null, "author": "curator"}`.
Extra keys of the store's export (id, request_id, comment, created_at) are accepted.
Only curators' corrections are trusted as targets; visitors' are left for curators to review. The
prompt is the server's: the ranked facts for the question (or the description facts), and a
correction the claim checker would withhold sentence by sentence is dropped like any other target.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from guide_core.catalogue.models import Exhibit
from guide_core.protocol import Audience, VisitorProfile
from guide_server.generation.prompts import description_messages
from training.dataset.compose import supported
from training.dataset.examples import Task
from training.dataset.tasks import Draft, Pending, fixed
from training.exceptions import FeedbackFileError


class FeedbackLine(BaseModel):
    """One exported feedback record, as training reads it."""

    model_config = ConfigDict(extra="ignore")

    exhibit_id: str
    question: str | None = Field(default=None, description="The question answered; None for a description.")
    correction: str | None = None
    rating: int | None = Field(default=None, ge=1, le=5)
    author: Literal["visitor", "curator"] = "visitor"


def read_feedback(path: Path) -> list[FeedbackLine]:
    """Every line of one feedback JSONL file; errors name the file and line."""
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            lines.append(FeedbackLine.model_validate(json.loads(raw)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise FeedbackFileError(
                f"{path}:{number}: not a feedback record ({exc}); expected "
                '{"exhibit_id": ..., "question": ..., "correction": ..., "rating": ..., "author": ...}'
            ) from None
    return lines


def feedback_drafts(
    lines: list[FeedbackLine], exhibits: dict[str, Exhibit], *, source: str
) -> list[Draft | Pending]:
    """Drafts from curators' corrections: the correction is the target for the same request."""
    drafts: list[Draft | Pending] = []
    for line in lines:
        correction = (line.correction or "").strip()
        if line.author != "curator" or not correction:
            continue
        exhibit = exhibits.get(line.exhibit_id)
        if exhibit is None:
            raise FeedbackFileError(
                f"{source}: exhibit {line.exhibit_id!r} is not in the catalogue; fix the id or drop the line"
            )
        if line.question:
            drafts.append(Pending(Task.FEEDBACK, exhibit, Audience.ADULT, line.question, fixed(correction)))
        elif supported(correction, exhibit):
            prompt = description_messages(exhibit, VisitorProfile(audience=Audience.ADULT))
            drafts.append(Draft(Task.FEEDBACK, exhibit.id, Audience.ADULT, None, list(prompt), correction))
    return drafts
