"""Find the checkable claims in English text: years, centuries, numbers and names.

No exhibit here: `fact_guard` runs these finders over generated text and over the
exhibit's record, then compares the two. Everything is plain regular expressions,
fast enough to run on every description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from guide_server.catalogue.years import mentioned_years


@dataclass(frozen=True)
class YearSpan:
    """A stretch of years the text names: a century, a millennium or a decade."""

    written: str
    first: int
    last: int

    def overlaps(self, first: int, last: int) -> bool:
        """Whether this span shares at least one year with first..last."""
        return self.first <= last and first <= self.last

    def contains(self, year: int) -> bool:
        """Whether `year` lies inside this span."""
        return self.first <= year <= self.last


@dataclass
class Claims:
    """What a text asserts that a curator could check."""

    years: list[int] = field(default_factory=list)
    spans: list[YearSpan] = field(default_factory=list)
    numbers: list[tuple[str, Decimal]] = field(default_factory=list)
    """(as written, value) for every number that is not a year."""
    names: list[list[str]] = field(default_factory=list)
    """Runs of capitalised words outside sentence starts, e.g. ['Alessandro', 'Bianchi']."""
    words: set[str] = field(default_factory=set)
    """Every word, lower-cased, possessives and hyphens split off."""


ORDINAL_WORDS = {
    word: index + 1
    for index, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
    )
}
ORDINAL_WORDS["twenty-first"] = 21

_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)|" + "|".join(
    sorted((re.escape(word) for word in ORDINAL_WORDS), key=len, reverse=True)
)
_ERA = r"(?:\s+(BCE|BC|B\.C\.|CE|AD|A\.D\.))?"
_CENTURY = re.compile(
    rf"\b(?P<n>{_ORDINAL})[\s-]+(?P<unit>century|centuries|millennium|millennia){_ERA}(?![A-Za-z])",
    re.IGNORECASE,
)
_DECADE = re.compile(r"\b(1\d{2}0|20\d0)s\b")

UNITS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
"""Number words counted as claims; "one" is left out: it is mostly a pronoun."""
SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORD = re.compile(
    r"\b(?:(?:" + "|".join([*UNITS, *SCALES, "one", "a"]) + r")(?:[\s-]+|\s+and\s+)?)+\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:st|nd|rd|th)?(?![\w])")

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_ABBREVIATIONS = ("St.", "Mr.", "Dr.", "c.", "ca.", "Mt.", "e.g.", "i.e.")
_OPENERS = "\"'“‘«([*•–—-# "
ERA_MARKERS = {"BC", "BCE", "AD", "CE"}


def _ordinal_value(match: re.Match[str]) -> int:
    digits = match.group(2)
    return int(digits) if digits else ORDINAL_WORDS[match.group("n").lower()]


def _span_of(match: re.Match[str]) -> YearSpan:
    n = _ordinal_value(match)
    size = 1000 if match.group("unit").lower().startswith("millenni") else 100
    bc = (match.group(4) or "").replace(".", "").upper() in ("BC", "BCE")
    if bc:
        return YearSpan(match.group(0).strip(), -n * size, -((n - 1) * size + 1))
    return YearSpan(match.group(0).strip(), (n - 1) * size + 1, n * size)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def find_spans(text: str) -> tuple[list[YearSpan], str]:
    """Centuries, millennia and decades in `text`, and the text with them blanked out."""
    spans: list[YearSpan] = []
    for match in _CENTURY.finditer(text):
        spans.append(_span_of(match))
        text = _blank(text, match.start(), match.end())
    for match in _DECADE.finditer(text):
        start = int(match.group(1))
        spans.append(YearSpan(match.group(0), start, start + 9))
        text = _blank(text, match.start(), match.end())
    return spans, text


def _words_value(phrase: str) -> Decimal | None:
    total, current, seen = 0, 0, False
    for word in re.split(r"[\s-]+", phrase.lower()):
        if word in UNITS:
            current += UNITS[word]
            seen = True
        elif word in ("one", "a"):
            current += 1
        elif word in SCALES:
            total += max(current, 1) * SCALES[word]
            current, seen = 0, True
    value = total + current
    # "a" and "one" alone are no claim; "a hundred" and "twenty-one" are.
    return Decimal(value) if seen and value > 1 else None


def find_numbers(text: str, years: list[int]) -> list[tuple[str, Decimal]]:
    """Numbers in `text` (digits and simple number words), leaving out the `years` already found."""
    year_values = {abs(year) for year in years}
    found: list[tuple[int, str, Decimal]] = []
    for match in _DIGITS.finditer(text):
        raw = match.group(1).replace(",", "") + ("." + match.group(2) if match.group(2) else "")
        value = Decimal(raw)  # the pattern admits only digits, commas and one point
        if match.group(2) is None and int(raw) in year_values:
            continue
        found.append((match.start(), match.group(0), value))
    for match in _NUMBER_WORD.finditer(text):
        phrase = match.group(0).strip(" -")
        spelled = _words_value(phrase)
        if spelled is not None:
            found.append((match.start(), re.sub(r"^(?:a|one)\s+", "", phrase, flags=re.I), spelled))
    return [(written, value) for _, written, value in sorted(found, key=lambda item: item[0])]


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start]
    stripped = before.rstrip()
    if not stripped or "\n" in before[len(stripped) :]:
        return True
    stripped = stripped.rstrip(_OPENERS)
    if not stripped or stripped.endswith("\n"):
        return True
    if stripped.endswith(_ABBREVIATIONS):
        return False
    return stripped[-1] in ".!?:;\n" or bool(re.search(r"\n\s*\d+[.)]$", stripped))


def _name_part(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word not in ERA_MARKERS


def find_names(text: str, *, function_words: frozenset[str]) -> list[list[str]]:
    """Runs of capitalised words that look like names; ordinary sentence starts are skipped.

    A sentence's first word counts only when another capitalised word follows it
    ("Alessandro Bianchi built ...") and it is not a function word ("The", "In").
    """
    runs: list[list[tuple[int, str]]] = []
    last_end = -2
    for match in _WORD.finditer(text):
        word = match.group(0)
        if not _name_part(word):
            last_end = -2
            continue
        joined = runs and text[last_end : match.start()] in (" ", "-")
        if joined:
            runs[-1].append((match.start(), word))
        else:
            runs.append([(match.start(), word)])
        last_end = match.end()
    names: list[list[str]] = []
    for run in runs:
        words = [word for _, word in run]
        if words[0].lower() in function_words or (_sentence_start(text, run[0][0]) and len(words) == 1):
            words = words[1:]
        words = [word for word in words if word.lower() not in function_words]
        if words:
            names.append(words)
    return names


def word_forms(text: str) -> set[str]:
    """Every word in `text`, lower-cased, with possessive "'s" removed and hyphenated parts split."""
    forms: set[str] = set()
    for match in _WORD.finditer(text):
        word = re.sub(r"['’]s$", "", match.group(0).lower())
        forms.add(word)
        forms.update(part for part in re.split(r"['’]", word) if part)
    return forms


def find_claims(text: str, *, function_words: frozenset[str]) -> Claims:
    """All checkable claims in `text`."""
    spans, rest = find_spans(text)
    years = mentioned_years(rest)
    return Claims(
        years=years,
        spans=spans,
        numbers=find_numbers(rest, years),
        names=find_names(text, function_words=function_words),
        words=word_forms(text),
    )
