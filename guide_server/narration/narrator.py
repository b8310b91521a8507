"""Narration in one place: the requests for a description and an answer, built side by side, and
the one `Narrator` that runs them through the engine and publishes only checked sentences.

`TourNarration` is what tours and visitors call: `description` (a tour's
`DescriptionStream` runs it) and `answer` build the request from the current
catalogue (`description_request`: the audience's narration plan, `narration.plan`;
`answer_request`: the router's decision, `narration.asking`, either the statement
that answers or fixed words) and hand it to the `Narrator`. The sockets in `api/`
only pass messages through.

`Narrator.narrate` is the whole life of one request: cache lookup, `*.start`,
then the engine's text cut into sentences as it streams. A finished sentence is
released, as one `*.delta` (gapless `seq` 0, 1, 2 ...), only when the claim
checker supports it, it states the next planned statement (or a later one: those
skipped are said plainly first) and it repeats no earlier sentence. A sentence that
fails the check is withheld (counted in `/metrics`, listed with its reason in
`*.end.fact_check`) and the statement it stood for is said plainly in its place;
what the model never reached is said plainly at the end, and the engine is stopped
once the plan is said. Under the `regenerate` policy, a generation that released
nothing of its own is asked once more with the reasons named. Only released text is
cached.

It publishes through a plain callback that never awaits, so the caller decides
how to fan out. Failure: an engine error or timeout publishes `error`
(generation_failed) and `*.end` with finish_reason `error` and the curated
summary as `fallback_text`. Cancellation publishes `*.end` cancelled and closes
the engine's stream, which stops it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from guide_core.catalogue.loader import Catalogue
from guide_core.catalogue.models import Exhibit
from guide_core.catalogue.store import CatalogueStore
from guide_core.protocol import (
    AnswerDelta,
    AnswerEnd,
    AnswerStart,
    DescriptionDelta,
    DescriptionEnd,
    DescriptionStart,
    Error,
    ErrorCode,
    FactCheck,
    FinishReason,
    Question,
    VisitorProfile,
    WithheldSentence,
)
from guide_server.core.config import GuideSettings
from guide_server.core.metrics import GuideMetrics
from guide_server.exceptions import NoExhibitToAnswer
from guide_server.generation.engine import Engine, GenerationParams
from guide_server.generation.prompts import (
    MAX_NEW_TOKENS,
    ChatMessage,
    answer_messages,
    description_messages,
)
from guide_server.narration.cache import CachedDescription, CacheKey, DescriptionCache
from guide_server.narration.claim_checker import (
    Verdict,
    check_sentence,
    refused_outright,
    states,
)
from guide_server.narration.claim_text import clean_sentence, complete_sentences
from guide_server.narration.plan import PlannedStatement, plan_description
from guide_server.narration.questions import AnswerPlan, QuestionRouter, Turn
from guide_server.narration.record import exhibit_record
from guide_server.tours.delivery import Narrate

log = logging.getLogger(__name__)

Kind = Literal["description", "answer"]
Publish = Callable[[BaseModel], None]
SentenceChecker = Callable[[str, Exhibit], Verdict]
MESSAGES = {
    "description": (DescriptionStart, DescriptionDelta, DescriptionEnd),
    "answer": (AnswerStart, AnswerDelta, AnswerEnd),
}
UNFINISHED = "cut off at the length limit before the sentence ended"
REPEATED = "repeats a sentence already said"
OFF_PLAN = "states none of the statements planned for this point"


def _normalised(sentence: str) -> str:
    return " ".join(re.findall(r"[\w']+", sentence.lower()))


def _repeats(sentence: str, said: list[str]) -> bool:
    """Whether `sentence` says word for word what an earlier sentence said."""
    wanted = _normalised(sentence)
    return any(_normalised(earlier) == wanted for earlier in said)


@dataclass
class Request:
    """One description or answer to narrate."""

    kind: Kind
    request_id: str
    exhibit: Exhibit
    profile: VisitorProfile
    messages: list[ChatMessage]
    cache_key: CacheKey | None = None
    question: str = ""
    steps: list[PlannedStatement] = field(default_factory=list)
    """The planned statements, in order: each is said by the model's sentence when that sentence passes
    the claim check and states it, else in its plain words, in the same place."""
    canned: list[str] | None = None
    """Fixed sentences (a refusal, what the record does not say, a correction) released instead of generating."""


@dataclass
class _Progress:
    """What one request released and withheld so far."""

    chunks: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    withheld: list[WithheldSentence] = field(default_factory=list)
    tokens: int = 0
    ttft_ms: float | None = None
    check_ms: float = 0.0
    regenerated: bool = False
    next_step: int = 0
    """The first planned statement not yet said."""
    from_model: int = 0
    """Released sentences the model wrote."""
    replaced: int = 0
    """Released sentences that are a planned statement's plain words, said in place of the model's."""

    def fact_check(self) -> FactCheck:
        """The account of this request for `*.end`."""
        return FactCheck(
            ok=not self.withheld,
            released=len(self.chunks),
            withheld=self.withheld,
            regenerated=self.regenerated,
            fallback=bool(self.replaced) and not self.from_model,
            replaced=self.replaced,
            check_ms=round(self.check_ms, 3),
        )


def curated_summary(exhibit: Exhibit, profile: VisitorProfile) -> str:
    """The curators' summary in the visitor's language when they wrote one, else English."""
    if profile.language == "en" or profile.language not in exhibit.translations:
        return exhibit.summary
    return exhibit.translations[profile.language].summary


def correction_messages(messages: list[ChatMessage], withheld: list[WithheldSentence]) -> list[ChatMessage]:
    """The same prompt, told which sentences were not supported and why."""
    reasons = "; ".join(f'"{w.text}" ({w.reason})' for w in withheld[:3])
    note = (
        f" Your previous sentences were not supported by the facts: {reasons}. "
        "Write again using only the facts' own words, dates, numbers and names."
    )
    first, *rest = messages
    return [{"role": first["role"], "content": first["content"] + note}, *rest]


class Narrator:
    """Turns requests into published protocol messages; one per app."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: GuideSettings,
        metrics: GuideMetrics,
        cache: DescriptionCache,
        engine_ready: asyncio.Event,
        check: SentenceChecker = check_sentence,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.metrics = metrics
        self.cache = cache
        self.check = check
        self.engine_ready = engine_ready

    @classmethod
    def standalone(cls, engine: Engine, settings: GuideSettings) -> Narrator:
        """A narrator outside a server (evaluation, `guide ask`): `engine` already started, no cache."""
        ready = asyncio.Event()
        ready.set()
        return cls(
            engine=engine,
            settings=settings,
            metrics=GuideMetrics(),
            cache=DescriptionCache(0),
            engine_ready=ready,
        )

    def params(self, profile: VisitorProfile) -> GenerationParams:
        """The generation budget: the setting if given, else the audience's."""
        return GenerationParams(
            max_new_tokens=self.settings.max_new_tokens or MAX_NEW_TOKENS[profile.audience]
        )

    async def narrate(self, request: Request, publish: Publish) -> None:
        """Publish the whole life of `request`. Cancel to stop it (publishes `*.end` cancelled)."""
        cached = self.cache.get(request.cache_key) if request.cache_key else None
        if cached is not None:
            self.metrics.cache_hits.inc()
            self._replay_cached(request, cached, publish)
            return
        if request.cache_key is not None:
            self.metrics.cache_misses.inc()
        publish(self._start(request))
        progress = _Progress()
        if request.canned is not None:
            self._release_plain(request, request.canned, progress, publish)
            self._finish(request, FinishReason.STOP, progress, publish)
            return
        regenerate = self.settings.fact_guard == "regenerate"
        try:
            finish = await self._generate(request, request.messages, publish, progress, defer=regenerate)
            if regenerate and not progress.from_model and progress.withheld:
                progress.regenerated = True
                progress.next_step = 0
                retry = correction_messages(request.messages, progress.withheld)
                finish = await self._generate(request, retry, publish, progress)
        except asyncio.CancelledError:
            publish(self._end(request, FinishReason.CANCELLED, progress))
            self.metrics.generations.labels(request.kind, FinishReason.CANCELLED.value).inc()
            raise
        except Exception as exc:  # the engine failed: the visitor still gets the curated text
            log.exception("generation of %s %s failed", request.kind, request.request_id)
            self._fail(request, progress, publish, exc)
            return
        self._complete(request, progress, publish)
        self._finish(request, finish, progress, publish)

    def _finish(self, request: Request, finish: FinishReason, progress: _Progress, publish: Publish) -> None:
        self.metrics.generations.labels(request.kind, finish.value).inc()
        publish(self._end(request, finish, progress))
        self._remember(request, progress, finish)

    def _complete(self, request: Request, progress: _Progress, publish: Publish) -> None:
        """Say the planned statements the model left out, in their plain words, in order."""
        self._say_plainly(request, len(request.steps), progress, publish)
        if not progress.chunks:
            self._release_plain(
                request, [curated_summary(request.exhibit, request.profile)], progress, publish
            )

    def _say_plainly(self, request: Request, until: int, progress: _Progress, publish: Publish) -> None:
        """Release the plain words of the planned statements before `until` that are not said yet."""
        while progress.next_step < min(until, len(request.steps)):
            step = request.steps[progress.next_step]
            fresh = [s for s in step.plain if not _repeats(s, progress.released)]
            self._release_plain(request, fresh, progress, publish)
            progress.replaced += len(fresh)
            progress.next_step += 1

    def _start(self, request: Request, *, cached: bool = False):
        start = MESSAGES[request.kind][0]
        extra = {"question": request.question} if request.kind == "answer" else {}
        return start(
            request_id=request.request_id,
            exhibit_id=request.exhibit.id,
            model_id=self.engine.model_id,
            profile=request.profile,
            cached=cached,
            **extra,
        )

    def _end(
        self,
        request: Request,
        finish: FinishReason,
        progress: _Progress,
        *,
        check: FactCheck | None = None,
        fallback: str | None = None,
    ):
        end = MESSAGES[request.kind][2]
        return end(
            request_id=request.request_id,
            finish_reason=finish,
            token_count=progress.tokens,
            ttft_ms=progress.ttft_ms,
            fact_check=check or progress.fact_check(),
            fallback_text=fallback,
        )

    def _publish_sentence(
        self, request: Request, sentence: str, progress: _Progress, publish: Publish
    ) -> None:
        delta = MESSAGES[request.kind][1]
        text = sentence if not progress.chunks else f" {sentence}"
        publish(delta(request_id=request.request_id, seq=len(progress.chunks), text=text))
        progress.chunks.append(text)
        progress.released.append(sentence)
        self.metrics.sentences.labels(request.kind, "released").inc()

    def _release_plain(
        self, request: Request, sentences: list[str], progress: _Progress, publish: Publish
    ) -> None:
        """Publish curated or fixed text as it is (it is the record's, or says nothing about the exhibit)."""
        for sentence in sentences:
            self._publish_sentence(request, sentence, progress, publish)

    def _offer(
        self, request: Request, sentence: str, progress: _Progress, publish: Publish, *, defer: bool = False
    ) -> None:
        """Check one finished sentence of the model; release it in its planned place, or say the plan plainly."""
        sentence = clean_sentence(sentence)
        if not sentence:
            return
        if (refusal := refused_outright(sentence)) is not None:
            self._withhold(request, sentence, refusal, progress)
            self._failed(request, progress, publish, defer=defer)
            return
        started = time.perf_counter()
        verdict = self.check(sentence, request.exhibit)
        progress.check_ms += (time.perf_counter() - started) * 1000
        if not verdict.supported:
            self._withhold(request, sentence, verdict.reason, progress)
            self._failed(request, progress, publish, defer=defer)
            return
        if _repeats(sentence, progress.released):
            self._withhold(request, sentence, REPEATED, progress)
            return
        if not request.steps:
            self._publish_sentence(request, sentence, progress, publish)
            progress.from_model += 1
            return
        planned = next(
            (
                index
                for index in range(progress.next_step, len(request.steps))
                if states(sentence, request.steps[index].target)
            ),
            None,
        )
        if planned is None:
            self._withhold(request, sentence, OFF_PLAN, progress)
            return
        self._say_plainly(request, planned, progress, publish)
        self._publish_sentence(request, sentence, progress, publish)
        progress.from_model += 1
        progress.next_step = planned + 1

    def _failed(self, request: Request, progress: _Progress, publish: Publish, *, defer: bool) -> None:
        """A model sentence failed: say the statement it stood for plainly, in its place (unless deferred)."""
        if not defer:
            self._say_plainly(request, progress.next_step + 1, progress, publish)

    def _withhold(self, request: Request, sentence: str, reason: str, progress: _Progress) -> None:
        progress.withheld.append(WithheldSentence(text=sentence[:500], reason=reason))
        self.metrics.sentences.labels(request.kind, "withheld").inc()
        log.info("withheld from %s %s: %r (%s)", request.kind, request.request_id, sentence, reason)

    async def _generate(
        self,
        request: Request,
        messages: list[ChatMessage],
        publish: Publish,
        progress: _Progress,
        *,
        defer: bool = False,
    ) -> FinishReason:
        """Stream the engine's text, releasing each finished sentence that the record supports.

        Stops the engine once every planned statement is said.
        """
        params = self.params(request.profile)
        pending = ""
        tokens = 0
        async with asyncio.timeout(self.settings.generation_timeout_s):
            await self.engine_ready.wait()
            started = time.perf_counter()
            async with aclosing(self.engine.stream(messages, params)) as chunks:  # type: ignore[type-var]
                async for chunk in chunks:
                    if progress.ttft_ms is None:
                        progress.ttft_ms = (time.perf_counter() - started) * 1000
                        self.metrics.ttft.labels(request.kind).observe(progress.ttft_ms / 1000)
                    tokens += chunk.tokens
                    progress.tokens += chunk.tokens
                    done, pending = complete_sentences(pending + chunk.text)
                    for sentence in done:
                        self._offer(request, sentence, progress, publish, defer=defer)
                    if request.steps and progress.next_step >= len(request.steps):
                        pending = ""
                        break
        elapsed = time.perf_counter() - started
        if tokens and elapsed > 0:
            self.metrics.tokens_per_second.labels(request.kind).observe(tokens / elapsed)
        finish = FinishReason.LENGTH if tokens >= params.max_new_tokens else FinishReason.STOP
        if pending.strip():
            if finish is FinishReason.LENGTH:
                self._withhold(request, pending.strip(), UNFINISHED, progress)
            else:
                self._offer(request, pending, progress, publish, defer=defer)
        return finish

    def _fail(self, request: Request, progress: _Progress, publish: Publish, exc: Exception) -> None:
        reason = "timed out" if isinstance(exc, TimeoutError) else f"failed ({type(exc).__name__}: {exc})"
        self.metrics.generations.labels(request.kind, FinishReason.ERROR.value).inc()
        self.metrics.client_errors.labels(ErrorCode.GENERATION_FAILED.value).inc()
        publish(
            Error(
                code=ErrorCode.GENERATION_FAILED,
                message=f"the {request.kind} {reason}; showing the curators' summary instead",
                request_id=request.request_id,
            )
        )
        summary = curated_summary(request.exhibit, request.profile)
        publish(self._end(request, FinishReason.ERROR, progress, fallback=summary))

    def _replay_cached(self, request: Request, cached: CachedDescription, publish: Publish) -> None:
        started = time.perf_counter()
        publish(self._start(request, cached=True))
        delta = MESSAGES[request.kind][1]
        for seq, piece in enumerate(cached.chunks):
            publish(delta(request_id=request.request_id, seq=seq, text=piece))
        progress = _Progress(
            chunks=list(cached.chunks),
            tokens=cached.token_count,
            ttft_ms=(time.perf_counter() - started) * 1000,
        )
        publish(self._end(request, cached.finish_reason, progress, check=cached.fact_check))
        self.metrics.generations.labels(request.kind, "cached").inc()

    def _remember(self, request: Request, progress: _Progress, finish: FinishReason) -> None:
        if request.cache_key is None or finish not in (FinishReason.STOP, FinishReason.LENGTH):
            return
        self.cache.put(
            request.cache_key,
            CachedDescription(tuple(progress.chunks), progress.tokens, finish, progress.fact_check()),
        )


