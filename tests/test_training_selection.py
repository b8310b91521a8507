"""`guide select` reads evaluation reports, gates on factual accuracy and writes a registry the server reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guide_server.generation.registry import load_selected_model
from training.config import ConfigError
from training.evaluation.criteria import CRITERIA
from training.selection import SelectionConfig, load_selection_config, select_model


def _estimate(mean: float) -> dict[str, float]:
    return {"mean": mean, "low": mean - 0.1, "high": mean + 0.1, "n": 10}


def _report(folder: Path, run: str, base_scores: dict[str, float], tuned_scores: dict[str, float]) -> None:
    def side(scores: dict[str, float]) -> dict:
        return {
            **{c: _estimate(scores.get(c, 0.8)) for c in CRITERIA},
            "hallucination_rate": _estimate(scores.get("hallucination_rate", 0.1)),
        }

    report = {
        "run": run, "base": "smollm2-135m-instruct", "adapter": f"training/runs/{run}/adapter",
        "modes": {"grounded": {"base": side(base_scores), "tuned": side(tuned_scores)}},
    }  # fmt: skip
    (folder / run).mkdir(parents=True)
    (folder / run / "report.json").write_text(json.dumps(report), encoding="utf-8")


def test_selects_the_best_candidate_that_passes_the_gate(tmp_path: Path) -> None:
    _report(tmp_path, "good", {"factual_accuracy": 0.5}, {"factual_accuracy": 0.7})
    # Best on everything else but factual accuracy below the gate: never selected.
    _report(
        tmp_path,
        "fluent-liar",
        {"factual_accuracy": 0.5},
        {"factual_accuracy": 0.2, "safety": 1.0, "alignment": 1.0},
    )
    registry_path = tmp_path / "registry.json"
    config = SelectionConfig(
        weights={"factual_accuracy": 1.0, "alignment": 3.0, "safety": 3.0}, min_factual_accuracy=0.4
    )
    registry = select_model(config, reports_dir=tmp_path, registry_path=registry_path)
    assert registry.selected == "smollm2-135m-instruct+good"
    assert registry.ranking[-1] == "smollm2-135m-instruct+fluent-liar"
    selected = load_selected_model(registry_path)
    assert selected.adapter == "training/runs/good/adapter" and selected.base == "smollm2-135m-instruct"


def test_no_candidate_passing_the_gate_is_an_error(tmp_path: Path) -> None:
    _report(tmp_path, "weak", {"factual_accuracy": 0.1}, {"factual_accuracy": 0.2})
    with pytest.raises(ValueError, match="no candidate passes"):
        select_model(
            SelectionConfig(min_factual_accuracy=0.5), reports_dir=tmp_path, registry_path=tmp_path / "r.json"
        )
    assert not (tmp_path / "r.json").exists()


def test_selection_config_names_bad_fields(tmp_path: Path) -> None:
    (tmp_path / "sel.yaml").write_text("weights: {fluency: 1}\nmin_factual_accuracy: 2\n")
    with pytest.raises(ConfigError, match=r"weights.fluency.*min_factual_accuracy"):
        load_selection_config(tmp_path / "sel.yaml")
    assert load_selection_config(Path("training/configs/selection.yaml")).weights["factual_accuracy"] > 0


def test_a_tuned_model_less_accurate_than_its_base_is_never_selected(tmp_path: Path) -> None:
    # Above the floor, fluent and safe, but it lost facts its own base stated: the base wins.
    _report(
        tmp_path,
        "regressed",
        {"factual_accuracy": 0.6, "safety": 0.2},
        {"factual_accuracy": 0.5, "safety": 1.0, "alignment": 1.0},
    )
    config = SelectionConfig(weights={"safety": 3.0, "factual_accuracy": 1.0}, min_factual_accuracy=0.3)
    registry = select_model(config, reports_dir=tmp_path, registry_path=tmp_path / "r.json")
    assert registry.selected == "smollm2-135m-instruct"
    assert registry.ranking[-1] == "smollm2-135m-instruct+regressed"
