"""The description figures of `guide bench narration`, on hand-made descriptions and on the ways a
narration could game each one; then the bench itself, end to end on the scripted engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from catalogue_support import KANTARA

from bench.narration import NarrationReport
from guide_core.catalogue.models import Exhibit
from guide_core.protocol import FactCheck
from guide_server.cli import main
from training.evaluation.narration_metrics import (
    COPY_RATIO,
    banner_sentences,
    copy_ratio,
    curated_statements,
    describe,
    differing_sentences,
    facts_stated,
    fallback_share,
    fk_grade,
    is_banner,
    repeated_sentences,
    word_count,
)

EXHIBIT = Exhibit.model_validate(KANTARA)
FACTS = [fact.text for fact in EXHIBIT.facts]
RETOLD = [
    "High on the eastern Kyrenia range, about 630 metres up, stands Kantara Castle.",
    "Its story begins in 1191, when Isaac Komnenos hid behind its walls.",
    "In the 14th century the Lusignans made it stronger.",
]
"""Three facts in the guide's own words: stated, and none a near-copy of the record."""


def test_words_and_facts_of_a_retold_description() -> None:
    assert word_count(RETOLD) == sum(len(s.split()) for s in RETOLD)
    assert facts_stated(RETOLD, EXHIBIT) == 3
    assert differing_sentences(RETOLD, EXHIBIT) == 3
    assert repeated_sentences(RETOLD) == 0
    assert banner_sentences(RETOLD) == 0


def test_reading_the_record_verbatim_differs_in_nothing() -> None:
    """Gaming 'facts stated' by reading the facts out: every fact, but a differ share of 0."""
    figures = describe(FACTS, EXHIBIT, audience="adult", check=None)
    assert figures.facts_stated == len(FACTS)
    assert figures.differing == 0
    summary_and_place = [curated_statements(EXHIBIT)[-1], f"It is at {EXHIBIT.site}, in Famagusta district."]
    assert differing_sentences(summary_and_place, EXHIBIT) == 0


@pytest.mark.parametrize(
    ("sentence", "copy"),
    [
        ("The Lusignans strengthened the castle in the 14th century.", True),
        ("the lusignans strengthened the castle in the 14th century", True),
        ("The Lusignans strengthened the fortress in the 14th century.", True),  # one word in nine changed
        ("In the 14th century the Lusignans made it stronger.", False),
        ("The Lusignans were busy builders who loved strong walls.", False),
    ],
)
def test_near_copy_rule(sentence: str, copy: bool) -> None:
    statement = "The Lusignans strengthened the castle in the 14th century."
    assert (copy_ratio(sentence, statement) >= COPY_RATIO) is copy
    assert (differing_sentences([sentence], EXHIBIT) == 0) is copy


def test_one_sentence_repeated_is_counted_and_states_no_more_facts() -> None:
    once = [FACTS[2]]
    again = [FACTS[2], FACTS[2].upper(), FACTS[2].rstrip(".") + "!", FACTS[2]]
    assert repeated_sentences(once) == 0
    assert repeated_sentences(again) == 3
    assert facts_stated(again, EXHIBIT) == facts_stated(once, EXHIBIT) == 1
    assert word_count(again) == 4 * word_count(once)


def test_a_banner_description_is_counted_as_banners_and_the_record() -> None:
    """The whole-record fallback: each sentence a banner, its words the record's."""
    banner = [f"The museum's record says: {FACTS[0]}", f"The museum’s record says: {FACTS[1]}"]
    assert [is_banner(s) for s in banner] == [True, True]
    figures = describe(banner, EXHIBIT, audience="child", check=None)
    assert figures.banners == 2
    assert figures.differing == 0
    assert not is_banner("The museum keeps a record of it.")


def test_a_long_text_stating_no_fact_scores_words_only() -> None:
    filler = [
        "Welcome, dear visitors, to one of the most remarkable places you will see today.",
        "Take a moment to look around and imagine the people who once lived and worked here.",
        "Every stone has a story, and every story deserves to be told with care and wonder.",
        "Close your eyes and listen to the wind as it sweeps across these ancient hills.",
        "Many travellers have stood exactly where you stand now, full of questions.",
        "It is a place that rewards patience, curiosity and a good pair of walking shoes.",
        "Feel free to take photographs, but please stay behind the ropes at all times.",
        "When you are ready, follow me and we will continue our journey together.",
    ]
    figures = describe(filler, EXHIBIT, audience="adult", check=None)
    assert figures.words >= 90
    assert figures.facts_stated == 0
    assert figures.differing == figures.sentences
    assert figures.repeated == 0


def test_reading_grade_follows_the_words() -> None:
    plain = ["The castle is on a hill.", "It is old.", "Kings lived in it."]
    dense = [
        "Its fortifications, commissioned by successive Lusignan administrations, "
        "exemplify thirteenth-century Crusader military architecture."
    ]
    assert fk_grade(plain) < 6 < fk_grade(dense)
    assert fk_grade([]) == 0.0


def test_fallback_share_is_replaced_over_released() -> None:
    assert fallback_share(FactCheck(ok=False, released=4, replaced=1)) == 0.25
    assert fallback_share(FactCheck(ok=True, released=0)) == 0.0
    assert fallback_share(None) == 0.0
    check = FactCheck(ok=False, released=3, replaced=2)
    assert describe(RETOLD, EXHIBIT, audience="adult", check=check).replaced == 2


def test_the_bench_runs_end_to_end_on_the_scripted_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "narration.json"
    argv = ["bench", "narration", "--engine", "scripted", "--exhibits", "kolossi-castle,choirokoitia"]
    assert main([*argv, "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    for heading in ("words p50", "facts p50", "FK p50", "differ share", "1st released p50", "met"):
        assert heading in printed
    for goal in ("median words", "median FK grade", "repeated sentences", "banner sentences"):
        assert goal in printed
    assert "text identical to adult's" in printed
    report = NarrationReport.model_validate(json.loads(out.read_text(encoding="utf-8")))
    assert [s.audience for s in report.summaries] == ["child", "adult", "expert"]
    assert {(d.figures.exhibit_id, d.figures.audience) for d in report.descriptions} == {
        (exhibit, audience)
        for exhibit in ("kolossi-castle", "choirokoitia")
        for audience in ("child", "adult", "expert")
    }
    for description in report.descriptions:
        assert description.text and description.first_sentence_ms is not None
        assert description.cached_first_ms is not None  # the replay came from the cache


def test_the_bench_refuses_an_unknown_exhibit() -> None:
    with pytest.raises(SystemExit, match="unknown exhibit no-such-place"):
        main(["bench", "narration", "--engine", "scripted", "--exhibits", "no-such-place"])
