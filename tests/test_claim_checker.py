"""The claim checker, sentence by sentence, against real exhibit records: every unsupported kind, the
supported paraphrases, and the labelled corpus as a whole (the goals of `guide bench claims`)."""

from __future__ import annotations

import pytest

from guide_core.catalogue.loader import Catalogue
from guide_server.narration.claim_checker import (
    check_sentence,
    check_text,
    refused_outright,
    says_record_is_silent,
    states,
)
from guide_server.narration.claim_text import complete_sentences, split_sentences
from training.evaluation.claim_corpus import load_corpus, score_checker, totals

UNSUPPORTED = [
    pytest.param("kolossi-castle", "The keep was built in 1455 by Louis de Magnac.", id="wrong-year"),
    pytest.param("kolossi-castle", "The keep was built in the 13th century.", id="wrong-century"),
    pytest.param("kolossi-castle", "The keep is a four-storey tower built of limestone.", id="wrong-number"),
    pytest.param("kyrenia-ship", "The ship sank off Kyrenia around 300 AD.", id="bc-ad-flip"),
    pytest.param("kyrenia-ship", "The ship sank off Kyrenia around 300.", id="era-dropped"),
    pytest.param("kolossi-castle", "The keep is 1454 metres tall.", id="record-number-reused"),
    pytest.param("kolossi-castle", "The castle has 1210 rooms.", id="record-year-as-count"),
    pytest.param("kolossi-castle", "Alessandro Bianchi designed the keep.", id="name-starts-sentence"),
    pytest.param("kolossi-castle", "the keep was built by alessandro bianchi.", id="name-lower-case"),
    pytest.param("kolossi-castle", "The Romans built the keep.", id="people-not-in-record"),
    pytest.param("kolossi-castle", "It was built by craftsmen from Venice.", id="place-not-in-record"),
    pytest.param("kolossi-castle", "The British Museum holds the marble panel.", id="institution"),
    pytest.param("kolossi-castle", "The Venetians built the keep.", id="record-people-wrong-claim"),
    pytest.param("kolossi-castle", "King Louis built the keep.", id="recombined-name"),
    pytest.param("kolossi-castle", "king louis built the keep.", id="recombined-name-lower"),
    pytest.param("kolossi-castle", "Louis de Magnac granted Kolossi to the Knights Hospitaller.", id="wrong-relation"),
    pytest.param("buyuk-han", "The Büyük Han was built in 1572, the year after the Venetians took Cyprus from the Ottomans.", id="swapped-roles"),
    pytest.param("kolossi-castle", "It is the oldest castle in Cyprus.", id="superlative"),
    pytest.param("kolossi-castle", "It was the first castle of the Hospitallers.", id="first"),
    pytest.param("kolossi-castle", "The keep was not built in 1454.", id="negated"),
    pytest.param("kolossi-castle", "The walls were once painted red.", id="invented-detail"),
    pytest.param("kolossi-castle", "I will help with that.", id="compliance"),
    pytest.param("kolossi-castle", "A small correction: the castle lies between the Republic of Cyprus and the Turkish Straits.", id="stock-opener-fable"),
]  # fmt: skip

SUPPORTED = [
    pytest.param("kolossi-castle", "The present keep was built in 1454 by the Hospitaller commander Louis de Magnac.", id="copy"),
    pytest.param("kolossi-castle", "It was constructed in 1454 by Louis de Magnac.", id="synonym-and-pronoun"),
    pytest.param("kolossi-castle", "In the 15th century the keep was built by Louis de Magnac.", id="century-of-a-record-year"),
    pytest.param("kolossi-castle", "Kolossi was granted to the Knights Hospitaller by King Hugh I in 1210.", id="passive"),
    pytest.param("kolossi-castle", "The keep is a three-storey tower built of limestone, and it was built in 1454 by Louis de Magnac.", id="two-facts-two-clauses"),
    pytest.param("kolossi-castle", "Built in 1454 by Louis de Magnac, the keep is a three-storey limestone tower.", id="two-facts-commas"),
    pytest.param("tombs-of-the-kings", "No kings were buried here, and the name comes from the grandeur of the tombs.", id="record-negation"),
    pytest.param("kyrenia-ship", "The ship sank off Kyrenia around 300 BC.", id="bc-year"),
    pytest.param("kolossi-castle", "Let us take a closer look at the keep.", id="guide-talk"),
    pytest.param("kolossi-castle", "The museum's record does not say who built the aqueduct.", id="record-silent"),
    pytest.param("kolossi-castle", "I can't help with that. Ask me about the exhibits instead.", id="refusal"),
]  # fmt: skip


