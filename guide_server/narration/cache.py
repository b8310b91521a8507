"""Finished descriptions, kept by what the exhibit says, who speaks and for whom.

Key: (exhibit id, exhibit fingerprint, model id, audience, language). The
fingerprint (`Catalogue.fingerprints`) changes with any curator edit, so an
edited exhibit never gets an old description; `invalidate` also drops the
entries of changed exhibits at once to free memory. Bounded: least recently
used entries go first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from guide_core.protocol import Audience, FactCheck, FinishReason, Language


@dataclass(frozen=True)
class CacheKey:
    """What makes two descriptions interchangeable."""

    exhibit_id: str
    fingerprint: str
    model_id: str
    audience: Audience
    language: Language


@dataclass(frozen=True)
class CachedDescription:
    """A finished description, as the chunks it was streamed in."""

    chunks: tuple[str, ...]
    token_count: int
    finish_reason: FinishReason
    fact_check: FactCheck | None


class DescriptionCache:
    """An LRU map of `CacheKey` to `CachedDescription`; `maxsize=0` disables it."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[CacheKey, CachedDescription] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: CacheKey) -> CachedDescription | None:
        """The cached description for `key`, or None."""
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: CacheKey, entry: CachedDescription) -> None:
        """Keep `entry`, dropping the least recently used one when full."""
        if self.maxsize <= 0:
            return
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def invalidate(self, exhibit_ids: Iterable[str]) -> int:
        """Drop every entry of these exhibits; returns how many went."""
        ids = set(exhibit_ids)
        stale = [key for key in self._entries if key.exhibit_id in ids]
        for key in stale:
            del self._entries[key]
        return len(stale)
