"""The local engine: the registered model (packaged base + optional LoRA adapter)
run by transformers on a worker thread, its tokens streamed to the event loop.

One generation at a time per engine: a second `stream()` waits for the first to
finish or be cancelled. torch is imported only when the engine starts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from guide_core.model_registry import RegisteredModel, load_selected_model
from guide_server.exceptions import EngineNotStarted, GenerationError, ModelLoadError, ModelNotFound
from guide_server.generation.engine import Chunk, GenerationParams
from guide_server.generation.model_store import load_base
from guide_server.generation.prefix_cache import PrefixCache
from guide_server.generation.prompts import SYSTEM_PROMPT, ChatMessage, render_prompt

log = logging.getLogger(__name__)

MAX_USEFUL_THREADS = 8
"""A 135-270 M model gains nothing from more CPU threads than this."""
DEFAULT_PREFIX_CACHE_ENTRIES = 8
"""Prompt caches kept for reuse (about 20 MB each for SmolLM2-135M at 440 tokens)."""


@dataclass
class GenerationStats:
    """How one generation went: token counts, timings, and whether it was stopped early."""

    prompt_tokens: int = 0
    reused_prompt_tokens: int = 0
    """Prompt tokens whose attention cache came from an earlier prompt (not read again)."""
    new_tokens: int = 0
    first_token_s: float | None = None
    """Seconds from the request to the first token (prompt rendering and prefill included)."""
    total_s: float = 0.0
    stopped: bool = False
    """True when the reader closed or cancelled the stream before generation ended."""
    done: threading.Event = field(default_factory=threading.Event)
    """Set once the worker thread has left `generate`."""

    @property
    def tokens_per_s(self) -> float:
        """Decoding speed after the first token."""
        if self.first_token_s is None or self.new_tokens < 2:
            return 0.0
        return (self.new_tokens - 1) / max(self.total_s - self.first_token_s, 1e-9)


class _End:
    """Sentinel: the worker finished (normally, stopped, or with `error`)."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


def default_threads() -> int:
    """CPU threads for torch: every core, up to `MAX_USEFUL_THREADS`."""
    return max(1, min(os.cpu_count() or 1, MAX_USEFUL_THREADS))


