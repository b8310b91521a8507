"""Decide what a question asks and whether the exhibit's record holds it, before any model is asked.

- What it asks for: a year, a person, a number, a measure, a place, a material, a reason
  (`asked_for`), and about what: its topic words, the exhibit's own name left out.
- A statement answers only when it holds that kind of thing and speaks of the topic
  ("When was it built?" is not answered by the year someone excavated it).
- A question that carries a year, number, name or material the record contradicts has a
  false premise: it is corrected with the record's own statement.
- Otherwise, when nothing answers, the visitor hears that the record does not say, and
  what it does tell us.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from guide_server.narration.asked import asked_for
from guide_server.narration.claim_checker import DISCOURSE_WORDS, REFERRING_WORDS, check_sentence
from guide_server.narration.claim_text import FUNCTION_WORDS, Token, analyse, split_sentences
from guide_server.narration.record import MATERIALS, Asked, ExhibitRecord, RecordStatement, Source
from guide_server.narration.retrieval import RankedStatement
from guide_server.narration.synonyms import synonyms_of

_QUESTION_WORDS = frozenset(
    """what when where who whom whose why how which many much year century old long ago date period
    did does do tell please know made kind sort""".split()
)
ORIGIN_WORDS = frozenset(
    """build built construct constructed make made found founded date dates old age begin begun start started
    create created establish established settle settled erect erected raise raised come exist live use
    inhabit inhabited occupy occupied""".split()
)
"""A 'when' question about these is answered by the period when no fact names the event."""

SILENT = {
    Asked.YEAR: "when that was",
    Asked.PERSON: "who that was",
    Asked.NUMBER: "how many there were",
    Asked.MEASURE: "how big it is",
    Asked.PLACE: "where that was",
    Asked.MATERIAL: "what it was made of",
    Asked.REASON: "why",
    None: "that",
}
"""What the record does not say, by what was asked; never the visitor's own words."""
CORRECTION = "That is not what the museum's record says."
CLOSE_IN_MEANING = 0.5
"""An open question no statement shares a word with is still answered by a statement this close in
meaning (MiniLM cosine): 'What was the ship carrying?' and 'The cargo included ...'."""
_NOW = re.compile(r"\b(?:now|today|displayed|on display|kept|housed)\b", re.I)

PERIOD_NAMES = frozenset(
    """neolithic chalcolithic bronze iron archaic classical hellenistic roman byzantine medieval frankish
    lusignan venetian ottoman british modern prehistoric ancient christian""".split()
)
"""Names of periods and rulers: a question that dates an exhibit by one the record does not give is
corrected with the record's own period."""
_AGE = re.compile(
    r"\bhow\s+old\b|\bhow\s+long\s+ago\b|\bwhat\s+(?:period|century|age)\b|\bwhich\s+(?:period|century)\b",
    re.I,
)
_WANTS_A_NAME = re.compile(r"\bname\b|\bcalled\b", re.I)
_HOW_MANY_OF = re.compile(r"\bhow\s+many\s+([a-z]+)", re.I)
_PREVIOUS_STARTERS = re.compile(r"^\s*(?:and|so|then|also|what\s+about|how\s+about|and\s+what)\b", re.I)
_POINTING = re.compile(r"\b(?:it|its|it's|they|them|their|there|he|she|his|her|him|that)\b", re.I)


def topic_words(question: str, record: ExhibitRecord) -> frozenset[str]:
    """The lemmas the question is about (its record years and numbers too), less question words, guide
    talk and the exhibit's own name."""
    return frozenset(
        t.lemma
        for t in analyse(question)
        if t.lemma not in FUNCTION_WORDS
        and t.lemma not in _QUESTION_WORDS
        and t.lemma not in DISCOURSE_WORDS
        and t.lemma not in REFERRING_WORDS
        and t.lemma not in record.own_name
        and t.raw not in _QUESTION_WORDS
    )


TOPIC_LINKS = {
    "carry": frozenset({"cargo", "load"}),
    "load": frozenset({"cargo"}),
    "sink": frozenset({"wreck", "shipwreck"}),
    "live": frozenset({"inhabit", "house", "village", "settlement", "people"}),
    "worship": frozenset({"church", "sanctuary", "temple", "mosque", "cult"}),
    "bury": frozenset({"tomb", "tombs", "burial", "grave"}),
    "old": frozenset({"date", "century", "millennium"}),
    "people": frozenset({"spectator", "spectators", "seat", "visitor", "inhabitant", "resident"}),
    "discover": frozenset({"come"}),
    "find": frozenset({"come"}),
    "uncover": frozenset({"come"}),
}
"""Words a question uses for what a record names otherwise ('What did it carry?' and 'the cargo'):
for finding the statement that answers only, never for the claim checker (they are not synonyms)."""


def topic_forms(topic: frozenset[str]) -> dict[str, frozenset[str]]:
    """Each topic word with the forms a statement may use for it: its stems, synonyms and topic links."""
    return {
        word: frozenset({word, *(t.stem for t in analyse(word))})
        | synonyms_of(word)
        | TOPIC_LINKS.get(word, frozenset())
        for word in topic
    }


def overlap(statement: RecordStatement, forms: dict[str, frozenset[str]]) -> int:
    """How many topic words the statement speaks of (`forms`: from `topic_forms`)."""
    content = statement.content
    return sum(bool(related & content) for related in forms.values())


def is_follow_up(question: str) -> bool:
    """Whether the question leans on what was asked before ('And who found it?', 'Where is it now?')."""
    return bool(_PREVIOUS_STARTERS.search(question) or _POINTING.search(question))


