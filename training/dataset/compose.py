"""Target texts composed from the statements a prompt gives: copied, lightly connected, never invented.

Every target sentence is a curated statement as the prompt shows it, with at most a subject put
back ("It is ..." -> "Kolossi Castle is ...") or a connecting word the claim checker treats as
guide talk ("Also, ..."), or one of the few fixed replies below. `supported` is the serving
check (`claim_checker.check_sentence` on every sentence); the builder keeps only targets it passes.
"""

from __future__ import annotations

import re

from guide_server.catalogue.models import Exhibit
from guide_server.narration.claim_checker import check_text
from guide_server.narration.claim_text import FUNCTION_WORDS

NOT_IN_RECORD = "The museum's record does not say."
"""The whole answer when the prompt's facts do not answer the question."""
REFUSAL = "I can't help with that. Ask me about the exhibits instead."
"""The whole answer to a request for help stealing, damaging or smuggling (the server's own words)."""
RECORD_SAYS = "The museum's record says: "
"""How a correction of a false premise opens, before the record's statement."""


def short_title(exhibit: Exhibit) -> str:
    """The title up to its first comma or bracket, as a visitor would say it."""
    return exhibit.title.split(",")[0].split(" (")[0]


def inline_title(exhibit: Exhibit) -> str:
    """The short title as it reads inside a sentence ('the Cyprus Museum')."""
    title = short_title(exhibit)
    return "the " + title[4:] if title.startswith("The ") else title


_IT = re.compile(r"^It(?=\s)")
_ITS = re.compile(r"^Its(?=\s)")


def standalone(statement: str, exhibit: Exhibit) -> str:
    """The statement able to open an answer: a leading 'It' / 'Its' becomes the exhibit's name."""
    title = short_title(exhibit)
    if _IT.match(statement):
        return _IT.sub(title, statement, count=1)
    if _ITS.match(statement):
        return _ITS.sub(title + ("'" if title.endswith("s") else "'s"), statement, count=1)
    return statement


def lower_first(text: str) -> str | None:
    """`text` with its first word lower-cased when that word is a plain function word, else None."""
    first = text.split(" ", 1)[0]
    if first.lower() in FUNCTION_WORDS or first.lower() in {"most", "many", "several", "two", "no"}:
        return text[0].lower() + text[1:]
    return None


def connect(sentence: str, connector: str) -> str:
    """'Also, the keep is ...' when the sentence can be lower-cased after a connector, else unchanged."""
    lowered = lower_first(sentence)
    return f"{connector} {lowered}" if lowered else sentence


def supported(text: str, exhibit: Exhibit) -> bool:
    """Whether every sentence of `text` passes the server's claim checker against `exhibit`."""
    return all(verdict.supported for verdict in check_text(text, exhibit))


def unsupported_reasons(text: str, exhibit: Exhibit) -> list[str]:
    """'sentence (reason)' for each sentence of `text` the claim checker withholds."""
    return [f"{v.sentence!r} ({v.reason})" for v in check_text(text, exhibit) if not v.supported]