def description_request(
    catalogue: Catalogue, *, request_id: str, exhibit_id: str, profile: VisitorProfile, model_id: str
) -> Request:
    """The request for a description of `exhibit_id` from the catalogue snapshot `catalogue`, planned
    for the visitor's audience."""
    exhibit = catalogue.exhibits[exhibit_id]
    key = CacheKey(
        exhibit_id, catalogue.fingerprints[exhibit_id], model_id, profile.audience, profile.language
    )
    plan = plan_description(exhibit_record(exhibit), profile.audience)
    return Request(
        kind="description",
        request_id=request_id,
        exhibit=exhibit,
        profile=profile,
        messages=description_messages(exhibit, profile, [step.target for step in plan.steps]),
        cache_key=key,
        steps=list(plan.steps),
    )


def answer_request(plan: AnswerPlan, *, request_id: str, question: str, profile: VisitorProfile) -> Request:
    """The request answering `question` as `plan` says: from the statement that answers it, or fixed words."""
    steps = [] if plan.answer_with is None else [PlannedStatement(plan.answer_with, (plan.answer_with.text,))]
    messages = (
        answer_messages(plan.exhibit, question, profile, [plan.answer_with.text])
        if plan.answer_with is not None and plan.canned is None
        else []
    )
    return Request(
        kind="answer",
        request_id=request_id,
        exhibit=plan.exhibit,
        profile=profile,
        messages=messages,
        question=question,
        steps=steps,
        canned=plan.canned,
    )


