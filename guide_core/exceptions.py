"""Every error guide_core raises, each message saying what is wrong and how to fix it.

    CatalogueError          the exhibit catalogue cannot be loaded; `problems` lists every reason
    ProtocolError           a client message that cannot be accepted; carries the `error` to send
    TlsError                a certificate or key that cannot be used
    └── CertificateMismatch the server's certificate is not the pinned one

Mapped to HTTP statuses, `error` codes and close codes by the server's edge (guide_server.api).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guide_core.catalogue.problems import Problem
    from guide_core.protocol import Error, ErrorCode


class CatalogueError(Exception):
    """The catalogue cannot be loaded; `problems` says every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the exhibit catalogue:\n{lines}")


class ProtocolError(Exception):
    """A client message that cannot be accepted; carries the `error` to send back."""

    def __init__(self, code: ErrorCode, message: str, request_id: str | None = None) -> None:
        from guide_core.protocol import Error

        super().__init__(message)
        self.error: Error = Error(code=code, message=message, request_id=request_id)


class TlsError(Exception):
    """A certificate or key that cannot be used, with what to do about it."""


class CertificateMismatch(TlsError):
    """The server's certificate is not the one the client pinned."""
