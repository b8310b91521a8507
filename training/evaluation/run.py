"""`guide evaluate`: base and tuned, grounded and without context, on held-out exhibits; write the report."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from guide_server.catalogue import load_catalogue_or_raise
from guide_server.paths import DEFAULT_EXHIBITS_DIR, PROJECT_ROOT
from training.config import REPORTS_DIR, config_from_dict
from training.dataset.examples import Example
from training.evaluation.criteria import CRITERIA, Scores, Similarity, score_answer
from training.evaluation.generation import generate_answers
from training.evaluation.items import no_context_prompt, sample_items
from training.evaluation.report import write_report
from training.evaluation.statistics import bleu, bootstrap, paired_difference, rouge_l
from training.train_run import dataset_for
from training.tuning import ADAPTER_DIR

log = logging.getLogger(__name__)
MODES = ("grounded", "no_context")


def score_mode(
    answers: list[str], items: list[Example], exhibits: dict[str, Any], similarity: Similarity
) -> list[Scores]:
    """Scores of each answer against its item."""
    return [
        score_answer(a, item, exhibits.get(item.exhibit_id or ""), similarity)
        for a, item in zip(answers, items, strict=True)
    ]


def summarise(scores: list[Scores], answers: list[str], items: list[Example]) -> dict[str, Any]:
    """Per criterion a bootstrap estimate; the hallucination rate; BLEU and ROUGE-L against the targets."""
    summary: dict[str, Any] = {}
    for criterion in CRITERIA:
        values = [v for s in scores if (v := s.get(criterion)) is not None]
        summary[criterion] = asdict(bootstrap(values))
    summary["hallucination_rate"] = asdict(bootstrap([float(s.hallucinated) for s in scores]))
    references = [item.target for item in items]
    summary["bleu"] = bleu(answers, references)
    summary["rouge_l"] = rouge_l(answers, references)
    return summary


def differences(tuned: list[Scores], base: list[Scores]) -> dict[str, Any]:
    """Tuned minus base per criterion, paired over the same items."""
    result = {}
    for criterion in CRITERIA:
        pairs = [(t.get(criterion), b.get(criterion)) for t, b in zip(tuned, base, strict=True)]
        kept = [(t, b) for t, b in pairs if t is not None and b is not None]
        result[criterion] = asdict(paired_difference([t for t, _ in kept], [b for _, b in kept]))
    return result


def evaluate_run(
    run_dir: Path,
    *,
    items: int = 40,
    no_context_items: int = 16,
    max_new_tokens: int = 96,
    batch_size: int = 8,
    out: Path | None = None,
    exhibits_dir: Path = DEFAULT_EXHIBITS_DIR,
) -> Path:
    """Evaluate one run folder; returns the path of report.md."""
    import torch
    from peft import PeftModel

    from guide_server.generation.model_store import load_base
    from training.evaluation.embedder import minilm_similarity

    run_dir = run_dir.resolve()
    config_path = run_dir / "config.yaml"
    if not (run_dir / ADAPTER_DIR / "adapter_config.json").exists() or not config_path.exists():
        raise FileNotFoundError(
            f"{run_dir} holds no trained run (adapter/ and config.yaml): run `guide train` first"
        )
    config = config_from_dict(
        yaml.safe_load(config_path.read_text(encoding="utf-8")), source=str(config_path)
    )
    if config.threads:
        torch.set_num_threads(config.threads)
    catalogue = load_catalogue_or_raise(exhibits_dir)
    exhibits = dict(catalogue.exhibits)
    test = [e for e in dataset_for(config, exhibits_dir=exhibits_dir) if e.split == "test"]
    chosen = sample_items(test, items, seed=config.seed)
    bare = chosen[:no_context_items]
    prompts = {
        "grounded": [item.prompt for item in chosen],
        "no_context": [no_context_prompt(item, exhibits.get(item.exhibit_id or "")) for item in bare],
    }
    mode_items = {"grounded": chosen, "no_context": bare}

    model, tokenizer = load_base(config.base)
    model.eval()
    answers: dict[str, dict[str, list[str]]] = {"base": {}, "tuned": {}}
    for mode in MODES:
        log.info("base model, %s: %d items", mode, len(prompts[mode]))
        answers["base"][mode] = generate_answers(
            model, tokenizer, prompts[mode], max_new_tokens=max_new_tokens, batch_size=batch_size
        )
    model = PeftModel.from_pretrained(model, str(run_dir / ADAPTER_DIR))
    model.eval()
    for mode in MODES:
        log.info("tuned model, %s: %d items", mode, len(prompts[mode]))
        answers["tuned"][mode] = generate_answers(
            model, tokenizer, prompts[mode], max_new_tokens=max_new_tokens, batch_size=batch_size
        )

    similarity = minilm_similarity()
    results: dict[str, Any] = {"modes": {}}
    for mode in MODES:
        scored = {
            who: score_mode(answers[who][mode], mode_items[mode], exhibits, similarity) for who in answers
        }
        results["modes"][mode] = {
            "items": len(mode_items[mode]),
            "base": summarise(scored["base"], answers["base"][mode], mode_items[mode]),
            "tuned": summarise(scored["tuned"], answers["tuned"][mode], mode_items[mode]),
            "difference": differences(scored["tuned"], scored["base"]),
            "samples": [
                {"id": item.id, "task": item.task.value, "question": item.question, "reference": item.target,
                 "base": answers["base"][mode][i], "tuned": answers["tuned"][mode][i],
                 "base_scores": asdict(scored["base"][i]), "tuned_scores": asdict(scored["tuned"][i])}
                for i, item in enumerate(mode_items[mode])
            ],
        }  # fmt: skip
    results.update(
        run=config.run_name,
        base=config.base,
        adapter=_relative(run_dir / ADAPTER_DIR),
        test_exhibits=sorted({i.exhibit_id for i in chosen if i.exhibit_id}),
        max_new_tokens=max_new_tokens,
        device="cpu (no GPU in this session)"
        if not torch.cuda.is_available()
        else torch.cuda.get_device_name(),
    )
    folder = out or REPORTS_DIR / config.run_name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return write_report(results, folder)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path.resolve())
