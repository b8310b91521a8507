"""Feedback in SQLite (WAL mode, parameterised SQL only), and its export for training.

One row per `feedback` message: exhibit_id, request_id, rating, comment,
correction, author (visitor or curator), created_at (UTC, ISO 8601). Writes run
in a worker thread (`add_async`) so the event loop never blocks on the disk.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from guide_core.protocol import Feedback
from guide_server.core.config import DEFAULT_FEEDBACK_DB

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    exhibit_id TEXT NOT NULL,
    request_id TEXT,
    rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    comment TEXT,
    correction TEXT,
    author TEXT NOT NULL CHECK (author IN ('visitor', 'curator')),
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_exhibit ON feedback (exhibit_id);
"""
COLUMNS = ("id", "exhibit_id", "request_id", "rating", "comment", "correction", "author", "created_at")


class FeedbackRecord(BaseModel):
    """One stored feedback row, as training reads it."""

    id: int
    exhibit_id: str
    request_id: str | None
    rating: int | None
    comment: str | None
    correction: str | None
    author: Literal["visitor", "curator"]
    created_at: datetime


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


class FeedbackStore:
    """The feedback table of one SQLite file; safe to use from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with closing(_connect(self.path)) as connection, connection:
            connection.executescript(SCHEMA)

    def add(self, feedback: Feedback) -> int:
        """Store one feedback message; returns its id."""
        row = (
            feedback.exhibit_id,
            feedback.request_id,
            feedback.rating,
            feedback.comment,
            feedback.correction,
            feedback.author,
            datetime.now(UTC).isoformat(),
        )
        with self._lock, closing(_connect(self.path)) as connection, connection:
            cursor = connection.execute(
                "INSERT INTO feedback (exhibit_id, request_id, rating, comment, correction, author, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    async def add_async(self, feedback: Feedback) -> int:
        """`add` in a worker thread. Safe to cancel (the row may still be written)."""
        return await asyncio.to_thread(self.add, feedback)


def default_feedback_db() -> Path:
    """The server's feedback file: $GUIDE_FEEDBACK_DB, else var/feedback.sqlite3 in the project."""
    configured = os.environ.get("GUIDE_FEEDBACK_DB")
    return Path(configured) if configured else DEFAULT_FEEDBACK_DB


def export_feedback(path: Path | None = None, *, exhibit_id: str | None = None) -> list[FeedbackRecord]:
    """Every stored feedback row (of one exhibit if given), oldest first; [] if the file does not exist.

    With no `path`, reads the server's own file (`default_feedback_db()`).
    """
    path = Path(path) if path is not None else default_feedback_db()
    if not path.exists():
        return []
    query = f"SELECT {', '.join(COLUMNS)} FROM feedback"
    args: tuple[str, ...] = ()
    if exhibit_id is not None:
        query += " WHERE exhibit_id = ?"
        args = (exhibit_id,)
    with closing(_connect(path)) as connection:
        rows = connection.execute(query + " ORDER BY id", args).fetchall()
    return [FeedbackRecord.model_validate(dict(zip(COLUMNS, row, strict=True))) for row in rows]
