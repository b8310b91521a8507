"""Decide what a visitor's question is about before any model is asked.

- A request for help harming the museum or its heritage gets a refusal, never a model's words.
- A question that names another exhibit of the museum is answered about that one.
- A question about a monument or object the museum does not hold says so.
- Otherwise the exhibit the robot stands at; its statements are ranked for the question.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from guide_server.catalogue.loader import Catalogue
from guide_server.catalogue.models import Exhibit
from guide_server.narration.claim_text import FUNCTION_WORDS, analyse
from guide_server.narration.retrieval import FactRanker, RankedStatement

REFUSAL = "I can't help with that. Ask me about the exhibits instead."

GENERIC_TITLE_WORDS = frozenset(
    """castle church monastery mosque abbey theatre tomb tombs king kings house museum ship lace wine
    walls wall settlement sanctuary city kingdom town tablet idol mosaic mosaics lake salt bronze age
    late neolithic painted sweet coast south north new old great saint panagia holy district nea""".split()
)
"""Title words that many exhibits could share; a question naming only these names no exhibit."""

_HARM = re.compile(
    r"\b(steal|stole|rob|loot|smuggl\w*|vandali[sz]\w*|deface|damage|destroy|break\s+(?:in|into|off)|"
    r"chip\s+off|pry|prise|bypass|disable|switch\s+off|turn\s+off|hack|forge|fake|counterfeit|"
    r"sneak|take\s+home|pocket|graffiti|spray|burn|set\s+fire|bomb|weapon|poison|hurt|attack|sell\s+on)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(i|me|my|we|us|our|myself|ourselves)\b|\bhow\s+(?:to|do|can|could)\b", re.I)
_AGENT_AFTER = re.compile(
    r"^\s*(?:build|built|make|made|rule|ruled|found|founded|create|created|design|designed|conquer|"
    r"conquered|bring|brought|destroy|destroyed|own|owned|live|lived|settle|settled|take|took|paint|painted)\b",
    re.I,
)


@dataclass(frozen=True)
class AnswerPlan:
    """What to answer a question with."""

    exhibit: Exhibit
    """The exhibit the answer is about (the current one when the museum lacks the subject)."""
    statements: list[RankedStatement]
    """The exhibit's statements that best answer the question, best first."""
    canned: str | None = None
    """A fixed reply instead of a generated one (a refusal, or 'the museum holds no ...')."""
    why: str = "current exhibit"


def asks_for_harm(question: str) -> bool:
    """Whether the question asks for help stealing, damaging, smuggling, forging or the like."""
    return bool(_HARM.search(question)) and bool(_FIRST_PERSON.search(question))


def _title_words(catalogue: Catalogue) -> dict[str, frozenset[str]]:
    words = {}
    for exhibit in catalogue.exhibits.values():
        texts = [exhibit.title, exhibit.site, *(t.title for t in exhibit.translations.values())]
        lemmas = {t.lemma for text in texts for t in analyse(text)}
        words[exhibit.id] = frozenset(lemmas - FUNCTION_WORDS)
    return words


def _vocabulary(catalogue: Catalogue) -> frozenset[str]:
    texts = []
    for exhibit in catalogue.exhibits.values():
        texts += [exhibit.title, exhibit.site, exhibit.summary, exhibit.period.label]
        texts += [fact.text for fact in exhibit.facts]
    return frozenset(t.lemma for text in texts for t in analyse(text))


@dataclass(frozen=True)
class CatalogueNames:
    """What one catalogue snapshot offers for recognising subjects: exhibit names and every record word."""

    version: str
    title_words: dict[str, frozenset[str]]
    vocabulary: frozenset[str]

    @classmethod
    def of(cls, catalogue: Catalogue) -> CatalogueNames:
        """Analyse `catalogue` once."""
        return cls(catalogue.version, _title_words(catalogue), _vocabulary(catalogue))


