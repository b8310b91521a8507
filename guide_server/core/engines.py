"""Build the generation engine named by the settings; heavy imports happen only here, on demand."""

from __future__ import annotations

from pathlib import Path

from guide_server.core.config import GuideSettings
from guide_server.generation.engine import Engine


def build_engine(settings: GuideSettings) -> Engine:
    """The engine `settings.engine` names (not started: the app's lifespan starts it)."""
    if settings.engine == "scripted":
        from guide_server.generation.scripted_engine import ScriptedEngine

        return ScriptedEngine()
    if settings.engine == "openai":
        from guide_server.generation.openai_engine import OpenAICompatibleEngine

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAICompatibleEngine(
            base_url=settings.openai_base_url, model=settings.openai_model, api_key=key
        )
    from guide_server.generation.registry import RegisteredModel
    from guide_server.generation.transformers_engine import TransformersEngine

    if settings.model is None:
        return TransformersEngine()  # the registry's selected model, or the packaged SmolLM2
    name = Path(settings.model).name or settings.model
    return TransformersEngine(RegisteredModel(id=name, base=settings.model))
