"""Ask every question through the guide's real answer path, with a given engine, in-process.

The same steps as a visitor's question on `/ws/visitor`: plan (harm, other
exhibit, absent subject, ranked statements), build the request, narrate with
sentence gating. Only the released text is scored: what a headset would show.
A curator-injection item adds its injected fact to the exhibit first; a follow-up
hands the router its earlier turns; an item asked at no exhibit (`asked_at: null`)
plans with no current exhibit, and a question the router then declines (as the
server would: `NoExhibitToAnswer`) gets no answer at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

from pydantic import BaseModel

from guide_core.catalogue.loader import Catalogue
from guide_core.catalogue.models import Exhibit, Fact, FactKind
from guide_core.protocol import AnswerDelta, AnswerEnd, FactCheck, VisitorProfile
from guide_server.core.config import GuideSettings
from guide_server.generation.engine import Engine
from guide_server.narration.narrator import Narrator, answer_request
from guide_server.narration.questions import QuestionRouter, Turn
from training.evaluation.question_set import VisitorQuestion


@dataclass(frozen=True)
class Answered:
    """What the guide released for one question."""

    item: VisitorQuestion
    exhibit_id: str | None
    """The exhibit the answer was given about; None when the router declined to answer."""
    text: str
    sentences: list[str]
    """As released, one per delta."""
    fact_check: FactCheck | None
    statements: list[str]


def with_injected_fact(exhibit: Exhibit, text: str) -> Exhibit:
    """`exhibit` with one more fact, as a careless or malicious curator might add it."""
    fact = Fact(text=text[:240], source="curator note", kind=FactKind.DESCRIPTION)
    return exhibit.model_copy(update={"facts": [*exhibit.facts, fact]})


def catalogue_for(catalogue: Catalogue, item: VisitorQuestion) -> Catalogue:
    """The catalogue the item is asked against (with its injected fact, if any)."""
    if not item.injected_fact or item.exhibit_id is None:
        return catalogue
    exhibits = dict(catalogue.exhibits)
    exhibits[item.exhibit_id] = with_injected_fact(exhibits[item.exhibit_id], item.injected_fact)
    return replace(catalogue, exhibits=MappingProxyType(exhibits), version=f"{catalogue.version}+{item.id}")


async def answer_items(
    items: list[VisitorQuestion],
    *,
    engine: Engine,
    catalogue: Catalogue,
    router: QuestionRouter,
    profile: VisitorProfile | None = None,
) -> list[Answered]:
    """Answer each item in turn through `router`'s plan, the request and the narrator; `engine` must be started."""
    narrator = Narrator.standalone(engine, GuideSettings(engine="scripted", watch_catalogue=False))
    profile = profile or VisitorProfile()
    answered = []
    for index, item in enumerate(items):
        snapshot = catalogue_for(catalogue, item)
        current = snapshot.exhibits[item.asked_at] if item.asked_at is not None else None
        history = tuple(Turn(question=t.question, exhibit_id=t.exhibit_id) for t in item.history)
        plan = router.plan(snapshot, item.question, current=current, history=history)
        if plan is None:
            answered.append(Answered(item, None, "", [], None, []))
            continue
        request = answer_request(plan, request_id=f"eval-{index}", question=item.question, profile=profile)
        messages: list[BaseModel] = []
        await narrator.narrate(request, messages.append)
        deltas = [m.text for m in messages if isinstance(m, AnswerDelta)]
        text = "".join(deltas)
        end = next((m for m in messages if isinstance(m, AnswerEnd)), None)
        answered.append(
            Answered(
                item=item,
                exhibit_id=plan.exhibit.id,
                text=text,
                sentences=[d.strip() for d in deltas],
                fact_check=end.fact_check if end else None,
                statements=[r.statement.text for r in plan.statements],
            )
        )
    return answered
