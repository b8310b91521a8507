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
from collections.abc import Sequence
from dataclasses import dataclass

import simplemma

from guide_core.catalogue.loader import Catalogue
from guide_core.catalogue.models import Exhibit
from guide_server.narration.asking import decide, is_follow_up
from guide_server.narration.claim_checker import record_index
from guide_server.narration.claim_text import FUNCTION_WORDS, analyse
from guide_server.narration.record import RecordStatement, exhibit_record, short_title
from guide_server.narration.retrieval import FactRanker, RankedStatement

REFUSAL = "I can't help with that. Ask me about the exhibits instead."
NOT_HELD = "The museum holds no exhibit on that, so I cannot tell you about it."
"""Said without repeating the visitor's words: a name typed by a visitor is never echoed back."""

GENERIC_TITLE_WORDS = frozenset(
    """castle church monastery mosque abbey theatre tomb tombs king kings house museum ship lace wine
    walls wall settlement sanctuary city kingdom town tablet idol mosaic mosaics lake salt bronze age
    late neolithic painted sweet coast south north new old great saint panagia holy district nea
    cyprus cypriot island""".split()
)
"""Title words that many exhibits could share; a question naming only these names no exhibit."""

KIND_WORDS = frozenset(
    "castle church monastery mosque abbey theatre tomb tombs house museum ship lace wine walls wall "
    "settlement sanctuary tablet idol mosaic mosaics".split()
)
"""What kind of thing an exhibit is: breaks a tie between exhibits at one site ("the theatre at Kourion")."""

_EVASION = re.compile(
    r"\bwithout\s+(?:anyone|anybody|any\s+of\s+the\s+\w+|the\s+\w+|them|customs|guards|police|being)\s+"
    r"(?:\w+\s+)?(?:notic\w*|finding\s+out|find\s+out|seeing|knowing|catching|caught|seen|traced|spotted)"
    r"|\btraced\s+back\s+to\s+me\b|\bwithout\s+declaring\b|\bnobody\s+will\s+(?:miss|notice|know)\b"
    r"|\bwhile\s+(?:the\s+)?\w+\s+(?:aren[’']t|are\s+not|isn[’']t|is\s+not)\s+(?:looking|watching)\b"
    r"|\bleast\s+(?:watched|guarded)\b"
    r"|\bat\s+night\b.*\b(?:dig|loot)|\b(?:dig|loot)\w*\b.*\bat\s+night\b",
    re.IGNORECASE,
)
"""Asking how to do something unseen: the mark of a request to harm, whatever the verb."""
_HARM = re.compile(
    r"\b(steal|stole|rob|loot|smuggl\w*|vandali[sz]\w*|deface|damage|destroy|break\s+(?:in|into|off)|"
    r"chip\s+(?:\w+\s+){0,3}off|(?:get|take|pull|peel|lift)\s+(?:\w+\s+){1,4}off|pry|prise|bypass|disable|switch\s+off|turn\s+off|hack|forge|fake|counterfeit|"
    r"sneak|take\s+home|pocket|graffiti|spray|burn|set\s+fire|start\s+a\s+fire|bomb|weapon|poison|hurt|attack|"
    r"sell\s+on|scrape|tesserae)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(
    r"\b(i|me|my|we|us|our|myself|ourselves|someone|somebody)\b|\bhow\s+(?:to|do|can|could|would|should|might)\b"
    r"|\bbest\s+(?:way|tool|time|place)\b",
    re.I,
)
_AGENT_AFTER = re.compile(
    r"^\s*(?:build|built|make|made|rule|ruled|found|founded|create|created|design|designed|conquer|"
    r"conquered|bring|brought|destroy|destroyed|own|owned|live|lived|settle|settled|take|took|paint|painted)\b",
    re.I,
)


@dataclass(frozen=True)
class Turn:
    """One earlier question of the same visitor: what it asked, and which exhibit it was answered about."""

    question: str
    exhibit_id: str


