"""The model registry: which tuned model the server loads, written by `guide select`.

`training/registry.json` names the selected model: a packaged base (or local
folder) plus a LoRA adapter shipped in the repository. With no registry, the
server speaks with the packaged SmolLM2-135M-Instruct.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from guide_core.paths import PROJECT_ROOT

DEFAULT_BASE = "smollm2-135m-instruct"
"""The packaged base model the guide runs when the registry selects none."""

REGISTRY_PATH = PROJECT_ROOT / "training" / "registry.json"


class RegisteredModel(BaseModel):
    """One candidate: its base, its adapter, and how it scored."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
    base: str = Field(description="Packaged base id (e.g. smollm2-135m-instruct) or local model folder.")
    adapter: str | None = Field(
        default=None, description="LoRA adapter folder, relative to the project root."
    )
    report: str | None = Field(default=None, description="Evaluation report, relative to the project root.")
    scores: dict[str, float] = Field(default_factory=dict)

    def adapter_path(self, root: Path = PROJECT_ROOT) -> Path | None:
        """Absolute adapter folder, or None for a bare base model."""
        return None if self.adapter is None else (root / self.adapter).resolve()


class ModelRegistry(BaseModel):
    """`training/registry.json`: every ranked candidate and the one selected."""

    model_config = ConfigDict(extra="forbid")

    selected: str
    models: dict[str, RegisteredModel]
    ranking: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _selected_exists(self) -> ModelRegistry:
        if self.selected not in self.models:
            raise ValueError(
                f"selected model {self.selected!r} is not among models: run `guide select` again"
            )
        return self

    def selected_model(self) -> RegisteredModel:
        """The model the server should load."""
        return self.models[self.selected]


def default_model() -> RegisteredModel:
    """The packaged SmolLM2 with no adapter: what a fresh machine serves without a registry."""
    return RegisteredModel(id=DEFAULT_BASE, base=DEFAULT_BASE)


def load_selected_model(path: Path = REGISTRY_PATH) -> RegisteredModel:
    """The registry's selected model, or the packaged default when no registry exists."""
    if not path.exists():
        return default_model()
    return ModelRegistry.model_validate_json(path.read_text(encoding="utf-8")).selected_model()
