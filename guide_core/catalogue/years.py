"""Find the calendar years a piece of English text names (BC as negative numbers).

Shared by the catalogue validator (facts against their period) and the fact
guard (generated text against the facts).
"""

from __future__ import annotations

import re

_ERA_AFTER = re.compile(r"\b(\d{1,5})(?:,(\d{3}))?\s*(BCE|BC|B\.C\.|CE|AD|A\.D\.)(?![A-Za-z])")
_ERA_BEFORE = re.compile(r"\b(?:AD|A\.D\.)\s*(\d{1,4})\b")
_BARE = re.compile(r"(?<![\d.,])\b(1\d{3}|20\d{2})\b(?![\d.,]\d|\s*(?:m\b|km\b|metres|meters|%))")


def mentioned_years(text: str) -> list[int]:
    """Years named in `text`, in order of appearance, BC negative.

    Recognises "1454", "c. 300 BC", "7,000 BCE", "AD 45" and "45 AD"; a bare
    number counts only when it has four digits between 1000 and 2099.
    """
    found: list[tuple[int, int]] = []
    taken: list[range] = []
    for match in _ERA_AFTER.finditer(text):
        value = int(match.group(1) + (match.group(2) or ""))
        era = match.group(3).replace(".", "")
        found.append((match.start(), -value if era in ("BC", "BCE") else value))
        taken.append(range(match.start(), match.end()))
    for match in _ERA_BEFORE.finditer(text):
        if not any(match.start() in span for span in taken):
            found.append((match.start(), int(match.group(1))))
            taken.append(range(match.start(), match.end()))
    for match in _BARE.finditer(text):
        if not any(match.start() in span for span in taken):
            found.append((match.start(), int(match.group(1))))
    return [year for _, year in sorted(found)]


def format_year(year: int) -> str:
    """Human form of a signed year: -7000 -> '7000 BC', 1454 -> 'AD 1454'."""
    return f"{-year} BC" if year < 0 else f"AD {year}"
