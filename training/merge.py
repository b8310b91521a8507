"""`guide merge`: fold an adapter into a full-precision copy of its base and save a standalone model.

Never merged into 4- or 8-bit weights (rounding loses quality, peft #2321): the base
is reloaded dense in fp32 whatever the run trained on, then merged and saved.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from training.config import config_from_dict
from training.tuning import ADAPTER_DIR


def merge_adapter(base: str, adapter: Path, out: Path) -> Path:
    """Merge `adapter` into the fp32 `base` and save model and tokenizer (with its chat template) to `out`."""
    import torch
    from peft import PeftModel

    from guide_server.generation.model_store import load_base

    model, tokenizer = load_base(base, dtype=torch.float32)
    merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def merge_run(run_dir: Path, *, out: Path | None = None) -> Path:
    """Merge a run folder's adapter into its base (from the run's config.yaml)."""
    config_path = run_dir / "config.yaml"
    if not config_path.exists() or not (run_dir / ADAPTER_DIR).is_dir():
        raise FileNotFoundError(
            f"{run_dir} holds no trained run (config.yaml and adapter/): run `guide train` first"
        )
    config = config_from_dict(
        yaml.safe_load(config_path.read_text(encoding="utf-8")), source=str(config_path)
    )
    return merge_adapter(config.base, run_dir / ADAPTER_DIR, out or run_dir / "merged")
