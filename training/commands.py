"""`guide train | merge | evaluate | select | dataset`: the training stages as separate commands.

Heavy imports (torch, transformers, peft) happen inside the handlers only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from guide_core.paths import DEFAULT_EXHIBITS_DIR, PROJECT_ROOT


def add_commands(subparsers: Any) -> None:
    """Register the training commands."""
    train = subparsers.add_parser("train", help="build the dataset and tune a LoRA/QLoRA adapter")
    train.add_argument("--config", type=Path, required=True, help="training/configs/*.yaml or .toml")
    train.add_argument("--resume", type=Path, help="a checkpoint folder, or 'latest' for the run's newest")
    train.add_argument("--keep-checkpoints", action="store_true", help="keep resumable checkpoints")
    train.add_argument("--exhibits", type=Path, default=DEFAULT_EXHIBITS_DIR)
    train.set_defaults(handler=_train)

    merge = subparsers.add_parser("merge", help="merge an adapter into a full-precision base; save the model")
    merge.add_argument("--run", type=Path, required=True, help="run folder (with adapter/ and config.yaml)")
    merge.add_argument("--out", type=Path, help="output folder (default <run>/merged)")
    merge.set_defaults(handler=_merge)

    evaluate = subparsers.add_parser(
        "evaluate", help="every candidate answers the visitor question set; truth is scored"
    )
    evaluate.add_argument(
        "--candidate",
        action="append",
        metavar="BASE[:RUN]",
        help="a packaged base, optionally with a run folder's adapter (repeatable; default: both bases "
        "and every run under training/runs)",
    )
    evaluate.add_argument("--split", default="test", choices=["train", "validation", "test", "all"])
    evaluate.add_argument("--out", type=Path, default=PROJECT_ROOT / "training" / "reports" / "truth")
    evaluate.add_argument("--exhibits", type=Path, default=DEFAULT_EXHIBITS_DIR)
    evaluate.add_argument("--append", action="store_true", help="keep the report's other candidates")
    evaluate.set_defaults(handler=_evaluate)

    select = subparsers.add_parser("select", help="rank evaluated candidates; write training/registry.json")
    select.add_argument(
        "--config", type=Path, default=PROJECT_ROOT / "training" / "configs" / "selection.yaml"
    )
    select.add_argument("--reports", type=Path, default=PROJECT_ROOT / "training" / "reports" / "truth")
    select.add_argument("--registry", type=Path, help="where to write (default training/registry.json)")
    select.set_defaults(handler=_select)

    dataset = subparsers.add_parser("dataset", help="the instruction dataset and feedback export")
    sub = dataset.add_subparsers(dest="dataset_command", required=True, metavar="ACTION")
    build = sub.add_parser("build", help="write training/data/dataset/*.jsonl and training/DATASET_CARD.md")
    build.add_argument(
        "--config", type=Path, default=PROJECT_ROOT / "training" / "configs" / "smollm2-lora.yaml"
    )
    build.add_argument("--exhibits", type=Path, default=DEFAULT_EXHIBITS_DIR)
    build.set_defaults(handler=_dataset_build)
    export = sub.add_parser("export-feedback", help="curator corrections from the feedback SQLite to JSONL")
    export.add_argument("--db", type=Path, required=True, help="the server's feedback SQLite file")
    export.add_argument("--out", type=Path, default=PROJECT_ROOT / "training" / "data" / "feedback.jsonl")
    export.set_defaults(handler=_export_feedback)


def _train(args: argparse.Namespace) -> int:
    from training.config import load_config
    from training.train_run import run_training

    config = load_config(args.config)
    history = run_training(
        config, resume=args.resume, exhibits_dir=args.exhibits, keep_checkpoints=args.keep_checkpoints
    )
    print(
        f"{config.run_dir}: best eval loss {history.best_eval:.4f} at update {history.best_step}, "
        f"{history.tokens_seen} tokens in {history.seconds:.0f} s"
    )
    return 0


def _merge(args: argparse.Namespace) -> int:
    from training.merge import merge_run

    out = merge_run(args.run, out=args.out)
    print(f"merged model written to {out}")
    return 0


def _candidates(specs: list[str] | None) -> list[Any]:
    from guide_core.model_registry import RegisteredModel
    from training.config import load_config

    if not specs:
        runs = sorted((PROJECT_ROOT / "training" / "runs").glob("*/adapter"))
        bases = ["smollm2-135m-instruct", "gemma-3-270m"]
        specs = bases + [f"{load_config(run.parent / 'config.yaml').base}:{run.parent}" for run in runs]
    models = []
    for spec in specs:
        base, _, run = spec.partition(":")
        if not run:
            models.append(RegisteredModel(id=base, base=base))
            continue
        folder = Path(run).resolve()
        adapter = folder / "adapter"
        if not adapter.is_dir():
            raise SystemExit(f"{spec}: {adapter} is no adapter folder; train the run first")
        relative = adapter.relative_to(PROJECT_ROOT) if adapter.is_relative_to(PROJECT_ROOT) else adapter
        models.append(RegisteredModel(id=f"{base}+{folder.name}", base=base, adapter=str(relative)))
    return models


def _evaluate(args: argparse.Namespace) -> int:
    from guide_core.catalogue import load_catalogue_or_raise
    from training.config import DataSettings
    from training.dataset.build import split_by_exhibit
    from training.evaluation.truth_run import run_evaluation

    catalogue = load_catalogue_or_raise(args.exhibits)
    split = split_by_exhibit(list(catalogue.exhibits), DataSettings())
    exhibit_split = {i: name for name in ("train", "validation", "test") for i in getattr(split, name)}
    run_evaluation(
        _candidates(args.candidate), exhibits_dir=args.exhibits, split=args.split,
        exhibit_split=exhibit_split, out=args.out, append=args.append,
    )  # fmt: skip
    print(f"report written to {args.out / (args.split + '.md')}")
    return 0


def _select(args: argparse.Namespace) -> int:
    from guide_core.model_registry import REGISTRY_PATH
    from training.selection import load_selection_config, select_model

    try:
        registry = select_model(
            load_selection_config(args.config),
            reports_dir=args.reports,
            registry_path=args.registry or REGISTRY_PATH,
        )
    except (ValueError, FileNotFoundError) as exc:
        print(f"guide select: {exc}", file=sys.stderr)
        return 1
    for rank, model_id in enumerate(registry.ranking, start=1):
        print(f"{rank}. {model_id} {registry.models[model_id].scores}")
    print(f"selected: {registry.selected}")
    return 0


def _dataset_build(args: argparse.Namespace) -> int:
    from guide_core.catalogue import load_catalogue_or_raise
    from training.config import DATA_DIR, load_config
    from training.dataset.build import dataset_card, unsupported_targets, write_dataset
    from training.train_run import dataset_for

    config = load_config(args.config)
    examples = dataset_for(config, exhibits_dir=args.exhibits)
    flagged = unsupported_targets(examples, dict(load_catalogue_or_raise(args.exhibits).exhibits))
    if flagged:
        raise SystemExit(
            f"the claim checker rejects {len(flagged)} targets (e.g. {flagged[:3]}): fix the templates"
        )
    paths = write_dataset(examples, DATA_DIR / "dataset")
    card = PROJECT_ROOT / "training" / "DATASET_CARD.md"
    card.write_text(dataset_card(examples, config.data), encoding="utf-8")
    print(f"{len(examples)} examples: {', '.join(str(p) for p in paths.values())}; card {card}")
    return 0


def _export_feedback(args: argparse.Namespace) -> int:
    from guide_server.feedback.store import export_feedback

    records = export_feedback(args.db)
    if not records and not args.db.exists():
        raise SystemExit(f"{args.db}: no such feedback database; pass the server's feedback SQLite file")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines = [r.model_dump_json() for r in records if r.author == "curator" and r.correction]
    args.out.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    print(f"{len(lines)} curator corrections of {len(records)} records written to {args.out}")
    return 0
