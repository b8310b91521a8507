"""One connected client as the tours see it: who it is and its outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from guide_core.protocol import ClientKind, VisitorProfile
from guide_server.tours.outbox import Outbox


@dataclass(eq=False)
class Connection:
    """A robot, visitor or listener socket; messages to it go through `outbox` only."""

    session_id: str
    kind: ClientKind
    outbox: Outbox
    profile: VisitorProfile = field(default_factory=VisitorProfile)
    speech: bool = False
    """The visitor wants `speech.audio` (and its language has a voice)."""
