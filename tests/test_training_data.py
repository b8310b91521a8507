"""The training dataset: split by exhibit, every task present, targets grounded, configs and feedback checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from guide_server.generation.fact_guard import check_facts

from guide_server.catalogue import load_catalogue_or_raise
from guide_server.generation.prompts import SYSTEM_PROMPT
from guide_server.paths import DEFAULT_EXHIBITS_DIR
from training.config import ConfigError, DataSettings, config_from_dict, load_config
from training.dataset.build import build_examples, dataset_card, sample_by_task, split_by_exhibit
from training.dataset.examples import Task
from training.dataset.feedback import FeedbackFileError
from training.dataset.passages import split_passages


@pytest.fixture(scope="module")
def exhibits() -> dict:
    return dict(load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR).exhibits)


@pytest.fixture(scope="module")
def examples(exhibits: dict, tmp_path_factory: pytest.TempPathFactory) -> list:
    return build_examples(exhibits, DataSettings(), data_dir=tmp_path_factory.mktemp("empty"))


def test_split_is_by_exhibit_and_repeatable(exhibits: dict, examples: list) -> None:
    split = split_by_exhibit(list(exhibits), DataSettings())
    assert split == split_by_exhibit(sorted(exhibits, reverse=True), DataSettings())
    assert not set(split.train) & set(split.test) and not set(split.train) & set(split.validation)
    train_exhibits = {e.exhibit_id for e in examples if e.split == "train"}
    test_exhibits = {e.exhibit_id for e in examples if e.split == "test"} - {None}
    assert test_exhibits == set(split.test) and not train_exhibits & test_exhibits
    train_questions = {e.question for e in examples if e.split == "train" and e.task is Task.UNKNOWN_EXHIBIT}
    test_questions = {e.question for e in examples if e.split == "test" and e.task is Task.UNKNOWN_EXHIBIT}
    assert test_questions and not train_questions & test_questions
    assert split != split_by_exhibit(list(exhibits), DataSettings(seed=99))


def test_every_task_is_in_every_split(examples: list) -> None:
    for task in set(Task) - {Task.PASSAGE, Task.FEEDBACK}:
        assert {e.split for e in examples if e.task is task} == {"train", "validation", "test"}, task


def test_targets_say_nothing_the_record_does_not(exhibits: dict, examples: list) -> None:
    flagged = [
        (e.id, check_facts(e.target, exhibits[e.exhibit_id]).flags)
        for e in examples
        if e.exhibit_id and not check_facts(e.target, exhibits[e.exhibit_id]).ok
    ]
    assert flagged == []


def test_prompts_are_the_servers(examples: list) -> None:
    for example in examples[:50]:
        assert example.messages[0].content.startswith(SYSTEM_PROMPT)
        assert example.messages[-1].role == "assistant"


def test_false_premises_never_repeat_the_false_claim(examples: list) -> None:
    premises = [e for e in examples if e.task is Task.FALSE_PREMISE]
    assert premises
    for example in premises:
        assert example.forbidden and all(f not in example.target for f in example.forbidden)
        assert any(f in (example.question or "") for f in example.forbidden)


def test_sample_keeps_every_task(examples: list) -> None:
    train = [e for e in examples if e.split == "train"]
    sample = sample_by_task(train, 60, seed=1)
    assert len({e.task for e in sample}) == len({e.task for e in train})
    assert 50 <= len(sample) <= 70
    assert [e.id for e in sample] == [e.id for e in sample_by_task(train, 60, seed=1)]


def test_task_weights_raise_a_tasks_share(examples: list) -> None:
    train = [e for e in examples if e.split == "train"]
    plain = sample_by_task(train, 80, seed=1)
    weighted = sample_by_task(train, 80, seed=1, weights={"injection": 3.0})

    def injections(sample: list) -> int:
        return sum(e.task is Task.INJECTION for e in sample)

    assert injections(weighted) > 2 * injections(plain)
    assert 70 <= len(weighted) <= 90


def test_unknown_task_weight_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"data\.task_weights\.injections: unknown task"):
        DataSettings(task_weights={"injections": 2.0})


def test_card_counts_match(examples: list) -> None:
    card = dataset_card(examples, DataSettings())
    total = f"| **all** | {sum(e.split == 'train' for e in examples)} |"
    assert total in card and "single_fact" in card


def test_feedback_corrections_become_examples(exhibits: dict, tmp_path: Path) -> None:
    rows = [
        {"exhibit_id": "kolossi-castle", "question": "Who built the keep?", "correction": "Louis de Magnac built it in 1454.", "rating": 2, "author": "curator"},
        {"exhibit_id": "kolossi-castle", "question": None, "correction": "A visitor's idea.", "rating": 1, "author": "visitor"},
    ]  # fmt: skip
    (tmp_path / "feedback-export.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    found = [
        e for e in build_examples(exhibits, DataSettings(), data_dir=tmp_path) if e.task is Task.FEEDBACK
    ]
    assert [e.target for e in found] == ["Louis de Magnac built it in 1454."]
    assert "Who built the keep?" in found[0].messages[1].content


def test_bad_feedback_line_names_file_and_line(exhibits: dict, tmp_path: Path) -> None:
    (tmp_path / "feedback.jsonl").write_text(
        '{"exhibit_id": "kolossi-castle", "author": "curator"}\nnot json\n'
    )
    with pytest.raises(FeedbackFileError, match=r"feedback.jsonl:2"):
        build_examples(exhibits, DataSettings(), data_dir=tmp_path)
    (tmp_path / "feedback.jsonl").write_text(
        '{"exhibit_id": "atlantis", "correction": "x", "author": "curator"}\n'
    )
    with pytest.raises(FeedbackFileError, match="atlantis"):
        build_examples(exhibits, DataSettings(), data_dir=tmp_path)


def test_extra_texts_become_passages(exhibits: dict, tmp_path: Path) -> None:
    text = "# Heading\n\nThe first sentence. The second one.\n\nA third paragraph here. And a fourth.\n"
    assert split_passages(text) == [
        "The first sentence. The second one. A third paragraph here. And a fourth."
    ]
    (tmp_path / "notes.md").write_text(text, encoding="utf-8")
    passages = [
        e for e in build_examples(exhibits, DataSettings(), data_dir=tmp_path) if e.task is Task.PASSAGE
    ]
    assert len(passages) == 1 and passages[0].split == "train"


def test_config_errors_name_every_field_at_fault() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_dict({"run_name": "x", "lora": {"r": 0, "dropout": 2}, "optim": {"lr": 1}, "colour": 1})
    message = str(caught.value)
    for fragment in ("lora.r", "lora.dropout", "optim.lr: unknown key", "colour: unknown key"):
        assert fragment in message
    with pytest.raises(ConfigError, match="run_name"):
        config_from_dict({"base": "smollm2-135m-instruct"})


@pytest.mark.parametrize("name", ["smollm2-lora.yaml", "smollm2-qlora.yaml", "gemma3-lora.yaml"])
def test_shipped_configs_load(name: str) -> None:
    config = load_config(Path("training/configs") / name)
    assert config.lora.to_peft().r == config.lora.r
