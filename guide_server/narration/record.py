"""What the curators' record of an exhibit says: the one place that assembles it.

An exhibit's record is its usable statements: each curated fact (instruction-like
text left out), the period, the site and each sentence of the summary, every one
with its years, numbers and names already found. The claim checker takes its
evidence from here, the fact ranker its candidates, the narration planner and the
prompts what a description says, the question router whether the record holds
what a visitor asked, and the training data its examples. There is one sentence
splitter (`split_sentences`) and one year parser (`mentioned_years`) behind it.

Built once per exhibit content (so once per catalogue fingerprint): `exhibit_record`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, lru_cache

import simplemma

from guide_core.catalogue.instructions import looks_like_instruction
from guide_core.catalogue.models import Exhibit
from guide_core.catalogue.years import mentioned_years
from guide_server.narration.asked import Asked
from guide_server.narration.claim_text import FUNCTION_WORDS, Token, analyse, split_sentences

__all__ = [
    "Asked",
    "ExhibitRecord",
    "Gloss",
    "RecordStatement",
    "exhibit_record",
    "mentioned_years",
    "split_sentences",
]


class Source(StrEnum):
    """Which part of the exhibit a statement comes from."""

    FACT = "fact"
    PERIOD = "period"
    SITE = "site"
    SUMMARY = "summary"


MATERIALS = frozenset(
    """stone limestone sandstone marble granite gypsum wood wooden timber pine oak cedar bronze copper gold
    silver iron lead tin brass clay mudbrick brick terracotta pottery ceramic glass plaster mortar lime
    ivory bone picrolite linen cotton silk wool thread flax grape grapes mosaic pebble pebbles tesserae
    fresco paint gilded leather reed mud""".split()
)
"""Words that name what a thing is made of."""

_REASON = re.compile(
    r"\b(?:because|so that|in order to|to protect|to defend|to guard|to honour|to honor|in honour of|"
    r"dedicated to|named after|named for|for the|as a (?:place|home|refuge|shelter|tomb|store)|"
    r"against|to keep|to store|to mark|to house|to serve|to hold)\b",
    re.I,
)
_MEASURE = re.compile(
    r"\d[\d,.]*\s*(?:square\s+)?(?:metres?|meters?|m|km|kilometres?|cm|centimetres?|feet|ft|hectares?|tonnes?|tons?)\b",
    re.I,
)
_YEARISH = re.compile(r"\d{3,4}|centur|millenni|\bBC\b|\bAD\b", re.I)
_PLACE_BEFORE = frozenset(
    {"in", "at", "near", "from", "to", "of", "into", "off", "beneath", "above", "below"}
)
PEOPLE_NOUNS = frozenset(
    """women men people villagers farmer farmers diver divers monks monk nuns priests king kings queen
    knights masons craftsmen workers builders archaeologists excavators traders merchants settlers
    family families girls boys children inhabitants residents citizens soldiers sailors""".split()
)
"""Common nouns that name who did something ('made by the women of the village')."""
_AGENT = re.compile(
    r"\b(?:by|attributes?\s+to|attributed\s+to|dedicated\s+to|named\s+after|(?:tomb|grave|son|daughter|wife"
    r"|husband|mother|father|aunt|uncle|companion)\s+of)\s+(?:the\s+|a\s+|local\s+)*"
    r"(?:[A-Z][\w'-]+|(?:" + "|".join(sorted(PEOPLE_NOUNS)) + r")\b)"
)
_PERSON_TITLES = frozenset(
    """king queen emperor empress saint st bishop archbishop pope sultan pasha general governor commander
    knight knights monk monks abbot priest lord lady prince princess duke admiral consul apostle
    evangelist hermit archbishop president virgin""".split()
)


@dataclass(frozen=True)
class Gloss:
    """A curator's plain words for a hard term of the record."""

    term: str
    plain: str


