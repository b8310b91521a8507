"""What every socket shares: origin check, the `hello` handshake, and the send/receive pair.

Close codes (`protocol.CloseCode`), each after an `error` message saying why:
4400 no valid `hello` in time, 4401 bad token, 4403 browser origin not allowed,
4408 too slow (resume), 4409 replaced by a newer robot, 4426 protocol version,
4429 no room for another tour.

Every other bad input (malformed JSON, unknown type, missing field, too large,
binary frame ...) gets an `error` and the connection stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import WebSocket, WebSocketDisconnect

from guide_core.exceptions import ProtocolError
from guide_core.protocol import (
    PROTOCOL_VERSION,
    ClientKind,
    ClientMessage,
    CloseCode,
    Error,
    ErrorCode,
    Hello,
    parse_client_message,
)
from guide_server.api.deps import token_matches
from guide_server.api.services import GuideServices
from guide_server.exceptions import ConnectionReplaced, OutboxClosed, OutboxOverflow, TourLimitReached
from guide_server.tours.delivery import Connection, Outbox
from guide_server.tours.tour import Tour

log = logging.getLogger(__name__)

CLOSE_CODES: dict[type[OutboxClosed], CloseCode] = {
    OutboxOverflow: CloseCode.TOO_SLOW,
    ConnectionReplaced: CloseCode.REPLACED,
}
"""How each way a connection must end closes its socket (the edge's mapping; tours/ knows no codes)."""


def close_code_for(ending: OutboxClosed) -> int:
    """The WebSocket close code for `ending` (1000, a normal close, for any other)."""
    return next((int(code) for kind, code in CLOSE_CODES.items() if isinstance(ending, kind)), 1000)


Handler = Callable[[ClientMessage], Awaitable[None]]


class HandshakeRefused(Exception):
    """The socket must close: the error to send and the close code."""

    def __init__(self, code: ErrorCode, message: str, close_code: CloseCode) -> None:
        super().__init__(message)
        self.error = Error(code=code, message=message)
        self.close_code = close_code


def origin_allowed(websocket: WebSocket, allowed: list[str]) -> bool:
    """Non-browser clients send no Origin; browsers must come from this server or the allow-list.

    The server's own origin counts only when it is addressed by IP or as localhost: a page on a
    DNS name that an attacker points at this machine (DNS rebinding) has Host equal to its Origin
    too, so a museum that serves the page under a name lists it in GUIDE_ALLOWED_ORIGINS.
    """
    origin = websocket.headers.get("origin")
    if origin is None or origin in allowed or "*" in allowed:
        return True
    host = websocket.headers.get("host", "")
    return urlsplit(origin).netloc == host and _addressed_directly(host)


def _addressed_directly(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


async def receive_frame(websocket: WebSocket) -> str | bytes:
    """The next text or binary frame; raises `WebSocketDisconnect` when the client left."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    return text if text is not None else message.get("bytes") or b""


async def refuse(websocket: WebSocket, services: GuideServices, refused: HandshakeRefused) -> None:
    """Send the error and close with its code; the client may already be gone."""
    services.metrics.client_errors.labels(refused.error.code.value).inc()
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await websocket.send_text(refused.error.model_dump_json(exclude_none=True))
        await websocket.close(code=refused.close_code, reason=refused.error.message[:120])


async def handshake(
    websocket: WebSocket,
    services: GuideServices,
    *,
    kinds: set[ClientKind],
    expected_token: str,
    endpoint: str,
) -> Hello:
    """Accept the socket and read a valid `hello`, or raise `HandshakeRefused`."""
    settings = services.settings
    await websocket.accept()
    if not origin_allowed(websocket, settings.allowed_origins):
        raise HandshakeRefused(
            ErrorCode.NOT_ALLOWED,
            f"origin {websocket.headers.get('origin')!r} is not allowed: add it to GUIDE_ALLOWED_ORIGINS",
            CloseCode.FORBIDDEN_ORIGIN,
        )
    try:
        async with asyncio.timeout(settings.hello_timeout_s):
            raw = await receive_frame(websocket)
        message = parse_client_message(raw)
    except TimeoutError:
        raise HandshakeRefused(
            ErrorCode.HELLO_REQUIRED,
            f"no hello within {settings.hello_timeout_s:g} s: send hello first",
            CloseCode.HELLO_REQUIRED,
        ) from None
    except ProtocolError as exc:
        raise HandshakeRefused(
            exc.error.code,
            f"{exc.error.message} (the first message must be a hello)",
            CloseCode.HELLO_REQUIRED,
        ) from None
    if not isinstance(message, Hello):
        raise HandshakeRefused(
            ErrorCode.HELLO_REQUIRED,
            f"the first message must be a hello, not {message.type!r}",
            CloseCode.HELLO_REQUIRED,
        )
    if message.client not in kinds:
        raise HandshakeRefused(
            ErrorCode.NOT_ALLOWED,
            f"a {message.client.value} cannot use {endpoint}: robots use /ws/robot, visitors /ws/visitor",
            CloseCode.HELLO_REQUIRED,
        )
    if message.protocol != PROTOCOL_VERSION:
        raise HandshakeRefused(
            ErrorCode.BAD_PROTOCOL_VERSION,
            f"this server speaks protocol {PROTOCOL_VERSION}, the client {message.protocol}: update the client",
            CloseCode.BAD_PROTOCOL_VERSION,
        )
    if not token_matches(message.token, expected_token):
        raise HandshakeRefused(
            ErrorCode.UNAUTHORIZED,
            "wrong or missing token: reconnect with the token the museum gave you",
            CloseCode.UNAUTHORIZED,
        )
    return message


def open_tour(services: GuideServices, hello: Hello) -> Tour:
    """The tour `hello` names, or `HandshakeRefused` when the server has no room for a new one."""
    try:
        return services.tours.get(hello.tour)
    except TourLimitReached as full:
        raise HandshakeRefused(ErrorCode.TOO_MANY_TOURS, str(full), CloseCode.TOO_MANY_TOURS) from None


def new_connection(services: GuideServices, hello: Hello) -> Connection:
    """A connection with a fresh session id and a bounded outbox."""
    return Connection(
        session_id=uuid.uuid4().hex,
        kind=hello.client,
        outbox=Outbox(services.settings.visitor_queue_size, on_merge=services.metrics.delta_merges.inc),
        profile=hello.profile,
    )


def send_error(services: GuideServices, connection: Connection, error: Error) -> None:
    """Queue an `error` for this client and count it."""
    services.metrics.client_errors.labels(error.code.value).inc()
    connection.outbox.offer(error)


async def _receive_loop(
    websocket: WebSocket, services: GuideServices, connection: Connection, handle: Handler
) -> None:
    while True:
        raw = await receive_frame(websocket)
        try:
            await handle(parse_client_message(raw))
        except ProtocolError as exc:
            send_error(services, connection, exc.error)
        except Exception:  # a bug must not end the visit: say so and carry on
            log.exception("handling a message from %s failed", connection.session_id)
            send_error(
                services,
                connection,
                Error(code=ErrorCode.INTERNAL, message="the server failed to handle that message; try again"),
            )


async def serve_connection(
    websocket: WebSocket, services: GuideServices, connection: Connection, handle: Handler
) -> None:
    """Run sending and receiving together; the first to end (disconnect, overflow, close) stops both."""
    sender = asyncio.create_task(connection.outbox.send_to(websocket.send_text))
    receiver = asyncio.create_task(_receive_loop(websocket, services, connection, handle))
    done, pending = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        exc = task.exception()
        if isinstance(exc, OutboxClosed):
            if isinstance(exc, OutboxOverflow):
                services.metrics.client_errors.labels(ErrorCode.TOO_SLOW.value).inc()
                error = Error(code=ErrorCode.TOO_SLOW, message=f"{exc.reason}: reconnect with hello.resume")
                with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                    await websocket.send_text(error.model_dump_json(exclude_none=True))
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await websocket.close(code=close_code_for(exc), reason=exc.reason[:120])
        elif exc is not None and not isinstance(exc, WebSocketDisconnect | OSError | RuntimeError):
            log.error("connection %s ended by %r", connection.session_id, exc)
