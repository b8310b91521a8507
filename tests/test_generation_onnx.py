"""OnnxGenAIEngine on the real packaged SmolLM2 (with the registry's selected adapter, if any):
it streams, greedy output repeats, cancelling stops the worker, the export is cached,
and a LoRA adapter is merged before export (it changes what the model says)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from conftest import TIMEOUT

from guide_core.catalogue import Exhibit, load_catalogue_or_raise
from guide_core.model_registry import DEFAULT_BASE, RegisteredModel, load_selected_model
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_core.protocol import VisitorProfile
from guide_server.exceptions import ModelLoadError
from guide_server.generation import onnx_export
from guide_server.generation.engine import Chunk, Engine, GenerationParams
from guide_server.generation.engines.onnx import OnnxGenAIEngine
from guide_server.generation.model_store import MODEL_CACHE_ENV, resolve_base
from guide_server.generation.onnx_export import EXPORT_MARKER, export_dir, export_onnx
from guide_server.generation.prompts import description_messages

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

SHORT = GenerationParams(max_new_tokens=16)


@pytest.fixture(scope="session")
def kolossi() -> Exhibit:
    return load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR).exhibits["kolossi-castle"]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def engine() -> AsyncIterator[OnnxGenAIEngine]:
    """The registry's selected model (or the bare packaged SmolLM2), exported and started once."""
    started = OnnxGenAIEngine(load_selected_model())
    await started.start()
    yield started
    await started.close()


async def text_of(engine: OnnxGenAIEngine, exhibit: Exhibit, params: GenerationParams = SHORT) -> str:
    chunks: list[Chunk] = [
        c async for c in engine.stream(description_messages(exhibit, VisitorProfile()), params)
    ]
    return "".join(chunk.text for chunk in chunks)


async def test_engine_speaks_as_the_registered_model(engine: OnnxGenAIEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.model_id == load_selected_model().id
    assert "int4" in engine.describe()
    assert (engine.folder / EXPORT_MARKER).exists()


async def test_streams_text_token_by_token(engine: OnnxGenAIEngine, kolossi: Exhibit) -> None:
    chunks = [c async for c in engine.stream(description_messages(kolossi, VisitorProfile()), SHORT)]
    assert "".join(c.text for c in chunks).strip(), "the model wrote nothing"
    assert len(chunks) > 1, "text arrived in one piece, not streamed"
    stats = engine.last_stats
    assert stats is not None and not stats.stopped and stats.done.is_set()
    assert 0 < stats.new_tokens <= SHORT.max_new_tokens
    assert sum(c.tokens for c in chunks) <= stats.new_tokens
    assert stats.prompt_tokens > 100 and stats.first_token_s is not None


async def test_greedy_output_repeats(engine: OnnxGenAIEngine, kolossi: Exhibit) -> None:
    assert await text_of(engine, kolossi) == await text_of(engine, kolossi)


async def test_closing_the_stream_stops_the_worker(engine: OnnxGenAIEngine, kolossi: Exhibit) -> None:
    budget = GenerationParams(max_new_tokens=400)
    stream = engine.stream(description_messages(kolossi, VisitorProfile()), budget)
    first = await asyncio.wait_for(anext(stream), TIMEOUT)
    assert first.text
    await asyncio.wait_for(stream.aclose(), TIMEOUT)
    stats = engine.last_stats
    assert stats is not None and stats.stopped and stats.done.is_set()
    assert stats.new_tokens < budget.max_new_tokens
    assert (await text_of(engine, kolossi)).strip(), "the engine did not recover after a cancel"


async def test_second_start_reuses_the_export(
    engine: OnnxGenAIEngine, kolossi: Exhibit, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamp = (engine.folder / EXPORT_MARKER).stat().st_mtime_ns

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached export was built again")

    monkeypatch.setattr(onnx_export, "_run_builder", no_rebuild)
    again = OnnxGenAIEngine(engine.registered)
    await again.start()
    try:
        assert again.folder == engine.folder
        assert (again.folder / EXPORT_MARKER).stat().st_mtime_ns == stamp
        ours, theirs = await text_of(again, kolossi), await text_of(engine, kolossi)
        assert ours == theirs, (ours, theirs, engine.last_stats)
    finally:
        await again.close()


async def test_unknown_precision_is_refused() -> None:
    with pytest.raises(ModelLoadError, match="int4"):
        export_onnx(RegisteredModel(id="x", base=DEFAULT_BASE), precision="int3")


def _random_adapter(base_folder: Path, out: Path) -> Path:
    """A LoRA adapter with random (non-zero) weights: merged, it must change the model's words."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(base_folder, dtype=torch.float32)
    config = LoraConfig(r=8, lora_alpha=64, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(base, config).save_pretrained(out)
    return out


async def test_adapter_is_merged_before_export(
    kolossi: Exhibit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base_folder = resolve_base(DEFAULT_BASE)  # the shared dequantised base, before isolating the cache
    adapter = _random_adapter(base_folder, tmp_path / "adapter")
    bare = RegisteredModel(id=DEFAULT_BASE, base=DEFAULT_BASE)  # its export is shared and cached
    tuned = RegisteredModel(id="tuned", base=str(base_folder), adapter=str(adapter))
    texts = []
    for model in (bare, tuned):
        if model is tuned:  # this test's export only: never left in the shared cache
            monkeypatch.setenv(MODEL_CACHE_ENV, str(tmp_path / "cache"))
        started = OnnxGenAIEngine(model)
        await started.start()
        try:
            texts.append(await text_of(started, kolossi))
        finally:
            await started.close()
    assert texts[0].strip() and texts[1] != texts[0]
    assert export_dir(tuned, "int4").is_relative_to(tmp_path)


async def test_onnx_is_the_servers_default_engine() -> None:
    from guide_server.core.config import GuideSettings
    from guide_server.generation.engines.factory import build_engine

    built = build_engine(GuideSettings())
    assert isinstance(built, OnnxGenAIEngine) and built.model_id == load_selected_model().id
