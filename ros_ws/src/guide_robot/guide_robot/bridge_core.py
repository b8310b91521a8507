"""The robot bridge's protocol core, without sockets: what to send, what a server frame means.

The asyncio client in `guide_bridge_node` owns the socket; everything it decides is
here so that it can be tested with plain calls: the hello, parsing server
frames, the bounded buffer of proximity events and pose rate limiting (the
reconnect backoff is guide_core.backoff's).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import ValidationError

from guide_core.protocol import (
    ClientKind,
    Error,
    Goto,
    Hello,
    Pose,
    Proximity,
    Welcome,
    dump_message,
    parse_server_message,
)
from guide_robot.exceptions import ServerRefused

log = logging.getLogger(__name__)


def check_server_url(url: str) -> str | None:
    """Why `url` cannot be the server's robot socket, or None when it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        return (
            f"server_url {url!r} is not a WebSocket URL: use ws://HOST:PORT/ws/robot "
            "(e.g. ws://127.0.0.1:8000/ws/robot)"
        )
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return f"server_url {url!r} has a bad port: use a number from 1 to 65535"
    if not parts.path.rstrip("/").endswith("/ws/robot"):
        return f"server_url {url!r} must end in /ws/robot, the server's robot socket"
    return None


class EventBuffer:
    """Proximity events waiting to be sent, oldest first; bounded, dropping the oldest.

    Thread-safe: ROS callbacks `push`, the asyncio client `peek`s and `pop`s. An
    event leaves the buffer only after it was sent, so a connection lost mid-send
    keeps it for the next connection.
    """

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"buffer size {maxsize} must be at least 1")
        self._events: deque[Proximity] = deque()
        self._maxsize = maxsize
        self._lock = threading.Lock()
        self.dropped = 0
        """How many events were dropped because the buffer was full."""

    def __len__(self) -> int:
        with self._lock:
            return len(self._events)

    def push(self, event: Proximity) -> Proximity | None:
        """Queue `event`; returns the oldest event when it had to be dropped to make room."""
        with self._lock:
            dropped = self._events.popleft() if len(self._events) >= self._maxsize else None
            self._events.append(event)
        if dropped is not None:
            self.dropped += 1
            log.warning(
                "proximity buffer full (%d events): dropped %s of %s (seq %d); the server is unreachable",
                self._maxsize,
                dropped.event,
                dropped.exhibit_id,
                dropped.seq,
            )
        return dropped

    def peek(self) -> Proximity | None:
        """The oldest waiting event, left in place."""
        with self._lock:
            return self._events[0] if self._events else None

    def pop(self, event: Proximity) -> None:
        """Remove `event` after it was sent (no-op if it was dropped meanwhile)."""
        with self._lock:
            if self._events and self._events[0] is event:
                self._events.popleft()


@dataclass
class PoseRateLimit:
    """Let through at most one pose per `interval` seconds; the latest pose wins."""

    interval: float
    _last_sent: float = float("-inf")

    def due(self, now: float) -> bool:
        """Whether a pose may be sent at `now` (and if so, count it as sent)."""
        if now - self._last_sent < self.interval:
            return False
        self._last_sent = now
        return True


def hello_text(*, token: str, tour: str) -> str:
    """The first frame on the robot socket."""
    return dump_message(Hello(client=ClientKind.ROBOT, token=token, tour=tour))


def expect_welcome(raw: str | bytes) -> Welcome:
    """The server's reply to hello as a `Welcome`, or raise `ServerRefused` saying why."""
    try:
        message = parse_server_message(raw)
    except ValidationError as exc:
        raise ServerRefused(f"the server's reply to hello is not a protocol message: {exc}") from None
    if isinstance(message, Error):
        raise ServerRefused(f"the server refused the robot: {message.code}: {message.message}")
    if not isinstance(message, Welcome):
        raise ServerRefused(f"the server answered hello with {message.type!r} instead of 'welcome'")
    return message


def goal_from_frame(raw: str | bytes) -> Goto | None:
    """The `goto` in a server frame, if it is one the robot can drive to; None for anything else."""
    try:
        message = parse_server_message(raw)
    except ValidationError as exc:
        log.warning("ignoring a server frame that is not a protocol message: %s", exc)
        return None
    if isinstance(message, Error):
        log.warning("server error: %s: %s", message.code, message.message)
        return None
    if not isinstance(message, Goto):
        return None
    if message.x is None or message.y is None:
        log.warning(
            "goto %s came without x and y; the server should fill them from the floor plan",
            message.exhibit_id,
        )
        return None
    return message


def pose_text(pose: Pose) -> str:
    """A pose frame."""
    return dump_message(pose)


def proximity_text(event: Proximity) -> str:
    """A proximity frame, the event unchanged."""
    return dump_message(event)
