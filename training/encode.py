"""Token ids and labels for training: loss on the assistant's answer and its end-of-turn token only.

The prompt is rendered with `guide_server.generation.prompts.render_prompt`, as the
server renders it; the answer is followed by the tokenizer's EOS (the end-of-turn
token of the chat template), whose label is kept. Labels are padded with -100
separately from `pad_token_id`, so an EOS that doubles as padding is still learned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guide_server.generation.prompts import render_prompt
from training.dataset.examples import Example

IGNORE_INDEX = -100


@dataclass(frozen=True)
class EncodedExample:
    """One example as token ids, with -100 over the prompt."""

    input_ids: list[int]
    labels: list[int]


def end_of_turn_id(tokenizer: Any) -> int:
    """The token that ends the assistant's turn: the tokenizer's EOS (<|im_end|> for SmolLM2)."""
    if tokenizer.eos_token_id is None:
        raise ValueError("the tokenizer has no eos_token: set one, or the model will never learn to stop")
    return int(tokenizer.eos_token_id)


def encode(example: Example, tokenizer: Any) -> EncodedExample:
    """Prompt ids (labels -100), then answer ids and the end-of-turn id (labels kept)."""
    prompt = render_prompt(tokenizer, example.prompt)  # type: ignore[arg-type]
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(example.target, add_special_tokens=False)["input_ids"] + [
        end_of_turn_id(tokenizer)
    ]
    return EncodedExample(prompt_ids + answer_ids, [IGNORE_INDEX] * len(prompt_ids) + answer_ids)


def encode_all(
    examples: list[Example], tokenizer: Any, *, max_length: int
) -> tuple[list[EncodedExample], int]:
    """Encoded examples that fit `max_length`, and how many were dropped (never cut: a cut record lies)."""
    encoded = [encode(example, tokenizer) for example in examples]
    kept = [e for e in encoded if len(e.input_ids) <= max_length]
    return kept, len(encoded) - len(kept)


def collate(batch: list[EncodedExample], pad_token_id: int) -> dict[str, Any]:
    """Right-padded tensors: input_ids with `pad_token_id`, labels with -100, attention_mask 0 on padding."""
    import torch

    width = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_token_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, example in enumerate(batch):
        n = len(example.input_ids)
        ids[row, :n] = torch.tensor(example.input_ids)
        labels[row, :n] = torch.tensor(example.labels)
        mask[row, :n] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def length_grouped_batches(lengths: list[int], batch_size: int, *, seed: int, epoch: int) -> list[list[int]]:
    """Shuffled batches of similar length (little padding), reshuffled each epoch, same for a seed."""
    import random

    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 8
    grouped: list[int] = []
    for start in range(0, len(order), window):
        grouped += sorted(order[start : start + window], key=lambda i: lengths[i], reverse=True)
    batches = [grouped[i : i + batch_size] for i in range(0, len(grouped), batch_size)]
    rng.shuffle(batches)
    return batches