@dataclass(frozen=True)
class RecordStatement:
    """One usable statement of the record, analysed once."""

    label: str
    """'fact 3', 'period', 'site' or 'summary 2'."""
    text: str
    source: Source
    kind: str
    """The curators' fact kind (history, discovery, recognition, description); '' for the others."""
    tokens: tuple[Token, ...]
    years: tuple[int, ...]
    names: frozenset[str]
    """Lemmas of the names it writes (people, peoples, places), the exhibit's own name left out."""
    people: bool
    """It names who did something: a person or people, or an agent after 'by'."""
    places: bool
    numbers: bool
    """A count or number other than a year."""
    measure: bool
    material: bool
    reason: bool

    @property
    def content(self) -> frozenset[str]:
        """Its content lemmas and their stems, for matching a question's topic."""
        words = {t.lemma for t in self.tokens if t.lemma not in FUNCTION_WORDS}
        return frozenset(words | {t.stem for t in self.tokens if t.lemma in words})

    @property
    def has_year(self) -> bool:
        """It dates something: a year, a century, a millennium."""
        return bool(self.years) or (bool(_YEARISH.search(self.text)) and self.source is not Source.SITE)

    def holds(self, asked: Asked) -> bool:
        """Whether this statement can answer a question asking for `asked`."""
        return {
            Asked.YEAR: self.has_year,
            Asked.PERSON: self.people,
            Asked.NUMBER: self.numbers or self.measure,
            Asked.MEASURE: self.measure,
            Asked.PLACE: self.places or self.source is Source.SITE,
            Asked.MATERIAL: self.material,
            Asked.REASON: self.reason,
        }[asked]


@dataclass(frozen=True, eq=False)
class ExhibitRecord:
    """Everything the curators' record of one exhibit says, as statements (one object per content:
    compared and hashed by identity)."""

    exhibit: Exhibit
    statements: tuple[RecordStatement, ...]
    glosses: tuple[Gloss, ...]
    own_name: frozenset[str]
    """Lemmas of the exhibit's title, site and district: every statement is about these."""

    @cached_property
    def words(self) -> frozenset[str]:
        """Every content lemma and stem the record writes, and the exhibit's own name."""
        return frozenset().union(*(s.content for s in self.statements)) | self.own_name

    @cached_property
    def raw_words(self) -> frozenset[str]:
        """Every word as the record writes it, lower-cased."""
        return frozenset(t.raw for s in self.statements for t in s.tokens)

    @cached_property
    def numbers(self) -> frozenset[str]:
        """Every year and number the record states, as analysed ('1454', '300bc')."""
        return frozenset(t.lemma for s in self.statements for t in s.tokens if t.is_number)

    @property
    def facts(self) -> list[RecordStatement]:
        """The curated facts, in the curators' order."""
        return [s for s in self.statements if s.source is Source.FACT]

    @property
    def period(self) -> RecordStatement:
        """The period statement."""
        return next(s for s in self.statements if s.source is Source.PERIOD)

    @property
    def site(self) -> RecordStatement:
        """The site statement."""
        return next(s for s in self.statements if s.source is Source.SITE)

    @property
    def answerable(self) -> list[RecordStatement]:
        """Facts, period and site: what an answer may be built from (summary sentences repeat facts)."""
        return [s for s in self.statements if s.source is not Source.SUMMARY]

    def glossed(self, text: str) -> list[Gloss]:
        """The glosses whose term occurs in `text`."""
        lower = text.lower()
        return [g for g in self.glosses if re.search(rf"(?<!\w){re.escape(g.term.lower())}(?!\w)", lower)]


def short_title(exhibit: Exhibit) -> str:
    """The title as said aloud: without its parenthesis or the part after a comma."""
    title = re.sub(r"\s*\([^)]*\)", "", exhibit.title)
    return title.split(",")[0].strip() or exhibit.title


def period_sentence(exhibit: Exhibit) -> str:
    """The period as one spoken sentence ('It dates from the Neolithic period, 7th to 4th millennium BC.')."""
    label = re.sub(r"\bc\.\s*", "about ", exhibit.period.label)
    match = re.match(r"^(?P<head>[^(]*?)\s*\((?P<detail>[^)]*)\)\s*$", label)
    head, detail = (match.group("head"), match.group("detail")) if match else (label, "")

    def noun(words: str, plural: str = " period") -> str:
        last = words.split()[-1] if words.split() else ""
        return plural if last[:1].isupper() and not words[:1].isdigit() else ""

    if "," in head:
        sentence = f"Its history runs through the {head}{noun(head, ' periods')}"
    elif re.search(r"\bto today$", head):
        start = head[: -len(" to today")]
        sentence = f"It dates from the {start}{noun(start)} to the present day"
    else:
        sentence = f"It dates from the {head}{noun(head)}"
    return f"{sentence}, {detail}." if detail else f"{sentence}."


