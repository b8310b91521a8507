"""Shared fixtures: a private copy of the real catalogue, and one timeout unit."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from guide_core.paths import DEFAULT_EXHIBITS_DIR

TIMEOUT = float(os.environ.get("GUIDE_TEST_TIMEOUT", "10"))
"""Seconds to wait for an expected event; scale it up on a slow machine."""


@pytest.fixture
def exhibits_dir(tmp_path: Path) -> Path:
    """A writable copy of the curated catalogue that a test may edit or break."""
    target = tmp_path / "exhibits"
    shutil.copytree(DEFAULT_EXHIBITS_DIR, target)
    return target


@pytest.fixture(scope="session")
def catalogue():
    """The shipped catalogue, loaded once (read-only)."""
    from guide_core.catalogue.loader import load_catalogue_or_raise

    return load_catalogue_or_raise(DEFAULT_EXHIBITS_DIR)
