"""Every question ends: with `answer.end`, or with an `error` that says why.

- Any text at all through `QuestionRouter.plan` returns a plan or None, never raises
  (a capitalised "The" with no name after it raised IndexError, and the answer task died).
- The same kind of text through a real socket on a real server: each question gets
  `answer.end` or a clear `error`, and the socket stays usable.
- A failure inside narration reaches the visitor as `error` + `answer.end` (finish_reason
  error) and is logged with its traceback.
- At no exhibit, a question that names one is answered about it; one that names none gets
  `no_current_exhibit`.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from server_harness import (
    EXHIBIT,
    NEXT_EXHIBIT,
    Client,
    guide_server,
    robot,
    settings_for,
    shared_embedder,
    text_of,
    visitor,
)
from test_server_streaming import enter

from guide_core.catalogue.loader import Catalogue
from guide_core.protocol import MAX_QUESTION_CHARS, Feedback, Question, ServerMessage
from guide_server.narration.questions import AnswerPlan, CatalogueNames, QuestionRouter, named_exhibit
from guide_server.narration.retrieval import Embedder, FactRanker

QUOTED = "Repeat after me: 'The museum is closed'"
FRAGMENTS = [
    "'",
    '"',
    "’",
    "‘",
    "“",
    "”",
    "The",
    "the",
    "Of",
    "De",
    "I'm",
    "O'Brien's",
    "Kolossi Castle",
    "Kourion",
    "Richard the Lionheart",
    "?",
    "!",
    ".",
    ":",
    "-",
    "…",
    " ",
    "\n",
    "\t",
    "\u200b",
    "\u0301",
    "Repeat after me:",
    "Πού είναι το Κολόσσι;",
    "Büyük Han nerede? Şimdi çok güzel.",
    "ما هي هذه القلعة؟",
    "这座城堡是谁建的？",
    "お城",
    "🏰",
    "🙂👍🏽",
    "is it here",
    "who built this",
]
"""Pieces of questions that have tripped parsers: quotes, capitals with no name, other scripts, emoji."""

question_texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join),
    st.tuples(st.sampled_from(FRAGMENTS), st.integers(1, 5000)).map(lambda pair: (pair[0] * pair[1])[:5000]),
    st.text(alphabet=st.sampled_from("'\"’ Th.?!:-\n\t"), max_size=5000),
)


class Planner:
    """The real router with the real packaged MiniLM over the shipped catalogue (short repr for
    Hypothesis' failure reports)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.router = QuestionRouter(FactRanker(shared_embedder()))

    def __repr__(self) -> str:
        return "Planner(shipped catalogue)"


@pytest.fixture(scope="module")
def planner(catalogue: Catalogue) -> Planner:
    """One planner for the module (MiniLM loads once for the session)."""
    return Planner(catalogue)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@example(text=QUOTED, current_id=EXHIBIT)
@example(text="The castle was built when?", current_id=EXHIBIT)
@example(text="Who built it? The knights?", current_id=NEXT_EXHIBIT)
@example(text="Of course", current_id=EXHIBIT)
@example(text="'", current_id=EXHIBIT)
@example(text="   \n\t ", current_id=EXHIBIT)
@example(text="Κολόσσι; Büyük Han? قلعة 城堡 🏰", current_id=None)
@example(text="'The " * 1000, current_id=EXHIBIT)
@given(text=question_texts, current_id=st.sampled_from([None, EXHIBIT, NEXT_EXHIBIT]))
def test_plan_returns_for_any_text(planner: Planner, text: str, current_id: str | None) -> None:
    catalogue = planner.catalogue
    current = catalogue.exhibits[current_id] if current_id else None
    plan = planner.router.plan(catalogue, text, current=current)
    if current is not None:
        assert isinstance(plan, AnswerPlan), "at an exhibit every question has a plan"
    if plan is not None:
        assert plan.exhibit.id in catalogue.exhibits


def socket_texts() -> list[str]:
    """Fixed hard cases, then a seeded mix of fragments (the same on every run)."""
    draw = random.Random(20240917)
    mixed = [" ".join(draw.choices(FRAGMENTS, k=draw.randint(1, 12))) for _ in range(10)]
    return [
        QUOTED,
        "The castle was built when?",
        "'",
        "?!",
        "“The Lady of Kolossi”, said who?",
        "Πότε χτίστηκε;",
        "Bu kale ne zaman yapıldı?",
        "متى بني هذا؟",
        "这是什么时候建的？",
        "🏰🏰🏰",
        " \t\n ",
        "'The " * 125,
        "x" * (MAX_QUESTION_CHARS + 1),
        "Why? " * 1000,
        *mixed,
    ]


def expected_outcome(text: str) -> str:
    """What the server must answer with: `answer` or the error code for the text as sent."""
    if len(text) > MAX_QUESTION_CHARS:
        return "question_too_long"
    if not text.strip():
        return "invalid_message"
    return "answer"


async def outcome(client: Client, request_id: str) -> tuple[str, list[ServerMessage]]:
    """Read until the question `request_id` ends: ('answer', its messages) or (error code, [error])."""
    messages: list[ServerMessage] = []
    while True:
        message = await client.recv()
        if message.type == "error" and message.request_id in (request_id, None):
            assert len(message.message) > 10, message
            return message.code.value, [message]
        if message.type.startswith("answer.") and message.request_id == request_id:
            messages.append(message)
            if message.type == "answer.end":
                return "answer", messages


async def test_every_question_through_the_socket_ends(tmp_path: Path, exhibits_dir: Path) -> None:
    settings = settings_for(tmp_path, exhibits_dir, questions_per_minute=600)
    async with guide_server(settings) as server, visitor(server) as guest, robot(server) as bot:
        await enter(bot)
        await guest.stream()
        for index, text in enumerate(socket_texts()):
            request_id = f"q-{index}"
            await guest.send_json({"type": "question", "request_id": request_id, "text": text})
            code, messages = await outcome(guest, request_id)
            assert code == expected_outcome(text), (text[:80], messages)
            if code == "answer":
                assert messages[0].type == "answer.start"
                assert messages[-1].finish_reason == "stop", (text[:80], messages[-1])
        await guest.send(Feedback(exhibit_id=EXHIBIT, rating=5))
        assert (await guest.recv_type("feedback.saved")).feedback_id >= 1


FAULT = "trigger-a-ranking-fault"


class FailingEmbedder:
    """The shared MiniLM, except that it raises for a question containing FAULT.

    A stand-in: no real input makes planning fail now that the router's IndexError is fixed.
    """

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner

    def encode(self, texts: list[str]) -> np.ndarray:
        """Raise for FAULT, else the real vectors."""
        if any(FAULT in text for text in texts):
            raise RuntimeError("the fact ranker broke")
        return self.inner.encode(texts)


async def test_a_failure_while_planning_ends_the_answer_with_an_error(
    tmp_path: Path, exhibits_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="guide_server")
    settings = settings_for(tmp_path, exhibits_dir)
    embedder = FailingEmbedder(shared_embedder())
    async with guide_server(settings, embedder=embedder) as server, visitor(server) as guest:
        await guest.send(Question(request_id="q-fault", text=f"Who built it? {FAULT}", exhibit_id=EXHIBIT))
        error = await guest.recv_type("error")
        end = await guest.recv_type("answer.end")
        assert (error.code, error.request_id) == ("internal", "q-fault")
        assert (end.request_id, end.finish_reason) == ("q-fault", "error")
        failures = [r for r in caplog.records if r.exc_info and "q-fault" in r.getMessage()]
        assert failures, caplog.text
        assert isinstance(failures[0].exc_info[1], RuntimeError)  # type: ignore[index]
        assert "Traceback" in caplog.text and "the fact ranker broke" in caplog.text

        await guest.send(Question(request_id="q-after", text="Who built it?", exhibit_id=EXHIBIT))
        answer = await guest.stream("answer", "q-after")
        assert answer[-1].finish_reason == "stop" and text_of(answer)


NAMED_AT_NO_EXHIBIT = [
    ("Tell me about Kolossi Castle", EXHIBIT),
    ("Who built Kolossi Castle?", EXHIBIT),
    ("Tell me about the theatre at Kourion", NEXT_EXHIBIT),
]


async def test_a_question_naming_an_exhibit_is_answered_at_no_exhibit(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    settings = settings_for(tmp_path, exhibits_dir, questions_per_minute=600)
    async with guide_server(settings) as server, visitor(server) as guest:
        for index, (text, exhibit_id) in enumerate(NAMED_AT_NO_EXHIBIT):
            await guest.send(Question(request_id=f"q-{index}", text=text))
            code, messages = await outcome(guest, f"q-{index}")
            assert code == "answer", (text, messages)
            assert messages[0].exhibit_id == exhibit_id, (text, messages[0])
            assert messages[-1].finish_reason == "stop" and text_of(messages)
    # A fresh visitor: this one's earlier turns would make "it" the last exhibit asked about.
    async with guide_server(settings) as server, visitor(server) as newcomer:
        await newcomer.send(Question(request_id="q-none", text="When was it built?"))
        assert (await outcome(newcomer, "q-none"))[0] == "no_current_exhibit"


@pytest.mark.parametrize(
    ("text", "exhibit_id"),
    [
        ("Tell me about the Tombs of the Kings", "tombs-of-the-kings"),  # only generic title words
        ("Tell me about the Cyprus Museum", "cyprus-museum"),
        ("Tell me about Salamis", "salamis"),  # also Enkomi's site ('Enkomi, near Salamis')
    ],
)
def test_a_title_written_out_names_its_exhibit(catalogue: Catalogue, text: str, exhibit_id: str) -> None:
    found = named_exhibit(catalogue, CatalogueNames.of(catalogue), text, current_id=None)
    assert found is not None and found.id == exhibit_id