class TransformersEngine:
    """Streams text from the registered model (base + LoRA adapter, merged at load)."""

    def __init__(
        self,
        model: RegisteredModel | None = None,
        *,
        threads: int | None = None,
        prefix_cache_entries: int = DEFAULT_PREFIX_CACHE_ENTRIES,
    ) -> None:
        self.registered = model or load_selected_model()
        self.threads = threads or default_threads()
        self.prefixes = PrefixCache(prefix_cache_entries)
        self.model: Any = None
        self.tokenizer: Any = None
        self.last_stats: GenerationStats | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._lock = asyncio.Lock()
        self._current_stop: threading.Event | None = None
        self._worker: asyncio.Future[None] | None = None

    @property
    def model_id(self) -> str:
        """The registered model's id, e.g. 'smollm2-135m-instruct+cypriot-lora'."""
        return self.registered.id

    async def start(self) -> None:
        """Load the model off the event loop, then run one tiny warm-up generation."""
        if self.model is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guide-generate")
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._load)

    def _load(self) -> None:
        import torch

        torch.set_num_threads(self.threads)
        try:
            model, tokenizer = load_base(self.registered.base)
        except ModelNotFound as error:
            raise ModelLoadError(f"model {self.model_id!r}: {error}") from error
        adapter = self.registered.adapter_path()
        if adapter is not None:
            model = _merge_adapter(model, adapter, self.model_id)
        model.eval()
        if _has_sliding_window(model) and self.prefixes.entries:
            # Cropping a sliding-window cache is not exact; such models read every prompt in full.
            log.info("%s has sliding-window attention: prompt prefix reuse is off", self.model_id)
            self.prefixes = PrefixCache(0)
        self.model, self.tokenizer = model, tokenizer
        # The first passes set up kernels and the chat template; pay that here, not on a
        # visitor's first token.
        warm_up: list[ChatMessage] = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": "Describe the exhibit."},
        ]
        self._generate_ids(render_prompt(tokenizer, warm_up), params=GenerationParams(max_new_tokens=4))
        log.info("engine %s ready (%d threads)", self.model_id, self.threads)

    async def close(self) -> None:
        """Stop any running generation, wait for its worker, and release the model.

        Does not wait for readers: a stream left open ends when its reader next asks.
        """
        if self._current_stop is not None:
            self._current_stop.set()
        if self._worker is not None:
            await asyncio.shield(self._worker)
        if self._executor is not None:
            self._executor.shutdown(wait=False)
        self._executor = None
        self.prefixes.clear()
        self.model = self.tokenizer = None

    def render(self, messages: list[ChatMessage]) -> str:
        """The prompt text the model sees for `messages`."""
        self._require_started()
        return render_prompt(self.tokenizer, messages)

    async def stream(self, messages: list[ChatMessage], params: GenerationParams) -> AsyncIterator[Chunk]:
        """Yield decoded pieces of the model's answer as they are generated.

        Safe to cancel or close at any point: the worker is told to stop before its
        next token and is awaited, so the next `stream()` starts on an idle model.
        The buffer between worker and reader holds at most `params.max_new_tokens + 2`
        items (one chunk per token at most), so a slow reader never grows it without bound.
        """
        self._require_started()
        async with self._lock:
            self._require_started()
            loop = asyncio.get_running_loop()
            # No maxsize: the worker cannot wait for room (it would stall the model), and the
            # queue is bounded anyway: at most one chunk per token, one final flush and _End.
            queue: asyncio.Queue[Chunk | _End] = asyncio.Queue()
            stop = threading.Event()
            stats = GenerationStats()
            self.last_stats, self._current_stop = stats, stop

            def emit(item: Chunk | _End) -> None:
                loop.call_soon_threadsafe(queue.put_nowait, item)

            assert self._executor is not None
            worker = self._worker = loop.run_in_executor(
                self._executor, self._generate_streaming, messages, params, stop, stats, emit
            )
            ended = False
            try:
                while True:
                    item = await queue.get()
                    if isinstance(item, _End):
                        ended = True
                        if item.error is not None:
                            raise GenerationError(f"{self.model_id} failed: {item.error}") from item.error
                        break
                    yield item
            finally:
                stats.stopped = not ended
                stop.set()
                # Shielded: a second cancellation must not release the lock while the worker runs.
                await asyncio.shield(worker)
                self._current_stop = self._worker = None

    def _require_started(self) -> None:
        if self.model is None:
            raise EngineNotStarted(f"engine {self.model_id!r} is not started: await engine.start() first")

    def _generate_streaming(
        self,
        messages: list[ChatMessage],
        params: GenerationParams,
        stop: threading.Event,
        stats: GenerationStats,
        emit: Callable[[Chunk | _End], None],
    ) -> None:
        started = time.perf_counter()
        try:
            prompt = render_prompt(self.tokenizer, messages)
            streamer = ChunkStreamer(self.tokenizer, stop, stats, started, emit)
            self._generate_ids(prompt, params=params, stop=stop, streamer=streamer, stats=stats, reuse=True)
            emit(_End())
        except Exception as error:  # handed to the reader, who raises it in its own task
            emit(_End(error))
        finally:
            stats.total_s = time.perf_counter() - started
            stats.done.set()

    def _generate_ids(
        self,
        prompt: str,
        *,
        params: GenerationParams | None = None,
        max_new_tokens: int | None = None,
        stop: threading.Event | None = None,
        streamer: Any = None,
        stats: GenerationStats | None = None,
        reuse: bool = False,
    ) -> list[int]:
        """Token ids generated for `prompt` (the generation itself, shared with the warm-up)."""
        import torch
        from transformers import StoppingCriteriaList

        params = params or GenerationParams(max_new_tokens=max_new_tokens or 1)
        inputs = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        if stats is not None:
            stats.prompt_tokens = int(inputs["input_ids"].shape[1])
        criteria = StoppingCriteriaList([_StopWhenSet(stop)]) if stop is not None else None
        prompt_ids = tuple(inputs["input_ids"][0].tolist())
        extra: dict[str, Any] = {}
        taken = self.prefixes.take(prompt_ids) if reuse else None
        if taken is not None:
            extra["past_key_values"] = taken[0]
            if stats is not None:
                stats.reused_prompt_tokens = taken[1]
        with torch.inference_mode():
            output = self.model.generate(
                **inputs,
                **sampling_kwargs(params),
                **extra,
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
                stopping_criteria=criteria,
                streamer=streamer,
                return_dict_in_generate=True,
            )
        if reuse and output.past_key_values is not None:
            self.prefixes.keep(prompt_ids, output.past_key_values)
        return output.sequences[0, len(prompt_ids) :].tolist()


