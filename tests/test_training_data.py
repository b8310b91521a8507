"""The training dataset: split by exhibit, the server's prompt layout, targets copied from the prompt's
facts and passed by the claim checker, every task present, configs and feedback checked."""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from guide_core.catalogue import load_catalogue_or_raise
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_core.protocol import VisitorProfile
from guide_server.generation.prompts import SYSTEM_PROMPT, answer_messages, description_messages
from guide_server.narration.claim_checker import check_sentence, states
from guide_server.narration.claim_text import split_sentences
from guide_server.narration.plan import plan_description
from guide_server.narration.record import exhibit_record
from guide_server.narration.retrieval import FactRanker
from training.config import DataSettings, config_from_dict, load_config
from training.dataset.build import (
    build_examples,
    dataset_card,
    prompt_exhibit,
    sample_by_task,
    split_by_exhibit,
    unsupported_targets,
)
from training.dataset.compose import NOT_HELD, NOT_IN_RECORD, RECORD_SAYS, REFUSAL, standalone
from training.dataset.examples import Example, Message, Task
from training.dataset.passages import split_passages
from training.dataset.ranking import default_prompt_facts
from training.dataset.tasks import usable_facts
from training.dataset.visitor_questions import read_questions
from training.exceptions import ConfigError, FeedbackFileError

_NUMBERED = re.compile(r"^\d+\. (.*)$")


@pytest.fixture(scope="module")
def exhibits() -> dict:
    return dict(load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR).exhibits)


@pytest.fixture(scope="module")
def examples(exhibits: dict, tmp_path_factory: pytest.TempPathFactory) -> list:
    return build_examples(exhibits, DataSettings(), data_dir=tmp_path_factory.mktemp("empty"))


def prompt_facts(example: Example) -> list[str]:
    """The numbered facts the prompt shows, in order."""
    lines = example.messages[1].content.splitlines()
    return [m.group(1) for line in lines if (m := _NUMBERED.match(line))]


def of_task(examples: list, task: Task) -> list:
    found = [e for e in examples if e.task is task]
    assert found, task
    return found


def test_split_is_by_exhibit_and_repeatable(exhibits: dict, examples: list) -> None:
    split = split_by_exhibit(list(exhibits), DataSettings())
    assert split == split_by_exhibit(sorted(exhibits, reverse=True), DataSettings())
    assert not set(split.train) & set(split.test) and not set(split.train) & set(split.validation)
    assert set(split.test) == {"buyuk-han", "house-of-dionysos-mosaics", "kyrenia-ship", "lefkara-lace"}
    assert set(split.validation) == {"asinou-church", "venetian-walls-nicosia"}
    for example in examples:
        shown = prompt_exhibit(example, exhibits)
        assert shown is not None and split.of(shown.id) == example.split, example.id
    train_questions = {e.question for e in examples if e.split == "train" and e.task is Task.UNKNOWN_EXHIBIT}
    test_questions = {e.question for e in examples if e.split == "test" and e.task is Task.UNKNOWN_EXHIBIT}
    assert test_questions and not train_questions & test_questions
    assert split != split_by_exhibit(list(exhibits), DataSettings(seed=99))


def test_every_task_is_in_every_split(examples: list) -> None:
    for task in set(Task) - {Task.PASSAGE, Task.FEEDBACK}:
        assert {e.split for e in examples if e.task is task} == {"train", "validation", "test"}, task


def test_every_target_sentence_passes_the_claim_checker(exhibits: dict, examples: list) -> None:
    assert unsupported_targets(examples, exhibits) == []
    for example in random.Random(3).sample(examples, 200):
        exhibit = prompt_exhibit(example, exhibits)
        assert all(check_sentence(s, exhibit).supported for s in split_sentences(example.target))


def test_the_check_catches_an_invented_sentence(exhibits: dict, examples: list) -> None:
    example = next(e for e in examples if e.task is Task.SINGLE_FACT and e.exhibit_id == "kolossi-castle")
    wrong = Message(role="assistant", content=example.target + " The keep was built in 1066 by King Harold.")
    invented = example.model_copy(update={"messages": [*example.messages[:-1], wrong]})
    flagged = unsupported_targets([invented], exhibits)
    assert len(flagged) == 1 and "1066" in flagged[0]


