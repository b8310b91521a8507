"""The fact guard: flag every year, number or name in generated text that the
exhibit's curated record does not support.

Supported means written in the record (title, period, site, district, facts and
their sources, summary, translations) or, for a century or millennium, overlapping
the exhibit's period or a year the record names. A short allow-list covers the
general words any description of Cypriot heritage uses ("Byzantine", "UNESCO").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guide_server.catalogue.models import Exhibit
from guide_server.generation.claims import Claims, find_claims, word_forms
from guide_server.protocol import FactCheck, FactFlag

FUNCTION_WORDS = frozenset(
    """a an the this that these those it its it's in on at of for from by with to into onto
    and or but nor so yet as if when while where which who whom whose what why how here there
    he she they we you i his her their our your my me us them one each every some many most
    all both either neither no not is are was were be been being has have had do does did
    during after before since until today now then later also however although though
    inside outside near around above below between among across through beyond along
    visitors visitor welcome hello dear let look see imagine notice
    i'm i've i'll i'd let's here's there's that's it's isn't don't can't won't hi ok okay yes""".split()
)
"""Capitalised only because they start a heading or follow a colon; never names."""

GENERAL_WORDS = frozenset(
    word.lower()
    for word in """
    Cyprus Cypriot Cypriots Greek Greeks Greece Roman Romans Rome Byzantine Byzantium Ottoman
    Ottomans Ancient Venetian Venetians Lusignan Lusignans Frankish Crusader Crusaders Crusades Hellenistic Archaic
    Classical Geometric Chalcolithic Neolithic Aceramic Ceramic Bronze Iron Age Ages Early Middle
    Late Medieval Period Era Kingdom Empire Republic Christian Christians Christianity Orthodox
    Muslim Muslims Islamic Mediterranean Europe European Eastern Western Turkish English God UNESCO
    World Heritage Site List Museum Virtual Guide Island Church Chapel Monastery Temple Sanctuary
    Mosque Castle Fort Fortress Tomb Tombs Theatre Villa House Palace Cathedral Abbey Mosaic Mosaics
    North South East West Northern Southern BC BCE AD CE
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    """.split()
)
"""General words of Cypriot heritage that name no particular person or place."""


@dataclass(frozen=True)
class ExhibitRecord:
    """What an exhibit's record supports, found once per exhibit."""

    claims: Claims
    years: frozenset[int]
    numbers: frozenset[Decimal]
    period: tuple[int, int]


def _record_text(exhibit: Exhibit) -> str:
    parts = [exhibit.title, exhibit.period.label, exhibit.site, exhibit.district.value, exhibit.summary]
    for fact in exhibit.facts:
        parts += [fact.text, fact.source]
    for translation in exhibit.translations.values():
        parts += [translation.title, translation.summary]
    return "\n".join(parts)


def exhibit_record(exhibit: Exhibit) -> ExhibitRecord:
    """The years, numbers and words `exhibit`'s record supports."""
    claims = find_claims(_record_text(exhibit), function_words=FUNCTION_WORDS)
    years = {*claims.years, exhibit.period.start_year, exhibit.period.end_year}
    years.update(fact.year for fact in exhibit.facts if fact.year is not None)
    numbers = {value for _, value in claims.numbers} | {Decimal(abs(year)) for year in years}
    return ExhibitRecord(
        claims=claims,
        years=frozenset(years),
        numbers=frozenset(numbers),
        period=(exhibit.period.start_year, exhibit.period.end_year),
    )


def _year_supported(year: int, record: ExhibitRecord) -> bool:
    if year in record.years:
        return True
    # "built in 1200" for a record's 1200 BC leaves the era out; it invents nothing.
    return year > 0 and -year in record.years


def _span_supported(span_text: str, first: int, last: int, record: ExhibitRecord) -> bool:
    if any(span.written.lower() == span_text.lower() for span in record.claims.spans):
        return True
    start, end = record.period
    return (first <= end and start <= last) or any(first <= year <= last for year in record.years)


def _name_supported(words: list[str], record: ExhibitRecord) -> bool:
    return all(
        form in record.claims.words or form in GENERAL_WORDS
        for word in words
        for form in word_forms(word)
        if form not in FUNCTION_WORDS
    )


def check_facts(text: str, exhibit: Exhibit) -> FactCheck:
    """Flag years, numbers and names in `text` that `exhibit`'s record does not support."""
    record = exhibit_record(exhibit)
    claims = find_claims(text, function_words=FUNCTION_WORDS)
    flags: list[FactFlag] = []
    for year in claims.years:
        if not _year_supported(year, record):
            flags.append(FactFlag(kind="year", value=f"{-year} BC" if year < 0 else str(year)))
    for span in claims.spans:
        if not _span_supported(span.written, span.first, span.last, record):
            flags.append(FactFlag(kind="year", value=span.written))
    for written, value in claims.numbers:
        if value not in record.numbers:
            flags.append(FactFlag(kind="number", value=written))
    for words in claims.names:
        if not _name_supported(words, record):
            flags.append(FactFlag(kind="name", value=" ".join(words)))
    unique = list(dict.fromkeys(flags))
    return FactCheck(ok=not unique, flags=unique)
