"""Extra heritage texts (.txt / .md in training/data/) split into passages for context-answer pairs.

Each passage is shown as the exhibit record would be, and the target restates its
opening sentences: practice in answering from given text only.
"""

from __future__ import annotations

import re
from pathlib import Path

from guide_server.generation.prompts import SYSTEM_PROMPT
from guide_server.protocol import Audience
from training.dataset.examples import Task
from training.dataset.tasks import Draft

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


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
    return [p for p in passages if len(_SENTENCE_END.split(p)) >= 2]


def passage_drafts(folder: Path) -> list[Draft]:
    """Context-answer drafts from every .txt and .md file directly in `folder`."""
    drafts = []
    for path in sorted([*folder.glob("*.txt"), *folder.glob("*.md")]):
        for passage in split_passages(path.read_text(encoding="utf-8")):
            sentences = _SENTENCE_END.split(passage)
            prompt = [
                {"role": "system", "content": SYSTEM_PROMPT},
                {
                    "role": "user",
                    "content": f"<passage>\n{passage}\n</passage>\n\nTell the visitor what this passage says, "
                    "using only the passage.",
                },
            ]
            drafts.append(Draft(Task.PASSAGE, None, Audience.ADULT, None, prompt, " ".join(sentences[:3])))
    return drafts