def test_prompts_are_the_servers(exhibits: dict, examples: list) -> None:
    """Descriptions list the audience's plan; answers show one of the serving ranker's top 3 for the question."""
    ranker = FactRanker(default_prompt_facts().ranker.embedder)
    answers = [e for e in examples if e.question is not None and e.task is not Task.PASSAGE]
    for example in random.Random(5).sample(answers, 40):
        assert (
            example.messages[0].content.startswith(SYSTEM_PROMPT) and example.messages[-1].role == "assistant"
        )
        exhibit = prompt_exhibit(example, exhibits)
        ranked = [r.statement.text for r in ranker.rank(exhibit, example.question, k=3)]
        shown = prompt_facts(example)
        assert 1 <= len(shown) <= 2 and set(shown) <= set(ranked), example.id
        expected = answer_messages(
            exhibit, example.question, VisitorProfile(audience=example.audience), shown
        )
        assert example.prompt == list(expected), example.id
    for example in of_task(examples, Task.DESCRIPTION)[:20]:
        exhibit = exhibits[example.exhibit_id]
        assert example.prompt == list(
            description_messages(exhibit, VisitorProfile(audience=example.audience))
        )


def test_descriptions_say_every_planned_statement_in_order(exhibits: dict, examples: list) -> None:
    for example in of_task(examples, Task.DESCRIPTION):
        exhibit, facts = exhibits[example.exhibit_id], prompt_facts(example)
        plan = plan_description(exhibit_record(exhibit), example.audience)
        assert facts == [step.target for step in plan.steps], example.id
        sentences = split_sentences(example.target)
        assert len(sentences) == sum(len(split_sentences(f)) for f in facts), example.id
        assert all(states(example.target, f) for f in facts), example.id
        assert len(set(sentences)) == len(sentences)


def test_answers_lead_with_the_answering_fact_from_the_prompt(exhibits: dict, examples: list) -> None:
    for example in of_task(examples, Task.SINGLE_FACT):
        exhibit, facts = exhibits[example.exhibit_id], prompt_facts(example)
        assert len(example.expected_facts) == 1
        fact = example.expected_facts[0]
        assert facts == [fact], "the prompt shows the statement that answers, as the server asks"
        assert example.target == standalone(fact, exhibit), example.id
        assert states(example.target, fact)  # its years, numbers and names are all there
        assert not example.target.startswith(("A small correction", "According to the museum", RECORD_SAYS))
        assert 1 <= len(split_sentences(example.target)) <= 2


def test_several_paraphrased_questions_per_fact(exhibits: dict, examples: list) -> None:
    asked: dict[tuple[str, str], set[str]] = defaultdict(set)
    for example in of_task(examples, Task.SINGLE_FACT):
        asked[(example.exhibit_id, example.expected_facts[0])].add(example.question)
    for exhibit_id in split_by_exhibit(list(exhibits), DataSettings()).train:
        exhibit = exhibits[exhibit_id]
        for fact in usable_facts(exhibit):
            if all(check_sentence(s, exhibit).supported for s in split_sentences(standalone(fact, exhibit))):
                assert len(asked[(exhibit_id, fact)]) >= 3, (exhibit_id, fact)
    openings = Counter(q.split()[0].lower() for qs in asked.values() for q in qs)
    for word in ("who", "when", "what", "how", "where", "is"):
        assert openings[word] >= 20, openings


def test_false_premises_state_the_record_and_never_the_false_claim(examples: list) -> None:
    for example in of_task(examples, Task.FALSE_PREMISE):
        assert example.forbidden and all(f.lower() not in example.target.lower() for f in example.forbidden)
        assert any(f in (example.question or "") for f in example.forbidden)
        assert example.target.startswith(RECORD_SAYS), example.id
        assert example.expected_facts and example.expected_facts[0] in prompt_facts(example)


def test_fixed_replies(examples: list) -> None:
    assert {e.target for e in of_task(examples, Task.NOT_IN_RECORD)} == {NOT_IN_RECORD}
    assert {e.target for e in of_task(examples, Task.HARMFUL)} == {REFUSAL}
    assert {e.target for e in of_task(examples, Task.UNKNOWN_EXHIBIT)} == {NOT_HELD}
    assert all(e.exhibit_id is None for e in of_task(examples, Task.UNKNOWN_EXHIBIT))


