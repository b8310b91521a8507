"""Words a guide may use for the record's own words, as lemmas.

Kept deliberately small and general (verbs of building, finding and naming,
common nouns of heritage sites): a synonym lets a paraphrase through, so each
group must mean the same thing in any exhibit. Names, numbers and superlatives
never have synonyms.
"""

from __future__ import annotations

from functools import cache

SYNONYM_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in """
    build construct erect raise put
    rebuild reconstruct restore
    found establish
    find discover unearth uncover locate
    excavate dig
    make craft produce create manufacture
    show depict portray feature illustrate represent
    display exhibit show house keep
    give grant donate offer award
    lead direct head
    devote dedicate
    finish complete
    group cluster
    cut carve hew
    bear carry
    about around approximately roughly some nearly
    west western
    east eastern
    north northern
    south southern
    stand perch
    leave left abandon desert
    shore bank edge
    stage host hold
    stretch spread extend
    people inhabitant villager resident
    decorate adorn
    stand lie sit situate
    name call
    list inscribe
    ship vessel boat
    tomb grave burial
    house home
    wall rampart
    town city
    settlement village
    church chapel
    picture image scene
    cover coat
    stone rock
    big large
    small little
    begin start
    end finish
    hold keep contain
    use serve
    date belong
    near close nearby
    centre center
    storey story floor level
    metre meter
    kilometre kilometer
    colour color
    king monarch
    priest clergy
    worship cult
    goddess deity
    sell trade
    carry transport
    sink wreck
    remain survive
    lead head
    today still
    ancient old
    """.strip().splitlines()
)


@cache
def synonyms_of(lemma: str) -> frozenset[str]:
    """The lemmas that may stand for `lemma` (itself excluded); empty for most words."""
    found: set[str] = set()
    for group in SYNONYM_GROUPS:
        if lemma in group:
            found |= group
    found.discard(lemma)
    return frozenset(found)
