"""Run one description or answer through the engine and publish it as protocol messages.

`Narrator.narrate` is the whole life of one request: cache lookup, `*.start`,
gapless `*.delta` (seq 0, 1, 2 ...), `*.end` with finish reason, token count,
time to first token and the fact guard's verdict. It publishes through a plain
callback that never awaits, so the caller decides how to fan out.

Failure: an engine error or timeout publishes `error` (generation_failed) and
`*.end` with finish_reason `error` and the curated summary as `fallback_text`.
Cancellation (the robot moved on, the visitor left) publishes `*.end` with
finish_reason `cancelled` and closes the engine's stream, which stops it.

Fact guard policy (`GUIDE_FACT_GUARD`):
- `mark`: the verdict rides on `*.end` and counts in the metrics; nothing else.
- `regenerate`: a flagged text is ended with `fact_check.regenerated = true`,
  then generated once more (not streamed) with the unsupported values named as
  forbidden. If the retry is clean it is streamed as a new request whose
  `*.start.replaces` names the flagged one; if not, the curated summary is
  streamed instead. Only clean text enters the cache.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from guide_server.catalogue.models import Exhibit
from guide_server.core.config import GuideSettings
from guide_server.core.metrics import GuideMetrics
from guide_server.generation.engine import Engine, GenerationParams
from guide_server.generation.prompts import MAX_NEW_TOKENS, ChatMessage
from guide_server.generation.scripted_engine import split_words
from guide_server.narration.cache import CachedDescription, CacheKey, DescriptionCache
from guide_server.protocol import (
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
)

log = logging.getLogger(__name__)

Kind = Literal["description", "answer"]
Publish = Callable[[BaseModel], None]
FactChecker = Callable[[str, Exhibit], FactCheck]
MESSAGES = {
    "description": (DescriptionStart, DescriptionDelta, DescriptionEnd),
    "answer": (AnswerStart, AnswerDelta, AnswerEnd),
}


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


@dataclass
class _Progress:
    chunks: list[str] = field(default_factory=list)
    tokens: int = 0
    ttft_ms: float | None = None


def curated_summary(exhibit: Exhibit, profile: VisitorProfile) -> str:
    """The curators' summary in the visitor's language when they wrote one, else English."""
    if profile.language == "en" or profile.language not in exhibit.translations:
        return exhibit.summary
    return exhibit.translations[profile.language].summary


def correction_messages(messages: list[ChatMessage], check: FactCheck) -> list[ChatMessage]:
    """The same prompt, with the values the fact guard flagged named as unsupported."""
    values = ", ".join(flag.value for flag in check.flags)
    note = (
        f" Your previous text mentioned {values}, which the exhibit record does not support. "
        "Do not mention them; use only the record's own dates, numbers and names."
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
        check_facts: FactChecker,
        engine_ready: asyncio.Event,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.metrics = metrics
        self.cache = cache
        self.check_facts = check_facts
        self.engine_ready = engine_ready

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
        publish(self._start(request, request.request_id))
        progress = _Progress()
        try:
            finish = await self._generate(request, request.messages, request.request_id, publish, progress)
        except asyncio.CancelledError:
            publish(self._end(request.request_id, FinishReason.CANCELLED, progress, request))
            self.metrics.generations.labels(request.kind, FinishReason.CANCELLED.value).inc()
            raise
        except Exception as exc:  # the engine failed: the visitor still gets the curated text
            log.exception("generation of %s %s failed", request.kind, request.request_id)
            self._fail(request, progress, publish, exc)
            return
        text = "".join(progress.chunks)
        check = self._check(text, request.exhibit)
        self.metrics.generations.labels(request.kind, finish.value).inc()
        if check.ok or self.settings.fact_guard == "mark":
            publish(self._end(request.request_id, finish, progress, request, check))
            self._remember(request, progress, finish, check)
            return
        publish(
            self._end(
                request.request_id, finish, progress, request, check.model_copy(update={"regenerated": True})
            )
        )
        await self._publish_correction(request, check, publish)

    def _start(self, request: Request, request_id: str, *, cached: bool = False, replaces: str | None = None):
        start = MESSAGES[request.kind][0]
        extra = {"question": request.question} if request.kind == "answer" else {}
        return start(
            request_id=request_id,
            exhibit_id=request.exhibit.id,
            model_id=self.engine.model_id,
            profile=request.profile,
            cached=cached,
            replaces=replaces,
            **extra,
        )

    def _end(
        self,
        request_id: str,
        finish: FinishReason,
        progress: _Progress,
        request: Request,
        check: FactCheck | None = None,
        fallback: str | None = None,
    ):
        end = MESSAGES[request.kind][2]
        return end(
            request_id=request_id,
            finish_reason=finish,
            token_count=progress.tokens,
            ttft_ms=progress.ttft_ms,
            fact_check=check,
            fallback_text=fallback,
        )

    async def _generate(
        self,
        request: Request,
        messages: list[ChatMessage],
        request_id: str | None,
        publish: Publish,
        progress: _Progress,
    ) -> FinishReason:
        """Stream into `progress`, publishing deltas under `request_id` (None: collect only)."""
        delta = MESSAGES[request.kind][1]
        params = self.params(request.profile)
        async with asyncio.timeout(self.settings.generation_timeout_s):
            await self.engine_ready.wait()
            started = time.perf_counter()
            async with aclosing(self.engine.stream(messages, params)) as chunks:  # type: ignore[type-var]
                async for chunk in chunks:
                    if progress.ttft_ms is None:
                        progress.ttft_ms = (time.perf_counter() - started) * 1000
                        self.metrics.ttft.labels(request.kind).observe(progress.ttft_ms / 1000)
                    if request_id is not None:
                        publish(delta(request_id=request_id, seq=len(progress.chunks), text=chunk.text))
                    progress.chunks.append(chunk.text)
                    progress.tokens += chunk.tokens
        elapsed = time.perf_counter() - started
        if progress.tokens and elapsed > 0:
            self.metrics.tokens_per_second.labels(request.kind).observe(progress.tokens / elapsed)
        return FinishReason.LENGTH if progress.tokens >= params.max_new_tokens else FinishReason.STOP

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
        publish(self._end(request.request_id, FinishReason.ERROR, progress, request, fallback=summary))

    def _check(self, text: str, exhibit: Exhibit) -> FactCheck:
        check = self.check_facts(text, exhibit)
        for flag in check.flags:
            self.metrics.fact_flags.labels(flag.kind).inc()
        return check

    async def _publish_correction(self, request: Request, check: FactCheck, publish: Publish) -> None:
        """Regenerate once, unstreamed; stream the clean retry or the curated summary."""
        retry = _Progress()
        try:
            await self._generate(request, correction_messages(request.messages, check), None, publish, retry)
            text = "".join(retry.chunks)
            verdict = self._check(text, request.exhibit)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("fact-guard retry of %s failed; using the curated summary", request.request_id)
            verdict = FactCheck(ok=False)
        if not verdict.ok:
            text = curated_summary(request.exhibit, request.profile)
            verdict = FactCheck(ok=True, regenerated=True)
        else:
            verdict = verdict.model_copy(update={"regenerated": True})
        fixed_id = f"{request.request_id[:58]}.fixed"
        chunks = split_words(text)
        publish(self._start(request, fixed_id, replaces=request.request_id))
        delta = MESSAGES[request.kind][1]
        for seq, piece in enumerate(chunks):
            publish(delta(request_id=fixed_id, seq=seq, text=piece))
        done = _Progress(chunks=chunks, tokens=len(chunks), ttft_ms=retry.ttft_ms)
        publish(self._end(fixed_id, FinishReason.STOP, done, request, verdict))
        self._remember(request, done, FinishReason.STOP, verdict)

    def _replay_cached(self, request: Request, cached: CachedDescription, publish: Publish) -> None:
        started = time.perf_counter()
        publish(self._start(request, request.request_id, cached=True))
        delta = MESSAGES[request.kind][1]
        for seq, piece in enumerate(cached.chunks):
            publish(delta(request_id=request.request_id, seq=seq, text=piece))
        progress = _Progress(
            chunks=list(cached.chunks),
            tokens=cached.token_count,
            ttft_ms=(time.perf_counter() - started) * 1000,
        )
        publish(self._end(request.request_id, cached.finish_reason, progress, request, cached.fact_check))
        self.metrics.generations.labels(request.kind, "cached").inc()

    def _remember(
        self, request: Request, progress: _Progress, finish: FinishReason, check: FactCheck
    ) -> None:
        if request.cache_key is None or finish not in (FinishReason.STOP, FinishReason.LENGTH):
            return
        self.cache.put(
            request.cache_key, CachedDescription(tuple(progress.chunks), progress.tokens, finish, check)
        )
