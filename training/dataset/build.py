"""Build the dataset from the catalogue: compose drafts, split by exhibit, write JSONL and the card."""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from guide_core.catalogue.models import Exhibit
from training.config import DataSettings
from training.dataset.compose import unsupported_reasons
from training.dataset.examples import Example, Message, Split, Task
from training.dataset.feedback import feedback_drafts, read_feedback
from training.dataset.passages import passage_drafts
from training.dataset.ranking import PromptFacts, default_prompt_facts
from training.dataset.tasks import EXHIBIT_TASKS, UNKNOWN_SUBJECTS, Draft, Pending, unknown_exhibit
from training.dataset.visitor_questions import read_questions, visitor_pending

log = logging.getLogger(__name__)

SPLITS: tuple[Split, ...] = ("train", "validation", "test")


@dataclass(frozen=True)
class ExhibitSplit:
    """Which exhibits (and unknown subjects) each split holds; no exhibit is in two."""

    train: list[str]
    validation: list[str]
    test: list[str]

    def of(self, exhibit_id: str) -> Split:
        """The split an exhibit belongs to."""
        for split in SPLITS:
            if exhibit_id in getattr(self, split):
                return split
        raise KeyError(f"exhibit {exhibit_id!r} is in no split")


def split_by_exhibit(ids: list[str], settings: DataSettings, *, seed: int | None = None) -> ExhibitSplit:
    """A deterministic split of `ids`: the same seed and ids give the same split on any machine."""
    shuffled = sorted(ids)
    random.Random(settings.seed if seed is None else seed).shuffle(shuffled)
    n_test, n_val = settings.test_exhibits, settings.validation_exhibits
    if n_test + n_val >= len(shuffled):
        raise ValueError(
            f"data.test_exhibits ({n_test}) + data.validation_exhibits ({n_val}) leave no training exhibit "
            f"out of {len(shuffled)}: lower them"
        )
    return ExhibitSplit(
        train=sorted(shuffled[n_test + n_val :]),
        validation=sorted(shuffled[n_test : n_test + n_val]),
        test=sorted(shuffled[:n_test]),
    )


def _example(draft: Draft, split: Split, index: int) -> Example:
    messages = [Message(**m) for m in draft.prompt] + [Message(role="assistant", content=draft.target)]
    return Example(
        id=f"{split}-{draft.task.value}-{draft.exhibit_id or 'none'}-{index:03d}",
        task=draft.task,
        split=split,
        exhibit_id=draft.exhibit_id,
        audience=draft.audience,
        question=draft.question,
        messages=messages,
        expected_facts=draft.expected_facts,
        forbidden=draft.forbidden,
    )


def build_examples(
    exhibits: dict[str, Exhibit],
    settings: DataSettings,
    *,
    data_dir: Path,
    prompt_facts: PromptFacts | None = None,
) -> list[Example]:
    """Every example, split by exhibit; unknown subjects are split the same way.

    Questions get the facts the serving ranker gives them (`prompt_facts`, by default the packaged
    MiniLM ranker); a question whose answering statement the ranker leaves out of the prompt is
    dropped, as is any target a sentence of which the claim checker would withhold.
    """
    rng = random.Random(settings.seed)
    split = split_by_exhibit(list(exhibits), settings)
    subjects = split_by_exhibit(UNKNOWN_SUBJECTS, settings, seed=settings.seed + 1)
    tagged: list[tuple[Split, Draft | Pending]] = []
    for exhibit_id in sorted(exhibits):
        for build in EXHIBIT_TASKS:
            tagged += [
                (split.of(exhibit_id), d) for d in build(exhibits[exhibit_id], settings.paraphrases, rng)
            ]
    for subject in UNKNOWN_SUBJECTS:
        where = subjects.of(subject)
        asked_at = exhibits[rng.choice(getattr(split, where))]
        tagged += [(where, d) for d in unknown_exhibit(subject, asked_at, settings.paraphrases, rng)]
    if settings.visitor_questions:
        rows = read_questions()
        tagged += [("train", d) for d in visitor_pending(rows, exhibits, set(split.train), rng)]
    if settings.extra_texts and data_dir.is_dir():
        tagged += [("train", d) for d in passage_drafts(data_dir)]
    if settings.feedback and data_dir.is_dir():
        for path in sorted(data_dir.glob("feedback*.jsonl")):
            lines = read_feedback(path)
            tagged += [
                (split.of(d.exhibit.id if isinstance(d, Pending) else d.exhibit_id or ""), d)
                for d in feedback_drafts(lines, exhibits, source=str(path))
            ]
    drafts = _resolve(tagged, prompt_facts or default_prompt_facts())
    counters: Counter[str] = Counter()
    examples = []
    for split_name, draft in drafts:
        key = f"{split_name}-{draft.task.value}-{draft.exhibit_id}"
        examples.append(_example(draft, split_name, counters[key]))
        counters[key] += 1
    return examples


