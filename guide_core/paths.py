"""Where the project's own files live, found from the installed package."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXHIBITS_DIR = PROJECT_ROOT / "exhibits"
UNITY_BRIDGE_DIR = PROJECT_ROOT / "unity_bridge"
VAR_DIR = PROJECT_ROOT / "var"
"""Files the running guide makes: the feedback database, the self-signed TLS certificate."""
