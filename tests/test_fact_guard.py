"""The fact guard: text that repeats the curated record passes; invented years,
numbers and names are flagged, each with its kind and the words as written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guide_server.catalogue import Exhibit, load_catalogue_or_raise
from guide_server.generation.claims import find_numbers, find_spans
from guide_server.generation.fact_guard import check_facts
from guide_server.paths import DEFAULT_EXHIBITS_DIR

CATALOGUE = load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR)


def exhibit(exhibit_id: str) -> Exhibit:
    return CATALOGUE.exhibits[exhibit_id]


@pytest.mark.parametrize("exhibit_id", sorted(CATALOGUE.exhibits))
def test_text_built_from_the_record_passes(exhibit_id: str) -> None:
    item = exhibit(exhibit_id)
    text = (
        f"Welcome! {item.title} is at {item.site}, in the {item.district.value} district of Cyprus. "
        f"It belongs to the {item.period.label}. "
        + " ".join(fact.text for fact in item.facts)
        + " "
        + item.summary
    )
    result = check_facts(text, item)
    assert result.flags == []
    assert result.ok


def test_invented_builder_and_year_are_flagged() -> None:
    result = check_facts(
        "Kolossi Castle was built in 1299 by Alessandro Bianchi, a renowned architect.",
        exhibit("kolossi-castle"),
    )
    assert not result.ok
    assert {(flag.kind, flag.value) for flag in result.flags} == {
        ("year", "1299"),
        ("name", "Alessandro Bianchi"),
    }


KOLOSSI_CASES = [
    ("The present keep was built in 1454 by Louis de Magnac.", []),
    ("The keep was built in 1455.", [("year", "1455")]),
    ("In 1210 King Hugh I granted Kolossi to the Knights Hospitaller.", []),
    ("The keep is a three-storey tower.", []),
    ("The keep has 3 storeys.", []),
    ("The keep is a five-storey tower.", [("number", "five")]),
    ("The keep is 21 metres high.", [("number", "21")]),
    ("It was busy in the 15th century.", []),
    ("It was busy in the fifteenth century.", []),
    ("It was built in the 4th century BC.", [("year", "4th century BC")]),
    ("It was built in the 1990s.", [("year", "1990s")]),
    ("Later the Knights Templar held it.", [("name", "Knights Templar")]),
    ("Kolossi was visited by Richard the Lionheart.", [("name", "Richard"), ("name", "Lionheart")]),
    ("Built of limestone, the keep watches over the Byzantine and Ottoman plains.", []),
    ("Visitors see the coat of arms of Louis de Magnac on the wall.", []),
    ("The wine was later sold in Venice.", [("name", "Venice")]),
    ("Kolossi's sugar factory stands beside the castle.", []),
    ("Welcome to the Virtual Museum of Cypriot Heritage! Today I'm your guide, OK?", []),
]


@pytest.mark.parametrize(("text", "expected"), KOLOSSI_CASES)
def test_kolossi_claims(text: str, expected: list[tuple[str, str]]) -> None:
    result = check_facts(text, exhibit("kolossi-castle"))
    assert [(flag.kind, flag.value) for flag in result.flags] == expected
    assert result.ok == (not expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("People lived at Choirokoitia from the 7th millennium BC.", []),
        ("People lived here in 7000 BC.", []),
        ("People lived here in 9000 BC.", [("year", "9000 BC")]),
        ("It became a World Heritage Site in 1998.", []),
        ("It became a World Heritage Site in 1989.", [("year", "1989")]),
        ("The village lies about 6 km from the sea.", []),
        ("The village lies about twelve km from the sea.", [("number", "twelve")]),
        ("Porphyrios Dikaios excavated it between 1936 and 1946.", []),
        ("Arthur Evans excavated it in 1936.", [("name", "Arthur Evans")]),
    ],
)
def test_choirokoitia_claims(text: str, expected: list[tuple[str, str]]) -> None:
    result = check_facts(text, exhibit("choirokoitia"))
    assert [(flag.kind, flag.value) for flag in result.flags] == expected


def test_greek_title_from_the_translation_is_supported() -> None:
    item = exhibit("kolossi-castle")
    greek = item.translations["el"].title
    assert check_facts(f"Αυτό είναι το {greek}.", item).ok
    assert not check_facts("Αυτό είναι το Κάστρο της Βενετίας.", item).ok


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("the 4th century BC", -400, -301),
        ("the fifteenth century", 1401, 1500),
        ("the 7th millennium BC", -7000, -6001),
        ("the twenty-first century", 2001, 2100),
        ("in the 1570s", 1570, 1579),
    ],
)
def test_year_spans(text: str, first: int, last: int) -> None:
    spans, rest = find_spans(text)
    assert [(span.first, span.last) for span in spans] == [(first, last)]
    assert not any(char.isdigit() for char in rest)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("twenty-five columns", [25]),
        ("three hundred tombs", [300]),
        ("one of the oldest", []),
        ("a hundred steps and 7,000 people", [100, 7000]),
        ("a 2.5 m wall", [Decimal("2.5")]),
        ("built in 1454 with 12 towers", [12]),
    ],
)
def test_numbers(text: str, values: list[object]) -> None:
    assert [value for _, value in find_numbers(text, [1454])] == [Decimal(v) for v in values]  # type: ignore[arg-type]
