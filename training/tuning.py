"""The training loop: LoRA/QLoRA on the assistant's tokens, eval loss each epoch, early stopping, resume.

A plain PyTorch loop (peft does the adapter): AdamW, linear warm-up and decay,
gradient clipping, length-grouped batches, tqdm progress, resumable checkpoints.
"""

from __future__ import annotations

import json
import logging
import math
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training.config import TrainConfig
from training.encode import IGNORE_INDEX, EncodedExample, collate, length_grouped_batches

log = logging.getLogger(__name__)

ADAPTER_DIR = "adapter"
CHECKPOINTS_DIR = "checkpoints"


@dataclass
class History:
    """Losses as training went: one row per logged update and per evaluation."""

    train: list[tuple[int, float]] = field(default_factory=list)
    eval: list[tuple[int, float]] = field(default_factory=list)
    best_eval: float = math.inf
    best_step: int = 0
    stopped_early: bool = False
    stopped_for_time: bool = False
    tokens_seen: int = 0
    seconds: float = 0.0


@dataclass
class TrainState:
    """Where the loop is: enough to resume exactly."""

    step: int = 0
    epoch: int = 0
    batch_in_epoch: int = 0
    bad_evals: int = 0
    history: History = field(default_factory=History)


def seed_everything(seed: int) -> None:
    """Seed Python and torch, so a run repeats."""
    import torch

    random.seed(seed)
    torch.manual_seed(seed)


def answer_loss(model: Any, batch: dict[str, Any]) -> Any:
    """Mean cross-entropy per answer token (labels not -100), the language-model head run on those only.

    The same value as `model(**batch).loss`, but the vocabulary projection (the costliest layer of a
    small model with a large vocabulary: Gemma 3's is 262k) runs for the answer positions only, not
    for every prompt token; models whose forward has no `logits_to_keep` fall back to the plain loss.
    """
    import torch
    import torch.nn.functional as F

    labels = batch["labels"]
    keep = torch.zeros_like(labels, dtype=torch.bool)
    keep[:, :-1] = labels[:, 1:] != IGNORE_INDEX
    try:
        logits = model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], logits_to_keep=keep
        ).logits
    except TypeError:
        return model(**batch).loss
    if logits.dim() == 3:  # a model that slices by position only: take the kept rows ourselves
        logits = logits[keep] if logits.shape[1] == labels.shape[1] else logits.reshape(-1, logits.shape[-1])
    return F.cross_entropy(logits.float(), labels[:, 1:][keep[:, :-1]])


def _autocast(dtype: str | None) -> Any:
    """torch.autocast on the model's device type for `dtype`, or a no-op context for None."""
    import contextlib

    import torch

    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast("cuda" if torch.cuda.is_available() else "cpu", dtype=getattr(torch, dtype))


def eval_loss(
    model: Any,
    examples: list[EncodedExample],
    *,
    batch_size: int,
    pad_token_id: int,
    autocast: str | None = None,
) -> float:
    """Mean loss per answer token over `examples`."""
    import torch

    model.eval()
    total, tokens = 0.0, 0
    with torch.no_grad(), _autocast(autocast):
        for start in range(0, len(examples), batch_size):
            batch = collate(examples[start : start + batch_size], pad_token_id)
            n = int((batch["labels"][:, 1:] != IGNORE_INDEX).sum())
            total += float(answer_loss(model, batch)) * n
            tokens += n
    model.train()
    return total / max(tokens, 1)


def _save_checkpoint(model: Any, optimizer: Any, scheduler: Any, state: TrainState, folder: Path) -> None:
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder / ADAPTER_DIR)
    torch.save(
        {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "state": state,
            "torch_rng": torch.get_rng_state(),
        },
        folder / "trainer_state.pt",
    )
    (folder / "step.json").write_text(
        json.dumps({"step": state.step, "epoch": state.epoch}), encoding="utf-8"
    )


def latest_checkpoint(run_dir: Path) -> Path | None:
    """The newest checkpoint of a run, or None."""
    folders = sorted((run_dir / CHECKPOINTS_DIR).glob("step-*"), key=lambda p: int(p.name.split("-")[1]))
    return folders[-1] if folders else None


def _load_checkpoint(model: Any, optimizer: Any, scheduler: Any, folder: Path) -> TrainState:
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    weights = load_file(str(folder / ADAPTER_DIR / "adapter_model.safetensors"))
    set_peft_model_state_dict(model, weights)
    saved = torch.load(folder / "trainer_state.pt", weights_only=False)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler.load_state_dict(saved["scheduler"])
    torch.set_rng_state(saved["torch_rng"])
    return saved["state"]


