"""TransformersEngine on the real packaged SmolLM2: streaming equals plain greedy
generation, cancelling stops the worker, and a registered LoRA adapter is applied."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from conftest import TIMEOUT

from guide_core.catalogue import Exhibit, load_catalogue_or_raise
from guide_core.model_registry import DEFAULT_BASE, ModelRegistry, RegisteredModel, load_selected_model
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_core.protocol import VisitorProfile
from guide_server.exceptions import EngineNotStarted, ModelLoadError
from guide_server.generation.engine import Chunk, Engine, GenerationParams
from guide_server.generation.engines.transformers import TransformersEngine, sampling_kwargs
from guide_server.generation.model_store import load_base
from guide_server.generation.prompts import (
    ChatMessage,
    answer_messages,
    description_facts,
    description_messages,
)

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

SHORT = GenerationParams(max_new_tokens=16)


@pytest.fixture(scope="session")
def kolossi() -> Exhibit:
    return load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR).exhibits["kolossi-castle"]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def engine() -> AsyncIterator[TransformersEngine]:
    """The packaged SmolLM2 with no adapter, started once for the whole session."""
    started = TransformersEngine(RegisteredModel(id=DEFAULT_BASE, base=DEFAULT_BASE))
    await started.start()
    yield started
    await started.close()


async def collect(stream: AsyncIterator[Chunk]) -> list[Chunk]:
    return [chunk async for chunk in stream]


def reference_text(model: Any, tokenizer: Any, prompt: str, params: GenerationParams) -> str:
    """Plain `model.generate` (no streamer, no stop criterion) decoded in one go."""
    import torch

    inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
    with torch.inference_mode():
        output = model.generate(
            **inputs, **sampling_kwargs(params), pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id
        )
    return tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


async def test_engine_satisfies_the_protocol(engine: TransformersEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.model_id == DEFAULT_BASE


async def test_streamed_chunks_equal_plain_greedy_generation(
    engine: TransformersEngine, kolossi: Exhibit
) -> None:
    messages = description_messages(kolossi, VisitorProfile())
    chunks = await collect(engine.stream(messages, SHORT))
    streamed = "".join(chunk.text for chunk in chunks)
    assert streamed.strip(), "the model wrote nothing"
    assert len(chunks) > 1, "text arrived in one piece, not streamed"
    assert sum(chunk.tokens for chunk in chunks) <= SHORT.max_new_tokens
    stats = engine.last_stats
    assert stats is not None and stats.new_tokens == SHORT.max_new_tokens and not stats.stopped
    assert stats.first_token_s is not None and stats.first_token_s <= stats.total_s
    expected = reference_text(engine.model, engine.tokenizer, engine.render(messages), SHORT)
    assert streamed == expected


@pytest.mark.parametrize(
    "text",
    [
        "Kolossi Castle stands near Limassol.",
        "Το Κάστρο του Κολοσσίου 🏰 , built in 1454 !\n\nA new line  with  spaces ",
        "Choirokoitia's houses were round ( mudbrick ) .",
    ],
)
async def test_chunk_streamer_sends_each_token_at_once_and_loses_nothing(
    engine: TransformersEngine, text: str
) -> None:
    import threading

    import torch

    from guide_server.generation.engines.transformers import ChunkStreamer, GenerationStats

    tokenizer = engine.tokenizer
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    sent: list[Chunk] = []
    streamer = ChunkStreamer(tokenizer, threading.Event(), GenerationStats(), 0.0, sent.append)
    streamer.put(torch.tensor([[1, 2, 3]]))  # the prompt: ignored
    streamer.put(torch.tensor([ids[0]]))
    first = tokenizer.decode(ids[:1])
    expected = "" if first.endswith("\ufffd") else first.rstrip()  # half a character waits
    assert "".join(c.text for c in sent) == expected, "the first token's text was held back"
    for token in ids[1:]:
        streamer.put(torch.tensor([token]))
    streamer.end()
    assert "".join(c.text for c in sent) == tokenizer.decode(ids, skip_special_tokens=True)
    assert sum(c.tokens for c in sent) <= len(ids)


async def test_a_question_reuses_the_description_prompt_and_matches_plain_generation(
    engine: TransformersEngine, kolossi: Exhibit
) -> None:
    await collect(engine.stream(description_messages(kolossi, VisitorProfile()), SHORT))
    messages = answer_messages(
        kolossi, "Who built the keep?", VisitorProfile(), description_facts(kolossi)[:3]
    )
    text = "".join(chunk.text for chunk in await collect(engine.stream(messages, SHORT)))
    stats = engine.last_stats
    assert stats is not None and stats.reused_prompt_tokens > stats.prompt_tokens // 2
    assert text == reference_text(engine.model, engine.tokenizer, engine.render(messages), SHORT)


async def test_same_prompt_twice_gives_the_same_greedy_text(
    engine: TransformersEngine, kolossi: Exhibit
) -> None:
    messages = answer_messages(
        kolossi, "Who built the keep?", VisitorProfile(), description_facts(kolossi)[:3]
    )
    first = "".join(chunk.text for chunk in await collect(engine.stream(messages, SHORT)))
    second = "".join(chunk.text for chunk in await collect(engine.stream(messages, SHORT)))
    assert first == second


async def test_cancelling_the_reader_stops_the_worker(engine: TransformersEngine, kolossi: Exhibit) -> None:
    long = GenerationParams(max_new_tokens=400)
    first_chunk = asyncio.Event()

    async def read() -> None:
        async for _ in engine.stream(description_messages(kolossi, VisitorProfile()), long):
            first_chunk.set()

    reader = asyncio.create_task(read())
    await asyncio.wait_for(first_chunk.wait(), TIMEOUT)
    reader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(reader, TIMEOUT)
    stats = engine.last_stats
    assert stats is not None
    assert await asyncio.to_thread(stats.done.wait, TIMEOUT), "worker thread still generating"
    assert stats.stopped and stats.new_tokens < long.max_new_tokens
    # The engine is free again at once: the next stream starts and finishes.
    chunks = await asyncio.wait_for(
        collect(engine.stream(description_messages(kolossi, VisitorProfile()), SHORT)), TIMEOUT * 3
    )
    assert chunks


async def test_a_reader_that_falls_behind_loses_nothing(engine: TransformersEngine, kolossi: Exhibit) -> None:
    messages = description_messages(kolossi, VisitorProfile())
    prompt_read_fast = "".join(c.text for c in await collect(engine.stream(messages, SHORT)))
    stream = engine.stream(messages, SHORT)
    first = await asyncio.wait_for(anext(stream), TIMEOUT)
    stats = engine.last_stats
    assert stats is not None
    assert await asyncio.to_thread(stats.done.wait, TIMEOUT * 3), "worker did not finish on its own"
    rest = await collect(stream)
    assert first.text + "".join(c.text for c in rest) == prompt_read_fast
    assert not stats.stopped


async def test_closing_the_iterator_stops_the_worker(engine: TransformersEngine, kolossi: Exhibit) -> None:
    stream = engine.stream(
        description_messages(kolossi, VisitorProfile()), GenerationParams(max_new_tokens=400)
    )
    await asyncio.wait_for(anext(stream), TIMEOUT)
    await asyncio.wait_for(stream.aclose(), TIMEOUT)
    stats = engine.last_stats
    assert stats is not None and stats.done.is_set() and stats.stopped
    assert stats.new_tokens < 400


async def test_two_streams_run_one_after_the_other(engine: TransformersEngine, kolossi: Exhibit) -> None:
    messages = description_messages(kolossi, VisitorProfile())
    first, second = await asyncio.wait_for(
        asyncio.gather(collect(engine.stream(messages, SHORT)), collect(engine.stream(messages, SHORT))),
        TIMEOUT * 3,
    )
    assert "".join(c.text for c in first) == "".join(c.text for c in second)


async def test_stream_before_start_says_what_to_do() -> None:
    idle = TransformersEngine(RegisteredModel(id="never-started", base=DEFAULT_BASE))
    messages: list[ChatMessage] = [{"role": "user", "content": "Hello"}]
    with pytest.raises(EngineNotStarted, match=r"await engine\.start"):
        await anext(idle.stream(messages, SHORT))


async def test_missing_adapter_is_a_clear_load_error(tmp_path: Path) -> None:
    broken = TransformersEngine(
        RegisteredModel(id="lost", base=DEFAULT_BASE, adapter=str(tmp_path / "nowhere"))
    )
    with pytest.raises(ModelLoadError, match=r"adapter_config\.json missing"):
        await broken.start()
    await broken.close()


@pytest.fixture(scope="module")
def random_adapter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny LoRA adapter with random (non-zero) weights, saved as training would save it."""
    from peft import LoraConfig, get_peft_model

    model, _ = load_base(DEFAULT_BASE)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    folder = tmp_path_factory.mktemp("adapter") / "random-lora"
    get_peft_model(model, config).save_pretrained(folder)
    return folder


