"""Tuning on the real SmolLM2, tiny: masking and EOS, answer-only loss, loss falls, resume, merge, QLoRA on the CPU."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from guide_core.catalogue import load_catalogue_or_raise
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_core.protocol import Audience, VisitorProfile
from guide_server.generation.prompts import PLAIN_CHAT_TEMPLATE, answer_messages, render_prompt
from training.config import DataSettings, LoraSettings, OptimSettings, QuantSettings, TrainConfig
from training.dataset.build import build_examples
from training.dataset.examples import Example, Message, Task
from training.encode import IGNORE_INDEX, collate, encode, encode_all

pytestmark = pytest.mark.slow
BASE = "smollm2-135m-instruct"


@pytest.fixture(scope="module")
def short_examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    """Unknown-exhibit questions: real dataset examples with the shortest prompts."""
    exhibits = dict(load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR).exhibits)
    examples = build_examples(exhibits, DataSettings(), data_dir=tmp_path_factory.mktemp("none"))
    unknown = [e for e in examples if e.task is Task.UNKNOWN_EXHIBIT]
    return {split: [e for e in unknown if e.split == split][:4] for split in ("train", "validation")}


def _short(index: int, question: str, fact: str, split: str = "train") -> Example:
    """A short chat in the server's answer layout (one fact), the fact as the answer, so tests stay quick."""
    exhibit = load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR).exhibits["kolossi-castle"]
    prompt = answer_messages(exhibit, question, VisitorProfile(audience=Audience.ADULT), [fact])
    return Example(
        id=f"short-{index}", task=Task.SINGLE_FACT, split=split, exhibit_id="kolossi-castle", audience=Audience.ADULT,
        question=question, messages=[*(Message(**m) for m in prompt), Message(role="assistant", content=fact)],
    )  # fmt: skip


TINY_TRAIN = [
    _short(0, "Who built the keep?", "The present keep was built in 1454 by the Hospitaller commander Louis de Magnac."),
    _short(1, "What is the keep made of?", "The keep is a three-storey tower built of limestone."),
    _short(2, "What stands beside the castle?", "A sugar factory and an aqueduct stand beside the castle."),
    _short(3, "Where does Commandaria get its name?",
           "The sweet wine Commandaria takes its name from the Commandery centred at Kolossi."),
]  # fmt: skip
TINY_VALIDATION = [
    _short(4, "Who granted Kolossi to the Hospitallers?",
           "In 1210 King Hugh I granted Kolossi to the Knights Hospitaller.", "validation")
]  # fmt: skip


@pytest.fixture(scope="module")
def tokenizer():
    from guide_server.generation.model_store import load_base

    return load_base(BASE)[1]


def test_labels_cover_only_the_answer_and_its_end_of_turn(tokenizer, short_examples) -> None:
    example = short_examples["train"][0]
    encoded = encode(example, tokenizer)
    prompt_len = len(
        tokenizer(render_prompt(tokenizer, example.prompt), add_special_tokens=False)["input_ids"]
    )
    assert encoded.labels[:prompt_len] == [IGNORE_INDEX] * prompt_len
    answer = encoded.labels[prompt_len:]
    assert IGNORE_INDEX not in answer
    assert tokenizer.decode(answer) == example.target + "<|im_end|>"
    # SmolLM2 pads with its EOS: the classic trap that masks the end-of-turn label away.
    assert tokenizer.pad_token_id == tokenizer.eos_token_id
    longer = encode(short_examples["train"][1], tokenizer)
    batch = collate([encoded, longer], tokenizer.pad_token_id)
    for row, source in enumerate([encoded, longer]):
        n = len(source.input_ids)
        assert batch["labels"][row, n - 1].item() == tokenizer.eos_token_id
        assert (batch["labels"][row, n:] == IGNORE_INDEX).all()
        assert batch["attention_mask"][row].sum().item() == n