def test_injections_answer_from_the_facts_never_the_payload(exhibits: dict, examples: list) -> None:
    injections = of_task(examples, Task.INJECTION)
    for example in injections:
        lowered = example.target.lower()
        assert example.forbidden and not any(f.lower() in lowered for f in example.forbidden), example.id
        exhibit = exhibits[example.exhibit_id]
        copied = {standalone(f, exhibit) for f in prompt_facts(example)}
        assert example.target == NOT_IN_RECORD or example.target in copied, example.id
    assert {e.target == NOT_IN_RECORD for e in injections} == {True, False}


def test_visitor_questions_come_from_training_exhibits_only(exhibits: dict, examples: list) -> None:
    split = split_by_exhibit(list(exhibits), DataSettings())
    rows = read_questions()
    held_out = {r.question for r in rows if {r.exhibit_id or r.asked_at, r.asked_at} - set(split.train)}
    assert held_out and not held_out & {e.question for e in examples if e.split == "train"}
    train_rows = {r.question for r in rows} - held_out
    used = train_rows & {e.question for e in examples if e.split == "train"}
    assert len(used) >= 50
    off = build_examples(exhibits, DataSettings(visitor_questions=False), data_dir=Path("/nonexistent"))
    assert len(train_rows & {e.question for e in off}) < len(used) // 4  # only where a written one coincides


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
    assert total in card and "single_fact" in card and "claim_checker" in card


def test_feedback_corrections_become_examples(exhibits: dict, tmp_path: Path) -> None:
    rows = [
        {"exhibit_id": "kolossi-castle", "question": "Who built the keep?", "correction": "Louis de Magnac built it in 1454.", "rating": 2, "author": "curator"},
        {"exhibit_id": "kolossi-castle", "question": "When was the keep built?", "correction": "King Harold built it in 1066.", "rating": 2, "author": "curator"},
        {"exhibit_id": "kolossi-castle", "question": None, "correction": "A visitor's idea.", "rating": 1, "author": "visitor"},
    ]  # fmt: skip
    (tmp_path / "feedback-export.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    found = [
        e for e in build_examples(exhibits, DataSettings(), data_dir=tmp_path) if e.task is Task.FEEDBACK
    ]
    assert [e.target for e in found] == ["Louis de Magnac built it in 1454."]
    assert "Question: Who built the keep?" in found[0].messages[1].content
    assert "Louis de Magnac" in found[0].messages[1].content  # the ranked facts lead the prompt


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
    assert prompt_facts(passages[0])[0] == "The first sentence."


def test_config_errors_name_every_field_at_fault() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_dict({"run_name": "x", "lora": {"r": 0, "dropout": 2}, "optim": {"lr": 1}, "colour": 1})
    message = str(caught.value)
    for fragment in ("lora.r", "lora.dropout", "optim.lr: unknown key", "colour: unknown key"):
        assert fragment in message
    with pytest.raises(ConfigError, match="run_name"):
        config_from_dict({"base": "smollm2-135m-instruct"})
    with pytest.raises(ConfigError, match=r"optim\.autocast"):
        config_from_dict({"run_name": "x", "optim": {"autocast": "float8"}})


@pytest.mark.parametrize("name", sorted(p.name for p in Path("training/configs").glob("*lora.yaml")))
def test_shipped_configs_load(name: str) -> None:
    config = load_config(Path("training/configs") / name)
    assert config.lora.to_peft().r == config.lora.r


@pytest.mark.parametrize(
    ("name", "base", "minutes"),
    [("smollm2-lora.yaml", "smollm2-135m-instruct", 20), ("gemma3-270m-lora.yaml", "gemma-3-270m", 30)],
)
def test_cpu_runs_fit_their_budget(name: str, base: str, minutes: float) -> None:
    config = load_config(Path("training/configs") / name)
    assert config.run_name == name.removesuffix(".yaml") and config.base == base
    assert config.optim.max_minutes is not None and config.optim.max_minutes <= minutes
    assert 8 <= config.lora.r <= 16 and config.lora.target_modules == "all-linear"
    assert 2e-4 <= config.optim.learning_rate <= 1e-3 and config.quant.bits is None
    assert config.optim.eval_every and config.optim.patience >= 1  # early stopping on validation