async def test_registered_lora_adapter_is_applied(
    engine: TransformersEngine, kolossi: Exhibit, random_adapter: Path, tmp_path: Path
) -> None:
    from peft import PeftModel

    registry = tmp_path / "registry.json"
    entry = RegisteredModel(id="smollm2-random-lora", base=DEFAULT_BASE, adapter=str(random_adapter))
    registry.write_text(
        ModelRegistry(selected=entry.id, models={entry.id: entry}).model_dump_json(), encoding="utf-8"
    )
    tuned = TransformersEngine(load_selected_model(registry))
    assert tuned.model_id == "smollm2-random-lora"
    await tuned.start()
    try:
        messages = description_messages(kolossi, VisitorProfile())
        params = GenerationParams(max_new_tokens=8)
        tuned_text = "".join(c.text for c in await collect(tuned.stream(messages, params)))
        base_text = "".join(c.text for c in await collect(engine.stream(messages, params)))
        assert tuned_text != base_text
        # The merged weights generate what the unmerged PeftModel generates.
        base_model, tokenizer = load_base(DEFAULT_BASE)
        reference = PeftModel.from_pretrained(base_model, str(random_adapter))
        assert tuned_text == reference_text(reference, tokenizer, tuned.render(messages), params)
        # Closing the engine while a reader holds an open stream stops the worker at once.
        stream = tuned.stream(messages, GenerationParams(max_new_tokens=400))
        await asyncio.wait_for(anext(stream), TIMEOUT)
        await asyncio.wait_for(tuned.close(), TIMEOUT)
        stats = tuned.last_stats
        assert stats is not None and stats.done.is_set() and stats.new_tokens < 400
        await asyncio.wait_for(stream.aclose(), TIMEOUT)
    finally:
        await tuned.close()