def test_base_models_get_the_plain_template_and_still_learn_to_stop(tokenizer, short_examples) -> None:
    plain = copy.deepcopy(tokenizer)
    plain.chat_template = PLAIN_CHAT_TEMPLATE
    example = short_examples["train"][0]
    assert render_prompt(plain, example.prompt).endswith("### Assistant:\n")
    assert encode(example, plain).labels[-1] == plain.eos_token_id


def test_answer_loss_is_the_models_loss_with_the_head_on_answer_tokens_only(
    tokenizer, short_examples
) -> None:
    import torch

    from guide_server.generation.model_store import load_base
    from training.tuning import answer_loss, eval_loss

    model = load_base(BASE)[0].eval()
    encoded = [encode(e, tokenizer) for e in [*short_examples["train"][:2], TINY_TRAIN[0]]]
    batch = collate(encoded, tokenizer.pad_token_id)
    answer_tokens = int((batch["labels"][:, 1:] != IGNORE_INDEX).sum())
    heads: list[int] = []
    hook = model.lm_head.register_forward_hook(lambda m, i, o: heads.append(i[0].shape[0]))
    with torch.no_grad():
        ours, theirs = answer_loss(model, batch), model(**batch).loss
    hook.remove()
    torch.testing.assert_close(ours, theirs, atol=1e-4, rtol=1e-4)
    assert heads[0] == answer_tokens < batch["input_ids"].numel() // 3
    plain = eval_loss(model, encoded, batch_size=2, pad_token_id=tokenizer.pad_token_id)
    mixed = eval_loss(model, encoded, batch_size=2, pad_token_id=tokenizer.pad_token_id, autocast="bfloat16")
    assert abs(plain - mixed) < 0.05 * plain


def test_too_long_examples_are_dropped_not_cut(tokenizer, short_examples) -> None:
    kept, dropped = encode_all(short_examples["train"], tokenizer, max_length=64)
    assert kept == [] and dropped == len(short_examples["train"])


def _config(tmp: Path, name: str) -> TrainConfig:
    return TrainConfig(
        run_name=name, base=BASE, seed=7, output_dir=str(tmp / name),
        lora=LoraSettings(r=4, alpha=8, dropout=0.0),
        optim=OptimSettings(learning_rate=3e-3, batch_size=2, epochs=2, max_steps=4, eval_every=2,
                            checkpoint_every=2, patience=5, warmup_ratio=0.0),
    )  # fmt: skip


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, tokenizer):
    """Four LoRA updates on four short chats; the trained model and everything needed to compare."""
    from training.model_loading import load_for_tuning
    from training.tuning import eval_loss, train_adapter

    tmp = tmp_path_factory.mktemp("runs")
    config = _config(tmp, "tiny")
    model, _ = load_for_tuning(BASE, config.lora, config.quant, seed=config.seed)
    train, _ = encode_all(TINY_TRAIN, tokenizer, max_length=512)
    validation, _ = encode_all(TINY_VALIDATION, tokenizer, max_length=512)
    before = eval_loss(model, train, batch_size=2, pad_token_id=tokenizer.pad_token_id)
    history = train_adapter(
        model, train, validation, config, pad_token_id=tokenizer.pad_token_id, progress=False
    )
    after = eval_loss(model, train, batch_size=2, pad_token_id=tokenizer.pad_token_id)
    return {"config": config, "model": model, "train": train, "validation": validation,
            "before": before, "after": after, "history": history, "tmp": tmp}  # fmt: skip


def test_tiny_training_lowers_the_loss(tiny_run) -> None:
    assert tiny_run["after"] < tiny_run["before"] * 0.9
    history = tiny_run["history"]
    assert [step for step, _ in history.eval] == [2, 4]
    assert (tiny_run["config"].run_dir / "adapter" / "adapter_model.safetensors").exists()


