"""`guide ask EXHIBIT "question"`: one question through the real answer path, shown for curators.

Prints what the question was taken to be about, the curated statements the
prompt led with (and how they ranked), every generated sentence with the claim
checker's verdict (released, or withheld and why), and the answer a visitor
would read.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from guide_core.paths import DEFAULT_EXHIBITS_DIR


def add_commands(subparsers: Any) -> None:
    """Register `guide ask`."""
    ask = subparsers.add_parser("ask", help="answer one visitor question and show the facts and verdicts")
    ask.add_argument("exhibit", help="the exhibit the visitor stands at, e.g. kolossi-castle")
    ask.add_argument("question", help="the visitor's question")
    ask.add_argument(
        "--engine", choices=["onnx", "transformers", "scripted", "openai"], help="default: GUIDE_ENGINE"
    )
    ask.add_argument("--model", help="a packaged base or model folder instead of the registry's model")
    ask.add_argument("--audience", choices=["child", "adult", "expert"], default="adult")
    ask.add_argument("--exhibits", type=Path, default=DEFAULT_EXHIBITS_DIR)
    ask.set_defaults(handler=ask_command)


def ask_command(args: argparse.Namespace) -> int:
    """Answer and print; exit 2 for an unknown exhibit."""
    from guide_core.catalogue.loader import load_catalogue_or_raise

    catalogue = load_catalogue_or_raise(args.exhibits)
    if args.exhibit not in catalogue.exhibits:
        print(f"guide ask: no exhibit {args.exhibit!r}; `guide exhibits list` shows the ids")
        return 2
    return asyncio.run(_ask(args, catalogue))


async def _ask(args: argparse.Namespace, catalogue: Any) -> int:
    from guide_core.protocol import AnswerDelta, AnswerEnd, Audience, VisitorProfile
    from guide_server.core.config import GuideSettings
    from guide_server.generation.engines.factory import build_engine
    from guide_server.narration.claim_checker import check_sentence
    from guide_server.narration.narrator import Narrator, answer_request
    from guide_server.narration.questions import QuestionRouter
    from guide_server.narration.retrieval import FactRanker, MiniLMEmbedder

    overrides = {k: v for k, v in {"engine": args.engine, "model": args.model}.items() if v}
    settings = GuideSettings(watch_catalogue=False, **overrides)
    router = QuestionRouter(FactRanker(MiniLMEmbedder()))
    plan = router.plan(catalogue, args.question, current=catalogue.exhibits[args.exhibit])
    assert plan is not None
    print(f"about: {plan.exhibit.id} ({plan.why})")
    for ranked in plan.statements[:3]:
        print(f"  fact {ranked.score:.2f} [{ranked.statement.label}] {ranked.statement.text}")
    if plan.answer_with is not None:
        print(f"answered by: [{plan.answer_with.label}] {plan.answer_with.text}")
    engine = build_engine(settings)
    await engine.start()
    narrator = Narrator.standalone(engine, settings)
    profile = VisitorProfile(audience=Audience(args.audience))
    request = answer_request(plan, request_id="ask", question=args.question, profile=profile)
    messages: list[Any] = []
    try:
        await narrator.narrate(request, messages.append)
    finally:
        await engine.close()
    end = next(m for m in messages if isinstance(m, AnswerEnd))
    released = [m.text.strip() for m in messages if isinstance(m, AnswerDelta)]
    print(f"model: {engine.model_id}")
    for sentence in released:
        verdict = check_sentence(sentence, plan.exhibit)
        print(f"  released  [{verdict.evidence}] {sentence}")
    for withheld in end.fact_check.withheld if end.fact_check else []:
        print(f"  withheld  {withheld.text}  -- {withheld.reason}")
    print(f"answer: {' '.join(released)}")
    return 0
