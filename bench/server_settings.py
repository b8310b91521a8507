"""The guide server's settings for a benchmark run: the chosen engine, cache and watch off."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from guide_server.core.config import GuideSettings


def bench_settings(args: argparse.Namespace, feedback_db: Path, **overrides: Any) -> GuideSettings:
    """Settings from the bench's `--exhibits`, `--engine`, `--max-new-tokens`: every description
    generated (no cache), no catalogue watch, feedback in `feedback_db`; `overrides` on top."""
    return GuideSettings(
        exhibits_dir=args.exhibits,
        engine=args.engine,
        max_new_tokens=args.max_new_tokens,
        description_cache_size=0,
        watch_catalogue=False,
        feedback_db=feedback_db,
        **overrides,
    )