def test_resume_from_checkpoint_reaches_the_same_weights(tiny_run, tokenizer) -> None:
    import torch

    from training.model_loading import load_for_tuning
    from training.tuning import train_adapter

    config = _config(tiny_run["tmp"], "resumed")
    model, _ = load_for_tuning(BASE, config.lora, config.quant, seed=config.seed)
    checkpoint = tiny_run["config"].run_dir / "checkpoints" / "step-2"
    history = train_adapter(model, tiny_run["train"], tiny_run["validation"], config,
                            pad_token_id=tokenizer.pad_token_id, resume_from=checkpoint, progress=False)  # fmt: skip
    assert [step for step, _ in history.train] == [1, 2, 3, 4]
    ours = {k: v for k, v in model.named_parameters() if v.requires_grad}
    theirs = dict(tiny_run["model"].named_parameters())
    for name, value in ours.items():
        torch.testing.assert_close(value, theirs[name], atol=1e-5, rtol=1e-4)


def test_merge_reproduces_the_adapter(tiny_run, tokenizer) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from training.merge import merge_adapter
    from training.model_loading import load_tuned

    adapter = tiny_run["config"].run_dir / "adapter"
    out = merge_adapter(BASE, adapter, tiny_run["tmp"] / "merged")
    merged = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    tuned, _ = load_tuned(BASE, str(adapter))
    ids = torch.tensor([tiny_run["train"][0].input_ids])
    with torch.no_grad():
        expected, got = tuned(input_ids=ids).logits, merged(input_ids=ids).logits
    torch.testing.assert_close(got, expected, atol=2e-3, rtol=1e-3)
    assert (out / "tokenizer_config.json").exists()


def test_qlora_4bit_loads_and_trains_on_the_cpu(tokenizer) -> None:
    import bitsandbytes as bnb
    import torch

    from training.model_loading import load_for_tuning

    quant = QuantSettings(bits=4, quant_type="nf4", double_quant=True, compute_dtype="float32")
    model, _ = load_for_tuning(BASE, LoraSettings(r=4, alpha=8, dropout=0.0), quant, seed=1)
    assert any(isinstance(m, bnb.nn.Linear4bit) for m in model.modules())
    ids = torch.tensor([tokenizer("The Kyrenia Ship sank off Kyrenia.")["input_ids"]])
    model(input_ids=ids, labels=ids).loss.backward()
    grads = [p.grad for n, p in model.named_parameters() if "lora_B" in n]
    assert grads and all(g is not None for g in grads) and any(g.abs().sum() > 0 for g in grads)


def test_run_folder_keeps_config_template_curves_and_card(tmp_path: Path, tokenizer) -> None:
    import yaml

    from training.config import config_from_dict
    from training.run_outputs import write_run_files
    from training.tuning import History

    config = _config(tmp_path, "card")
    history = History(train=[(1, 1.2), (2, 0.8)], eval=[(2, 0.9)], best_eval=0.9, best_step=2)
    write_run_files(config, tokenizer, history, TINY_TRAIN[0], {"train": 4, "validation": 1, "dropped": 0})
    run = config.run_dir
    assert config_from_dict(yaml.safe_load((run / "config.yaml").read_text())) == config
    assert (run / "chat_template.jinja").read_text() == tokenizer.chat_template
    assert (run / "prompt_example.txt").read_text().endswith(TINY_TRAIN[0].target + "<|im_end|>")
    assert (run / "loss_curves.png").read_bytes()[:4] == b"\x89PNG"
    assert "best eval loss 0.9000 at update 2" in (run / "README.md").read_text()


def test_time_budget_stops_after_a_last_evaluation(tmp_path: Path, tokenizer) -> None:
    import dataclasses

    from training.model_loading import load_for_tuning
    from training.tuning import train_adapter

    config = _config(tmp_path, "budget")
    config.optim = dataclasses.replace(config.optim, max_minutes=1e-6, eval_every=None)
    model, _ = load_for_tuning(BASE, config.lora, config.quant, seed=config.seed)
    train, _ = encode_all(TINY_TRAIN, tokenizer, max_length=512)
    validation, _ = encode_all(TINY_VALIDATION, tokenizer, max_length=512)
    history = train_adapter(
        model, train, validation, config, pad_token_id=tokenizer.pad_token_id, progress=False
    )
    assert history.stopped_for_time and len(history.train) == 1 and [s for s, _ in history.eval] == [1]
