"""Build the two kinds of narration request side by side: an exhibit's description, a visitor's answer.

Both lead the prompt with the few curated statements that matter and carry them
as the record to fall back on; neither does I/O.
"""

from __future__ import annotations

from guide_core.catalogue.loader import Catalogue
from guide_core.protocol import VisitorProfile
from guide_server.generation.prompts import (
    ANSWER_FACTS,
    answer_messages,
    description_facts,
    description_messages,
)
from guide_server.narration.cache import CacheKey
from guide_server.narration.narrator import Request
from guide_server.narration.questions import AnswerPlan

MUST_STATE_SIMILARITY = 0.3
"""An answer's best statement is added from the record when the answer left it out and its MiniLM
similarity to the question is at least this; below, the record may not answer the question at all."""


def description_request(
    catalogue: Catalogue, *, request_id: str, exhibit_id: str, profile: VisitorProfile, model_id: str
) -> Request:
    """The request for a description of `exhibit_id` from the catalogue snapshot `catalogue`."""
    exhibit = catalogue.exhibits[exhibit_id]
    key = CacheKey(
        exhibit_id, catalogue.fingerprints[exhibit_id], model_id, profile.audience, profile.language
    )
    facts = description_facts(exhibit)
    return Request(
        kind="description",
        request_id=request_id,
        exhibit=exhibit,
        profile=profile,
        messages=description_messages(exhibit, profile, facts),
        cache_key=key,
        record=facts[:3],
    )


def answer_request(plan: AnswerPlan, *, request_id: str, question: str, profile: VisitorProfile) -> Request:
    """The request answering `question` as `plan` says: from its ranked statements, or its fixed reply."""
    statements = [ranked.statement.text for ranked in plan.statements[:ANSWER_FACTS]]
    best = plan.statements[0] if plan.statements else None
    return Request(
        kind="answer",
        request_id=request_id,
        exhibit=plan.exhibit,
        profile=profile,
        messages=answer_messages(plan.exhibit, question, profile, statements) if plan.canned is None else [],
        question=question,
        record=statements[:1],
        must_state=best.statement.text
        if best is not None and best.semantic >= MUST_STATE_SIMILARITY
        else None,
        canned=plan.canned,
    )
