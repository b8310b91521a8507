"""The facts an answer prompt leads with: the serving ranker's top statements for each question.

`guide_server.narration.retrieval.FactRanker` with the packaged MiniLM embedder, exactly as the
server ranks (top `ANSWER_FACTS`). Ranking one question at a time embeds one query per call;
`PromptFacts.prepare` embeds every question of a build in one batch first, so a full dataset
build ranks about two thousand questions in seconds. Results are memoised per process.
"""

from __future__ import annotations

from functools import lru_cache

from guide_core.catalogue.models import Exhibit
from guide_server.generation.prompts import ANSWER_FACTS
from guide_server.narration.retrieval import FactRanker, MiniLMEmbedder, statements


class PromptFacts:
    """Ranked statement texts for (exhibit, question), as the server would put them in the prompt."""

    def __init__(self, ranker: FactRanker | None = None) -> None:
        self._ranker = ranker
        self._memo: dict[tuple[str, str, str], list[str]] = {}

    @property
    def ranker(self) -> FactRanker:
        """The ranker (the packaged MiniLM is loaded on first use)."""
        if self._ranker is None:
            self._ranker = FactRanker(MiniLMEmbedder(cache_size=50_000))
        return self._ranker

    def prepare(self, pairs: list[tuple[Exhibit, str]]) -> None:
        """Embed all the questions (and statements) of `pairs` in one batch; ranking them is then cheap."""
        todo = [(e, q) for e, q in pairs if self._key(e, q) not in self._memo]
        if not todo:
            return
        texts = [f"{e.title}: {q}" for e, q in todo]  # the query text FactRanker.rank embeds
        texts += [s.text for e in {e.id: e for e, _ in todo}.values() for s in statements(e)]
        self.ranker.embedder.encode(list(dict.fromkeys(texts)))

    def facts(self, exhibit: Exhibit, question: str) -> list[str]:
        """The texts of the `ANSWER_FACTS` statements ranked best for `question`, best first."""
        key = self._key(exhibit, question)
        if key not in self._memo:
            ranked = self.ranker.rank(exhibit, question, k=ANSWER_FACTS)
            self._memo[key] = [r.statement.text for r in ranked]
        return list(self._memo[key])

    @staticmethod
    def _key(exhibit: Exhibit, question: str) -> tuple[str, str, str]:
        return (exhibit.id, exhibit.model_dump_json(), question)


@lru_cache(maxsize=1)
def default_prompt_facts() -> PromptFacts:
    """One shared instance per process (it holds the embedder and the memo)."""
    return PromptFacts()
