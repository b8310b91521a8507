"""Extra heritage texts (.txt / .md in training/data/) split into passages for context-answer pairs.

Each passage is shown as a description prompt shows an exhibit's facts (its sentences numbered
under the file's name), and the target copies its first sentences, one per sentence: practice in
describing from given facts only.
"""

from __future__ import annotations

import re
from pathlib import Path

from guide_core.catalogue.models import Exhibit
from guide_core.protocol import Audience, VisitorProfile
from guide_server.generation.prompts import description_messages
from guide_server.narration.record import split_sentences
from training.dataset.examples import Task
from training.dataset.tasks import Draft

PASSAGE_SENTENCES = 5
"""How many of a passage's sentences its prompt shows."""


def split_passages(text: str, *, max_words: int = 120) -> list[str]:
    """Paragraphs of `text` (headings dropped), merged up to `max_words` words each."""
    paragraphs = [
        p.strip() for p in re.split(r"\n\s*\n", text) if p.strip() and not p.lstrip().startswith("#")
    ]
    passages: list[str] = []
    for paragraph in paragraphs:
        paragraph = " ".join(paragraph.split())
        if passages and len(passages[-1].split()) + len(paragraph.split()) <= max_words:
            passages[-1] += " " + paragraph
        else:
            passages.append(paragraph)
    return [p for p in passages if len(split_sentences(p)) >= 2]


def passage_drafts(folder: Path) -> list[Draft]:
    """Description-style drafts from every .txt and .md file directly in `folder`."""
    drafts = []
    for path in sorted([*folder.glob("*.txt"), *folder.glob("*.md")]):
        # Only the title is read by the prompt builder; the passage is not an exhibit of the catalogue.
        source = Exhibit.model_construct(title=path.stem.replace("-", " ").replace("_", " ").title())
        for passage in split_passages(path.read_text(encoding="utf-8")):
            sentences = split_sentences(passage)[:PASSAGE_SENTENCES]
            prompt = description_messages(source, VisitorProfile(audience=Audience.ADULT), sentences)
            drafts.append(
                Draft(Task.PASSAGE, None, Audience.ADULT, None, list(prompt), " ".join(sentences[:4]))
            )
    return drafts
