"""`guide bench train`: training tokens/s and peak memory of `guide train`'s loop on a fixed small run.

Reference, in the same run on the same examples: a plain transformers + peft loop
(shuffled batches padded to the longest, labels copied from the inputs with
padding masked), the loop most tutorials write. Tokens counted are real tokens
(padding excluded), so time spent on padding shows as lower throughput.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.table import print_table


def add_command(sub: Any) -> None:
    """Register `guide bench train`."""
    parser = sub.add_parser("train", help="LoRA training tokens/s and peak memory vs a plain peft loop")
    parser.add_argument("--base", default="smollm2-135m-instruct")
    parser.add_argument("--examples", type=int, default=8, help="fixed training examples (sampled by task)")
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.set_defaults(handler=run)


class PeakMemory:
    """Peak resident memory (CPU) or peak allocated CUDA memory while a block runs, in MiB."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm", encoding="ascii") as statm:
            import os

            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._rss())

    def measure(self, action: Callable[[], int]) -> tuple[int, float, float]:
        """Run `action` (returns tokens); (tokens, seconds, peak MiB)."""
        import torch

        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        self.peak = self._rss()
        self._stop.clear()
        watcher = threading.Thread(target=self._watch, daemon=True)
        watcher.start()
        started = time.perf_counter()
        tokens = action()
        seconds = time.perf_counter() - started
        self._stop.set()
        watcher.join()
        if torch.cuda.is_available():
            return tokens, seconds, torch.cuda.max_memory_allocated() / 2**20
        return tokens, seconds, self.peak / 2**20


def _plain_loop(
    model: Any, tokenizer: Any, examples: list[Any], batch_size: int, lr: float, seed: int
) -> int:
    """The reference: random batches, pad to longest, labels = inputs with padding at -100."""
    import random

    import torch

    from guide_server.generation.prompts import render_prompt

    texts = [render_prompt(tokenizer, e.prompt) + e.target + tokenizer.eos_token for e in examples]
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train()
    tokens = 0
    for start in range(0, len(order), batch_size):
        batch = tokenizer(
            [texts[i] for i in order[start : start + batch_size]],
            return_tensors="pt",
            padding=True,
            add_special_tokens=False,
        )
        labels = batch["input_ids"].clone()
        labels[batch["attention_mask"] == 0] = -100
        model(**batch, labels=labels).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        tokens += int(batch["attention_mask"].sum())
    return tokens


def run(args: argparse.Namespace) -> int:
    """Time both loops on the same examples and print the table."""
    import tempfile

    import torch

    from guide_core.catalogue import load_catalogue_or_raise
    from guide_core.paths import DEFAULT_EXHIBITS_DIR
    from training.config import DataSettings, LoraSettings, OptimSettings, QuantSettings, TrainConfig
    from training.dataset.build import build_examples, sample_by_task
    from training.encode import encode_all
    from training.model_loading import load_for_tuning
    from training.tuning import train_adapter

    torch.set_num_threads(args.threads)
    exhibits = dict(load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR).exhibits)
    settings = DataSettings()
    with tempfile.TemporaryDirectory() as empty:
        pool = [e for e in build_examples(exhibits, settings, data_dir=Path(empty)) if e.split == "train"]
    examples = sample_by_task(pool, args.examples, seed=0)[: args.examples]
    lora, quant, lr = LoraSettings(), QuantSettings(), 2e-4
    meter = PeakMemory()

    model, tokenizer = load_for_tuning(args.base, lora, quant, seed=0)
    ref_tokens, ref_s, ref_mib = meter.measure(
        lambda: _plain_loop(model, tokenizer, examples, args.batch_size, lr, 0)
    )
    del model

    model, tokenizer = load_for_tuning(args.base, lora, quant, seed=0)
    encoded, _ = encode_all(examples, tokenizer, max_length=4096)
    with tempfile.TemporaryDirectory() as out:
        config = TrainConfig(
            run_name="bench", base=args.base, seed=0, output_dir=out, lora=lora,
            optim=OptimSettings(learning_rate=lr, batch_size=args.batch_size, epochs=1, eval_every=None,
                                checkpoint_every=None, warmup_ratio=0.0),
        )  # fmt: skip

        def ours() -> int:
            history = train_adapter(
                model, encoded, encoded[:1], config, pad_token_id=tokenizer.pad_token_id, progress=False
            )
            return history.tokens_seen

        tokens, seconds, mib = meter.measure(ours)
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU (no GPU in this session)"
    print(
        f"device: {device}; {len(examples)} examples, batch {args.batch_size}, LoRA r={lora.r} all-linear, fp32"
    )
    print("tokens = real (non-padding) tokens; our loop also runs one small eval pass and saves the adapter")
    rows = [
        ["plain transformers + peft loop (reference)", ref_tokens, ref_s, ref_tokens / ref_s, ref_mib, 1.0],
        [
            "guide train loop (length-grouped)",
            tokens,
            seconds,
            tokens / seconds,
            mib,
            (tokens / seconds) / (ref_tokens / ref_s),
        ],
    ]
    print_table(["loop", "tokens", "seconds", "tokens/s", "peak MiB", "x reference tokens/s"], rows)
    return 0
