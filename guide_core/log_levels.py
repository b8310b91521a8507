"""One log level for every guide process: -v (DEBUG), else $GUIDE_LOG_LEVEL, else INFO.

`guide demo` starts its children with GUIDE_LOG_LEVEL=WARNING, so uvicorn's and
the robot nodes' start-up and connection lines stay out of a newcomer's terminal.
"""

from __future__ import annotations

import logging
import os

LOG_LEVEL_ENV = "GUIDE_LOG_LEVEL"


QUIET_UNLESS_VERBOSE = {"bitsandbytes": logging.ERROR}
"""Third-party loggers whose warnings say nothing an operator can act on: bitsandbytes, imported by
transformers through peft on every start, warns that the optional `kernels` package (not on the index)
is missing for a CPU 4-bit kernel the guide does not serve with. Shown again with -v."""


def configure_logging(*, verbose: bool) -> None:
    """Set up the root logger at the guide's level."""
    level = logging.DEBUG if verbose else os.environ.get(LOG_LEVEL_ENV, "INFO").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not verbose:
        for name, quiet_level in QUIET_UNLESS_VERBOSE.items():
            logging.getLogger(name).setLevel(quiet_level)


def uvicorn_log_level() -> str:
    """uvicorn's `log_level` for the root logger's level (`warning` hides its connection lines)."""
    return logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower()


def ros_log_level() -> str:
    """The `--log-level` rclpy nodes get for the root logger's level."""
    level = logging.getLogger().getEffectiveLevel()
    for threshold, name in ((logging.ERROR, "ERROR"), (logging.WARNING, "WARN"), (logging.INFO, "INFO")):
        if level >= threshold:
            return name
    return "DEBUG"
