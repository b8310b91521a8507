"""Bootstrap confidence intervals, BLEU and ROUGE-L (sacrebleu and rouge_score, called directly)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% bootstrap interval over items."""

    mean: float
    low: float
    high: float
    n: int


def bootstrap(values: list[float], *, samples: int = 1000, seed: int = 0) -> Estimate:
    """Mean and percentile 95% interval from resampling `values` with replacement."""
    if not values:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(samples))
    return Estimate(sum(values) / n, means[int(0.025 * samples)], means[int(0.975 * samples) - 1], n)


def paired_difference(
    tuned: list[float], base: list[float], *, samples: int = 1000, seed: int = 0
) -> Estimate:
    """Mean of tuned minus base over the same items, with a paired bootstrap interval."""
    return bootstrap([t - b for t, b in zip(tuned, base, strict=True)], samples=samples, seed=seed)


def bleu(hypotheses: list[str], references: list[str]) -> float:
    """Corpus BLEU (sacrebleu, 0-100)."""
    import sacrebleu

    return float(sacrebleu.corpus_bleu(hypotheses, [references]).score)


def rouge_l(hypotheses: list[str], references: list[str]) -> float:
    """Mean ROUGE-L F1 (rouge_score, 0-1)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    scores = [scorer.score(r, h)["rougeL"].fmeasure for h, r in zip(hypotheses, references, strict=True)]
    return sum(scores) / len(scores) if scores else float("nan")
