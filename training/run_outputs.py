"""What a run leaves beside its adapter: config, chat template, loss curves, history, model card."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from guide_core.paths import PROJECT_ROOT
from guide_server.generation.prompts import PLAIN_CHAT_TEMPLATE, render_prompt
from training.config import TrainConfig
from training.dataset.examples import Example
from training.tuning import ADAPTER_DIR, History


def shrink_adapter(adapter_dir: Path) -> None:
    """Store the adapter's weights in float16: half the size, loaded back into fp32 without loss that matters."""
    import torch
    from safetensors.torch import load_file, save_file

    path = adapter_dir / "adapter_model.safetensors"
    weights = load_file(str(path))
    save_file(
        {k: v.to(torch.float16).contiguous() for k, v in weights.items()},
        str(path),
        metadata={"format": "pt"},
    )


def plot_losses(history: History, path: Path) -> None:
    """loss_curves.png: training loss per update and eval loss per evaluation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    if history.train:
        steps, losses = zip(*history.train, strict=True)
        ax.plot(steps, losses, label="train loss", alpha=0.6)
    if history.eval:
        steps, losses = zip(*history.eval, strict=True)
        ax.plot(steps, losses, "o-", label="eval loss (validation exhibits)")
    ax.set_xlabel("update")
    ax.set_ylabel("loss per answer token")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_run_files(
    config: TrainConfig, tokenizer: Any, history: History, sample: Example, counts: dict[str, int]
) -> None:
    """config.yaml, chat_template.jinja, prompt_example.txt, history.json, loss_curves.png, README.md."""
    run_dir = config.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.yaml").write_text(yaml.safe_dump(config.to_dict(), sort_keys=False), encoding="utf-8")
    template = getattr(tokenizer, "chat_template", None) or PLAIN_CHAT_TEMPLATE
    (run_dir / "chat_template.jinja").write_text(template, encoding="utf-8")
    prompt = render_prompt(tokenizer, sample.prompt)  # type: ignore[arg-type]
    (run_dir / "prompt_example.txt").write_text(
        prompt + sample.target + str(tokenizer.eos_token), encoding="utf-8"
    )
    (run_dir / "history.json").write_text(json.dumps(asdict(history), indent=1), encoding="utf-8")
    plot_losses(history, run_dir / "loss_curves.png")
    (run_dir / "README.md").write_text(model_card(config, history, counts), encoding="utf-8")


def _shown(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def model_card(config: TrainConfig, history: History, counts: dict[str, int]) -> str:
    """The run's model card in Markdown."""
    quant = (
        "none (full-precision LoRA)"
        if config.quant.bits is None
        else f"{config.quant.bits}-bit ({config.quant.quant_type})"
    )
    return "\n".join(
        [
            f"# {config.run_name}: LoRA adapter for {config.base}",
            "",
            "A LoRA adapter that teaches the museum guide's base model to describe exhibits and answer",
            "visitors from the curated exhibit record only, to correct false premises, to say when the record",
            "is silent, and to ignore instructions hidden in questions.",
            "",
            f"- base: `{config.base}`; quantisation of the frozen base: {quant}",
            f"- LoRA: r={config.lora.r}, alpha={config.lora.alpha}, dropout={config.lora.dropout}, "
            f"targets={config.lora.target_modules}",
            f"- data: {counts.get('train', 0)} training examples, {counts.get('validation', 0)} validation examples "
            f"(split by exhibit, seed {config.data.seed}); {counts.get('dropped', 0)} dropped as longer than "
            f"{config.data.max_length} tokens",
            f"- optimisation: AdamW lr {config.optim.learning_rate}, batch {config.optim.batch_size} x "
            f"{config.optim.grad_accum}, clip {config.optim.max_grad_norm}, {len(history.train)} updates, "
            f"{history.tokens_seen} tokens in {history.seconds:.0f} s on the CPU",
            f"- best eval loss {history.best_eval:.4f} at update {history.best_step}"
            + ("; stopped early" if history.stopped_early else "")
            + ("; stopped at the time budget (optim.max_minutes)" if history.stopped_for_time else ""),
            "",
            f"Files: `{ADAPTER_DIR}/` (peft adapter, float16), `config.yaml` (the config used), `chat_template.jinja`",
            "(the template used to train; the server renders prompts with the same one), `prompt_example.txt`,",
            "`history.json`, `loss_curves.png`.",
            "",
            f"Use: `guide merge --run {_shown(config.run_dir)}` for a standalone model, or the server loads the",
            "adapter over the base when `guide select` names this run in `training/registry.json`.",
            "",
            "Limits: trained on templated targets from about thirty exhibits; it is grounded, not knowledgeable:",
            "serve it with the ranked facts in the prompt and the claim checker on.",
            "",
        ]
    )
