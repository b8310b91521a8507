"""Plan a description from the record: which statements, in what order, said how, for whom.

Order: what the visitor is looking at, when, its history in time order, who and
what it is like, how it was found, and where it stands today. Per audience:

- adult: at least `ADULT_MIN_FACTS` facts, as many more as fit `ADULT_MAX_WORDS`;
- child: the easiest sentence that says what it is and the easiest facts (by reading
  grade; 3 to 5 statements in all), long sentences cut at their clause breaks, hard
  terms explained with the curators' glosses;
- expert: every fact, the period and the site, in the record's exact words.

Each planned statement carries its plain wording: what the visitor hears, in the
same flow, when the model's sentence for it fails the claim check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import textstat

from guide_core.protocol import Audience
from guide_server.narration.claim_checker import check_sentence, gloss_sentence, states
from guide_server.narration.claim_text import FUNCTION_WORDS, analyse
from guide_server.narration.record import ExhibitRecord, RecordStatement, Source

ADULT_MIN_FACTS = 5
ADULT_MIN_WORDS = 90
ADULT_MAX_WORDS = 150
CHILD_MAX_STATEMENTS = 5
CHILD_MIN_FACTS = 3
CHILD_MAX_GLOSSES = 3

_TODAY = re.compile(r"\b(?:today|now|still|nowadays|displayed|on display|UNESCO|World Heritage)\b", re.I)
_CLAUSE = re.compile(r";\s+|,\s+(?:and|but|while)\s+")


@dataclass(frozen=True)
class PlannedStatement:
    """One statement of a description, and how it is said plainly."""

    statement: RecordStatement
    plain: tuple[str, ...]
    """The record's own words for this audience, one or more sentences: said when the model's fails."""

    @property
    def target(self) -> str:
        """What a model sentence must state to stand for this statement."""
        return " ".join(self.plain)


@dataclass(frozen=True)
class NarrationPlan:
    """What a description says, in order."""

    audience: Audience
    steps: tuple[PlannedStatement, ...]

    @property
    def statements(self) -> list[str]:
        """The planned statements' texts, in order."""
        return [step.statement.text for step in self.steps]


def _role(statement: RecordStatement, opening: RecordStatement | None) -> int:
    if statement is opening:
        return 0
    if statement.source is Source.PERIOD:
        return 1
    if statement.kind == "recognition" or _TODAY.search(statement.text):
        return 6
    if statement.source is Source.SITE:
        return 5
    if statement.kind == "history":
        return 2
    if statement.kind == "discovery":
        return 4
    return 3


def _first_year(statement: RecordStatement) -> int:
    return min(statement.years) if statement.years else 10_000


def _ordered(statements: list[RecordStatement], opening: RecordStatement | None) -> list[RecordStatement]:
    """Statements in story order; history and discovery in time order, the rest as the curators wrote them."""
    position = {id(s): index for index, s in enumerate(statements)}
    return sorted(
        statements,
        key=lambda s: (
            _role(s, opening),
            _first_year(s) if _role(s, opening) in (2, 4) else 0,
            position[id(s)],
        ),
    )


_SAYS_WHAT = re.compile(r"\b(?:is|was|are|were)\s+(?:a|an|one|the)\b")
"""'X is a ...': a sentence that says what the exhibit is."""


def opening_statement(record: ExhibitRecord) -> RecordStatement:
    """The statement that says what the visitor is looking at: a fact that opens with the exhibit's name
    and says what it is ('X is a ...'), else the summary's first sentence."""
    title = {t.lemma for t in analyse(record.exhibit.title)} - FUNCTION_WORDS
    for fact in record.facts:
        first = fact.tokens[0].lemma if fact.tokens else ""
        leads_with_name = first in title or (
            first == "the" and len(fact.tokens) > 1 and fact.tokens[1].lemma in title
        )
        if leads_with_name and fact.kind != "recognition" and _SAYS_WHAT.search(fact.text):
            return fact
    summary = [s for s in record.statements if s.source is Source.SUMMARY]
    return summary[0] if summary else record.facts[0]


def _words(text: str) -> int:
    return len(text.split())


def _without_repeats(
    candidates: list[RecordStatement], chosen: list[RecordStatement]
) -> list[RecordStatement]:
    """Candidates that say something the chosen statements do not already say."""
    kept: list[RecordStatement] = []
    for candidate in candidates:
        if not any(states(s.text, candidate.text) for s in [*chosen, *kept]):
            kept.append(candidate)
    return kept


def _mostly_said(statement: RecordStatement, chosen: list[RecordStatement]) -> bool:
    """Whether half or more of the statement's content words are already in the chosen statements."""
    said = frozenset().union(*(s.content for s in chosen))
    content = statement.content
    return bool(content) and len(content & said) * 2 >= len(content)


def _adult(record: ExhibitRecord) -> list[RecordStatement]:
    opening = opening_statement(record)
    chosen = [opening, record.period]
    words = sum(_words(s.text) for s in chosen)
    facts = int(opening.source is Source.FACT)
    for fact in _without_repeats([f for f in _ordered(record.facts, opening) if f is not opening], chosen):
        if facts >= ADULT_MIN_FACTS and words + _words(fact.text) > ADULT_MAX_WORDS:
            continue
        chosen.append(fact)
        words += _words(fact.text)
        facts += 1
    extra = [record.site, *(s for s in record.statements if s.source is Source.SUMMARY)]
    for statement in _without_repeats(extra, chosen):
        if _mostly_said(statement, chosen):
            continue  # a summary sentence retelling chosen facts in other words
        if words >= ADULT_MIN_WORDS or words + _words(statement.text) > ADULT_MAX_WORDS:
            break
        chosen.append(statement)
        words += _words(statement.text)
    return _ordered(chosen, opening)


