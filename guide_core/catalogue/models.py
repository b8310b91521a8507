"""The exhibit catalogue's data model: one definition, shared by every part.

Curators edit one JSON file per exhibit (`Exhibit`) and one floor plan
(`FloorPlan`, in `museum.json`). `guide exhibits schema` exports these models as
JSON Schema so that editors can validate while curators type.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from guide_core.catalogue.instructions import instruction_marker

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=2, max_length=64)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    """Base for curated files: unknown keys are typos, so they are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class District(StrEnum):
    """The six administrative districts of Cyprus."""

    NICOSIA = "Nicosia"
    LIMASSOL = "Limassol"
    LARNACA = "Larnaca"
    PAPHOS = "Paphos"
    FAMAGUSTA = "Famagusta"
    KYRENIA = "Kyrenia"


class FactKind(StrEnum):
    """What a fact is about; only `history` facts must fall inside the period."""

    HISTORY = "history"
    """The exhibit's own making and use; any year must lie within its period."""
    DISCOVERY = "discovery"
    """Excavation, finding, restoration or study in later times."""
    RECOGNITION = "recognition"
    """Listings and awards, such as UNESCO World Heritage inscription."""
    DESCRIPTION = "description"
    """What it is or looks like, with no date of its own."""


class Period(_Strict):
    """When the exhibit was made or used: human text plus a machine year range.

    Years are astronomical-free historical years: BC as negative numbers, no year 0.
    """

    label: ShortText = Field(description="Human text, e.g. 'Aceramic Neolithic'.")
    start_year: int = Field(description="First year, BC as negative (e.g. -7000).")
    end_year: int = Field(description="Last year, BC as negative (e.g. -5200).")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start_year == 0 or self.end_year == 0:
            raise ValueError("there is no year 0: use -1 for 1 BC and 1 for AD 1")
        if self.start_year > self.end_year:
            raise ValueError(
                f"start_year {self.start_year} is after end_year {self.end_year}: swap them "
                "(BC years are negative, so 7000 BC is -7000)"
            )
        return self


class Fact(_Strict):
    """One short, single-claim, verifiable statement and where it comes from."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=240)] = Field(
        description="One claim in one sentence."
    )
    source: ShortText = Field(
        description="Where a visitor can check it, e.g. 'UNESCO World Heritage List (1980)'."
    )
    kind: FactKind = Field(default=FactKind.HISTORY, description="What the fact is about.")
    year: int | None = Field(
        default=None, description="The year the claim refers to, BC as negative, if any."
    )


GLOSS_WORDS = (2, 15)
"""Fewest and most words in a gloss's plain phrase."""
GLOSS_MAX_CHARS = 160
_NUMBERS = re.compile(
    r"\d|(?-i:\b(?:BCE?|CE|AD|A\.D|B\.C)\b)"
    r"|\b(?:hundreds?|thousands?|millions?|century|centuries|millenni(?:um|a)|decades?)\b",
    re.IGNORECASE,
)


class Gloss(_Strict):
    """Plain words for one hard term of the exhibit, e.g. what "Aceramic Neolithic" means to a child.

    `plain` must read in place of `term` inside a sentence, and the term must occur
    in the exhibit's own text (checked with the whole exhibit).
    """

    term: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] = Field(
        description="A word or phrase that occurs in this exhibit's title, site, period label, summary or facts."
    )
    plain: str = Field(
        description=(
            f"{GLOSS_WORDS[0]} to {GLOSS_WORDS[1]} plain words that can stand in for the term inside a "
            "sentence, with no digits, dates or numbers, e.g. 'New Stone Age, before people made pottery'."
        ),
        json_schema_extra={"pattern": r"^[^0-9]*$", "maxLength": GLOSS_MAX_CHARS},
    )

    @field_validator("term")
    @classmethod
    def _one_space(cls, term: str) -> str:
        return " ".join(term.split())

    @field_validator("plain")
    @classmethod
    def _plain_words(cls, plain: str) -> str:
        plain = " ".join(plain.split())
        low, high = GLOSS_WORDS
        words = len(plain.split())
        if not plain:
            raise ValueError(f"plain is empty: write {low} to {high} plain words that explain the term")
        if not low <= words <= high:
            raise ValueError(
                f"plain has {words} word{'' if words == 1 else 's'}: write {low} to {high} short words "
                "that can stand in for the term inside a sentence"
            )
        if len(plain) > GLOSS_MAX_CHARS:
            raise ValueError(
                f"plain is {len(plain)} characters long: keep it under {GLOSS_MAX_CHARS} with shorter words"
            )
        number = _NUMBERS.search(plain)
        if number:
            raise ValueError(
                f"plain contains a date or number ({number.group(0)!r}): a gloss explains a word and "
                "never adds a date or number (the facts hold those); remove it"
            )
        marker = instruction_marker(plain)
        if marker:
            raise ValueError(
                f"plain reads like an instruction to the model ({marker.group(0)!r}): write only what "
                "the term means"
            )
        if plain[-1] in ".!?;:":
            raise ValueError(
                "plain ends like a sentence: write a phrase, without the final punctuation, "
                "that fits inside a sentence"
            )
        return plain


