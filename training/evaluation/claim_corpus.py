"""The labelled claim corpus (`training/evaluation/data/claims_*.jsonl`): sentences a guide might say,
each marked supported or not by one exhibit's record, with the kind of (un)support.

Most of it is hand-written: supported paraphrases, copies, combinations and guide
talk, and every unsupported kind the claim checker must catch (wrong years and
numbers, BC/AD flips, reused record numbers, unknown names in any case, peoples
and places the record does not name, recombined words, wrong relations,
superlatives, negations, invented details).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from guide_core.catalogue.models import Exhibit
from guide_core.paths import PROJECT_ROOT
from guide_server.narration.claim_checker import check_sentence

CORPUS_DIR = PROJECT_ROOT / "training" / "evaluation" / "data"
SUPPORTED_KINDS = frozenset({"copy", "paraphrase", "combined", "no_claim"})
UNSUPPORTED_KINDS = frozenset(
    {
        "wrong_year", "wrong_number", "era_flip", "number_reused", "unknown_name", "unknown_entity",
        "recombined", "wrong_relation", "superlative", "negated", "invented_detail",
    }
)  # fmt: skip


class LabelledSentence(BaseModel):
    """One corpus line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exhibit_id: str
    text: str = Field(min_length=1)
    supported: bool
    kind: str
    origin: Literal["hand", "generated"] = "hand"

    @model_validator(mode="after")
    def _kind_matches_label(self) -> LabelledSentence:
        kinds = SUPPORTED_KINDS if self.supported else UNSUPPORTED_KINDS
        if self.kind not in kinds:
            raise ValueError(
                f"kind {self.kind!r} is not a {'supported' if self.supported else 'unsupported'} kind"
            )
        return self


def load_corpus(folder: Path = CORPUS_DIR) -> list[LabelledSentence]:
    """Every labelled sentence of every `claims_*.jsonl` in `folder`; a bad line names file and line."""
    found = []
    for path in sorted(folder.glob("claims_*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    found.append(LabelledSentence.model_validate_json(line))
                except ValueError as exc:
                    raise ValueError(f"{path}:{number}: {exc}") from None
    return found


@dataclass
class KindFigures:
    """How the checker did on one kind: for unsupported kinds the share caught, else the share rejected."""

    kind: str
    supported: bool
    total: int = 0
    rejected: int = 0

    @property
    def share(self) -> float:
        """Caught (unsupported kinds) or wrongly rejected (supported kinds), as a share."""
        return self.rejected / self.total if self.total else 0.0


def score_checker(corpus: list[LabelledSentence], exhibits: dict[str, Exhibit]) -> dict[str, KindFigures]:
    """Run the claim checker over the corpus: per kind, how many sentences it rejected."""
    figures: dict[str, KindFigures] = {}
    for item in corpus:
        row = figures.setdefault(item.kind, KindFigures(item.kind, item.supported))
        row.total += 1
        row.rejected += int(not check_sentence(item.text, exhibits[item.exhibit_id]).supported)
    return figures


def totals(figures: dict[str, KindFigures]) -> dict[bool, KindFigures]:
    """The supported and unsupported kinds summed."""
    summed: dict[bool, KindFigures] = defaultdict(lambda: KindFigures("", True))
    for row in figures.values():
        total = summed.setdefault(row.supported, KindFigures("all", row.supported))
        total.total += row.total
        total.rejected += row.rejected
    return dict(summed)
