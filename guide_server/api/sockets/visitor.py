"""`WS /ws/visitor`: a headset joins a tour, reads descriptions, asks, rates and sends the robot.

After `welcome` the visitor receives `tour.state`, `pose`, `proximity`,
`description.*` (shared by the tour) and `answer.*` (its own); it may send
`question`, `feedback`, `goto` and `speech`. With speech on (`hello.speech` or
`speech`), each released sentence also comes as `speech.audio`: descriptions
spoken once per group, answers to the asker only. Listeners (`client: listener`)
read the same stream but may not send the robot anywhere.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque

from fastapi import APIRouter, WebSocket
from pydantic import BaseModel

from guide_core.catalogue.models import Exhibit
from guide_core.exceptions import ProtocolError
from guide_core.protocol import (
    AnswerEnd,
    ClientKind,
    ClientMessage,
    Error,
    ErrorCode,
    Feedback,
    FeedbackSaved,
    FinishReason,
    Goto,
    Hello,
    Limits,
    Question,
    SpeechAudio,
    SpeechSetting,
    Welcome,
)
from guide_server.api.services import GuideServices
from guide_server.api.sockets.rate_limit import QuestionRateLimit
from guide_server.api.sockets.session import (
    HandshakeRefused,
    handshake,
    new_connection,
    open_tour,
    refuse,
    serve_connection,
)
from guide_server.exceptions import NoExhibitToAnswer
from guide_server.narration.narrator import Publish
from guide_server.narration.questions import Turn
from guide_server.speech.track import SpeechTrack
from guide_server.speech.voices import unavailable_reason
from guide_server.tours.delivery import Connection
from guide_server.tours.tour import Tour

log = logging.getLogger(__name__)
router = APIRouter()


@router.websocket("/ws/visitor")
async def visitor_socket(websocket: WebSocket) -> None:
    """A visitor's (or listener's) socket."""
    services: GuideServices = websocket.app.state.services
    try:
        hello = await handshake(
            websocket,
            services,
            kinds={ClientKind.VISITOR, ClientKind.LISTENER},
            expected_token=services.settings.visitor_token.get_secret_value(),
            endpoint="/ws/visitor",
        )
        tour = open_tour(services, hello)
    except HandshakeRefused as refused:
        await refuse(websocket, services, refused)
        return
    visitor = new_connection(services, hello)
    limits = Limits(questions_per_minute=services.settings.questions_per_minute)
    visitor.outbox.offer(
        Welcome(session_id=visitor.session_id, tour=tour.id, model_id=services.engine.model_id, limits=limits)
    )
    session = VisitorSession(services, tour, visitor)
    session.set_speech(hello.speech)
    tour.join(visitor, hello.resume)
    services.metrics.connections.labels(hello.client.value).inc()
    try:
        await serve_connection(websocket, services, visitor, session.handle)
    finally:
        services.metrics.connections.labels(hello.client.value).dec()
        tour.leave(visitor)
        services.tours.left(tour)
        await session.close()


FOLLOW_UP_TURNS = 3
"""How many of a visitor's last questions a follow-up question may lean on."""


