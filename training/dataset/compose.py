"""Target texts composed from the statements a prompt gives: copied, lightly connected, never invented.

Every target sentence is a curated statement as the prompt shows it, with at most a subject put
back ("It is ..." -> "Kolossi Castle is ...") or a connecting word the claim checker treats as
guide talk ("Also, ..."), or one of the few fixed replies below (the refusal and the reply about
an absent subject are the server's own, from `narration.questions`). `supported` is the serving
check (`claim_checker.check_sentence` on every sentence); the builder keeps only targets it passes.
"""

from __future__ import annotations

import re

from guide_core.catalogue.models import Exhibit
from guide_server.narration import questions
from guide_server.narration.claim_checker import check_text
from guide_server.narration.claim_text import FUNCTION_WORDS

NOT_IN_RECORD = "The museum's record does not say."
"""The whole answer when the prompt's facts do not answer the question."""
REFUSAL = questions.REFUSAL
"""The whole answer to a request for help stealing, damaging or smuggling (the server's own words)."""
NOT_HELD = questions.NOT_HELD
"""The whole answer about a subject the museum holds no exhibit on (the server's words; the name is
never echoed back)."""
RECORD_SAYS = "The museum's record says: "
"""How a correction of a false premise opens, before the record's statement."""


def short_title(exhibit: Exhibit) -> str:
    """The title up to its first comma or bracket, as a visitor would say it."""
    return exhibit.title.split(",")[0].split(" (")[0]


_COMMON_HEADS = ("Church ", "Tombs ", "House ", "Sanctuary ", "Cathedral ", "Venetian Walls")


def inline_title(exhibit: Exhibit) -> str:
    """The short title as a visitor says it inside a sentence ('the Cyprus Museum', 'the Tombs of the Kings')."""
    title = short_title(exhibit)
    if title.startswith("The "):
        return "the " + title[4:]
    return "the " + title if title.startswith(_COMMON_HEADS) else title


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
