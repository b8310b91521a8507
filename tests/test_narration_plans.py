"""Planned narration on a real server and socket: each audience hears its own plan, and every answer
category gets what a visitor should get. The scripted engine speaks the prompt's statements (exact
text); the real model runs the same paths in `test_server_smollm2.py`."""

from __future__ import annotations

from pathlib import Path

from server_harness import EXHIBIT, guide_server, robot, settings_for, text_of, visitor
from test_server_streaming import enter

from guide_core.protocol import Audience, Question, VisitorProfile
from guide_server.generation.engines.scripted import ScriptedEngine
from guide_server.narration.plan import plan_description
from guide_server.narration.questions import NOT_HELD
from guide_server.narration.record import exhibit_record, short_title


def planned_text(server, audience: Audience) -> str:
    exhibit = server.services.current_catalogue().exhibits[EXHIBIT]
    return " ".join(step.target for step in plan_description(exhibit_record(exhibit), audience).steps)


async def test_each_audience_hears_its_own_plan(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine()
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        streams = {}
        async with (
            visitor(server, profile=VisitorProfile(audience=Audience.CHILD)) as child,
            visitor(server, profile=VisitorProfile(audience=Audience.ADULT)) as adult,
            visitor(server, profile=VisitorProfile(audience=Audience.EXPERT)) as expert,
            robot(server) as bot,
        ):
            await enter(bot)
            for audience, guest in (
                (Audience.CHILD, child),
                (Audience.ADULT, adult),
                (Audience.EXPERT, expert),
            ):
                streams[audience] = await guest.stream()
        texts = {audience: text_of(stream) for audience, stream in streams.items()}
        for audience, text in texts.items():
            assert text == planned_text(server, audience), audience
    assert engine.started == 3, "one generation per audience group"
    assert len(set(texts.values())) == 3
    kolossi = server.services.current_catalogue().exhibits[EXHIBIT]
    assert all(fact.text in texts[Audience.EXPERT] for fact in kolossi.facts), "the expert hears every fact"
    assert len(texts[Audience.ADULT].split()) >= 90
    assert "The word keep means" in texts[Audience.CHILD], "a child hears the curators' gloss"


async def _answers(server, *questions: str, exhibit_id: str | None = EXHIBIT) -> list[list]:
    """Each question's answer stream, asked in turn by one visitor (so later ones are follow-ups)."""
    answers = []
    async with visitor(server) as guest:
        for index, text in enumerate(questions):
            await guest.send(Question(request_id=f"q-{index}", text=text, exhibit_id=exhibit_id))
            answers.append(await guest.stream("answer"))
    return answers


async def test_a_question_the_record_cannot_answer_is_told_so(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine()
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        [answer] = await _answers(server, "How tall is the keep?")
    first, told = [m.text.strip() for m in answer if m.type == "answer.delta"]
    assert first == "The museum's record does not say how big it is."
    assert told.startswith("It does tell us this: ") and engine.started == 0


async def test_a_false_premise_is_corrected_with_the_records_value(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), ScriptedEngine()) as server:
        [answer] = await _answers(server, "Why was the keep built in 1500?")
    text = text_of(answer)
    assert (
        "1454" in text
        and "1500" not in text
        and text.startswith("That is not what the museum's record says.")
    )


async def test_an_answerable_question_leads_with_the_asked_fact(tmp_path: Path, exhibits_dir: Path) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), ScriptedEngine()) as server:
        [answer] = await _answers(server, "When was the keep built?")
    assert text_of(answer).startswith("The present keep was built in 1454")


async def test_a_follow_up_reads_the_visitors_last_turn(tmp_path: Path, exhibits_dir: Path) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), ScriptedEngine()) as server:
        named, follow_up = await _answers(server, "Tell me about the Kyrenia ship", "Who found it?")
    assert named[0].exhibit_id == follow_up[0].exhibit_id == "kyrenia-ship"
    assert "Andreas Cariolou" in text_of(follow_up)


async def test_an_absent_monument_is_denied_and_a_real_exhibit_offered(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), ScriptedEngine()) as server:
        [answer] = await _answers(server, "When was the Parthenon built?")
        titles = {short_title(e) for e in server.services.current_catalogue().exhibits.values()}
    denial, offer = [m.text.strip() for m in answer if m.type == "answer.delta"]
    assert denial == NOT_HELD
    assert offer.removeprefix("The closest exhibit it holds is ").removesuffix(".") in titles
