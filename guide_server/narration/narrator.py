"""Run one description or answer through the engine and publish only checked sentences.

`Narrator.narrate` is the whole life of one request: cache lookup, `*.start`,
then the engine's text cut into sentences as it streams; each finished sentence
goes to the claim checker and only a supported one is published, as one
`*.delta` (gapless `seq` 0, 1, 2 ... over released sentences). An unsupported
sentence is never sent: it is withheld, counted in `/metrics`, and listed with
its reason in `*.end.fact_check` for curators and logs. Under the `regenerate`
policy, a generation that released nothing is asked once more with the reasons
named. When nothing survives, the visitor hears the best-matching curated
statements, introduced as the museum's record. An answer that never stated the
statement that best answers the question is given it the same way. Only
released text is cached.

It publishes through a plain callback that never awaits, so the caller decides
how to fan out. Failure: an engine error or timeout publishes `error`
(generation_failed) and `*.end` with finish_reason `error` and the curated
summary as `fallback_text`. Cancellation publishes `*.end` cancelled and closes
the engine's stream, which stops it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from guide_core.catalogue.models import Exhibit
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
    VisitorProfile,
    WithheldSentence,
)
from guide_server.core.config import GuideSettings
from guide_server.core.metrics import GuideMetrics
from guide_server.generation.engine import Engine, GenerationParams
from guide_server.generation.prompts import MAX_NEW_TOKENS, ChatMessage
from guide_server.narration.cache import CachedDescription, CacheKey, DescriptionCache
from guide_server.narration.claim_checker import Verdict, check_sentence, says_record_is_silent, states
from guide_server.narration.claim_text import clean_sentence, complete_sentences

log = logging.getLogger(__name__)

Kind = Literal["description", "answer"]
Publish = Callable[[BaseModel], None]
SentenceChecker = Callable[[str, Exhibit], Verdict]
MESSAGES = {
    "description": (DescriptionStart, DescriptionDelta, DescriptionEnd),
    "answer": (AnswerStart, AnswerDelta, AnswerEnd),
}
RECORD_INTRO = "The museum's record says: "
UNFINISHED = "cut off at the length limit before the sentence ended"
_SAYS_NOT_HELD = re.compile(
    r"\bmuseum\s+(?:holds|has|keeps|owns)\s+no\b|\b(?:not|no longer)\s+in\s+(?:the|this|our)\s+museum\b"
    r"|\bmuseum\s+(?:does\s+not|doesn't)\s+(?:hold|have)\b",
    re.I,
)
_PROMPT_ECHO = re.compile(r"^(?:exhibit|facts?|question|system|user)\s*:", re.I)


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
    record: list[str] = field(default_factory=list)
    """The curated statements that best fit, best first: what the visitor hears if nothing survives."""
    must_state: str | None = None
    """For an answer: the statement that best answers it, added from the record if never said."""
    canned: str | None = None
    """A fixed reply (a refusal, 'the museum holds no ...') released instead of generating."""


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
    fallback: bool = False

    def fact_check(self) -> FactCheck:
        """The account of this request for `*.end`."""
        return FactCheck(
            ok=not self.withheld,
            released=len(self.chunks),
            withheld=self.withheld,
            regenerated=self.regenerated,
            fallback=self.fallback,
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
            self._release_plain(request, [request.canned], progress, publish)
            self._finish(request, FinishReason.STOP, progress, publish)
            return
        try:
            finish = await self._generate(request, request.messages, publish, progress)
            if not progress.chunks and progress.withheld and self.settings.fact_guard == "regenerate":
                progress.regenerated = True
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
        """Give the record's own words when nothing survived, or when an answer left out its fact."""
        if not progress.chunks:
            progress.fallback = True
            statements = request.record[:2] or [curated_summary(request.exhibit, request.profile)]
            first, *rest = statements
            self._release_plain(request, [RECORD_INTRO + first, *rest], progress, publish)
            return
        said = " ".join(progress.released)
        if request.must_state and not states(said, request.must_state) and not says_record_is_silent(said):
            self._release_plain(request, [RECORD_INTRO + request.must_state], progress, publish)

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

    def _offer(self, request: Request, sentence: str, progress: _Progress, publish: Publish) -> None:
        """Check one finished sentence; publish it if supported, else withhold it."""
        sentence = clean_sentence(sentence)
        if not sentence:
            return
        if _PROMPT_ECHO.match(sentence) or sentence.endswith("?"):
            self._withhold(
                request, sentence, "repeats the prompt or asks a question instead of answering", progress
            )
            return
        if _SAYS_NOT_HELD.search(sentence):
            # What the museum holds is the catalogue's to say (the question router), never the model's.
            self._withhold(
                request, sentence, "only the catalogue says what the museum does not hold", progress
            )
            return
        started = time.perf_counter()
        verdict = self.check(sentence, request.exhibit)
        progress.check_ms += (time.perf_counter() - started) * 1000
        if verdict.supported:
            self._publish_sentence(request, sentence, progress, publish)
        else:
            self._withhold(request, sentence, verdict.reason, progress)

    def _withhold(self, request: Request, sentence: str, reason: str, progress: _Progress) -> None:
        progress.withheld.append(WithheldSentence(text=sentence[:500], reason=reason))
        self.metrics.sentences.labels(request.kind, "withheld").inc()
        log.info("withheld from %s %s: %r (%s)", request.kind, request.request_id, sentence, reason)

    async def _generate(
        self, request: Request, messages: list[ChatMessage], publish: Publish, progress: _Progress
    ) -> FinishReason:
        """Stream the engine's text, releasing each finished sentence that the record supports."""
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
                        self._offer(request, sentence, progress, publish)
        elapsed = time.perf_counter() - started
        if tokens and elapsed > 0:
            self.metrics.tokens_per_second.labels(request.kind).observe(tokens / elapsed)
        finish = FinishReason.LENGTH if tokens >= params.max_new_tokens else FinishReason.STOP
        if pending.strip():
            if finish is FinishReason.LENGTH:
                self._withhold(request, pending.strip(), UNFINISHED, progress)
            else:
                self._offer(request, pending, progress, publish)
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