def _resolve(
    tagged: list[tuple[Split, Draft | Pending]], prompt_facts: PromptFacts
) -> list[tuple[Split, Draft]]:
    """Rank the prompt facts of every pending question (one embedding batch), finish or drop each, dedupe."""
    prompt_facts.prepare(
        [(d.exhibit, q) for _, d in tagged if isinstance(d, Pending) for q in d.candidates()]
    )
    done: list[tuple[Split, Draft]] = []
    dropped: Counter[str] = Counter()
    seen: set[tuple[str, str | None, str]] = set()
    for split_name, item in tagged:
        draft = _finish(item, prompt_facts) if isinstance(item, Pending) else item
        if draft is None:
            dropped[item.task.value] += 1
            continue
        key = (draft.task.value, draft.exhibit_id, draft.question or draft.target)
        if key in seen:
            continue
        seen.add(key)
        done.append((split_name, draft))
    if dropped:
        log.info("dropped (answer not in the ranked prompt facts, or unsupported): %s", dict(dropped))
    return done


def _finish(pending: Pending, prompt_facts: PromptFacts) -> Draft | None:
    """The draft for the first wording of the question whose ranked facts hold its target."""
    for question in pending.candidates():
        asked = pending.asking(question)
        draft = asked.resolve(prompt_facts.facts(asked.exhibit, question))
        if draft is not None:
            return draft
    return None


def prompt_exhibit(example: Example, exhibits: dict[str, Exhibit]) -> Exhibit | None:
    """The exhibit whose facts the prompt shows: the example's own, else the one named by 'Exhibit: <title>'."""
    if example.exhibit_id in exhibits:
        return exhibits[example.exhibit_id]
    user = next((m.content for m in example.messages if m.role == "user"), "")
    first = user.splitlines()[0] if user else ""
    by_title = {e.title: e for e in exhibits.values()}
    return by_title.get(first.removeprefix("Exhibit: ")) if first.startswith("Exhibit: ") else None


def unsupported_targets(examples: list[Example], exhibits: dict[str, Exhibit]) -> list[str]:
    """'id: sentence (reason)' for each target sentence the serving claim checker would withhold (none should)."""
    flagged = []
    for example in examples:
        exhibit = prompt_exhibit(example, exhibits)
        if exhibit is not None:
            flagged += [f"{example.id}: {reason}" for reason in unsupported_reasons(example.target, exhibit)]
    return flagged


def sample_by_task(
    examples: list[Example], limit: int | None, *, seed: int, weights: Mapping[str, float] | None = None
) -> list[Example]:
    """At most about `limit` examples, each task keeping its (weighted) share, at least one, seeded."""
    rng = random.Random(seed)
    if limit is None or limit >= len(examples):
        chosen = list(examples)
    else:
        by_task: dict[Task, list[Example]] = {}
        for example in examples:
            by_task.setdefault(example.task, []).append(example)
        chosen = []
        weight = {task: (weights or {}).get(str(task.value), 1.0) for task in by_task}
        total = sum(weight[task] * len(group) for task, group in by_task.items())
        for task, group in by_task.items():
            share = max(1, round(limit * weight[task] * len(group) / total))
            chosen += rng.sample(group, k=min(share, len(group)))
    rng.shuffle(chosen)
    return chosen


