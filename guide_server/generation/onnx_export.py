"""Export the registered model (base + LoRA adapter, merged in fp32) to an ONNX Runtime GenAI folder.

The merge happens in full precision and only then is the merged model quantised by
onnxruntime-genai's model builder (int4 weights by default): never merged into
quantised weights. Exports are cached under `model_cache_dir()/onnx`, keyed by a
fingerprint of the base, the adapter's files, the precision and the builder's
options, and appear atomically (written beside the target, then renamed), so
concurrent first starts never see half an export.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from guide_core.model_registry import RegisteredModel
from guide_server.exceptions import ModelLoadError
from guide_server.generation.model_store import model_cache_dir

log = logging.getLogger(__name__)

PRECISIONS = ("int4", "int8", "fp32")
BUILDER_OPTIONS = ("prune_lm_head=true",)
"""Builder `--extra_options`: the prompt's read computes logits for its last token only."""
BUILDER_TIMEOUT_S = 1800.0
STDERR_TAIL_CHARS = 3000
EXPORT_MARKER = "genai_config.json"


def export_fingerprint(model: RegisteredModel, precision: str) -> str:
    """A short hash of everything the exported weights depend on."""
    import onnxruntime_genai

    digest = hashlib.sha256()
    for part in (model.base, precision, onnxruntime_genai.__version__, *BUILDER_OPTIONS):
        digest.update(part.encode() + b"\0")
    adapter = model.adapter_path()
    if adapter is not None and adapter.is_dir():
        for file in sorted(p for p in adapter.rglob("*") if p.is_file()):
            digest.update(str(file.relative_to(adapter)).encode() + b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def export_dir(model: RegisteredModel, precision: str) -> Path:
    """Where the export of `model` at `precision` lives (whether built yet or not)."""
    return model_cache_dir() / "onnx" / f"{model.id}-{export_fingerprint(model, precision)}-{precision}"


def export_onnx(model: RegisteredModel, *, precision: str = "int4") -> Path:
    """The ONNX Runtime GenAI folder of `model`, building it on first use (about a minute on 2 cores)."""
    if precision not in PRECISIONS:
        raise ModelLoadError(f"unknown ONNX precision {precision!r}: use one of {', '.join(PRECISIONS)}")
    target = export_dir(model, precision)
    if (target / EXPORT_MARKER).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("first start of %s: exporting to ONNX (%s, once; cached in %s)", model.id, precision, target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        merged = _save_merged(model, staging / "merged")
        built = staging / "onnx"
        _run_builder(model.id, merged, built, precision, cache=staging / "builder-cache")
        try:
            built.rename(target)
        except OSError:
            if not (target / EXPORT_MARKER).exists():  # another process won the race: use its export
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _save_merged(model: RegisteredModel, out: Path) -> Path:
    """Save the fp32 base with the adapter merged in (model, tokenizer and chat template)."""
    from guide_server.exceptions import ModelNotFound
    from guide_server.generation.engines.transformers import _merge_adapter
    from guide_server.generation.model_store import load_base

    try:
        merged, tokenizer = load_base(model.base)
    except ModelNotFound as error:
        raise ModelLoadError(f"model {model.id!r}: {error}") from error
    adapter = model.adapter_path()
    if adapter is not None:
        merged = _merge_adapter(merged, adapter, model.id)
    merged.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def _run_builder(model_id: str, merged: Path, out: Path, precision: str, *, cache: Path) -> None:
    """Run onnxruntime-genai's model builder in a child process; its stderr tail on failure."""
    command = [
        sys.executable,
        "-m",
        "onnxruntime_genai.models.builder",
        "-i",
        str(merged),
        "-o",
        str(out),
        "-p",
        precision,
        "-e",
        "cpu",
        "-c",
        str(cache),
        "--extra_options",
        *BUILDER_OPTIONS,
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=BUILDER_TIMEOUT_S)
    except subprocess.TimeoutExpired as error:
        raise ModelLoadError(
            f"model {model_id!r}: the ONNX export took over {BUILDER_TIMEOUT_S:.0f} s and was stopped"
        ) from error
    if done.returncode != 0 or not (out / EXPORT_MARKER).exists():
        tail = (done.stderr or done.stdout or "")[-STDERR_TAIL_CHARS:]
        raise ModelLoadError(
            f"model {model_id!r}: the ONNX export failed (exit {done.returncode}); "
            f"builder output ends with:\n{tail}\n"
            "Check that onnxruntime-genai is installed (make setup), or run with --engine transformers"
        )
