"""A sample of released sentences for hand labelling, and the precision the labels give.

`guide evaluate` counts released sentences the claim checker rejects; this is the
check on the checker: a person reads a fixed random sample of what was released
and marks each sentence supported by the record, a claim-free guide sentence, or
unsupported. `draw_sample` writes the sentences to label; `labelled_precision`
reads the labels back.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

Label = Literal["supported", "no_claim", "unsupported"]


class SampledSentence(BaseModel):
    """One released sentence, and its hand label once a person gave it."""

    model_config = ConfigDict(extra="forbid")

    model_id: str
    item_id: str
    exhibit_id: str
    sentence: str
    label: Label | None = None
    note: str = ""


def draw_sample(report: Path, model_id: str, *, size: int = 40, seed: int = 7) -> list[SampledSentence]:
    """A fixed random sample of the sentences `model_id` released in a `guide evaluate` report."""
    rows = next(r for r in json.loads(report.read_text(encoding="utf-8")) if r["model_id"] == model_id)
    pool = [
        SampledSentence(model_id=model_id, item_id=a["id"], exhibit_id=a["about"], sentence=sentence)
        for a in rows["answers"]
        for sentence in a["sentences"]
    ]
    return random.Random(seed).sample(pool, min(size, len(pool)))


def labelled_precision(path: Path) -> tuple[float, int]:
    """(share of labelled sentences that are supported or claim-free, how many are labelled)."""
    items = [
        SampledSentence.model_validate_json(line)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line
    ]
    labelled = [i for i in items if i.label is not None]
    good = sum(i.label != "unsupported" for i in labelled)
    return (good / len(labelled) if labelled else float("nan")), len(labelled)
