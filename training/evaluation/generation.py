"""Greedy answers for many prompts at once: left-padded batches, stopped at the end-of-turn token."""

from __future__ import annotations

from typing import Any

from guide_server.generation.prompts import render_prompt


def generate_answers(
    model: Any, tokenizer: Any, prompts: list[list[dict[str, str]]], *, max_new_tokens: int, batch_size: int
) -> list[str]:
    """One greedy answer per chat prompt, rendered with the tokenizer's (or the plain) chat template."""
    import torch

    texts = [render_prompt(tokenizer, p) for p in prompts]  # type: ignore[arg-type]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    answers: dict[int, str] = {}
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    try:
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            batch = tokenizer(
                [texts[i] for i in chunk], return_tensors="pt", padding=True, add_special_tokens=False
            )
            with torch.no_grad():
                out = model.generate(
                    **batch,
                    max_new_tokens=max_new_tokens,
                    do_sample=False,
                    repetition_penalty=1.1,
                    eos_token_id=tokenizer.eos_token_id,
                    pad_token_id=pad_id,
                )
            new = out[:, batch["input_ids"].shape[1] :]
            for index, row in zip(chunk, new, strict=True):
                answers[index] = tokenizer.decode(row, skip_special_tokens=True).strip()
    finally:
        tokenizer.padding_side = side
    return [answers[i] for i in range(len(texts))]