def sampling_kwargs(params: GenerationParams) -> dict[str, Any]:
    """`generate` arguments for `params`: greedy when temperature is 0."""
    kwargs: dict[str, Any] = {
        "max_new_tokens": params.max_new_tokens,
        "repetition_penalty": params.repetition_penalty,
    }
    if params.temperature > 0:
        kwargs.update(do_sample=True, temperature=params.temperature, top_k=0, top_p=1.0)
    else:
        kwargs.update(do_sample=False, temperature=None, top_k=None, top_p=None)
    return kwargs


def _has_sliding_window(model: Any) -> bool:
    config = model.config
    layer_types = getattr(config, "layer_types", None) or []
    return any("sliding" in str(kind) for kind in layer_types) or bool(
        getattr(config, "sliding_window", None)
    )


def _merge_adapter(model: Any, adapter: Any, model_id: str) -> Any:
    """The base with the LoRA adapter merged in (fp32, so the merge loses nothing)."""
    from peft import PeftModel

    if not (adapter / "adapter_config.json").exists():
        raise ModelLoadError(
            f"model {model_id!r}: no LoRA adapter at {adapter} (adapter_config.json missing); "
            "train one or run `guide select` again"
        )
    return PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()


class _StopWhenSet:
    """Stopping criterion: stop every sequence once the reader has gone."""

    def __init__(self, stop: threading.Event | None) -> None:
        self.stop = stop

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        flag = self.stop is not None and self.stop.is_set()
        return torch.full((input_ids.shape[0],), flag, dtype=torch.bool, device=input_ids.device)


class ChunkStreamer:
    """A `generate` streamer that hands text to the event loop as soon as it is stable.

    Unlike transformers' TextStreamer, which holds text back until a word ends,
    a word's first tokens go out at once (the visitor's first text comes with the
    first token). Held back only: trailing whitespace (a tokenizer may drop it
    before punctuation) and an incomplete UTF-8 character.
    """

    def __init__(
        self,
        tokenizer: Any,
        stop: threading.Event,
        stats: GenerationStats,
        started: float,
        emit: Callable[[Chunk | _End], None],
    ) -> None:
        self.tokenizer, self.stop, self.stats, self.started, self.emit = tokenizer, stop, stats, started, emit
        self.prompt_seen = False
        self.tokens: list[int] = []
        self.printed = 0
        self.pending_tokens = 0

    def put(self, value: Any) -> None:
        """Receive the prompt (ignored) and then each new token."""
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        new = value.reshape(-1).tolist()
        self.tokens += new
        self.pending_tokens += len(new)
        self.stats.new_tokens += len(new)
        if self.stats.first_token_s is None:
            self.stats.first_token_s = time.perf_counter() - self.started
        text = self.tokenizer.decode(self.tokens, skip_special_tokens=True)
        if text.endswith("\n"):
            # A line is complete: send it and start decoding afresh, so decoding stays linear.
            self._send(text[self.printed :])
            self.tokens, self.printed = [], 0
        elif not text.endswith("\ufffd"):
            stable = len(text.rstrip())
            if stable > self.printed:
                self._send(text[self.printed : stable])
                self.printed = stable

    def end(self) -> None:
        """Send whatever is left when generation ends."""
        if self.tokens:
            self._send(self.tokenizer.decode(self.tokens, skip_special_tokens=True)[self.printed :])
        self.tokens, self.printed = [], 0

    def _send(self, text: str) -> None:
        if text and not self.stop.is_set():
            self.emit(Chunk(text=text, tokens=self.pending_tokens))
            self.pending_tokens = 0
