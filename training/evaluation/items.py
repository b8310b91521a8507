"""The held-out items: test-split examples sampled by task, and their no-context prompts."""

from __future__ import annotations

import random

from guide_server.catalogue.models import Exhibit
from training.dataset.examples import Example, Task


def sample_items(test: list[Example], count: int, *, seed: int) -> list[Example]:
    """About `count` test examples, round-robin over tasks so each task is represented."""
    rng = random.Random(seed)
    by_task: dict[Task, list[Example]] = {}
    for example in test:
        by_task.setdefault(example.task, []).append(example)
    for group in by_task.values():
        rng.shuffle(group)
    chosen: list[Example] = []
    while len(chosen) < count and any(by_task.values()):
        for task in sorted(by_task):
            if by_task[task] and len(chosen) < count:
                chosen.append(by_task[task].pop())
    return chosen


def no_context_prompt(item: Example, exhibit: Exhibit | None) -> list[dict[str, str]]:
    """The same request with no exhibit record and no guide instructions: what the bare model knows."""
    if item.question is not None:
        return [{"role": "user", "content": item.question}]
    title = exhibit.title if exhibit is not None else "this exhibit"
    return [{"role": "user", "content": f"Describe {title} in Cyprus to a museum visitor."}]
