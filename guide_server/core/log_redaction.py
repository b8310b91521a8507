"""Keep secrets out of the server's logs: tokens in URLs are replaced before a record is written.

The browser page takes its token from the address (`/?token=...`); uvicorn logs
every request line and WebSocket path with its query string at INFO. A filter on
uvicorn's loggers rewrites `token=<value>` (and `key=`, `access_token=`) to
`token=***` in those records. The guide's own code never logs tokens or
question texts; it logs session ids and request ids.
"""

from __future__ import annotations

import logging
import re

SECRET_QUERY = re.compile(r"(?i)\b((?:access_)?token|key)=[^&\s\"']*")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def redact(text: str) -> str:
    """`text` with every secret query value replaced by `***`."""
    return SECRET_QUERY.sub(r"\1=***", text)


class RedactSecrets(logging.Filter):
    """A logging filter that redacts secret query values in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_redaction(names: tuple[str, ...] = UVICORN_LOGGERS) -> None:
    """Add one `RedactSecrets` filter to each named logger (idempotent)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