@pytest.mark.parametrize(("exhibit_id", "sentence"), UNSUPPORTED)
def test_an_unsupported_sentence_is_caught(catalogue: Catalogue, exhibit_id: str, sentence: str) -> None:
    verdict = check_sentence(sentence, catalogue.exhibits[exhibit_id])
    assert not verdict.supported and verdict.reason


@pytest.mark.parametrize(("exhibit_id", "sentence"), SUPPORTED)
def test_a_supported_sentence_is_released(catalogue: Catalogue, exhibit_id: str, sentence: str) -> None:
    verdicts = check_text(sentence, catalogue.exhibits[exhibit_id])
    assert all(v.supported for v in verdicts), [v.reason for v in verdicts]


def test_every_curated_statement_is_supported_by_its_own_record(catalogue: Catalogue) -> None:
    rejected = [
        (exhibit.id, text, check_sentence(text, exhibit).reason)
        for exhibit in catalogue.exhibits.values()
        for text in [*(fact.text for fact in exhibit.facts), *split_sentences(exhibit.summary)]
        if not check_sentence(text, exhibit).supported
    ]
    assert rejected == []


def test_a_fact_of_one_exhibit_is_not_evidence_for_another(catalogue: Catalogue) -> None:
    fact = catalogue.exhibits["kolossi-castle"].facts[2].text
    assert not check_sentence(fact, catalogue.exhibits["kourion-theatre"]).supported


def test_the_labelled_corpus_meets_the_goals(catalogue: Catalogue) -> None:
    corpus = load_corpus()
    assert len(corpus) >= 400 and len({c.exhibit_id for c in corpus}) >= 25
    assert sum(c.origin == "hand" for c in corpus) >= len(corpus) // 2
    figures = score_checker(corpus, dict(catalogue.exhibits))
    summed = totals(figures)
    caught, rejected = summed[False].share, summed[True].share
    assert caught >= 0.97, {k: round(f.share, 3) for k, f in figures.items() if not f.supported}
    assert rejected <= 0.10, {k: round(f.share, 3) for k, f in figures.items() if f.supported}


def test_streamed_text_is_cut_only_after_a_sentence_surely_ended() -> None:
    done, rest = complete_sentences("Built by St. Hilarion. It is 3.")
    assert (done, rest) == (["Built by St. Hilarion."], " It is 3.")
    assert complete_sentences("It is 3.5 km away. Next")[0] == ["It is 3.5 km away."]


def test_an_answer_states_its_fact_by_its_years_and_names() -> None:
    fact = "The present keep was built in 1454 by the Hospitaller commander Louis de Magnac."
    assert states("Louis de Magnac built the keep in 1454.", fact)
    assert not states("The keep was built in 1455 by Louis de Magnac.", fact)
    assert says_record_is_silent("The museum's record does not say.")
    assert not says_record_is_silent("The record says it was built in 1454.")


@pytest.mark.parametrize(
    "sentence",
    [
        "The museum holds no exhibit on that.",
        "The museum's exhibit has no exhibits about it.",  # what the tuned model said about a refectory
        "Our museum does not have anything on the monks.",
        "There are no exhibits about the refectory here.",
        "That statue is not in this museum.",
    ],
)
def test_the_model_may_not_say_what_the_museum_lacks(sentence: str) -> None:
    assert refused_outright(sentence) == "only the catalogue says what the museum does not hold"


@pytest.mark.parametrize(
    "sentence",
    [
        "The museum's record does not say.",
        "No kings were buried here, and the name comes from the grandeur of the tombs.",
        "The villagers lived in round houses with no defensive wall.",
        "The Cyprus Museum in Nicosia holds the Pomos idol.",
    ],
)
def test_sentences_about_the_exhibit_itself_are_left_to_the_checker(sentence: str) -> None:
    assert refused_outright(sentence) is None
