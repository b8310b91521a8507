"""`guide select`: gate the evaluated candidates on truth and write `training/registry.json`.

The gate is fixed in `training/configs/selection.yaml` before any run and is
never lowered to let one pass: factual accuracy on the test split at least
`min_factual_accuracy`, and no released sentence the claim checker does not
support. Among candidates that pass, the most accurate wins; on a tie, the one
whose own sentences the guard had to replace least often (`own_words_share`: the
server says a planned statement plainly when the model's sentence fails, so
accuracy alone cannot tell a model that narrates from one the server speaks for),
then the smaller model (faster on the CPU). If none passes, nothing is written and the
error gives every candidate's figures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from guide_core.model_registry import ModelRegistry, RegisteredModel
from guide_core.paths import PROJECT_ROOT
from training.exceptions import ConfigError


@dataclass(frozen=True)
class SelectionConfig:
    """The gate every selected model must pass."""

    min_factual_accuracy: float = 0.85
    """Share of the split's answerable questions answered with the key, every sentence supported."""
    max_unsupported_released: int = 0
    """Released sentences the claim checker does not support (gated streaming makes this 0)."""
    split: str = "test"
    """Which split's report decides."""

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.min_factual_accuracy <= 1:
            problems.append("min_factual_accuracy: must be in [0, 1]")
        if self.max_unsupported_released < 0:
            problems.append("max_unsupported_released: must be >= 0")
        if self.split not in ("train", "validation", "test", "all"):
            problems.append("split: use train, validation, test or all")
        if problems:
            raise ConfigError("; ".join(problems))


def load_selection_config(path: Path) -> SelectionConfig:
    """Read a selection YAML file."""
    if not path.exists():
        raise ConfigError(f"{path}: no such selection config; see training/configs/selection.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        return SelectionConfig(**raw)
    except TypeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def candidates_from_report(report: Path) -> list[RegisteredModel]:
    """Every candidate of a `guide evaluate` report, with its figures as scores."""
    relative = (
        str(report.resolve().relative_to(PROJECT_ROOT))
        if report.resolve().is_relative_to(PROJECT_ROOT)
        else str(report)
    )
    models = []
    for row in json.loads(report.read_text(encoding="utf-8")):
        scores = {
            "factual_accuracy": row["factual_accuracy"],
            "factual_low": row["factual_low"],
            "factual_high": row["factual_high"],
            "unsupported_released": float(row["unsupported_released"]),
            "own_words_share": own_words_share(row),
            **{f"{name}_share": figures["share"] for name, figures in row["by_category"].items()},
        }
        models.append(
            RegisteredModel(
                id=row["model_id"], base=row["base"], adapter=row["adapter"],
                report=relative.removesuffix(".json") + ".md", scores=scores,
            )
        )  # fmt: skip
    return models


def own_words_share(row: dict) -> float:
    """Share of a report row's answers that kept the model's own sentences (no fallback to the plain
    statement); 1.0 for an old report without the figures."""
    answers = len(row.get("answers", []))
    return 1.0 - row.get("fallbacks", 0) / answers if answers else 1.0


def size_in_millions(base: str) -> float:
    """Parameters of a base named like 'smollm2-135m-instruct' (135), for breaking ties; unknown: infinite."""
    found = re.search(r"(\d+(?:\.\d+)?)([mb])\b", base.lower())
    if found is None:
        return float("inf")
    return float(found.group(1)) * (1000 if found.group(2) == "b" else 1)


def passes_gate(model: RegisteredModel, config: SelectionConfig) -> bool:
    """Accurate enough, and nothing unsupported released."""
    return (
        model.scores["factual_accuracy"] >= config.min_factual_accuracy
        and model.scores["unsupported_released"] <= config.max_unsupported_released
    )


def select_model(config: SelectionConfig, *, reports_dir: Path, registry_path: Path) -> ModelRegistry:
    """Gate the candidates of `reports_dir/<split>.json`; write and return the registry."""
    report = reports_dir / f"{config.split}.json"
    if not report.exists():
        raise FileNotFoundError(f"{report}: no report; run `guide evaluate --split {config.split}` first")
    candidates = candidates_from_report(report)
    ranked = sorted(
        candidates,
        key=lambda m: (
            -m.scores["factual_accuracy"],
            -m.scores.get("own_words_share", 1.0),
            size_in_millions(m.base),
        ),
    )
    passing = [m for m in ranked if passes_gate(m, config)]
    if not passing:
        figures = "; ".join(
            f"{m.id}: accuracy {m.scores['factual_accuracy']:.3f}, "
            f"{m.scores['unsupported_released']:.0f} unsupported released"
            for m in ranked
        )
        raise ValueError(
            f"no candidate passes the gate (factual accuracy >= {config.min_factual_accuracy} on the "
            f"{config.split} split, at most {config.max_unsupported_released} unsupported sentences released): "
            f"{figures}. The gate stays; improve retrieval, the checker or the tuning and evaluate again"
        )
    registry = ModelRegistry(
        selected=passing[0].id,
        models={m.id: m for m in ranked},
        ranking=[m.id for m in passing] + [m.id for m in ranked if m not in passing],
    )
    registry_path.parent.mkdir(parents=True, exist_ok=True)
    registry_path.write_text(registry.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return registry
