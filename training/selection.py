"""`guide select`: rank evaluated candidates by weighted criteria, factual accuracy as a gate,
and write `training/registry.json`, which the server loads at start-up."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from guide_server.generation.registry import ModelRegistry, RegisteredModel
from guide_server.paths import PROJECT_ROOT
from training.config import ConfigError
from training.evaluation.criteria import CRITERIA


@dataclass
class SelectionConfig:
    """How candidates are ranked."""

    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CRITERIA, 1.0))
    """Weight per criterion in the ranking score (normalised by their sum)."""
    min_factual_accuracy: float = 0.5
    """Gate: a candidate below this grounded factual accuracy is never selected."""
    max_hallucination_rate: float = 0.5
    """Gate: a candidate above this grounded hallucination rate is never selected."""
    mode: str = "grounded"
    """Which evaluation mode ranks: 'grounded' (as the server prompts) or 'no_context'."""

    def __post_init__(self) -> None:
        problems = [
            f"weights.{k}: unknown criterion (use {', '.join(CRITERIA)})"
            for k in self.weights
            if k not in CRITERIA
        ]
        problems += [f"weights.{k}: must be >= 0" for k, v in self.weights.items() if v < 0]
        if not any(v > 0 for v in self.weights.values()):
            problems.append("weights: at least one weight must be positive")
        if not 0 <= self.min_factual_accuracy <= 1:
            problems.append("min_factual_accuracy: must be in [0, 1]")
        if not 0 <= self.max_hallucination_rate <= 1:
            problems.append("max_hallucination_rate: must be in [0, 1]")
        if self.mode not in ("grounded", "no_context"):
            problems.append("mode: use 'grounded' or 'no_context'")
        if problems:
            raise ConfigError("; ".join(problems))


def load_selection_config(path: Path) -> SelectionConfig:
    """Read a selection YAML file (weights, gates, mode)."""
    if not path.exists():
        raise ConfigError(f"{path}: no such selection config; see training/configs/selection.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        return SelectionConfig(**raw)
    except TypeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _score(scores: dict[str, float], config: SelectionConfig) -> float:
    total = sum(config.weights.values())
    return sum(w * scores[c] for c, w in config.weights.items()) / total


def candidates_from_reports(reports_dir: Path, config: SelectionConfig) -> list[RegisteredModel]:
    """Every evaluated tuned model and each base it was compared against, with its scores."""
    found: dict[str, RegisteredModel] = {}
    for path in sorted(reports_dir.glob("*/report.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        mode = report["modes"][config.mode]
        relative = (
            str(path.parent.resolve().relative_to(PROJECT_ROOT))
            if path.resolve().is_relative_to(PROJECT_ROOT)
            else str(path.parent)
        )
        for who, model_id, adapter in (
            ("base", report["base"], None),
            ("tuned", f"{report['base']}+{report['run']}", report["adapter"]),
        ):
            scores = {c: mode[who][c]["mean"] for c in CRITERIA}
            scores["hallucination_rate"] = mode[who]["hallucination_rate"]["mean"]
            scores["rank_score"] = _score(scores, config)
            if who == "tuned":
                scores["base_factual_accuracy"] = mode["base"]["factual_accuracy"]["mean"]
            found.setdefault(model_id, RegisteredModel(id=model_id, base=report["base"], adapter=adapter,
                                                       report=f"{relative}/report.md", scores=scores))  # fmt: skip
    return list(found.values())


def passes_gates(model: RegisteredModel, config: SelectionConfig) -> bool:
    """Factual accuracy as a gate: above the floor, never below the untuned base, few hallucinations."""
    scores = model.scores
    return (
        scores["factual_accuracy"] >= config.min_factual_accuracy
        and scores["factual_accuracy"] >= scores.get("base_factual_accuracy", 0.0)
        and scores["hallucination_rate"] <= config.max_hallucination_rate
    )


def select_model(config: SelectionConfig, *, reports_dir: Path, registry_path: Path) -> ModelRegistry:
    """Rank the candidates, gate them on factual accuracy, write and return the registry."""
    candidates = candidates_from_reports(reports_dir, config)
    if not candidates:
        raise FileNotFoundError(f"no */report.json under {reports_dir}: run `guide evaluate --run ...` first")
    ranked = sorted(candidates, key=lambda m: m.scores["rank_score"], reverse=True)
    passing = [m for m in ranked if passes_gates(m, config)]
    if not passing:
        best = ranked[0]
        raise ValueError(
            f"no candidate passes the gates (factual accuracy >= {config.min_factual_accuracy} and not below "
            f"its untuned base, hallucination rate <= {config.max_hallucination_rate}); best was {best.id} "
            f"with {best.scores}: train longer or on more data, then `guide evaluate` again"
        )
    registry = ModelRegistry(
        selected=passing[0].id,
        models={m.id: m for m in ranked},
        ranking=[m.id for m in passing] + [m.id for m in ranked if m not in passing],
    )
    registry_path.parent.mkdir(parents=True, exist_ok=True)
    registry_path.write_text(registry.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return registry
