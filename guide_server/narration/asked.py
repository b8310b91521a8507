"""What kind of thing a visitor's question asks for: a year, a person, a number, a measure, a place,
a material or a reason. The fact ranker leans towards statements that hold it; the answer decision
(`asking`) answers only with one that does."""

from __future__ import annotations

import re
from enum import StrEnum


class Asked(StrEnum):
    """What kind of thing a question asks for, and so what a statement must hold to answer it."""

    YEAR = "year"
    PERSON = "person"
    NUMBER = "number"
    MEASURE = "measure"
    PLACE = "place"
    MATERIAL = "material"
    REASON = "reason"


_ASKS = [
    (
        Asked.MEASURE,
        re.compile(
            r"\bhow\s+(?:high|tall|long(?!\s+ago)|far|big|wide|deep|large|heavy)\b|\bwhat\s+(?:size|height|length|distance)\b",
            re.I,
        ),
    ),
    (Asked.NUMBER, re.compile(r"\bhow\s+many\b|\bhow\s+much\b|\bnumber\s+of\b", re.I)),
    (
        Asked.YEAR,
        re.compile(
            r"\bwhen\b|\bwhat\s+year\b|\bwhich\s+year\b|\bhow\s+old\b|\bwhat\s+century\b|\bwhich\s+century\b|\bwhat\s+date\b|\bhow\s+long\s+ago\b|\bwhat\s+period\b|\bwhich\s+period\b",
            re.I,
        ),
    ),
    (
        Asked.PERSON,
        re.compile(
            r"\bwho\b|\bwhom\b|\bwhose\b|\bby\s+whom\b|\bwhich\s+(?:king|queen|emperor|people|person|family|order|architect)\b",
            re.I,
        ),
    ),
    (
        Asked.MATERIAL,
        re.compile(
            r"\bmade\s+(?:of|from|out\s+of|with|using)\b|\bbuilt\s+(?:of|from|out\s+of|with)\b|\bwhat\s+(?:material|stone|wood|metal)s?\b|\bwhich\s+(?:material|stone|wood|metal)s?\b",
            re.I,
        ),
    ),
    (
        Asked.PLACE,
        re.compile(
            r"\bwhere\b|\bwhich\s+(?:place|town|city|village|country|island|museum)\b|\bin\s+what\s+(?:place|town|city|museum)\b",
            re.I,
        ),
    ),
    (
        Asked.REASON,
        re.compile(
            r"\bwhy\b|\bwhat\s+for\b|\bfor\s+what\s+purpose\b|\bhow\s+come\b|\bwhat\s+was\s+it\s+used\s+for\b",
            re.I,
        ),
    ),
]


def asked_for(question: str) -> Asked | None:
    """What kind of thing `question` asks for; None for an open question ('Tell me about it')."""
    found = [(match.start(), asked) for asked, pattern in _ASKS if (match := pattern.search(question))]
    return min(found, key=lambda item: item[0])[1] if found else None
