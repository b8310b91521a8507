"""`guide train`: build the dataset, tune the adapter, write the run folder. One function, one job each step."""

from __future__ import annotations

import logging
from pathlib import Path

from guide_core.catalogue import load_catalogue_or_raise
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from training.config import DATA_DIR, TrainConfig
from training.dataset.build import build_examples, sample_by_task
from training.dataset.examples import Example
from training.encode import encode_all
from training.model_loading import load_for_tuning
from training.run_outputs import shrink_adapter, write_run_files
from training.tuning import ADAPTER_DIR, History, latest_checkpoint, remove_checkpoints, train_adapter

log = logging.getLogger(__name__)


def dataset_for(
    config: TrainConfig, *, exhibits_dir: Path = DEFAULT_EXHIBITS_DIR, data_dir: Path = DATA_DIR
) -> list[Example]:
    """The run's full dataset (every split), rebuilt deterministically from the catalogue and config."""
    catalogue = load_catalogue_or_raise(exhibits_dir)
    return build_examples(dict(catalogue.exhibits), config.data, data_dir=data_dir)


def run_training(
    config: TrainConfig,
    *,
    resume: Path | None = None,
    exhibits_dir: Path = DEFAULT_EXHIBITS_DIR,
    data_dir: Path = DATA_DIR,
    keep_checkpoints: bool = False,
    progress: bool = True,
) -> History:
    """Train one run end to end; returns its loss history."""
    import torch

    if config.threads:
        torch.set_num_threads(config.threads)
    examples = dataset_for(config, exhibits_dir=exhibits_dir, data_dir=data_dir)
    if config.data.tasks is not None:
        examples = [e for e in examples if e.task.value in config.data.tasks]
    train = sample_by_task(
        [e for e in examples if e.split == "train"],
        config.data.max_train_examples,
        seed=config.seed,
        weights=config.data.task_weights,
    )
    validation = sample_by_task(
        [e for e in examples if e.split == "validation"],
        config.data.max_validation_examples or max(8, (config.data.max_train_examples or 10**6) // 8),
        seed=config.seed,
    )
    model, tokenizer = load_for_tuning(config.base, config.lora, config.quant, seed=config.seed)
    train_ids, dropped = encode_all(train, tokenizer, max_length=config.data.max_length)
    val_ids, _ = encode_all(validation, tokenizer, max_length=config.data.max_length)
    if not train_ids or not val_ids:
        raise ValueError(f"no example fits data.max_length={config.data.max_length}: raise it")
    log.info(
        "training on %d examples (%d dropped as too long), validating on %d",
        len(train_ids),
        dropped,
        len(val_ids),
    )
    if resume is not None and resume.name == "latest":
        resume = latest_checkpoint(config.run_dir)
        if resume is None:
            raise FileNotFoundError(f"no checkpoint under {config.run_dir}/checkpoints to resume from")
    history = train_adapter(
        model,
        train_ids,
        val_ids,
        config,
        pad_token_id=tokenizer.pad_token_id or 0,
        resume_from=resume,
        progress=progress,
    )
    shrink_adapter(config.run_dir / ADAPTER_DIR)
    counts = {"train": len(train_ids), "validation": len(val_ids), "dropped": dropped}
    write_run_files(config, tokenizer, history, train[0], counts)
    if not keep_checkpoints:
        remove_checkpoints(config.run_dir)
    return history
