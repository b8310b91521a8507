"""Build the generation engine named by the settings; heavy imports happen only here, on demand."""

from __future__ import annotations

from pathlib import Path

from guide_server.core.config import GuideSettings
from guide_server.generation.engine import Engine


def build_engine(settings: GuideSettings) -> Engine:
    """The engine `settings.engine` names (not started: the app's lifespan starts it)."""
    if settings.engine == "scripted":
        from guide_server.generation.engines.scripted import ScriptedEngine

        after = settings.scripted_fault_after
        return ScriptedEngine(
            fail_after=after if settings.scripted_fault == "raise" else None,
            pause_after=after if settings.scripted_fault == "hang" else None,
        )
    if settings.engine == "openai":
        from guide_server.generation.engines.openai import OpenAICompatibleEngine

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAICompatibleEngine(
            base_url=settings.openai_base_url, model=settings.openai_model, api_key=key
        )
    from guide_core.model_registry import RegisteredModel, load_selected_model
    from guide_server.generation.engines.transformers import TransformersEngine

    # Unset: the registry's selected model, or the packaged SmolLM2.
    model = load_selected_model()
    if settings.model is not None:
        model = RegisteredModel(id=Path(settings.model).name or settings.model, base=settings.model)
    if settings.engine == "onnx":
        from guide_server.generation.engines.onnx import OnnxGenAIEngine

        return OnnxGenAIEngine(model)
    return TransformersEngine(model)
