"""uvicorn for the guide: its settings, `OperatorServer` for `guide serve`, and `running_server` (an app
under a real uvicorn server inside the current event loop, for tests and benchmarks)."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import FrameType

import uvicorn
from fastapi import FastAPI

from guide_core.tls import ServerCertificate
from guide_server.core.log_redaction import install_redaction

WS_MAX_FRAME_BYTES = 1024 * 1024
"""Frames up to this size reach the protocol's own limit check (an `error`, the socket stays);
larger ones are refused by the transport (close 1009)."""


def uvicorn_config(
    app: FastAPI | str, *, host: str, port: int, log_level: str = "info", **extra
) -> uvicorn.Config:
    """The uvicorn settings the guide runs with (its loggers redact tokens in URLs)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        ws_max_size=WS_MAX_FRAME_BYTES,
        ws_ping_interval=20,
        ws_ping_timeout=20,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        **extra,
    )
    install_redaction()
    return config


def tls_options(certificate: ServerCertificate | None) -> dict[str, str]:
    """uvicorn's options for serving https/wss with `certificate` (none for plain http)."""
    if certificate is None:
        return {}
    return {"ssl_certfile": str(certificate.cert), "ssl_keyfile": str(certificate.key)}


GRACEFUL_SHUTDOWN_S = 10
"""How long shutdown waits for open connections and tasks before closing them."""


class OperatorServer(uvicorn.Server):
    """uvicorn's server, with a repeated Ctrl-C a clean stop too.

    uvicorn turns a second SIGINT into a forced exit that skips the app's shutdown (engine,
    catalogue watch) and logs the cancelled lifespan as an error; `ros2 launch` sends that second
    SIGINT on its own. Here it is ignored while the graceful shutdown (bounded by
    GRACEFUL_SHUTDOWN_S) runs; SIGTERM keeps uvicorn's meaning.
    """

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """uvicorn's signal handler, less the forced exit on a repeated SIGINT."""
        if sig == signal.SIGINT and self.should_exit:
            return
        super().handle_exit(sig, frame)


@asynccontextmanager
async def running_server(
    app: FastAPI,
    *,
    host: str = "127.0.0.1",
    log_level: str = "warning",
    tls: ServerCertificate | None = None,
) -> AsyncIterator[str]:
    """Serve `app` on a free port of `host`; yields the base URL (`http://host:port`, https with `tls`)."""
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say so, and without
    # it Nagle's algorithm holds each small frame up to 40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn_config(app, host=host, port=port, log_level=log_level, **tls_options(tls))
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the server stopped before it started")
            await asyncio.sleep(0.01)
        yield f"{'https' if tls else 'http'}://{host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
