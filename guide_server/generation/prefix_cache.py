"""Reuse the attention cache of an earlier prompt that starts the same way.

A visitor's question about an exhibit repeats the system prompt and the exhibit
record of the description before it (about 410 of 440 tokens for SmolLM2), so the
model only has to read the question itself: the first token comes much sooner.

Not thread-safe: the engine runs one generation at a time.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

MIN_SHARED_TOKENS = 32
"""Shorter shared beginnings are not worth a lookup."""


@dataclass
class CachedPrefix:
    """A model cache holding exactly the key/values of `tokens`."""

    tokens: tuple[int, ...]
    cache: Any


def shared_length(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """How many leading tokens `a` and `b` have in common."""
    limit = min(len(a), len(b))
    for index in range(limit):
        if a[index] != b[index]:
            return index
    return limit


def crop_to(cache: Any, length: int) -> None:
    """Cut a transformers cache back to its first `length` tokens."""
    surplus = cache.get_seq_length() - length
    if surplus < 0:
        raise ValueError(f"cache holds {cache.get_seq_length()} tokens, fewer than the {length} asked for")
    if surplus:
        cache.crop(-surplus)  # transformers 5: a negative count removes that many tokens


class PrefixCache:
    """Up to `entries` prompt caches, least recently used dropped first."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._items: OrderedDict[tuple[int, ...], CachedPrefix] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def take(self, tokens: tuple[int, ...]) -> tuple[Any, int] | None:
        """Remove and return (cache cropped to the shared beginning, its length) for `tokens`.

        At least one token is always left for the model to read. The cache is handed
        over, not copied: generation extends it, and `keep` stores it again afterwards.
        """
        best, best_length = None, 0
        for entry in self._items.values():
            length = min(shared_length(entry.tokens, tokens), len(tokens) - 1)
            if length > best_length:
                best, best_length = entry, length
        if best is None or best_length < MIN_SHARED_TOKENS:
            return None
        del self._items[best.tokens]
        crop_to(best.cache, best_length)
        return best.cache, best_length

    def keep(self, tokens: tuple[int, ...], cache: Any) -> None:
        """Store `cache` (which may run past `tokens`) cropped to exactly `tokens`."""
        if self.entries <= 0:
            return
        crop_to(cache, len(tokens))
        self._items[tokens] = CachedPrefix(tokens, cache)
        self._items.move_to_end(tokens)
        while len(self._items) > self.entries:
            self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every cached prompt."""
        self._items.clear()
