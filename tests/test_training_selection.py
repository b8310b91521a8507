"""`guide select` reads the truth report, applies the gate fixed before the run, and writes the registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guide_core.model_registry import load_selected_model
from training.exceptions import ConfigError
from training.selection import SelectionConfig, load_selection_config, select_model


def _row(model_id: str, accuracy: float, unsupported: int = 0, adapter: str | None = None) -> dict:
    return {
        "model_id": model_id, "base": model_id.split("+")[0], "adapter": adapter, "split": "test",
        "factual_accuracy": accuracy, "factual_low": accuracy - 0.1, "factual_high": accuracy + 0.05,
        "by_category": {"answerable": {"n": 20, "correct": 20 * accuracy, "share": accuracy}},
        "released_sentences": 40, "unsupported_released": unsupported, "withheld_sentences": 3,
        "fallbacks": 1, "seconds": 1.0, "answers": [],
    }  # fmt: skip


def _answered(row: dict, *, answers: int, fallbacks: int) -> dict:
    return {**row, "answers": [{"id": f"q-{i}"} for i in range(answers)], "fallbacks": fallbacks}


def _report(folder: Path, rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test.json").write_text(json.dumps(rows), encoding="utf-8")
    return folder


def test_the_most_accurate_candidate_that_passes_the_gate_is_selected(tmp_path: Path) -> None:
    reports = _report(
        tmp_path / "truth",
        [
            _row("smollm2-135m-instruct", 0.86),
            _row("smollm2-135m-instruct+smollm2-lora", 0.9, adapter="training/runs/smollm2-lora/adapter"),
            # The most accurate, but it released an unsupported sentence: never selected.
            _row("gemma-3-270m+gemma3-270m-lora", 0.95, unsupported=1, adapter="training/runs/g/adapter"),
        ],
    )
    registry_path = tmp_path / "registry.json"
    registry = select_model(SelectionConfig(), reports_dir=reports, registry_path=registry_path)
    assert registry.selected == "smollm2-135m-instruct+smollm2-lora"
    assert registry.ranking[-1] == "gemma-3-270m+gemma3-270m-lora"
    selected = load_selected_model(registry_path)
    assert (selected.base, selected.adapter) == (
        "smollm2-135m-instruct",
        "training/runs/smollm2-lora/adapter",
    )


def test_on_equal_accuracy_the_model_whose_own_sentences_survive_wins(tmp_path: Path) -> None:
    # The server states a planned statement plainly when the model's sentence fails, so both answer
    # equally well; the base model's sentences were replaced 40 times in 50, the tuned one's twice.
    reports = _report(
        tmp_path / "truth",
        [
            _answered(_row("smollm2-135m-instruct", 0.9), answers=50, fallbacks=40),
            _answered(
                _row("smollm2-135m-instruct+smollm2-lora", 0.9, adapter="training/runs/smollm2-lora/adapter"),
                answers=50,
                fallbacks=2,
            ),
        ],
    )
    registry = select_model(SelectionConfig(), reports_dir=reports, registry_path=tmp_path / "registry.json")
    assert registry.selected == "smollm2-135m-instruct+smollm2-lora"
    assert registry.models[registry.selected].scores["own_words_share"] == pytest.approx(0.96)


def test_no_candidate_passing_is_an_error_with_the_figures_and_writes_nothing(tmp_path: Path) -> None:
    reports = _report(tmp_path / "truth", [_row("smollm2-135m-instruct", 0.79), _row("gemma-3-270m", 0.5)])
    registry_path = tmp_path / "registry.json"
    with pytest.raises(ValueError, match=r"no candidate passes.*smollm2-135m-instruct: accuracy 0.790"):
        select_model(SelectionConfig(), reports_dir=reports, registry_path=registry_path)
    assert not registry_path.exists()


def test_the_shipped_gate_is_the_one_fixed_before_the_run() -> None:
    config = load_selection_config(Path(__file__).parents[1] / "training" / "configs" / "selection.yaml")
    assert config == SelectionConfig(min_factual_accuracy=0.85, max_unsupported_released=0, split="test")


def test_a_bad_gate_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "selection.yaml"
    path.write_text("min_factual_accuracy: 1.5\nsplit: somewhere\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"min_factual_accuracy.*split"):
        load_selection_config(path)


def test_a_tie_goes_to_the_smaller_model(tmp_path: Path) -> None:
    reports = _report(
        tmp_path / "truth",
        [
            _row("gemma-3-270m+g", 0.9, adapter="training/runs/g/adapter"),
            _row("smollm2-135m-instruct+s", 0.9, adapter="a"),
        ],
    )
    registry = select_model(SelectionConfig(), reports_dir=reports, registry_path=tmp_path / "r.json")
    assert registry.selected == "smollm2-135m-instruct+s"