def _expert(record: ExhibitRecord) -> list[RecordStatement]:
    opening = opening_statement(record)
    chosen = [opening, *[f for f in record.facts if f is not opening], record.period, record.site]
    return _ordered(chosen, opening)


def _grade(statement: RecordStatement) -> float:
    """The statement's reading grade (Flesch-Kincaid, textstat): lower is easier for a child."""
    return float(textstat.flesch_kincaid_grade(statement.text))


def _child(record: ExhibitRecord) -> list[RecordStatement]:
    """The easiest sentence that says what the exhibit is, then the easiest facts: at least
    `CHILD_MIN_FACTS` of them and until that many facts are told, at most `CHILD_MAX_STATEMENTS` in all."""
    summary = [s for s in record.statements if s.source is Source.SUMMARY]
    title = {t.lemma for t in analyse(record.exhibit.title)} - FUNCTION_WORDS
    says_what = [
        s
        for s in [*summary, *record.facts]
        if s.kind != "recognition" and {t.lemma for t in s.tokens[:3]} & title and _SAYS_WHAT.search(s.text)
    ]
    opening = (
        min(says_what, key=_grade) if says_what else (summary[0] if summary else opening_statement(record))
    )
    chosen = [opening]
    easy = sorted((f for f in record.facts if f is not opening and f.kind != "recognition"), key=_grade)
    for fact in _without_repeats(easy, chosen):
        told = " ".join(s.text for s in chosen)
        enough = sum(states(told, f.text) for f in record.facts) >= CHILD_MIN_FACTS
        if (enough and len(chosen) > CHILD_MIN_FACTS) or len(chosen) >= CHILD_MAX_STATEMENTS:
            break
        chosen.append(fact)
    return _ordered(chosen, opening)


_STARTS_A_SENTENCE = frozenset(
    "the its it they their a an this these there he she his her today now many most some".split()
)


CHILD_SENTENCE_WORDS = 12
"""A child's sentence longer than this loses its trailing comma phrases (", near Kalavasos")."""


_VERB = re.compile(r"\b(?:is|was|are|were|has|have|had|stands?|lies?|lay|holds?|shows?)\b|\b\w+ed\b", re.I)


def _shortened(clause: str) -> str:
    """`clause` without trailing comma phrases while it is long: they add detail, never the claim."""
    if ":" in clause:
        return clause  # a list after a colon loses items when cut ('four basic elements: ...')
    pieces = clause.split(", ")
    while len(pieces) > 1 and len(", ".join(pieces).split()) > CHILD_SENTENCE_WORDS:
        if not _VERB.search(", ".join(pieces[:-1])):
            break  # the last piece holds the verb ('The Büyük Han, the Great Inn, is ...'): keep it whole
        pieces.pop()
    return ", ".join(pieces)


def child_sentences(text: str, record: ExhibitRecord) -> list[str]:
    """A statement as short sentences: cut where a clause has its own subject, hard terms glossed after."""
    text = re.sub(r"\s*\([^)]*\)", "", text).strip()
    sentences: list[str] = []
    for part in (p.strip(" ,;.") for p in _CLAUSE.split(text)):
        if not part:
            continue
        part = _shortened(part)
        first = part.split()[0]
        if sentences and not (first.lower() in _STARTS_A_SENTENCE or first[:1].isupper()):
            sentences[-1] = f"{sentences[-1][:-1]}, {part}."
            continue
        sentences.append(f"{first[:1].upper()}{part[1:]}.")
    return sentences


def _child_plain(statement: RecordStatement, record: ExhibitRecord) -> list[str]:
    """The child's sentences for `statement`, or its own words when cutting it changed what it says."""
    sentences = child_sentences(statement.text, record)
    if all(check_sentence(sentence, record.exhibit).supported for sentence in sentences):
        return sentences
    return [statement.text]


def plan_description(record: ExhibitRecord, audience: Audience) -> NarrationPlan:
    """The description plan of `record` for `audience` (made once per record and audience: a cached
    description must not pay for planning)."""
    return _plan(record, audience)


@lru_cache(maxsize=1024)
def _plan(record: ExhibitRecord, audience: Audience) -> NarrationPlan:
    if audience is Audience.CHILD:
        steps = []
        explained: set[str] = set()
        for statement in _child(record):
            plain = _child_plain(statement, record)
            for gloss in record.glossed(statement.text):
                if gloss.term.lower() not in explained and len(explained) < CHILD_MAX_GLOSSES:
                    explained.add(gloss.term.lower())
                    plain.append(gloss_sentence(gloss.term, gloss.plain))
            # One step a sentence: each of a child's short sentences is said, or replaced, on its own.
            steps += [PlannedStatement(statement, (sentence,)) for sentence in plain]
    else:
        statements = _expert(record) if audience is Audience.EXPERT else _adult(record)
        steps = [PlannedStatement(s, (s.text,)) for s in statements]
    return NarrationPlan(audience, tuple(steps))