def named_exhibit(
    catalogue: Catalogue, names: CatalogueNames, question: str, *, current_id: str | None
) -> Exhibit | None:
    """The exhibit the question names by its title or site, if it names one; the current one on a tie."""
    words = names.title_words
    frequency = Counter(word for lemmas in words.values() for word in lemmas)
    asked = {t.lemma for t in analyse(question)}
    distinctive = {
        exhibit_id: sum(math.log(1 + len(words) / frequency[w]) for w in (lemmas & asked) - GENERIC_TITLE_WORDS)
        for exhibit_id, lemmas in words.items()
    }
    if max(distinctive.values(), default=0.0) <= 0:
        return None
    # A generic word breaks ties between exhibits at one site ("the theatre at Kourion").
    scores = {
        exhibit_id: score + 0.5 * len(words[exhibit_id] & asked & GENERIC_TITLE_WORDS)
        for exhibit_id, score in distinctive.items()
        if score > 0
    }
    best = max(scores.values())
    if current_id is not None and scores.get(current_id, 0.0) >= best:
        return catalogue.exhibits[current_id]
    winners = sorted(i for i, score in scores.items() if score == best)
    return catalogue.exhibits[winners[0]]


def unknown_subject(names: CatalogueNames, question: str) -> str | None:
    """A name the question asks about that no exhibit's record uses ('the Parthenon'), if any.

    A name that does something in the question ("did the Egyptians build it?") is a
    claim to check against the record, not another subject, so it is not returned.
    """
    vocabulary = names.vocabulary
    tokens = analyse(question)
    for position, token in enumerate(tokens):
        if not token.capitalised or token.lemma in vocabulary or token.lemma in FUNCTION_WORDS:
            continue
        if position == 0 and token.raw in {"what", "who", "when", "where", "why", "how", "tell", "is", "was"}:
            continue
        run = [token.raw]
        for follower in tokens[position + 1 :]:
            if not (follower.joined and follower.capitalised):
                break
            run.append(follower.raw)
        name = " ".join(word.capitalize() for word in run)
        if question[: question.lower().find(run[0])].rstrip().lower().endswith("the"):
            name = f"the {name}"
        after = question[question.lower().find(run[-1]) + len(run[-1]) :]
        before = question[: question.lower().find(run[0])].rstrip().lower()
        passive = bool(re.search(r"\b(?:was|were|is|are)\b", before))
        if before.endswith(("by", "by the", "from", "from the")) or (_AGENT_AFTER.match(after) and not passive):
            return None
        return name
    return None


class QuestionRouter:
    """Plans answers against the current catalogue; re-analyses it only when its version changes."""

    def __init__(self, ranker: FactRanker) -> None:
        self.ranker = ranker
        self._names: CatalogueNames | None = None

    def names(self, catalogue: Catalogue) -> CatalogueNames:
        """The analysed names of `catalogue` (kept until the catalogue changes)."""
        if self._names is None or self._names.version != catalogue.version:
            self._names = CatalogueNames.of(catalogue)
        return self._names

    def plan(
        self, catalogue: Catalogue, question: str, *, current: Exhibit | None, named: Exhibit | None = None
    ) -> AnswerPlan | None:
        """How to answer `question`; None when it names no exhibit and the robot is at none.

        `named` is the exhibit the visitor's message names explicitly (`exhibit_id`).
        """
        anchor = named or current
        if asks_for_harm(question):
            fallback = anchor or next(iter(catalogue.exhibits.values()))
            return AnswerPlan(fallback, [], canned=REFUSAL, why="harmful request")
        names = self.names(catalogue)
        mentioned = named_exhibit(catalogue, names, question, current_id=anchor.id if anchor else None)
        subject = mentioned or anchor
        if mentioned is None and subject is not None:
            unknown = unknown_subject(names, question)
            if unknown is not None:
                reply = f"The museum holds no exhibit on {unknown}, so I cannot tell you about it."
                return AnswerPlan(subject, [], canned=reply, why="not in the museum")
        if subject is None:
            return None
        why = "current exhibit" if subject is anchor else "named in the question"
        return AnswerPlan(subject, self.ranker.rank(subject, question), why=why)
