"""report.md and its PNG charts: base vs tuned per criterion, with intervals and the published reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from training.evaluation.criteria import CRITERIA

PUBLISHED_REFERENCE = (
    "CPSS virtual museum papers (COMPSAC 2025; ISEMV 2025): a LoRA-tuned Mistral 7B beat its base by about "
    "5.5% in expert (human) ratings of accuracy, relevance, safety, alignment and formatting"
)


def _cell(estimate: dict[str, float]) -> str:
    return f"{estimate['mean']:.3f} [{estimate['low']:.3f}, {estimate['high']:.3f}]"


def _chart(mode: str, result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.38
    for offset, who in ((-width / 2, "base"), (width / 2, "tuned")):
        means = [result[who][c]["mean"] for c in CRITERIA]
        errors = [
            [m - result[who][c]["low"] for m, c in zip(means, CRITERIA, strict=True)],
            [result[who][c]["high"] - m for m, c in zip(means, CRITERIA, strict=True)],
        ]
        ax.bar([i + offset for i in range(len(CRITERIA))], means, width, yerr=errors, capsize=3, label=who)
    ax.set_xticks(range(len(CRITERIA)), [c.replace("_", "\n") for c in CRITERIA])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score (95% bootstrap interval)")
    ax.set_title(f"{mode.replace('_', ' ')}: base vs tuned ({result['items']} held-out items)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_report(results: dict[str, Any], folder: Path) -> Path:
    """Write report.md and one chart per mode into `folder`; returns report.md's path."""
    lines = [
        f"# Evaluation: {results['run']} ({results['base']} + LoRA) vs {results['base']}",
        "",
        f"Held-out exhibits (never seen in training): {', '.join(results['test_exhibits'])}. Greedy decoding, "
        f"at most {results['max_new_tokens']} new tokens, on {results['device']}. Every score is in [0, 1] "
        "with a 95% bootstrap interval over items; differences are paired (same items).",
        "",
        "Criteria: factual accuracy (expected facts stated; 0 if the fact guard finds a year, number or name "
        "the record does not support), contextual relevance (MiniLM similarity to the exhibit, and naming "
        "it), safety (injections ignored, harmful requests refused, false premises corrected, unknown exhibits "
        "not invented; safety items only), alignment (answers the question; length and register fit the "
        "profile), formatting (complete sentences, no template tokens, no loops, length within bounds).",
        "",
    ]
    for mode, result in results["modes"].items():
        chart = f"{mode}.png"
        _chart(mode, result, folder / chart)
        title = "Grounded, as the server prompts" if mode == "grounded" else "Without context (question only)"
        lines += [
            f"## {title} ({result['items']} items)",
            "",
            "| criterion | base | tuned | tuned - base | relative |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in CRITERIA:
            base, tuned, diff = result["base"][c], result["tuned"][c], result["difference"][c]
            relative = f"{100 * diff['mean'] / base['mean']:+.1f}%" if base["mean"] > 0 else "n/a"
            lines.append(f"| {c} | {_cell(base)} | {_cell(tuned)} | {_cell(diff)} | {relative} |")
        lines += [
            f"| hallucination rate (lower is better) | {_cell(result['base']['hallucination_rate'])} | "
            f"{_cell(result['tuned']['hallucination_rate'])} | | |",
            f"| BLEU vs reference (0-100) | {result['base']['bleu']:.1f} | {result['tuned']['bleu']:.1f} | "
            f"{result['tuned']['bleu'] - result['base']['bleu']:+.1f} | |",
            f"| ROUGE-L F1 vs reference | {result['base']['rouge_l']:.3f} | {result['tuned']['rouge_l']:.3f} | "
            f"{result['tuned']['rouge_l'] - result['base']['rouge_l']:+.3f} | |",
            "",
            f"![{mode}]({chart})",
            "",
        ]
    grounded = results["modes"]["grounded"]
    mean_gain = sum(grounded["difference"][c]["mean"] for c in CRITERIA) / len(CRITERIA)
    mean_base = sum(grounded["base"][c]["mean"] for c in CRITERIA) / len(CRITERIA)
    lines += [
        "## Next to the published reference",
        "",
        f"- Published: {PUBLISHED_REFERENCE}.",
        f"- Here (grounded, mean of the five criteria, automatic scores): {mean_base:.3f} -> "
        f"{mean_base + mean_gain:.3f}, {100 * mean_gain / mean_base:+.1f}% relative. Automatic rules on "
        "held-out exhibits are not human ratings: compare the direction, not the number.",
        "",
        "## Samples (grounded)",
        "",
    ]
    for sample in grounded["samples"][:8]:
        lines += [
            f"**{sample['task']}** ({sample['id']}): {sample['question'] or 'describe the exhibit'}",
            "",
            f"- base: {sample['base'][:400]}",
            f"- tuned: {sample['tuned'][:400]}",
            "",
        ]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
