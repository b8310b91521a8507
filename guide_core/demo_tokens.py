"""The embedded demo tokens: accepted by the server only while it listens on loopback."""

from __future__ import annotations

DEMO_VISITOR_TOKEN = "demo-visitor-token-not-secret"
"""Embedded demo token for visitors: accepted only while the server listens on loopback."""
DEMO_ROBOT_TOKEN = "demo-robot-token-not-secret"
"""Embedded demo token for the robot bridge: accepted only while the server listens on loopback."""
DEMO_TOKENS = frozenset({DEMO_VISITOR_TOKEN, DEMO_ROBOT_TOKEN})