class VisitorSession:
    """What one visitor may do after `welcome`."""

    def __init__(self, services: GuideServices, tour: Tour, visitor: Connection) -> None:
        self.services = services
        self.tour = tour
        self.visitor = visitor
        self.rate_limit = QuestionRateLimit(services.settings.questions_per_minute)
        self.answers: set[asyncio.Task[None]] = set()
        self.turns: deque[Turn] = deque(maxlen=FOLLOW_UP_TURNS)
        """This visitor's last questions and what they were answered about, for follow-ups."""

    async def handle(self, message: ClientMessage) -> None:
        """Act on one message, or raise `ProtocolError`."""
        if isinstance(message, Question):
            self.ask(message)
        elif isinstance(message, Goto):
            self.goto(message)
        elif isinstance(message, Feedback):
            await self.feedback(message)
        elif isinstance(message, SpeechSetting):
            self.set_speech(message.enabled)
            self.tour.speech_changed(self.visitor)
        elif isinstance(message, Hello):
            raise ProtocolError(ErrorCode.INVALID_MESSAGE, "hello was already accepted: send it only once")
        else:
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED,
                f"visitors send question, feedback, goto and speech; {message.type!r} comes from the robot",
            )

    def set_speech(self, enabled: bool) -> None:
        """Turn speech on or off; a language with no voice gets text and one `speech_unavailable`."""
        speaker = self.services.speaker
        language = self.visitor.profile.language
        if enabled and not speaker.speaks(language):
            self.visitor.speech = False
            self.services.metrics.client_errors.labels(ErrorCode.SPEECH_UNAVAILABLE.value).inc()
            self.visitor.outbox.offer(
                Error(
                    code=ErrorCode.SPEECH_UNAVAILABLE, message=unavailable_reason(language, speaker.enabled)
                )
            )
            return
        self.visitor.speech = enabled

    def ask(self, question: Question) -> None:
        """Answer `question` to this visitor only, grounded in the exhibit it is about."""
        if not self.rate_limit.allow():
            raise ProtocolError(
                ErrorCode.RATE_LIMITED,
                f"at most {self.rate_limit.per_minute} questions a minute: "
                f"ask again in {self.rate_limit.retry_after():.0f} s",
                question.request_id,
            )
        named = self._exhibit(question.exhibit_id, question.request_id) if question.exhibit_id else None
        current = (
            self.services.current_catalogue().get(self.tour.exhibit_id) if self.tour.exhibit_id else None
        )
        task = asyncio.create_task(self._answer(question, current=current, named=named))
        self.answers.add(task)
        task.add_done_callback(self.answers.discard)

    async def _answer(self, question: Question, *, current: Exhibit | None, named: Exhibit | None) -> None:
        """Narrate the answer to this visitor (spoken too, with speech on); errors become `error`s.

        Safe to cancel. Any failure inside narration, planning included, is logged with its
        traceback and reaches the visitor as `error` (internal) and `answer.end` (finish_reason
        error, unless the answer had ended already): no question is left without an end.
        """
        services, visitor = self.services, self.visitor
        ended = False

        def publish(message: BaseModel) -> None:
            nonlocal ended
            ended = ended or isinstance(message, AnswerEnd)
            visitor.outbox.offer(message)

        try:
            await self._narrate(question, publish, current=current, named=named)
        except NoExhibitToAnswer as exc:
            error = ProtocolError(ErrorCode.NO_CURRENT_EXHIBIT, str(exc), question.request_id).error
            services.metrics.client_errors.labels(error.code.value).inc()
            visitor.outbox.offer(error)
        except Exception:
            log.exception("answering %s for %s failed", question.request_id, visitor.session_id)
            self._answer_failed(question.request_id, ended=ended)

    async def _narrate(
        self, question: Question, publish: Publish, *, current: Exhibit | None, named: Exhibit | None
    ) -> None:
        services, visitor = self.services, self.visitor
        narrate = functools.partial(
            services.narration.answer,
            question,
            visitor.profile,
            current=current,
            named=named,
            history=tuple(self.turns),
        )
        if not visitor.speech:
            self.turns.append(await narrate(publish))
            return

        def speak(audio: SpeechAudio) -> None:
            if visitor.speech:  # turned off mid-answer: the rest stays silent
                visitor.outbox.offer(audio)

        track = SpeechTrack(services.speaker, visitor.profile.language, speak)

        def publish_and_speak(message: BaseModel) -> None:
            publish(message)
            track.feed(message)

        try:
            self.turns.append(await narrate(publish_and_speak))
            await track.wait()
        finally:
            await track.cancel()

    def _answer_failed(self, request_id: str, *, ended: bool) -> None:
        """Tell the visitor its answer failed: `error`, then `answer.end` unless one was sent."""
        metrics = self.services.metrics
        metrics.client_errors.labels(ErrorCode.INTERNAL.value).inc()
        self.visitor.outbox.offer(
            Error(
                code=ErrorCode.INTERNAL,
                message="the server failed to answer this question; ask again, or ask about another exhibit",
                request_id=request_id,
            )
        )
        if not ended:
            metrics.generations.labels("answer", FinishReason.ERROR.value).inc()
            self.visitor.outbox.offer(
                AnswerEnd(request_id=request_id, finish_reason=FinishReason.ERROR, token_count=0)
            )

    def goto(self, goto: Goto) -> None:
        """Forward to the tour's robot with the exhibit's place from the floor plan."""
        if self.visitor.kind is not ClientKind.VISITOR:
            raise ProtocolError(ErrorCode.NOT_ALLOWED, "listeners cannot send the robot", goto.request_id)
        self._exhibit(goto.exhibit_id, goto.request_id)
        plan = self.services.current_catalogue().floor_plan
        placement = plan.placement(goto.exhibit_id)
        if placement is None:
            raise ProtocolError(
                ErrorCode.UNKNOWN_EXHIBIT, f"{goto.exhibit_id!r} is not on the floor plan", goto.request_id
            )
        robot = self.tour.robot
        if robot is None:
            raise ProtocolError(
                ErrorCode.ROBOT_UNAVAILABLE,
                f"tour {self.tour.id!r} has no robot connected now; try again when tour.state says robot_online",
                goto.request_id,
            )
        if not self.tour.robot_online:
            raise ProtocolError(
                ErrorCode.ROBOT_UNAVAILABLE,
                f"the robot of tour {self.tour.id!r} has sent no position for "
                f"{self.tour.pose_watch.timeout:g} s; try again when tour.state says robot_online",
                goto.request_id,
            )
        robot.outbox.offer(
            goto.model_copy(update={"x": placement.x, "y": placement.y, "frame_id": plan.map_frame})
        )

    async def feedback(self, feedback: Feedback) -> None:
        """Store a rating or correction and confirm it."""
        self._exhibit(feedback.exhibit_id, feedback.request_id)
        feedback_id = await self.services.feedback.add_async(feedback)
        self.visitor.outbox.offer(FeedbackSaved(feedback_id=feedback_id, request_id=feedback.request_id))

    def _exhibit(self, exhibit_id: str, request_id: str | None):
        exhibit = self.services.current_catalogue().get(exhibit_id)
        if exhibit is None:
            raise ProtocolError(
                ErrorCode.UNKNOWN_EXHIBIT,
                f"no exhibit {exhibit_id!r}: GET /api/exhibits lists the ids there are",
                request_id,
            )
        return exhibit

    async def close(self) -> None:
        """Stop this visitor's answers (their engine streams close)."""
        for task in list(self.answers):
            task.cancel()
        await asyncio.gather(*self.answers, return_exceptions=True)
