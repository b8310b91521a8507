"""Decide, sentence by sentence, whether an exhibit's curated record supports a text.

A sentence is supported when each of its clauses is carried by one curated
statement (a fact, the period, a summary sentence): every content word of the
clause is that statement's word (same lemma, or a listed synonym) or names the
exhibit itself (title, site, district), every year, number and century is that
statement's, every superlative or "first" is its own word, a negation matches,
and every multi-word name is written in the record as one name. Words from two
different facts put together ("King Louis built the keep") fail, as do words
the record never uses. Guide talk with no claim ("Let us look closer.", "The
museum's record does not say.") and plain refusals pass.

The record is analysed once per exhibit content (cached), a sentence in well
under a millisecond; `guide bench claims` measures it on the labelled corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from guide_core.catalogue.models import Exhibit
from guide_core.catalogue.years import mentioned_years
from guide_server.narration.claim_text import (
    FUNCTION_WORDS,
    NEGATIONS,
    SUPERLATIVES,
    Token,
    analyse,
    split_sentences,
)
from guide_server.narration.record import exhibit_record
from guide_server.narration.synonyms import synonyms_of

DISCOURSE_WORDS = frozenset(
    """welcome visitor museum record exhibit guide let take look closer close tell say know ask question
    answer learn explore enjoy see come next together detail information mention accord according
    sorry unfortunately please thank hear curator note here also""".split()
)
"""Guide talk that claims nothing about the exhibit."""

REFERRING_WORDS = frozenset(
    """it site place building monument structure object area piece island cyprus cypriot district
    there today""".split()
)
"""Words that point at the exhibit or its island without saying anything new."""

SLOT_WORDS = frozenset({"from", "to", "by", "with", "on"})
OPPOSITE_SLOTS = {"from": "to", "to": "from", "by": "to"}
"""A word moved from one of these to the other has changed role: given to, taken from."""

LIGHT_WORDS = frozenset(
    """go come take give get make hold keep put carry serve reach work part people man woman side mean
    meaning because nowadays kind type way thing lot set turn become remain stay lie sit situate locate display show live back""".split()
)
"""Everyday verbs and nouns a paraphrase needs; on their own they claim nothing checkable."""

NAME_LINKS = frozenset({"de", "di", "da", "von", "van", "la", "le", "al", "el"})

_NO_CLAIM = re.compile(
    r"^(?:(?:the|our|this)\s+)?(?:museum(?:'s|’s)?\s+)?(?:records?|exhibit record)\s+(?:does|do)\s*(?:not|n[’']t)\s+"
    r"(?:say|mention|tell|give|record|state|answer|name|describe|identify|explain|know)\b"
    r"|^i\s+(?:can\s*not|can[’']t|won[’']t|will\s+not|am\s+not\s+able\s+to)\s+(?:help|assist)\b"
    r"|^i\s+(?:do\s+not|don[’']t)\s+know\b"
    r"|^the\s+museum\s+(?:holds|has)\s+no\s+exhibit\s+on\b[^.]*,\s+so\s+i\s+cannot\s+tell\s+you\s+about\s+it",
    re.IGNORECASE,
)
_INVITATION = re.compile(r"^(?:now\s+|so\s+|first\s+|next\s+)?(?:let\s+us|let[’']s|shall\s+we)\b", re.I)
_CLAUSE_BREAK = re.compile(r";\s+|,\s+(?:and|but|while)\s+|\s+[-–—]\s+")


_SAYS_NOT_HELD = re.compile(
    r"\bmuseum(?:'s|’s)?\s+(?:\w+\s+){0,2}(?:holds|has|have|keeps|owns|contains)\s+no\b"
    r"|\b(?:not|no longer)\s+in\s+(?:the|this|our)\s+museum\b"
    r"|\bmuseum(?:'s|’s)?\s+(?:\w+\s+){0,2}(?:does|do)\s*(?:not|n[’']t)\s+(?:hold|have|keep|own|contain)\b"
    r"|\bno\s+(?:other\s+|such\s+)?(?:exhibits?|displays?|objects?)\s+(?:about|on|of|for)\b",
    re.I,
)
"""What the museum does not hold, in the phrasings the model finds ("The museum's exhibit has no
exhibits about it", "there are no exhibits on that"): the catalogue's to say, never the model's."""
_PROMPT_ECHO = re.compile(r"^(?:exhibit|facts?|question|system|user)\s*:", re.I)


def refused_outright(sentence: str) -> str | None:
    """Why `sentence` is withheld whatever the record says, or None: it echoes the prompt, asks a
    question, or says what the museum does not hold (the catalogue's to say, never the model's)."""
    if _PROMPT_ECHO.match(sentence) or sentence.endswith("?"):
        return "repeats the prompt or asks a question instead of answering"
    if _SAYS_NOT_HELD.search(sentence):
        return "only the catalogue says what the museum does not hold"
    return None


@dataclass(frozen=True)
class Evidence:
    """One curated statement of the record, analysed."""

    label: str
    text: str
    lemmas: frozenset[str]
    raws: frozenset[str]
    stems: frozenset[str]
    sequence: tuple[str, ...]
    years: tuple[int, ...]
    negated: bool

    def covers(self, token: Token) -> bool:
        """Whether this statement holds `token` (its lemma, a synonym, or a year inside a span)."""
        if token.is_span:
            first, last = token.span()
            return token.lemma in self.lemmas or any(first <= year <= last for year in self.years)
        if token.raw in SUPERLATIVES:
            return token.raw in self.raws
        if token.lemma in self.lemmas or token.raw in self.raws:
            return True
        if token.is_number:
            return False
        return token.stem in self.stems or bool(synonyms_of(token.lemma) & self.lemmas)


@dataclass(frozen=True)
class RecordIndex:
    """An exhibit's record, ready to check sentences against."""

    exhibit_id: str
    evidence: tuple[Evidence, ...]
    context: frozenset[str]
    """Lemmas naming the exhibit itself: title, site, district."""
    context_sequence: tuple[str, ...]
    names: frozenset[str]
    """Lemmas the record writes with a capital inside a sentence: names of people, peoples, places."""
    vocabulary: frozenset[str]


@dataclass(frozen=True)
class Verdict:
    """Whether one sentence may be released, and why not."""

    sentence: str
    supported: bool
    reason: str = ""
    evidence: str | None = None
    """The curated statement that carries it (its label), when one does."""


def _evidence(label: str, text: str, years: tuple[int, ...] = ()) -> Evidence:
    tokens = analyse(text)
    found = tuple(mentioned_years(text)) + years
    return Evidence(
        label=label,
        text=text,
        lemmas=frozenset(t.lemma for t in tokens),
        raws=frozenset(t.raw for t in tokens),
        stems=frozenset(t.stem for t in tokens),
        sequence=tuple(t.lemma for t in tokens),
        years=found,
        negated=any(t.raw in NEGATIONS for t in tokens),
    )


def _inner_capitals(text: str) -> set[str]:
    names: set[str] = set()
    for sentence in split_sentences(text):
        for index, token in enumerate(analyse(sentence)):
            if token.capitalised and index > 0 and token.lemma not in FUNCTION_WORDS:
                names.add(token.lemma)
    return names


def gloss_sentence(term: str, plain: str) -> str:
    """A curator's gloss said as a sentence ('The word mudbrick means bricks of mud dried hard in the sun.')."""
    return f"The word {term} means {plain}."


def _statements(exhibit: Exhibit) -> list[Evidence]:
    """The record's statements as evidence, and each curator's gloss said as a sentence.

    A gloss is evidence only for itself ("The word picrolite means soft blue-green stone."): put in
    place of its term inside a fact it would lend the fact words it never had ("carved").
    """
    record = exhibit_record(exhibit)
    evidence = [_evidence(s.label, s.text, s.years) for s in record.statements]
    evidence += [_evidence("gloss", gloss_sentence(g.term, g.plain)) for g in record.glosses]
    return evidence


def _with_clauses(statements: list[Evidence]) -> list[Evidence]:
    """Each statement, and each of its clauses on its own (so 'No kings ..., and the name ...' has both)."""
    found = []
    for statement in statements:
        found.append(statement)
        clauses = _CLAUSE_BREAK.split(statement.text)
        if len(clauses) > 1:
            found += [_evidence(statement.label, clause, statement.years) for clause in clauses]
    return found


@lru_cache(maxsize=512)
def _index_of(exhibit_json: str) -> RecordIndex:
    exhibit = Exhibit.model_validate_json(exhibit_json)
    statements = _with_clauses(_statements(exhibit))
    context_tokens = analyse(f"{exhibit.title} {exhibit.site} {exhibit.district.value} district")
    texts = [exhibit.summary, exhibit.title, *(e.text for e in statements)]
    names = set().union(*(_inner_capitals(text) for text in texts))
    names |= {t.lemma for t in context_tokens if t.capitalised}
    return RecordIndex(
        exhibit_id=exhibit.id,
        evidence=tuple(statements),
        context=frozenset(t.lemma for t in context_tokens) - FUNCTION_WORDS,
        context_sequence=tuple(t.lemma for t in context_tokens),
        names=frozenset(names),
        vocabulary=frozenset().union(*(e.lemmas for e in statements)),
    )


def record_index(exhibit: Exhibit) -> RecordIndex:
    """The analysed record of `exhibit` (cached by its content)."""
    return _index_of(exhibit.model_dump_json())


def _claim_tokens(tokens: list[Token], index: RecordIndex) -> list[Token]:
    return [
        t
        for t in tokens
        if t.is_number
        or t.raw in SUPERLATIVES
        or (
            t.lemma not in FUNCTION_WORDS
            and t.raw not in FUNCTION_WORDS
            and t.raw not in NEGATIONS
            and t.lemma not in DISCOURSE_WORDS
            and t.lemma not in LIGHT_WORDS
            and t.lemma not in REFERRING_WORDS
            and t.lemma not in index.context
        )
    ]


def _name_runs(tokens: list[Token], index: RecordIndex) -> list[list[Token]]:
    """Runs of two or more name words ('Louis de Magnac', 'king louis'), in any case."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for position, token in enumerate(tokens):
        is_name = token.lemma in index.names or (token.capitalised and position > 0)
        if current and not token.joined:
            runs.append(current)
            current = []
        if is_name and token.lemma not in FUNCTION_WORDS:
            current.append(token)
        elif current and token.raw in NAME_LINKS:
            current.append(token)
        else:
            runs.append(current)
            current = []
    runs.append(current)
    trimmed = [run[: max(i for i, t in enumerate(run) if t.raw not in NAME_LINKS) + 1] for run in runs if run]
    return [run for run in trimmed if sum(t.raw not in NAME_LINKS for t in run) >= 2]


def _contains(sequence: tuple[str, ...], run: tuple[str, ...]) -> bool:
    size = len(run)
    return any(sequence[i : i + size] == run for i in range(len(sequence) - size + 1))


def _describe(token: Token) -> str:
    if token.is_span:
        return "the century or span written there"
    if token.lemma.endswith("bc") and token.lemma[0].isdigit():
        return f"the year {token.lemma[:-2]} BC"
    return repr(token.raw)


def _slots(tokens: list[Token] | tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """(preposition, the next few content words) pairs: ('from', ('venetian',)) in '... from the Venetians'."""
    words = [t if isinstance(t, str) else t.lemma for t in tokens]
    found = []
    for position, word in enumerate(words):
        if word in SLOT_WORDS:
            window = tuple(w for w in words[position + 1 : position + 6] if w not in FUNCTION_WORDS)[:3]
            if window:
                found.append((word, window))
    return found


def _swapped_roles(tokens: list[Token], evidence: Evidence, index: RecordIndex) -> bool:
    """Whether the sentence puts a word in another role than the record does ('from Ikarios' for 'to Ikarios')."""
    recorded = _slots(evidence.sequence)
    words = {t.lemma for t in tokens}
    for preposition, window in _slots(tokens):
        head = window[0]
        if any(p == preposition and head in w for p, w in recorded):
            continue
        if any(OPPOSITE_SLOTS.get(preposition) == p and w[0] == head for p, w in recorded) and not any(
            p == preposition for p, _ in recorded
        ):
            return True
        for p, w in recorded:
            moved = (
                head in index.names
                or w[0] in index.names
                or any(other != preposition and v[0] == head for other, v in recorded)
            )
            if p == preposition and w[0] in words and w[0] not in window and moved:
                return True
    return False


def _units(tokens: list[Token], index: RecordIndex) -> int:
    """How many claims a piece of a sentence makes: names count once, however many words."""
    claims = _claim_tokens(tokens, index)
    names = sum(1 for run in _name_runs(tokens, index))
    return len(claims) - sum(len(run) - 1 for run in _name_runs(tokens, index)) if names else len(claims)


def _comma_parts(clause: str, index: RecordIndex) -> list[str]:
    """The clause cut at commas, each piece that makes fewer than two claims joined to the next."""
    parts: list[str] = []
    pending = ""
    for piece in re.split(r",\s+", clause):
        pending = f"{pending}, {piece}" if pending else piece
        if _units(analyse(pending), index) >= 2:
            parts.append(pending)
            pending = ""
    if pending:
        parts = [*parts[:-1], f"{parts[-1]}, {pending}"] if parts else [pending]
    return parts


def _check_clause(clause: str, index: RecordIndex) -> tuple[str, Evidence | None]:
    """'' when one curated statement carries the clause (or each of its comma-parts), else why not."""
    reason, evidence = _check_tokens(analyse(clause), index)
    if not reason:
        return "", evidence
    parts = _comma_parts(clause, index)
    if len(parts) > 1:
        verdicts = [_check_tokens(analyse(part), index) for part in parts]
        if all(not why for why, _ in verdicts):
            return "", verdicts[0][1]
    return reason, evidence


def _check_tokens(tokens: list[Token], index: RecordIndex) -> tuple[str, Evidence | None]:
    claims = _claim_tokens(tokens, index)
    negated = any(t.raw in NEGATIONS for t in tokens)
    if not claims:
        return "", None
    for run in _name_runs(tokens, index):
        lemmas = tuple(t.lemma for t in run)
        if not any(_contains(e.sequence, lemmas) for e in index.evidence) and not _contains(
            index.context_sequence, lemmas
        ):
            return f"the record names no {' '.join(t.raw for t in run)!r}", None
    best, best_missing = None, claims
    for evidence in index.evidence:
        missing = [t for t in claims if not evidence.covers(t)]
        if len(missing) < len(best_missing):
            best, best_missing = evidence, missing
        if not missing and evidence.negated == negated:
            if _swapped_roles(tokens, evidence, index):
                return f"the record has these the other way round ({evidence.label})", evidence
            return "", evidence
        if not missing:
            best_missing = []
            best = evidence
    if best is not None and not best_missing:
        return f"the record says the opposite ({best.label})", best
    unknown = [t for t in best_missing if t.lemma not in index.vocabulary and not t.is_span]
    if unknown:
        return f"the record never says {_describe(unknown[0])}", best
    missing_names = ", ".join(_describe(t) for t in best_missing[:3])
    label = best.label if best is not None else "any statement"
    return f"no single curated statement says this: {missing_names} is not in {label}", best


def check_sentence(sentence: str, exhibit: Exhibit) -> Verdict:
    """Whether `exhibit`'s record supports `sentence`, with the reason when it does not."""
    text = sentence.strip()
    if not text:
        return Verdict(sentence, True)
    if _NO_CLAIM.search(text):
        return Verdict(sentence, True, evidence="no claim")
    index = record_index(exhibit)
    if _INVITATION.search(text):
        return _check_invitation(sentence, index)
    evidence: Evidence | None = None
    for clause in _CLAUSE_BREAK.split(text):
        reason, found = _check_clause(clause, index)
        if reason:
            return Verdict(sentence, False, reason, found.label if found else None)
        evidence = evidence or found
    return Verdict(sentence, True, evidence=evidence.label if evidence else "no claim")


def _check_invitation(sentence: str, index: RecordIndex) -> Verdict:
    """'Let us look closer at the keep': only its names, numbers and superlatives need the record."""
    tokens = analyse(sentence)
    for position, token in enumerate(tokens):
        checked = token.is_number or token.raw in SUPERLATIVES or (token.capitalised and position > 1)
        if checked and token.lemma not in index.vocabulary and token.lemma not in index.context:
            return Verdict(sentence, False, f"the record never says {_describe(token)}")
    return Verdict(sentence, True, evidence="no claim")


def check_text(text: str, exhibit: Exhibit) -> list[Verdict]:
    """A verdict for every sentence of `text`."""
    return [check_sentence(sentence, exhibit) for sentence in split_sentences(text)]


def states(text: str, statement: str) -> bool:
    """Whether `text` says what `statement` is there to say: all its numbers, half its names, else half its words."""
    said = analyse(text)
    lemmas = {t.lemma for t in said} | {t.stem for t in said}
    wanted = analyse(statement)
    numbers = [t for t in wanted if t.is_number]
    names = [t for i, t in enumerate(wanted) if t.capitalised and i > 0]
    if numbers or names:
        numbers_said = all(t.lemma in lemmas for t in numbers)
        return numbers_said and sum(t.lemma in lemmas for t in names) * 2 >= len(names)
    content = [t for t in wanted if t.lemma not in FUNCTION_WORDS and t.lemma not in DISCOURSE_WORDS]
    return sum(t.lemma in lemmas or t.stem in lemmas for t in content) * 2 >= len(content)


def says_record_is_silent(text: str) -> bool:
    """Whether `text` tells the visitor the record does not answer ("The museum's record does not say.")."""
    return any(_NO_CLAIM.search(sentence) for sentence in split_sentences(text))