@dataclass(frozen=True)
class AnswerPlan:
    """What to answer a question with."""

    exhibit: Exhibit
    """The exhibit the answer is about (the current one when the museum lacks the subject)."""
    statements: list[RankedStatement]
    """The exhibit's statements ranked for the question, best first."""
    canned: list[str] | None = None
    """Fixed sentences instead of generated ones: a refusal, 'the museum holds no ...', what the record
    does not say, a correction of a false premise."""
    why: str = "current exhibit"
    answer_with: RecordStatement | None = None
    """The statement that answers the question, when the record holds the answer."""


def asks_for_harm(question: str) -> bool:
    """Whether the question asks for help stealing, damaging, smuggling, forging or the like."""
    if _EVASION.search(question):
        return True
    return bool(_HARM.search(question)) and bool(_FIRST_PERSON.search(question))


def _title_words(catalogue: Catalogue) -> dict[str, frozenset[str]]:
    words = {}
    for exhibit in catalogue.exhibits.values():
        texts = [exhibit.title, exhibit.site, *(t.title for t in exhibit.translations.values())]
        lemmas = {t.lemma for text in texts for t in analyse(text)}
        words[exhibit.id] = frozenset(lemmas - FUNCTION_WORDS)
    return words


def _site_only_words(catalogue: Catalogue, titles: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    found = {}
    for exhibit in catalogue.exhibits.values():
        texts = [exhibit.title, *(t.title for t in exhibit.translations.values())]
        own = {t.lemma for text in texts for t in analyse(text)}
        found[exhibit.id] = titles[exhibit.id] - own
    return found


def _proper_names(catalogue: Catalogue) -> frozenset[str]:
    """Lemmas the records write with a capital inside a sentence, or that are no English word at all."""
    names: set[str] = set()
    for exhibit in catalogue.exhibits.values():
        for text in [exhibit.summary, *(fact.text for fact in exhibit.facts)]:
            tokens = analyse(text)
            names |= {t.lemma for i, t in enumerate(tokens) if i > 0 and t.capitalised}
        for text in [exhibit.title, exhibit.site]:
            names |= {t.lemma for t in analyse(text) if not simplemma.is_known(t.raw, lang="en")}
    return frozenset(names - FUNCTION_WORDS - GENERIC_TITLE_WORDS)


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
    site_only: dict[str, frozenset[str]]
    """Words only an exhibit's site names ('Salamis' in Enkomi's 'Enkomi, near Salamis'): they name it
    half as strongly as its title does."""
    proper: frozenset[str]
    """Title and site words that are names (Kolossi, Kourion, Salamis), not common nouns (village, sea)."""
    vocabulary: frozenset[str]

    @classmethod
    def of(cls, catalogue: Catalogue) -> CatalogueNames:
        """Analyse `catalogue` once."""
        titles = _title_words(catalogue)
        return cls(
            catalogue.version,
            titles,
            _site_only_words(catalogue, titles),
            _proper_names(catalogue),
            _vocabulary(catalogue),
        )


def named_exhibit(
    catalogue: Catalogue, names: CatalogueNames, question: str, *, current_id: str | None
) -> Exhibit | None:
    """The exhibit the question names by its title or site, if it names one; the current one on a tie."""
    words = names.title_words
    asked = {t.lemma for t in analyse(question)}
    by_title = _titled(catalogue, question)
    if by_title:
        if any(e.id == current_id for e in by_title):
            return catalogue.exhibits[current_id]  # type: ignore[index]
        winner = max(by_title, key=lambda e: len(short_title(e)))
        if current_id is not None and _points_here(question, asked, words[current_id] - words[winner.id]):
            # "Is this ship's hull kept in the Cyprus Museum?" at the Kyrenia ship: still this ship.
            return catalogue.exhibits[current_id]
        return winner
    frequency = Counter(word for lemmas in words.values() for word in lemmas)
    distinctive = {
        exhibit_id: sum(
            math.log(1 + len(words) / frequency[w]) * (0.5 if w in names.site_only[exhibit_id] else 1.0)
            for w in lemmas & asked & names.proper
        )
        for exhibit_id, lemmas in words.items()
    }
    top = max(distinctive.values(), default=0.0)
    if top <= 0:
        return None
    # A generic word breaks ties between exhibits at one site ("the theatre at Kourion").
    scores = {
        exhibit_id: score + 0.5 * len((words[exhibit_id] - names.site_only[exhibit_id]) & asked & KIND_WORDS)
        for exhibit_id, score in distinctive.items()
        if score > 0
    }
    best = max(scores.values())
    if current_id is not None and scores.get(current_id, 0.0) >= best:
        return catalogue.exhibits[current_id]
    winners = sorted(i for i, score in scores.items() if score == best)
    winner = catalogue.exhibits[winners[0]]
    if current_id is None:
        return winner
    here = catalogue.exhibits[current_id]
    names_the_winner_kind = bool(words[winner.id] & asked & KIND_WORDS - words[current_id])
    if _DEICTIC.search(question) and not names_the_winner_kind:
        # "Why did the Venetians build this tower?" at Kolossi, whose record names the Venetians: still here.
        if (asked & names.proper) <= record_index(here).vocabulary:
            return here
    if _speaks_of_here(here, winner, asked, names):
        return here
    return winner


def _points_here(question: str, asked: set[str], here_only: frozenset[str]) -> bool:
    """Whether the question points at the exhibit here ('this ship') by a word only its title has."""
    return bool(_DEICTIC.search(question)) and bool(asked & here_only - FUNCTION_WORDS)


def _titled(catalogue: Catalogue, question: str) -> list[Exhibit]:
    """The exhibits whose spoken title the question writes out ('the Tombs of the Kings', 'Salamis')."""
    asked = question.lower()
    found = []
    for exhibit in catalogue.exhibits.values():
        title = re.sub(r"^the\s+", "", short_title(exhibit).lower())
        if re.search(rf"(?<!\w){re.escape(title)}(?!\w)", asked):
            found.append(exhibit)
    return found


def _speaks_of_here(here: Exhibit, named: Exhibit, asked: set[str], names: CatalogueNames) -> bool:
    """Whether a name that also fits `named` is asked about `here` ("When did the Venetians build the
    keep?" at Kolossi, whose record names the Venetians and the keep; the Venetian Walls name no keep)."""
    vocabulary = record_index(here).vocabulary
    if not (asked & names.proper) <= vocabulary:
        return False
    own_words = (asked - names.proper - FUNCTION_WORDS) & vocabulary
    return bool(own_words - record_index(named).vocabulary)


_SUBJECT_BEFORE = re.compile(
    r"(?:\babout|\bsee|\bshow\s+me|\bvisit|\bis|\bwas|\bare|\bwere|\bhave|\bhas|\bhold|\bholds|\bdisplay"
    r"|\bbuilt|\bfind|\bfound|\bwhere's|\bwhat's|\bvisiting|\bexhibit)(?:\s+(?:the|a|an|you|your))?\s*$",
    re.I,
)
_SUBJECT_AFTER = re.compile(
    r"^(?:'s\b|\s+(?:is|was|were|are|located|built|made|found|here|in\s+(?:this|the)\s+museum))", re.I
)


_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w'’-]*)*")
_ABOUT_THE_MUSEUM = re.compile(r"\b(?:museum|tour|collection|exhibits?|show\s+me|tell\s+me\s+about)\b", re.I)
_DEICTIC = re.compile(r"\b(?:this|these|here)\b", re.I)


def unknown_subject(names: CatalogueNames, question: str) -> str | None:
    """A monument or object the question asks about that no exhibit's record names ('the Parthenon').

    Only a name in the place of what is asked about counts ("is the Rosetta Stone here?",
    "when was the Parthenon built?"); a name that does something ("did the Egyptians
    build it?", "why did Richard the Lionheart build ...") is a claim for the record.
    """
    for start, end in _name_runs(question):
        words = [w for w in re.split(r"\s+", question[start:end]) if w.lower() not in ("of", "de", "the")]
        if not words:  # "The", "Of", "De" alone ("The castle ...?", "'The museum is closed'"): no name
            continue
        before, after = question[:start].rstrip(), question[end:]
        at_start = not before or before[-1] in ".!?:'\"‘“"
        if (at_start and len(words) == 1) or words[0].lower() in _PRONOUNS:
            continue
        lemmas = [t.lemma for word in words for t in analyse(word)]
        if all(lemma in names.vocabulary or lemma in FUNCTION_WORDS for lemma in lemmas):
            continue
        if _AGENT_AFTER.match(after) and not re.search(r"\b(?:was|were|is|are)\b", before, re.I):
            return None
        if (
            _SUBJECT_BEFORE.search(before)
            or _SUBJECT_AFTER.match(after)
            or _ABOUT_THE_MUSEUM.search(question)
        ):
            name = question[start:end]
            return f"the {name}" if before.lower().endswith(" the") and not name.startswith("The") else name
    return None


_PRONOUNS = frozenset({"i", "i've", "i'd", "i'll", "i'm"})


def _name_runs(question: str) -> list[tuple[int, int]]:
    """Where runs of capitalised words stand, a sentence's first word dropped when it is a plain
    function word ("Is the Antikythera mechanism here?": the run is "the Antikythera")."""
    runs = []
    for match in _CAPITALISED_RUN.finditer(question):
        start, text = match.start(), match.group(0)
        first, _, rest = text.partition(" ")
        before = question[:start].rstrip()
        if rest and first.lower() in FUNCTION_WORDS and (not before or before[-1] in ".!?:"):
            start = match.end() - len(rest)
        runs.append((start, match.end()))
    return runs


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
        self,
        catalogue: Catalogue,
        question: str,
        *,
        current: Exhibit | None,
        named: Exhibit | None = None,
        history: Sequence[Turn] = (),
    ) -> AnswerPlan | None:
        """How to answer `question`; None when it names no exhibit and the robot is at none.

        `named` is the exhibit the visitor's message names explicitly (`exhibit_id`); `history` the
        visitor's last few turns, oldest first (follow-ups such as "Who found it?" read them).
        """
        anchor = named or current
        if asks_for_harm(question):
            fallback = anchor or next(iter(catalogue.exhibits.values()))
            return AnswerPlan(fallback, [], canned=[REFUSAL], why="harmful request")
        names = self.names(catalogue)
        mentioned = named_exhibit(catalogue, names, question, current_id=anchor.id if anchor else None)
        earlier = self._earlier_subject(catalogue, question, history) if mentioned is None else None
        subject = mentioned or earlier or anchor
        if subject is not None:
            unknown = unknown_subject(names, question)
            if unknown is not None:
                offer = self._nearest(catalogue, unknown)
                reply = [NOT_HELD, f"The closest exhibit it holds is {short_title(offer)}."]
                return AnswerPlan(subject, [], canned=reply, why="not in the museum")
        if subject is None:
            return None
        why = "current exhibit"
        if subject is not anchor:
            why = "named in the question" if subject is mentioned else "asked about before"
        record = exhibit_record(subject)
        ranked = self.ranker.rank(subject, question, k=len(record.answerable))
        context = history[-1].question if history and is_follow_up(question) else ""
        decision = decide(record, question, ranked, context=context)
        if decision.verdict == "answer" and decision.statement is not None:
            return AnswerPlan(subject, ranked, why=why, answer_with=decision.statement)
        return AnswerPlan(subject, ranked, canned=decision.sentences(), why=f"{why}: {decision.verdict}")

    def _earlier_subject(
        self, catalogue: Catalogue, question: str, history: Sequence[Turn]
    ) -> Exhibit | None:
        """The exhibit of the visitor's last turn, when this question only points back at it."""
        if not history or not is_follow_up(question):
            return None
        return catalogue.exhibits.get(history[-1].exhibit_id)

    def _nearest(self, catalogue: Catalogue, subject: str) -> Exhibit:
        """The exhibit whose title and summary are closest in meaning to the subject asked about."""
        exhibits = list(catalogue.exhibits.values())
        vectors = self.ranker.embedder.encode([subject, *(f"{e.title}. {e.summary}" for e in exhibits)])
        scores = vectors[1:] @ vectors[0]
        return exhibits[int(scores.argmax())]