class TourNarration:
    """Descriptions for the tours and answers for visitors, from the current catalogue."""

    def __init__(self, *, narrator: Narrator, catalogue: CatalogueStore, questions: QuestionRouter) -> None:
        self.narrator = narrator
        self._catalogue = catalogue
        self._questions = questions

    def description(self, request_id: str, exhibit_id: str, profile: VisitorProfile) -> Narrate:
        """The narration a tour's DescriptionStream runs for `exhibit_id` (built when it starts)."""

        async def narrate(publish: Publish) -> None:
            request = description_request(
                self._catalogue.current,
                request_id=request_id,
                exhibit_id=exhibit_id,
                profile=profile,
                model_id=self.narrator.engine.model_id,
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
        history: Sequence[Turn] = (),
    ) -> Turn:
        """Plan the answer (which exhibit, which statements), then narrate it to `publish`.

        `history` is the visitor's last turns, oldest first; returns this turn, for the next question.
        Raises `NoExhibitToAnswer` when the question names no exhibit and the robot is at none.
        """
        await self.narrator.engine_ready.wait()
        snapshot = self._catalogue.current
        plan = await asyncio.to_thread(
            functools.partial(
                self._questions.plan, snapshot, question.text, current=current, named=named, history=history
            )
        )
        if plan is None:
            raise NoExhibitToAnswer(
                "the robot is at no exhibit now and the question names none: name one with exhibit_id"
            )
        request = answer_request(
            plan, request_id=question.request_id, question=question.text, profile=profile
        )
        await self.narrator.narrate(request, publish)
        return Turn(question.text, plan.exhibit.id)