def train_adapter(
    model: Any,
    train: list[EncodedExample],
    validation: list[EncodedExample],
    config: TrainConfig,
    *,
    pad_token_id: int,
    resume_from: Path | None = None,
    progress: bool = True,
) -> History:
    """Train the peft `model` in place; the best adapter (lowest eval loss) ends in <run>/adapter."""
    import time

    import torch
    from tqdm.auto import tqdm

    opt, run_dir = config.optim, config.run_dir
    seed_everything(config.seed)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=opt.learning_rate, weight_decay=opt.weight_decay)
    steps_per_epoch = math.ceil(math.ceil(len(train) / opt.batch_size) / opt.grad_accum)
    total = min(opt.max_steps or 10**9, steps_per_epoch * opt.epochs)
    warmup = max(1, int(total * opt.warmup_ratio))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    state = TrainState()
    if resume_from is not None:
        state = _load_checkpoint(model, optimizer, scheduler, resume_from)
        log.info("resumed from %s at update %d", resume_from, state.step)
    lengths = [len(e.input_ids) for e in train]
    model.train()
    bar = tqdm(total=total, initial=state.step, desc=f"train {config.run_name}", disable=not progress)
    started = time.perf_counter() - state.history.seconds

    def evaluate_and_maybe_stop() -> bool:
        loss = eval_loss(
            model, validation, batch_size=opt.batch_size, pad_token_id=pad_token_id, autocast=opt.autocast
        )
        state.history.eval.append((state.step, loss))
        bar.write(f"update {state.step}: eval loss {loss:.4f}")
        if loss < state.history.best_eval:
            state.history.best_eval, state.history.best_step, state.bad_evals = loss, state.step, 0
            model.save_pretrained(run_dir / ADAPTER_DIR)
        else:
            state.bad_evals += 1
        state.history.seconds = time.perf_counter() - started
        _save_checkpoint(model, optimizer, scheduler, state, run_dir / CHECKPOINTS_DIR / f"step-{state.step}")
        if state.bad_evals >= opt.patience:
            state.history.stopped_early = True
            bar.write(f"early stop: no better eval loss for {opt.patience} evaluations")
            return True
        return False

    while state.epoch < opt.epochs and state.step < total:
        batches = length_grouped_batches(lengths, opt.batch_size, seed=config.seed, epoch=state.epoch)
        for index in range(state.batch_in_epoch, len(batches)):
            batch = collate([train[i] for i in batches[index]], pad_token_id)
            with _autocast(opt.autocast):
                loss = answer_loss(model, batch) / opt.grad_accum
            loss.backward()
            state.history.tokens_seen += int(batch["attention_mask"].sum())
            state.batch_in_epoch = index + 1
            if (index + 1) % opt.grad_accum and index + 1 != len(batches):
                continue
            torch.nn.utils.clip_grad_norm_(params, opt.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            state.step += 1
            value = loss.item() * opt.grad_accum
            state.history.train.append((state.step, value))
            bar.update(1)
            bar.set_postfix(loss=f"{value:.3f}")
            if opt.eval_every and state.step % opt.eval_every == 0 and evaluate_and_maybe_stop():
                return _finish(state, bar, started)
            if opt.max_minutes and time.perf_counter() - started > opt.max_minutes * 60:
                state.history.stopped_for_time = True
                bar.write(f"time budget of {opt.max_minutes} minutes spent: last evaluation, then stop")
                if not (state.history.eval and state.history.eval[-1][0] == state.step):
                    evaluate_and_maybe_stop()
                return _finish(state, bar, started)
            if opt.checkpoint_every and state.step % opt.checkpoint_every == 0:
                state.history.seconds = time.perf_counter() - started
                _save_checkpoint(
                    model, optimizer, scheduler, state, run_dir / CHECKPOINTS_DIR / f"step-{state.step}"
                )
            if state.step >= total:
                break
        state.epoch += 1
        state.batch_in_epoch = 0
        evaluated_now = bool(state.history.eval) and state.history.eval[-1][0] == state.step
        if not evaluated_now and evaluate_and_maybe_stop():
            break
    return _finish(state, bar, started)


def _finish(state: TrainState, bar: Any, started: float) -> History:
    import time

    bar.close()
    state.history.seconds = time.perf_counter() - started
    return state.history


def remove_checkpoints(run_dir: Path) -> None:
    """Drop a finished run's resumable checkpoints (optimizer state is large); keep the adapter."""
    shutil.rmtree(run_dir / CHECKPOINTS_DIR, ignore_errors=True)
