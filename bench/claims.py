"""`guide bench claims`: the claim checker on the labelled corpus, per kind, and its time per sentence.

For each unsupported kind: the share of sentences caught (goal: at least 97% overall).
For each supported kind: the share wrongly rejected (goal: at most 10% overall).
Time per sentence against a reference measured in the same run: analysing the
sentence into lemmas only (`claim_text.analyse`), the least any checker must do.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

from bench.table import print_table
from guide_core.catalogue.loader import load_catalogue_or_raise
from guide_core.paths import DEFAULT_EXHIBITS_DIR
from guide_server.narration.claim_checker import check_sentence, record_index
from guide_server.narration.claim_text import analyse, lemma, stem


def add_command(sub: Any) -> None:
    """Register `guide bench claims`."""
    parser = sub.add_parser("claims", help="claim checker: caught and rejected per kind, ms per sentence")
    parser.add_argument("--exhibits", type=Path, default=DEFAULT_EXHIBITS_DIR)
    parser.add_argument("--split", choices=["all", "held-out"], default="all",
                        help="held-out: only the test and validation exhibits")  # fmt: skip
    parser.set_defaults(handler=run)


HELD_OUT = frozenset(
    {
        "buyuk-han",
        "house-of-dionysos-mosaics",
        "kyrenia-ship",
        "lefkara-lace",
        "asinou-church",
        "venetian-walls-nicosia",
    }
)


def _per_sentence_ms(action: Any, texts: list[tuple[str, Any]]) -> list[float]:
    samples = []
    for text, exhibit in texts:
        started = time.perf_counter()
        action(text, exhibit)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(args: argparse.Namespace) -> int:
    """Score the checker per kind, then time it against the bare analysis."""
    from training.evaluation.claim_corpus import load_corpus, score_checker, totals

    exhibits = dict(load_catalogue_or_raise(args.exhibits).exhibits)
    corpus = [c for c in load_corpus() if args.split == "all" or c.exhibit_id in HELD_OUT]
    figures = score_checker(corpus, exhibits)
    rows = []
    for row in sorted(figures.values(), key=lambda r: (r.supported, r.kind)):
        what = "rejected (false alarm)" if row.supported else "caught"
        rows.append([row.kind, "supported" if row.supported else "unsupported", row.total, what, row.share])
    for supported, row in sorted(totals(figures).items()):
        what = "rejected (false alarm)" if supported else "caught"
        rows.append(["ALL", "supported" if supported else "unsupported", row.total, what, row.share])
    print_table(["kind", "label", "sentences", "measure", "share"], rows)
    print()

    pairs = [(c.text, exhibits[c.exhibit_id]) for c in corpus]
    for exhibit in exhibits.values():
        record_index(exhibit)  # records are analysed once per content; time the sentences only
    lemma.cache_clear()
    stem.cache_clear()
    reference = _per_sentence_ms(lambda text, _: analyse(text), pairs)
    lemma.cache_clear()
    stem.cache_clear()
    measured = _per_sentence_ms(check_sentence, pairs)
    ref = statistics.median(reference)
    timing = [
        ["analyse into lemmas (reference)", len(pairs), ref, _p99(reference), 1.0],
        [
            "check_sentence",
            len(pairs),
            statistics.median(measured),
            _p99(measured),
            statistics.median(measured) / ref,
        ],
    ]
    print_table(["what", "sentences", "median ms", "p99 ms", "x reference"], timing)
    return 0


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
