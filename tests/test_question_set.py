"""The visitor question set: it validates against the catalogue, covers every category in both the
train and the test split, and its model refuses inconsistent items (a follow-up without history)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from guide_core.catalogue.loader import Catalogue
from training.config import DataSettings
from training.dataset.build import split_by_exhibit
from training.dataset.visitor_questions import read_questions, usable_rows
from training.evaluation.question_set import Category, VisitorQuestion, load_questions

PER_SPLIT = 5
"""Items each category needs in the train and in the test split."""


def _split_of(catalogue: Catalogue) -> dict[str, str]:
    split = split_by_exhibit(list(catalogue.exhibits), DataSettings())
    return {i: name for name in ("train", "validation", "test") for i in getattr(split, name)}


def test_the_question_set_validates_against_the_catalogue(catalogue: Catalogue) -> None:
    items = load_questions(exhibit_ids=catalogue.exhibits)
    assert len({i.id for i in items}) == len(items)
    assert {i.category for i in items} == set(Category)


@pytest.mark.parametrize("split", ["train", "test"])
@pytest.mark.parametrize("category", list(Category))
def test_every_category_has_enough_items_in_each_split(
    catalogue: Catalogue, category: Category, split: str
) -> None:
    exhibit_split = _split_of(catalogue)
    counts = Counter((i.category, exhibit_split[i.split_exhibit]) for i in load_questions())
    assert counts[(category, split)] >= PER_SPLIT


def test_follow_ups_are_asked_away_from_their_exhibit_and_some_at_no_exhibit() -> None:
    items = load_questions()
    follow_ups = [i for i in items if i.category is Category.FOLLOW_UP]
    assert all(i.history and i.asked_at != i.exhibit_id for i in follow_ups)
    assert any(i.asked_at is None for i in follow_ups)
    assert sum(i.asked_at is None for i in items if i.category is Category.CROSS_EXHIBIT) >= 5


SHIP_TURN = {"question": "Tell me about the Kyrenia ship.", "exhibit_id": "kyrenia-ship"}


def _row(**fields: object) -> dict[str, object]:
    base = {"id": "t-1", "category": "follow_up", "exhibit_id": "kyrenia-ship", "asked_at": "kolossi-castle",
            "question": "Who found it?", "keys": ["Cariolou"], "history": [SHIP_TURN]}  # fmt: skip
    return base | fields


def test_a_consistent_follow_up_validates(catalogue: Catalogue) -> None:
    item = VisitorQuestion.model_validate(_row(), context={"exhibit_ids": catalogue.exhibits})
    assert item.split_exhibit == "kyrenia-ship"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"history": []}, "needs history"),
        ({"asked_at": "kyrenia-ship"}, "asked away from its exhibit"),
        (
            {"history": [{"question": "What is this?", "exhibit_id": "kolossi-castle"}]},
            "follows a turn about",
        ),
        ({"category": "answerable", "asked_at": "kyrenia-ship"}, "only follow_up questions carry history"),
        ({"category": "answerable", "asked_at": None, "history": []}, "needs asked_at"),
        ({"category": "absent_exhibit", "keys": [], "history": []}, "exhibit_id is null exactly"),
        ({"keys": []}, "needs keys"),
    ],
)
def test_an_inconsistent_item_is_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        VisitorQuestion.model_validate(_row(**fields))


@pytest.mark.parametrize(
    "fields",
    [
        {"exhibit_id": "atlantis", "history": [{"question": "And Atlantis?", "exhibit_id": "atlantis"}]},
        {"history": [{"question": "What is Petra?", "exhibit_id": "petra"}, SHIP_TURN]},
        {"asked_at": "the-gift-shop"},
    ],
)
def test_an_item_naming_an_exhibit_the_catalogue_lacks_is_refused(
    catalogue: Catalogue, fields: dict[str, object]
) -> None:
    with pytest.raises(ValidationError, match="in the catalogue"):
        VisitorQuestion.model_validate(_row(**fields), context={"exhibit_ids": catalogue.exhibits})


def test_a_bad_line_names_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    good = VisitorQuestion.model_validate(_row()).model_dump_json()
    path.write_text(good + "\n" + good.replace('"kolossi-castle"', '"nowhere"') + "\n", encoding="utf-8")
    assert len(load_questions(path)) == 2
    with pytest.raises(ValueError, match=r"(?s)questions.jsonl:2: .*'nowhere'"):
        load_questions(path, exhibit_ids=["kyrenia-ship", "kolossi-castle"])


def test_training_uses_no_follow_up_and_nothing_asked_at_no_exhibit(catalogue: Catalogue) -> None:
    exhibit_split = _split_of(catalogue)
    train = {i for i, split in exhibit_split.items() if split == "train"}
    rows = read_questions()
    assert any(r.category == "follow_up" and r.exhibit_id in train for r in rows)
    used = usable_rows(rows, train)
    assert used and all(r.category != "follow_up" and r.asked_at is not None for r in used)