@dataclass(frozen=True)
class Decision:
    """How the record meets a question."""

    verdict: Literal["answer", "silent", "correct"]
    asked: Asked | None
    statement: RecordStatement | None
    """For 'answer' and 'correct': the statement that answers; for 'silent': what the record does tell."""

    def sentences(self) -> list[str]:
        """The fixed words for 'silent' and 'correct' (an 'answer' is narrated from its statement)."""
        if self.verdict == "correct" and self.statement is not None:
            return [CORRECTION, self.statement.text]
        told = [] if self.statement is None else [f"It does tell us this: {self.statement.text}"]
        return [f"The museum's record does not say {SILENT[self.asked]}.", *told]


def _premise(question: str, record: ExhibitRecord) -> Asked | None:
    """What kind of value in the question the record contradicts: a year, number, name or material."""
    for sentence in split_sentences(question):
        found = _contradicted(analyse(sentence), record)
        if found is not None:
            return found
    return None


def _contradicted(tokens: list[Token], record: ExhibitRecord) -> Asked | None:
    """The first value of one question sentence the record does not hold (its first word is no name)."""
    for index, token in enumerate(tokens):
        if token.is_number and token.lemma not in record.numbers:
            if token.is_span or len(token.lemma.rstrip("bc")) >= 3:
                return Asked.YEAR
            return Asked.NUMBER
        if token.lemma in MATERIALS and token.lemma not in record.words:
            return Asked.MATERIAL
        if token.lemma in PERIOD_NAMES and token.lemma not in record.words:
            return Asked.YEAR
        if (
            index > 0
            and token.capitalised
            and token.lemma not in FUNCTION_WORDS
            and token.lemma not in record.words
            and token.raw not in record.raw_words
        ):
            return Asked.PERSON
    return None


def _answers(statement: RecordStatement, asked: Asked, question: str) -> bool:
    """Whether `statement` holds what `question` asks for: a name when it asks a name, a count of the
    very thing it counts ('How many rooms?' is not answered by 'two storeys of rooms')."""
    if not statement.holds(asked):
        return False
    if asked is Asked.PERSON and _WANTS_A_NAME.search(question):
        return bool(statement.names)
    counted = _HOW_MANY_OF.search(question)
    if asked is Asked.NUMBER and counted:
        wanted = frozenset().union(
            *topic_forms(frozenset(t.lemma for t in analyse(counted.group(1)))).values()
        )
        tokens = statement.tokens
        following = [{t.lemma for t in tokens[i + 1 : i + 3]} | {t.stem for t in tokens[i + 1 : i + 3]}
                     for i in range(len(tokens))]  # fmt: skip
        return any(token.is_number and following[i] & wanted for i, token in enumerate(tokens))
    return True


def _checked(statement: RecordStatement | None, record: ExhibitRecord) -> RecordStatement | None:
    """`statement` when the claim checker supports it as it stands, else None (never say what the
    guard would withhold, such as a curator's fact that reads like an instruction)."""
    if statement is None or not check_sentence(statement.text, record.exhibit).supported:
        return None
    return statement


def decide(
    record: ExhibitRecord, question: str, ranked: list[RankedStatement], *, context: str = ""
) -> Decision:
    """Whether `record` answers `question`, contradicts its premise, or is silent on it.

    `ranked` is every answerable statement ranked for the question, best first; `context` an
    earlier question whose topic an elliptical follow-up ('And when?') carries on.
    """
    asked = asked_for(question)
    topic = topic_words(question, record) or (topic_words(context, record) if context else frozenset())
    forms = topic_forms(topic)
    about_origin = any(related & ORIGIN_WORDS for related in forms.values())
    order = {id(r.statement): index for index, r in enumerate(ranked)}
    statements = [r.statement for r in ranked]
    related = statements[0] if statements else None

    def best(candidates: list[RecordStatement], *, origin: bool = False) -> RecordStatement | None:
        scored = [
            (
                overlap(s, forms) + (1 if origin and s.source is Source.PERIOD else 0),
                s.source is Source.FACT,  # on a tie, a curated fact says more than the period or site
                -order[id(s)],
                s,
            )
            for s in candidates
        ]
        scored = [item for item in scored if item[0] > 0 or not topic]
        return max(scored, key=lambda item: item[:3])[3] if scored else None

    premise = _premise(question, record)
    if premise is not None:
        holding = [s for s in statements if (s.names if premise is Asked.PERSON else s.holds(premise))]
        found = best(holding, origin=premise is Asked.YEAR and about_origin)
        if found is None and premise is Asked.YEAR:
            found = record.period  # the record's own dating answers a wrong date or period
        if found is not None and topic:
            return Decision("correct", asked, found)
        return Decision("silent", asked, _checked(best(statements) or related, record))
    if asked is None:
        if not topic:
            return Decision("answer", None, record.facts[0] if record.facts else related)
        found = best(statements)
        if found is None and ranked and ranked[0].semantic >= CLOSE_IN_MEANING:
            found = ranked[0].statement
        return (
            Decision("answer", None, found)
            if found is not None
            else Decision("silent", None, _checked(related, record))
        )
    if asked is Asked.PLACE and re.search(r"\b(?:now|today|these days)\b", question, re.I):
        shown = [s for s in statements if s.holds(Asked.PLACE) and _NOW.search(s.text)]
        if shown:
            return Decision("answer", asked, shown[0])
    if asked is Asked.PLACE and not (topic - {"locate", "situate", "stand", "lie", "now", "today"}):
        return Decision("answer", asked, record.site)
    origin = asked is Asked.YEAR and (not topic or about_origin or bool(_AGE.search(question)))
    found = best([s for s in statements if _answers(s, asked, question)], origin=origin)
    if found is not None:
        return Decision("answer", asked, found)
    return Decision("silent", asked, _checked(best(statements) or related, record))
