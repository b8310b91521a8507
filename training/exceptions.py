"""Every error training raises, each naming what is wrong.

ConfigError         a training config names a bad value (every field at fault; a ValueError)
FeedbackFileError   a feedback JSONL line is malformed or names an unknown exhibit (a ValueError)
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A training config names a bad value; the message lists every field at fault."""


class FeedbackFileError(ValueError):
    """A feedback JSONL line is malformed or names an exhibit the catalogue lacks."""