class Translation(_Strict):
    """The exhibit's title and summary in another language."""

    title: ShortText
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1200)]


class Media(_Strict):
    """A picture, sound or model shown beside the exhibit."""

    kind: Literal["image", "audio", "video", "model3d"]
    uri: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    caption: ShortText | None = None
    credit: ShortText | None = None


class Exhibit(_Strict):
    """One exhibit of the museum, as curators write it in `exhibits/<id>.json`."""

    id: Slug = Field(description="Lower-case slug, equal to the file name without .json.")
    title: ShortText
    period: Period
    site: ShortText = Field(description="Where it is or was found, e.g. 'Kourion'.")
    district: District
    facts: list[Fact] = Field(min_length=5, description="At least five single-claim facts.")
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1200)]
    tags: list[Slug] = Field(default_factory=list)
    glosses: list[Gloss] = Field(
        default_factory=list, description="Plain words for the exhibit's hard terms, one per term."
    )
    translations: dict[Literal["el", "tr"], Translation] = Field(default_factory=dict)
    media: list[Media] = Field(default_factory=list)


class Room(_Strict):
    """A room of the lab-museum, an axis-aligned rectangle in the map frame."""

    id: Slug
    name: ShortText
    x_min: float
    y_min: float
    x_max: float
    y_max: float

    @model_validator(mode="after")
    def _ordered(self) -> Room:
        if self.x_min >= self.x_max or self.y_min >= self.y_max:
            raise ValueError("a room needs x_min < x_max and y_min < y_max (metres)")
        return self

    def contains(self, x: float, y: float) -> bool:
        """Whether the point (x, y) lies inside this room."""
        return self.x_min <= x <= self.x_max and self.y_min <= y <= self.y_max


class ExhibitPlacement(_Strict):
    """Where an exhibit stands on the floor plan and how near the robot must come."""

    id: Slug
    room: Slug
    x: float = Field(description="Metres along the map frame's x axis.")
    y: float = Field(description="Metres along the map frame's y axis.")
    trigger_radius: float = Field(gt=0.1, le=5.0, description="Enter radius in metres.")


class ApproachSettings(_Strict):
    """When the server starts an exhibit's description before the robot arrives (ready on `enter`)."""

    enabled: bool = Field(
        default=True, description="Start descriptions early as the robot heads for an exhibit."
    )
    radius: float = Field(
        default=4.0,
        gt=0.0,
        le=30.0,
        description="Metres from the exhibit within which heading for it counts as approaching.",
    )
    min_speed: float = Field(
        default=0.05,
        ge=0.0,
        le=5.0,
        description="m/s; slower than this the robot is standing, not approaching.",
    )


class FloorPlan(_Strict):
    """`exhibits/museum.json`: the rooms, the exhibits' places and the default tour."""

    name: ShortText
    map_frame: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_/]*$")] = "map"
    rooms: list[Room] = Field(min_length=1)
    exhibits: list[ExhibitPlacement] = Field(min_length=1)
    tour: list[Slug] = Field(min_length=1, description="Exhibit ids in default visiting order.")
    approach: ApproachSettings = Field(
        default_factory=ApproachSettings, description="Pre-generation as the robot approaches an exhibit."
    )

    def placement(self, exhibit_id: str) -> ExhibitPlacement | None:
        """The placement of one exhibit, or None if the plan does not hold it."""
        return next((p for p in self.exhibits if p.id == exhibit_id), None)
