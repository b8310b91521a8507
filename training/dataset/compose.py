"""Target texts composed from an exhibit's curated facts: templated, fluent, paraphrased.

Every sentence is either a fact as the curators wrote it or a frame around the
title, site, district and period, so a target never says what the record does not.
"""

from __future__ import annotations

import random

from guide_server.catalogue.models import Exhibit, Fact, FactKind
from guide_server.catalogue.years import format_year
from guide_server.protocol import Audience


def _period_sentence(exhibit: Exhibit, variant: int) -> str:
    label = exhibit.period.label
    return [
        f"It belongs to this period: {label}.",
        f"Its period is given as {label}.",
        f"The museum's record dates it to the {label}.",
    ][variant % 3]


def _inline(title: str) -> str:
    return "the " + title[4:] if title.startswith("The ") else title


def _intro(exhibit: Exhibit, audience: Audience, variant: int) -> str:
    title, site, district = exhibit.title, exhibit.site, exhibit.district.value
    if audience is Audience.CHILD:
        return [
            f"This is {_inline(title)}, at {site} in Cyprus.",
            f"Here you can see {_inline(title)}, which you can find at {site} in Cyprus.",
        ][variant % 2]
    if audience is Audience.EXPERT:
        start, end = format_year(exhibit.period.start_year), format_year(exhibit.period.end_year)
        return [
            f"{title} lies at {site}, in the {district} district, and is dated to the {exhibit.period.label}, from {start} to {end}.",
            f"The record places {_inline(title)} at {site} ({district} district) in the {exhibit.period.label}, spanning {start} to {end}.",
        ][variant % 2]
    return [
        f"{title} is found at {site}, in the {district} district of Cyprus. {_period_sentence(exhibit, variant)}",
        f"Welcome to {_inline(title)}, at {site} in the {district} district. {_period_sentence(exhibit, variant + 1)}",
    ][variant % 2]


def _pick_facts(exhibit: Exhibit, count: int, rng: random.Random, *, short_first: bool) -> list[Fact]:
    facts = list(exhibit.facts)
    if short_first:
        facts.sort(key=lambda fact: len(fact.text))
        chosen = facts[: count + 1]
        rng.shuffle(chosen)
        chosen = chosen[:count]
    else:
        chosen = rng.sample(facts, k=min(count, len(facts)))
    # Keep the record's order, so the story runs as the curators told it.
    return sorted(chosen, key=exhibit.facts.index)


def describe(
    exhibit: Exhibit, audience: Audience, variant: int, rng: random.Random
) -> tuple[str, list[Fact]]:
    """A description of `exhibit` for `audience` and the facts it states."""
    if audience is Audience.CHILD:
        facts = _pick_facts(exhibit, 2, rng, short_first=True)
        closing = ["Can you imagine the people who lived with it?", "Have a good look around!"][variant % 2]
        sentences = [_intro(exhibit, audience, variant), *(f.text for f in facts), closing]
    elif audience is Audience.EXPERT:
        facts = _pick_facts(exhibit, 4, rng, short_first=False)
        sourced = [f"{f.text[:-1] if f.text.endswith('.') else f.text} ({f.source})." for f in facts[:1]]
        sentences = [_intro(exhibit, audience, variant), *sourced, *(f.text for f in facts[1:])]
    else:
        facts = _pick_facts(exhibit, 3, rng, short_first=False)
        sentences = [_intro(exhibit, audience, variant), *(f.text for f in facts)]
    return " ".join(sentences), facts


def facts_of(exhibit: Exhibit, kind: FactKind) -> list[Fact]:
    """The exhibit's facts of one kind, in the record's order."""
    return [fact for fact in exhibit.facts if fact.kind is kind]


def short_title(exhibit: Exhibit) -> str:
    """The title up to its first comma, as a visitor would say it."""
    return exhibit.title.split(",")[0].split(" (")[0]


def period_answer(exhibit: Exhibit, variant: int) -> str:
    """When the exhibit dates from, in the record's words."""
    start, end = format_year(exhibit.period.start_year), format_year(exhibit.period.end_year)
    return [
        f"{exhibit.title} dates from the {exhibit.period.label}, from {start} to {end}.",
        f"The record dates {short_title(exhibit)} to the {exhibit.period.label}: {start} to {end}.",
    ][variant % 2]


def place_answer(exhibit: Exhibit, variant: int) -> str:
    """Where the exhibit is, in the record's words."""
    return [
        f"{exhibit.title} is at {exhibit.site}, in the {exhibit.district.value} district of Cyprus.",
        f"You will find {short_title(exhibit)} at {exhibit.site}, in the {exhibit.district.value} district.",
    ][variant % 2]