def write_dataset(examples: list[Example], folder: Path) -> dict[Split, Path]:
    """`<folder>/<split>.jsonl` for each split; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for split in SPLITS:
        path = folder / f"{split}.jsonl"
        rows = [e.model_dump_json() for e in examples if e.split == split]
        path.write_text("\n".join(rows) + ("\n" if rows else ""), encoding="utf-8")
        paths[split] = path
    return paths


def read_split(folder: Path, split: Split) -> list[Example]:
    """The examples of one split written by `write_dataset`."""
    path = folder / f"{split}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `guide dataset build` first")
    return [
        Example.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line
    ]


def dataset_card(examples: list[Example], settings: DataSettings) -> str:
    """Markdown: how the dataset is made and its counts per task and split."""
    counts = Counter((e.task, e.split) for e in examples)
    exhibits = {s: sorted({e.exhibit_id for e in examples if e.split == s and e.exhibit_id}) for s in SPLITS}
    rows = [
        f"| {task.value} | "
        + " | ".join(str(counts[(task, s)]) for s in SPLITS)
        + f" | {sum(counts[(task, s)] for s in SPLITS)} |"
        for task in Task
    ]
    totals = " | ".join(str(sum(1 for e in examples if e.split == s)) for s in SPLITS)
    return "\n".join(
        [
            "# Dataset card: grounded instructions in the server's prompt layout",
            "",
            "Built by `guide dataset build` (also by `guide train`) from `exhibits/*.json`. Every prompt is",
            "rendered by `guide_server.generation.prompts` exactly as the server asks: a description prompt",
            "lists the audience's narration plan (`narration.plan`) and its target says every planned",
            "statement in order, one per sentence (a second variant joins some with 'Later,' or 'Today,');",
            "an answer prompt shows the statement that answers, chosen among the three",
            "`narration.retrieval.FactRanker` (bm25s + packaged MiniLM) ranks best for that very question,",
            "and its target states it first. Every sentence of every target passes",
            "`narration.claim_checker.check_sentence` against its exhibit (the server drops any sentence that",
            "does not). A question whose answering statement the ranker leaves out of its top three is dropped",
            "rather than taught to answer from memory (the build logs how many).",
            "",
            f"Seed {settings.seed}; paraphrases {settings.paraphrases}. Split BY EXHIBIT: test exhibits are never",
            "seen in training; unknown-exhibit subjects are split the same way, and asked at exhibits of the",
            "same split. Visitor questions from `training/evaluation/data/questions.jsonl` are used only when",
            "they are about, and asked at, a training exhibit"
            + (" (on in this build)." if settings.visitor_questions else " (off in this build)."),
            "",
            "| task | train | validation | test | total |",
            "| --- | --- | --- | --- | --- |",
            *rows,
            f"| **all** | {totals} | {len(examples)} |",
            "",
            *(f"- {s} exhibits ({len(exhibits[s])}): {', '.join(exhibits[s])}" for s in SPLITS),
            "",
            "Tasks and targets:",
            "- description: 3 (child) or 3-4 (adult, expert) of the prompt's facts, copied one per sentence",
            "  ('It ...' opening a description gets the exhibit's name; 'Also,' may join the last one).",
            "- single_fact: three or more hand-written paraphrased questions per fact (who, when, where, what",
            "  it is made of, how many; `dataset/fact_questions.py`), questions on the period and the place,",
            "  and training exhibits' answerable visitor questions; target = the answering statement, copied.",
            "- combined_facts: two questions in one; both statements copied, in the order asked.",
            "- false_premise: a wrong year, person, number or district asserted; target",
            "  \"The museum's record says: <the record's statement>\", never the false value.",
            '- not_in_record: questions the facts cannot answer; target exactly "The museum\'s record does not say."',
            "- unknown_exhibit: subjects the museum does not hold; target the server's reply, naming nothing.",
            "- injection: visitor-side instructions; target answers from the facts or says the record does not",
            "  say, never the payload.",
            "- harmful: stealing, damage, looting, smuggling; target the server's refusal, word for word.",
            "- passage: extra texts in training/data/*.txt|md shown as facts; feedback: curators' corrections",
            "  from training/data/feedback*.jsonl (dropped when the claim checker would withhold them).",
            "",
        ]
    )
