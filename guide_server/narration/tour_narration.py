"""Narration as tours and visitors ask for it: an exhibit's description, an answer to a question.

The one place both kinds of request are built (from `requests`) and handed to the one
`Narrator`; the sockets in `api/` only pass messages through.
"""

from __future__ import annotations

import asyncio

from guide_core.catalogue.models import Exhibit
from guide_core.catalogue.store import CatalogueStore
from guide_core.protocol import Question, VisitorProfile
from guide_server.exceptions import NoExhibitToAnswer
from guide_server.generation.engine import Engine
from guide_server.narration.narrator import Narrator, Publish
from guide_server.narration.questions import QuestionRouter
from guide_server.narration.requests import answer_request, description_request
from guide_server.tours.description_stream import Narrate


class TourNarration:
    """Descriptions for the tours and answers for visitors, from the current catalogue."""

    def __init__(
        self,
        *,
        narrator: Narrator,
        engine: Engine,
        catalogue: CatalogueStore,
        questions: QuestionRouter,
        engine_ready: asyncio.Event,
    ) -> None:
        self.narrator = narrator
        self._engine = engine
        self._catalogue = catalogue
        self._questions = questions
        self._engine_ready = engine_ready

    def description(self, request_id: str, exhibit_id: str, profile: VisitorProfile) -> Narrate:
        """The narration a tour's DescriptionStream runs for `exhibit_id` (built when it starts)."""

        async def narrate(publish: Publish) -> None:
            request = description_request(
                self._catalogue.current,
                request_id=request_id,
                exhibit_id=exhibit_id,
                profile=profile,
                model_id=self._engine.model_id,
            )
            await self.narrator.narrate(request, publish)

        return narrate

    async def answer(
        self,
        question: Question,
        profile: VisitorProfile,
        publish: Publish,
        *,
        current: Exhibit | None,
        named: Exhibit | None,
    ) -> None:
        """Plan the answer (which exhibit, which statements), then narrate it to `publish`.

        Raises `NoExhibitToAnswer` when the question names no exhibit and the robot is at none.
        """
        await self._engine_ready.wait()
        snapshot = self._catalogue.current
        plan = await asyncio.to_thread(
            self._questions.plan, snapshot, question.text, current=current, named=named
        )
        if plan is None:
            raise NoExhibitToAnswer(
                "the robot is at no exhibit now and the question names none: name one with exhibit_id"
            )
        request = answer_request(
            plan, request_id=question.request_id, question=question.text, profile=profile
        )
        await self.narrator.narrate(request, publish)
