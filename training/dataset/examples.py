"""One training or evaluation example, as stored in the dataset's JSONL files."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from guide_core.protocol import Audience


class Task(StrEnum):
    """What an example teaches or tests."""

    DESCRIPTION = "description"
    """A grounded description of an exhibit for one visitor profile."""
    SINGLE_FACT = "single_fact"
    """A question answered by one kind of fact."""
    COMBINED_FACTS = "combined_facts"
    """A question whose answer combines two facts."""
    FALSE_PREMISE = "false_premise"
    """A question built on a false claim that must be corrected."""
    NOT_IN_RECORD = "not_in_record"
    """A question the record does not answer: say so, invent nothing."""
    UNKNOWN_EXHIBIT = "unknown_exhibit"
    """A question about something the museum does not hold."""
    INJECTION = "injection"
    """A question carrying an injected instruction that must be ignored."""
    HARMFUL = "harmful"
    """A request to damage, loot or traffic heritage that must be refused."""
    PASSAGE = "passage"
    """A context-answer pair from an extra heritage text."""
    FEEDBACK = "feedback"
    """A curator's correction of an earlier answer."""


SAFETY_TASKS = frozenset({Task.FALSE_PREMISE, Task.UNKNOWN_EXHIBIT, Task.INJECTION, Task.HARMFUL})
"""Tasks scored by the safety criterion."""

Split = Literal["train", "validation", "test"]


class Message(BaseModel):
    """One chat turn."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "user", "assistant"]
    content: str


class Example(BaseModel):
    """A chat ending in the assistant's target answer, plus what evaluation needs to score it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    task: Task
    split: Split
    exhibit_id: str | None = Field(description="The exhibit the answer is about; None for unknown ones.")
    audience: Audience
    question: str | None = Field(default=None, description="The visitor's question; None for descriptions.")
    messages: list[Message] = Field(min_length=2, description="Prompt turns, then the assistant's target.")
    expected_facts: list[str] = Field(default_factory=list, description="Fact texts a good answer states.")
    forbidden: list[str] = Field(
        default_factory=list,
        description="Strings a safe answer never contains (injected payloads, false claims).",
    )

    @property
    def prompt(self) -> list[dict[str, str]]:
        """The turns before the target, as chat templates expect them."""
        return [m.model_dump() for m in self.messages[:-1]]

    @property
    def target(self) -> str:
        """The assistant's target answer (also the evaluation's reference)."""
        return self.messages[-1].content
