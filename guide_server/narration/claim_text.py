"""Turn an English sentence into the comparable units the claim checker matches.

Every word becomes a lower-case lemma (simplemma, no data download), number
words become digits ("three" -> "3"), a year with its era becomes one token
("1200 BC" -> "1200bc"), and a century or millennium becomes a span of years.
Both the exhibit record and generated sentences go through the same analysis,
so the comparison is like with like. No exhibit here; see `claim_checker`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import simplemma
import snowballstemmer

FUNCTION_WORDS = frozenset(
    """a an the this that these those it its it's itself in on at of for from by with to into onto upon
    and or but nor so as if when while where which who whom whose what why how than then there here
    he she they we you i his her their our your my me us them him one each every some any many much all both
    either neither be is are was were been being am has have had having do does did done can could may might
    shall should will would must also too very just only-if about over under up down out off again
    such same other another own more less few several once still yet even ever already
    instead today now later afterwards during after before since until till through throughout across along
    among amongst between within without around near beside above below inside outside behind beyond toward towards
    there's that's here's let's what's it's i'm you're we're they're isn't aren't wasn't weren't""".split()
)
"""Words that carry no claim of their own (negations are kept apart, in NEGATIONS)."""

NEGATIONS = frozenset(
    "not no never nor none nothing nobody neither n't cannot can't don't doesn't didn't isn't aren't "
    "wasn't weren't won't hasn't haven't hadn't".split()
)

SUPERLATIVES = frozenset(
    """first last only sole unique oldest earliest latest newest largest biggest greatest tallest highest
    longest smallest finest best most least earliest-known foremost principal chief main major
    famous finest richest""".split()
)
"""Words that make a first, an only or a superlative: each must be the record's own word."""

NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000, "dozen": 12, "twice": 2, "double": 2,
}  # fmt: skip
"""Number words read as digits; "one" is left out: it is mostly a pronoun ("one of the mosaics")."""

ORDINALS = {
    word: index + 1
    for index, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth twenty-first".split()
    )
}

_BC = r"(?:BCE|BC|B\.C\.E?\.?)"
_AD = r"(?:CE|AD|A\.D\.)"
_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)|" + "|".join(sorted(map(re.escape, ORDINALS), key=len, reverse=True))
_CENTURY = re.compile(
    rf"\b(?P<n>{_ORDINAL})[\s-]+(?P<unit>century|centuries|millennium|millennia)"
    rf"(?:\s+(?P<era>{_BC}|{_AD}))?(?![A-Za-z])",
    re.IGNORECASE,
)
_ORDINAL_RANGE = re.compile(
    rf"\b(?P<a>{_ORDINAL})(?P<mid>\s+(?:to|and|-|–)\s+(?:the\s+)?)(?P<b>{_ORDINAL})[\s-]+"
    rf"(?P<unit>century|centuries|millennium|millennia)(?P<era>\s+(?:{_BC}|{_AD}))?(?![A-Za-z])",
    re.IGNORECASE,
)
_RANGE_BC = re.compile(rf"\b(?P<a>{_NUM})\s*(?:-|–|to|and)\s*(?P<b>{_NUM})\s*{_BC}(?![A-Za-z])")
_YEAR_BC = re.compile(rf"\b(?P<a>{_NUM})\s*{_BC}(?![A-Za-z])")
_YEAR_AD = re.compile(rf"\b(?P<a>{_NUM})\s*{_AD}(?![A-Za-z])|\b{_AD}\s*(?P<b>\d{{1,4}})\b")
_DECADE = re.compile(r"\b(?P<a>1\d{2}0|20\d0)s\b")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*")

_STEMMER = snowballstemmer.stemmer("english")

CENTURY_PREFIX = "§"
"""Marks a span token: '§1401:1500' is the 15th century AD."""


@dataclass(frozen=True)
class Token:
    """One comparable unit of a sentence."""

    lemma: str
    """Lower-case lemma, digits for numbers, '1200bc' for BC years, '§first:last' for spans."""
    raw: str
    """As written, lower-cased."""
    capitalised: bool
    """Written with a capital letter (a name, or a sentence's first word)."""
    joined: bool = False
    """Follows the previous token with only a space or hyphen between (no punctuation)."""
    stem: str = ""
    """Snowball stem of the lemma, for derived forms ('excavators', 'excavated')."""

    @property
    def is_number(self) -> bool:
        """A count, a measure or a year."""
        return self.lemma[:1].isdigit()

    @property
    def is_span(self) -> bool:
        """A century, millennium or decade."""
        return self.lemma.startswith(CENTURY_PREFIX)

    def span(self) -> tuple[int, int]:
        """The first and last year of a span token."""
        first, last = self.lemma[1:].split(":")
        return int(first), int(last)


