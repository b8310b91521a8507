"""The default local engine: the registered model exported to ONNX Runtime GenAI (int4 weights).

The tuned model still speaks: the LoRA adapter is merged into the fp32 base before
export (`onnx_export`). Prompts are rendered with the exported folder's Hugging Face
tokenizer and chat template, the same ones training used. Everything around the token
loop (the worker thread, the bridge to the event loop, cancellation, statistics, the
text streamer) is `TransformersEngine`'s: only loading and the token loop differ.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from guide_core.model_registry import RegisteredModel
from guide_server.generation.engine import GenerationParams
from guide_server.generation.engines.transformers import GenerationStats, TransformersEngine
from guide_server.generation.onnx_export import export_onnx
from guide_server.generation.prefix_cache import PrefixCache
from guide_server.generation.prompts import SYSTEM_PROMPT, ChatMessage, render_prompt

log = logging.getLogger(__name__)


class OnnxGenAIEngine(TransformersEngine):
    """Streams text from the registered model (adapter merged, then exported to ONNX) on the CPU."""

    def __init__(
        self, model: RegisteredModel | None = None, *, precision: str = "int4", threads: int | None = None
    ) -> None:
        # No prompt-prefix reuse: the ONNX generator's cache is not shared between generations.
        super().__init__(model, threads=threads, prefix_cache_entries=0)
        self.precision = precision
        self.folder: Any = None

    def describe(self) -> str:
        """What runs the model, for logs and benchmark tables."""
        return f"{self.model_id} (onnxruntime-genai, {self.precision} weights, {self.threads} threads)"

    def _load(self) -> None:
        import onnxruntime_genai as og
        from transformers import AutoTokenizer

        folder = export_onnx(self.registered, precision=self.precision)
        config = og.Config(str(folder))
        threads = {"intra_op_num_threads": self.threads, "inter_op_num_threads": 1}
        config.overlay(json.dumps({"model": {"decoder": {"session_options": threads}}}))
        self.prefixes = PrefixCache(0)
        self.model, self.tokenizer, self.folder = (
            og.Model(config),
            AutoTokenizer.from_pretrained(folder),
            folder,
        )
        warm_up: list[ChatMessage] = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": "Describe the exhibit."},
        ]
        self._generate_ids(render_prompt(self.tokenizer, warm_up), params=GenerationParams(max_new_tokens=4))
        log.info("engine ready: %s", self.describe())

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
        """Token ids generated for `prompt`, one `generate_next_token` at a time (stops when `stop` is set)."""
        import numpy as np
        import onnxruntime_genai as og

        params = params or GenerationParams(max_new_tokens=max_new_tokens or 1)
        # The HF tokenizer, as in training, so the ids match the ones the adapter was tuned on.
        ids = self.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        if stats is not None:
            stats.prompt_tokens = len(ids)
        search = og.GeneratorParams(self.model)
        search.set_search_options(**search_options(params, prompt_tokens=len(ids)))
        generator = og.Generator(self.model, search)
        if streamer is not None:
            streamer.put(np.asarray(ids))
        generator.append_tokens(np.asarray(ids, dtype=np.int32))
        generated: list[int] = []
        while not generator.is_done() and not (stop is not None and stop.is_set()):
            generator.generate_next_token()
            token = generator.get_next_tokens()
            generated.append(int(token[0]))
            if streamer is not None:
                streamer.put(token)
        if streamer is not None:
            streamer.end()
        return generated


def search_options(params: GenerationParams, *, prompt_tokens: int) -> dict[str, Any]:
    """`set_search_options` arguments for `params`: greedy when temperature is 0."""
    options: dict[str, Any] = {
        "max_length": prompt_tokens + params.max_new_tokens,
        "repetition_penalty": params.repetition_penalty,
    }
    if params.temperature > 0:
        options.update(do_sample=True, temperature=params.temperature, top_p=1.0)
    else:
        options.update(do_sample=False)
    return options
