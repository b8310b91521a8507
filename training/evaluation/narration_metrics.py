"""Figures over one released description: what a visitor heard, measured against the exhibit's record.

Pure functions of the released sentences and the exhibit (no engine, no I/O), so
`guide bench narration` and evaluation can share them, and each one can be
tested against the ways a narration could game it:

- `facts_stated`: how many curated facts the whole text states (`states`), so
  saying one fact twice counts it once.
- `repeated_sentences`: sentences whose normalised words equal an earlier one's.
- `banner_sentences`: sentences that start "The museum's record says" (the
  whole-record fallback's banner: the record read out, not narration).
- `fk_grade`: Flesch-Kincaid grade of the whole text (`textstat`, syllables
  from the CMU dictionary it ships, so it works offline).
- `record_wording`: whether a sentence is a near-copy of a curated statement.
  Rule: lower-case both, keep only word characters (`[a-z0-9]+`), drop a
  leading "The museum's record says" banner, and compare the word sequences
  with `difflib.SequenceMatcher.ratio()`; at `COPY_RATIO` (0.8) or more against
  any statement (each fact's text, the period and site in both the checker's
  and the question router's phrasing, each summary sentence) it is the
  record's wording. A sentence that changes a fifth of the words or more
  differs.
- `fallback_share`: `fact_check.replaced / fact_check.released`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

import textstat
from pydantic import BaseModel, Field

from guide_core.catalogue.models import Exhibit
from guide_core.protocol import FactCheck
from guide_server.narration.claim_checker import gloss_sentence, states
from guide_server.narration.record import exhibit_record

COPY_RATIO = 0.8
"""A sentence whose words match a curated statement's at least this much (SequenceMatcher ratio) is a copy."""
BANNER = "The museum's record says"
"""How the whole-record fallback introduces the curated text; a sentence starting so is a banner."""
_WORD = re.compile(r"[a-z0-9]+")
_BANNER_WORDS = ("the", "museum", "s", "record", "says")


class DescriptionFigures(BaseModel):
    """The text figures of one released description."""

    exhibit_id: str
    audience: str
    sentences: int = Field(ge=0, description="Released sentences.")
    words: int = Field(ge=0)
    facts_stated: int = Field(ge=0, description="Curated facts the text states.")
    facts_total: int = Field(ge=0, description="Curated facts of the exhibit.")
    repeated: int = Field(ge=0, description="Sentences repeating an earlier one (normalised).")
    banners: int = Field(ge=0, description=f"Sentences starting {BANNER!r}.")
    fk_grade: float = Field(description="Flesch-Kincaid grade of the whole text.")
    differing: int = Field(ge=0, description="Sentences that are not a near-copy of a curated statement.")
    replaced: int = Field(ge=0, description="Released sentences said in place of a failed model sentence.")


def normalised_words(sentence: str) -> tuple[str, ...]:
    """The sentence's words, lower-cased, punctuation dropped ("museum's" -> "museum", "s")."""
    return tuple(_WORD.findall(sentence.lower()))


def word_count(sentences: Sequence[str]) -> int:
    """Words in the released text, as a reader counts them (split on whitespace)."""
    return sum(len(sentence.split()) for sentence in sentences)


def facts_stated(sentences: Sequence[str], exhibit: Exhibit) -> int:
    """How many of `exhibit`'s curated facts the whole text states (each counted once)."""
    text = " ".join(sentences)
    return sum(states(text, fact.text) for fact in exhibit.facts) if text.strip() else 0


def repeated_sentences(sentences: Sequence[str]) -> int:
    """Sentences whose normalised words equal an earlier sentence's in the same description."""
    seen: set[tuple[str, ...]] = set()
    repeats = 0
    for sentence in sentences:
        words = normalised_words(sentence)
        if not words:
            continue
        repeats += words in seen
        seen.add(words)
    return repeats


def is_banner(sentence: str) -> bool:
    """Whether `sentence` starts "The museum's record says" (any case, any apostrophe)."""
    return normalised_words(sentence)[: len(_BANNER_WORDS)] == _BANNER_WORDS


def banner_sentences(sentences: Sequence[str]) -> int:
    """How many released sentences are the whole-record fallback's banner."""
    return sum(is_banner(sentence) for sentence in sentences)


def fk_grade(sentences: Sequence[str]) -> float:
    """Flesch-Kincaid grade of the text (0.0 for no text)."""
    text = " ".join(sentences).strip()
    return float(textstat.flesch_kincaid_grade(text)) if text else 0.0


def curated_statements(exhibit: Exhibit) -> list[str]:
    """Every statement whose wording counts as the record's: the record's own (facts, period, site,
    summary sentences) and each curator's gloss as it is said."""
    record = exhibit_record(exhibit)
    return [
        *(s.text for s in record.statements),
        *(gloss_sentence(g.term, g.plain) for g in record.glosses),
    ]


def copy_ratio(sentence: str, statement: str) -> float:
    """How closely `sentence`'s words follow `statement`'s (SequenceMatcher ratio, banner dropped)."""
    words = normalised_words(sentence)
    if words[: len(_BANNER_WORDS)] == _BANNER_WORDS:
        words = words[len(_BANNER_WORDS) :]
    return SequenceMatcher(None, words, normalised_words(statement), autojunk=False).ratio()


def record_wording(sentence: str, statements: Sequence[str]) -> bool:
    """Whether `sentence` is a near-copy (ratio >= `COPY_RATIO`) of any of `statements`."""
    return any(copy_ratio(sentence, statement) >= COPY_RATIO for statement in statements)


def differing_sentences(sentences: Sequence[str], exhibit: Exhibit) -> int:
    """Released sentences that are not a near-copy of any curated statement of `exhibit`."""
    statements = curated_statements(exhibit)
    return sum(not record_wording(sentence, statements) for sentence in sentences)


def fallback_share(check: FactCheck | None) -> float:
    """The share of released sentences that were the plan's plain statement, said in a failed one's place."""
    if check is None or not check.released:
        return 0.0
    return check.replaced / check.released


def describe(
    sentences: Sequence[str], exhibit: Exhibit, *, audience: str, check: FactCheck | None
) -> DescriptionFigures:
    """All the text figures of one description of `exhibit` for `audience`."""
    return DescriptionFigures(
        exhibit_id=exhibit.id,
        audience=audience,
        sentences=len(sentences),
        words=word_count(sentences),
        facts_stated=facts_stated(sentences, exhibit),
        facts_total=len(exhibit.facts),
        repeated=repeated_sentences(sentences),
        banners=banner_sentences(sentences),
        fk_grade=fk_grade(sentences),
        differing=differing_sentences(sentences, exhibit),
        replaced=check.replaced if check is not None else 0,
    )