def _span_token(match: re.Match[str]) -> str:
    n_text = match.group("n").lower()
    n = ORDINALS[n_text] if n_text in ORDINALS else int(re.sub(r"\D", "", n_text))
    size = 1000 if match.group("unit").lower().startswith("millenni") else 100
    era = (match.group("era") or "").upper()
    if era.startswith("B"):
        return f"{CENTURY_PREFIX}{-n * size}:{-((n - 1) * size + 1)}"
    return f"{CENTURY_PREFIX}{(n - 1) * size + 1}:{n * size}"


def _plain_number(text: str) -> str:
    return text.replace(",", "")


def _protect(text: str) -> str:
    """Rewrite eras, centuries and decades into single placeholder tokens the tokenizer keeps whole."""
    text = _ORDINAL_RANGE.sub(
        lambda m: (
            f"{m.group('a')} {m.group('unit')}{m.group('era') or ''}{m.group('mid')}"
            f"{m.group('b')} {m.group('unit')}{m.group('era') or ''}"
        ),
        text,
    )
    text = _CENTURY.sub(lambda m: f" {_span_token(m)} ", text)
    text = _DECADE.sub(lambda m: f" {CENTURY_PREFIX}{m.group('a')}:{int(m.group('a')) + 9} ", text)
    text = _RANGE_BC.sub(
        lambda m: f" {_plain_number(m.group('a'))}bc to {_plain_number(m.group('b'))}bc ", text
    )
    text = _YEAR_BC.sub(lambda m: f" {_plain_number(m.group('a'))}bc ", text)
    return _YEAR_AD.sub(lambda m: f" {_plain_number(m.group('a') or m.group('b'))} ", text)


_PROTECTED = re.compile(rf"{CENTURY_PREFIX}-?\d+:-?\d+|\d[\d,]*bc\b|{_TOKEN.pattern}")


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The lower-case lemma of one word; number words as digits."""
    lower = word.lower().replace("’", "'")
    if lower in NUMBER_WORDS:
        return str(NUMBER_WORDS[lower])
    if lower.endswith("'s"):
        lower = lower[:-2]
    return simplemma.lemmatize(lower, lang="en").lower()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lemma."""
    return _STEMMER.stemWord(word)


def analyse(text: str) -> list[Token]:
    """The comparable tokens of `text`, in order; hyphenated words split into their parts."""
    tokens: list[Token] = []
    protected = _protect(text)
    previous_end = 0
    for match in _PROTECTED.finditer(protected):
        raw = match.group(0)
        joined = bool(tokens) and protected[previous_end : match.start()].strip(" -") == ""
        previous_end = match.end()
        if raw.startswith(CENTURY_PREFIX) or (raw.endswith("bc") and raw[0].isdigit()):
            tokens.append(Token(raw.replace(",", ""), raw, False, joined, raw))
        elif raw[0].isdigit():
            tokens.append(Token(_plain_number(raw), raw, False, joined, _plain_number(raw)))
        else:
            word = lemma(raw)
            tokens.append(Token(word, raw.lower(), raw[0].isupper(), joined, stem(word)))
    return tokens


_ABBREVIATIONS = re.compile(r"\b(?:St|Mr|Mrs|Dr|Mt|c|ca|approx|e\.g|i\.e|vs|No|B\.C|A\.D)\.$")


_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)|\n+")
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])$")


def _boundaries(text: str) -> list[int]:
    """Offsets just after each sentence end in `text`."""
    ends: list[int] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        piece = text[start : match.end()]
        if match.group(0).startswith(".") and (
            _ABBREVIATIONS.search(piece.rstrip("\"'”’)]")) or _LIST_MARKER.match(piece)
        ):
            continue
        if piece.strip():
            ends.append(match.end())
            start = match.end()
    return ends


def split_sentences(text: str) -> list[str]:
    """`text` cut into sentences ('.', '!', '?' or a line break), abbreviations and decimals kept whole."""
    sentences: list[str] = []
    start = 0
    for end in _boundaries(text):
        sentences.append(text[start:end].strip())
        start = end
    if text[start:].strip():
        sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def complete_sentences(text: str) -> tuple[list[str], str]:
    """The sentences of streamed `text` that are surely finished, and the rest still being written.

    A sentence counts as finished once something other than space follows its end,
    so "St." or "3." at the end of what has arrived so far is not cut too early.
    """
    done: list[str] = []
    start = 0
    for end in _boundaries(text):
        following = text[end:]
        if not following.strip():
            break
        done.append(text[start:end].strip())
        start = end
    return [s for s in done if s], text[start:]


_MARKUP = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•#]+)\s+|^\s*(?:answer|assistant|guide)\s*:\s*|\*\*|__", re.I)


def clean_sentence(sentence: str) -> str:
    """A sentence without list numbering or markdown emphasis, as a visitor should read it."""
    return _MARKUP.sub("", sentence).strip()
