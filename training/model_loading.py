"""Load a base for tuning: full precision for LoRA, 4-bit NF4 or 8-bit through bitsandbytes for QLoRA."""

from __future__ import annotations

from typing import Any

from guide_server.generation.model_store import load_base
from training.config import LoraSettings, QuantSettings


def load_for_tuning(base: str, lora: LoraSettings, quant: QuantSettings, *, seed: int) -> tuple[Any, Any]:
    """(peft model with a fresh LoRA adapter, tokenizer); only the adapter's weights train."""
    import torch
    from peft import get_peft_model, prepare_model_for_kbit_training

    bnb = quant.bnb_config()
    kwargs: dict[str, Any] = {} if bnb is None else {"quantization_config": bnb}
    model, tokenizer = load_base(base, **kwargs)
    if bnb is not None:
        # Casts norms to fp32 and enables input grads so LoRA learns over frozen quantised weights.
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    torch.manual_seed(seed)
    model = get_peft_model(model, lora.to_peft())
    return model, tokenizer


def load_tuned(base: str, adapter: str | None, **model_kwargs: Any) -> tuple[Any, Any]:
    """(model, tokenizer): a base with an adapter loaded (not merged), or the bare base."""
    from peft import PeftModel

    model, tokenizer = load_base(base, **model_kwargs)
    if adapter is not None:
        model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    return model, tokenizer