def site_sentence(exhibit: Exhibit) -> str:
    """Where the exhibit is, as one sentence."""
    return f"It is at {exhibit.site}, in {exhibit.district.value} district."


_PAST_VERBS = frozenset(
    """made built founded ruled directed led took gave sold found wrote bought rebuilt began became held
    brought won lost fought painted carved designed discovered excavated dug restored moved""".split()
)


def _names(tokens: list[Token], own: frozenset[str]) -> tuple[frozenset[str], bool, bool]:
    """The names a statement writes, and whether it names people (who did something) and places."""
    names: set[str] = set()
    people = places = False
    for index, token in enumerate(tokens):
        if not token.capitalised or token.lemma in FUNCTION_WORDS or token.is_number:
            continue
        if index == 0 and simplemma.is_known(token.raw, lang="en"):
            continue
        if token.lemma not in own:
            names.add(token.lemma)
        previous = tokens[index - 1].raw if index else ""
        before = tokens[index - 2].raw if index > 1 else ""
        following = tokens[index + 1].raw if index + 1 < len(tokens) else ""
        if previous in _PLACE_BEFORE or (before in _PLACE_BEFORE and previous in {"the", "village", "city"}):
            places = True
        elif token.lemma not in own and (
            following in _PAST_VERBS
            or following.endswith("ed")
            or re.search(r"(?:ians|ans|ers|ites)$", token.raw)
        ):
            people = True
    people = people or any(t.raw in _PERSON_TITLES or t.raw in PEOPLE_NOUNS for t in tokens)
    return frozenset(names), people, places


def _statement(
    label: str, text: str, source: Source, kind: str, years: tuple[int, ...], own: frozenset[str]
) -> RecordStatement:
    tokens = analyse(text)
    names, people, places = _names(tokens, own)
    found_years = tuple(dict.fromkeys((*mentioned_years(text), *years)))
    plain_years = {str(abs(year)) for year in found_years}
    numbers = any(t.is_number and not t.is_span and t.lemma.rstrip("bc") not in plain_years for t in tokens)
    return RecordStatement(
        label=label,
        text=text,
        source=source,
        kind=kind,
        tokens=tuple(tokens),
        years=found_years,
        names=names,
        people=people or bool(_AGENT.search(text)),
        places=places,
        numbers=numbers,
        measure=bool(_MEASURE.search(text)),
        material=any(t.lemma in MATERIALS for t in tokens),
        reason=bool(_REASON.search(text)),
    )


@lru_cache(maxsize=512)
def _record_of(exhibit_json: str) -> ExhibitRecord:
    exhibit = Exhibit.model_validate_json(exhibit_json)
    own = (
        frozenset(t.lemma for t in analyse(f"{exhibit.title} {exhibit.site} {exhibit.district.value}"))
        - FUNCTION_WORDS
    )
    period = exhibit.period
    statements = [
        _statement(
            f"fact {index + 1}",
            fact.text,
            Source.FACT,
            fact.kind.value,
            (fact.year,) if fact.year is not None else (),
            own,
        )
        for index, fact in enumerate(exhibit.facts)
        if not looks_like_instruction(fact.text)
    ]
    statements.append(
        _statement(
            "period", period_sentence(exhibit), Source.PERIOD, "", (period.start_year, period.end_year), own
        )
    )
    statements.append(_statement("site", site_sentence(exhibit), Source.SITE, "", (), own))
    statements += [
        _statement(f"summary {index + 1}", sentence, Source.SUMMARY, "", (), own)
        for index, sentence in enumerate(split_sentences(exhibit.summary))
        if not looks_like_instruction(sentence)
    ]
    glosses = tuple(Gloss(g.term, g.plain) for g in getattr(exhibit, "glosses", None) or ())
    return ExhibitRecord(exhibit=exhibit, statements=tuple(statements), glosses=glosses, own_name=own)


def exhibit_record(exhibit: Exhibit) -> ExhibitRecord:
    """The record of `exhibit`, analysed once per content."""
    return _record_of(exhibit.model_dump_json())
