"""`WS /ws/robot`: the robot bridge sends `pose` and `proximity`, and receives `goto`.

One robot per tour: a newer connection replaces the older one (closed with
4409), so a bridge that reconnects after a network drop takes over at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, WebSocket

from guide_core.exceptions import ProtocolError
from guide_core.protocol import ClientKind, ClientMessage, ErrorCode, Pose, Proximity, Welcome
from guide_server.api.services import GuideServices
from guide_server.api.sockets.session import (
    HandshakeRefused,
    handshake,
    new_connection,
    open_tour,
    refuse,
    serve_connection,
)
from guide_server.exceptions import ConnectionReplaced, UnknownExhibit

router = APIRouter()
log = logging.getLogger(__name__)
POSE_CHECKS_PER_TIMEOUT = 4
"""How often, per pose timeout, the server looks whether the robot's poses stopped."""


@router.websocket("/ws/robot")
async def robot_socket(websocket: WebSocket) -> None:
    """The robot bridge's socket."""
    services: GuideServices = websocket.app.state.services
    try:
        hello = await handshake(
            websocket,
            services,
            kinds={ClientKind.ROBOT},
            expected_token=services.settings.robot_token.get_secret_value(),
            endpoint="/ws/robot",
        )
        tour = open_tour(services, hello)
    except HandshakeRefused as refused:
        await refuse(websocket, services, refused)
        return
    robot = new_connection(services, hello)
    robot.outbox.offer(Welcome(session_id=robot.session_id, tour=tour.id, model_id=services.engine.model_id))
    previous = tour.attach_robot(robot)
    if previous is not None:
        previous.outbox.close(ConnectionReplaced("a newer robot connection took this tour over"))

    loop = asyncio.get_running_loop()

    async def handle(message: ClientMessage) -> None:
        if isinstance(message, Pose):
            tour.on_pose(robot, message, loop.time())
        elif isinstance(message, Proximity):
            log.info(
                "robot %s: proximity %s %s (seq %d)",
                robot.session_id,
                message.event,
                message.exhibit_id,
                message.seq,
            )
            try:
                await tour.on_proximity(message)
            except UnknownExhibit as exc:
                raise ProtocolError(ErrorCode.UNKNOWN_EXHIBIT, str(exc)) from exc
        else:
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED, f"the robot sends pose and proximity only, not {message.type!r}"
            )

    async def watch_pose() -> None:
        interval = services.settings.robot_pose_timeout_s / POSE_CHECKS_PER_TIMEOUT
        while True:
            await asyncio.sleep(interval)
            if tour.check_robot_pose(robot, loop.time()):
                services.metrics.client_errors.labels(ErrorCode.ROBOT_UNAVAILABLE.value).inc()

    services.metrics.connections.labels("robot").inc()
    watchdog = asyncio.create_task(watch_pose(), name=f"pose-watch-{robot.session_id}")
    try:
        await serve_connection(websocket, services, robot, handle)
    finally:
        watchdog.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watchdog
        services.metrics.connections.labels("robot").dec()
        tour.detach_robot(robot)
        services.tours.left(tour)
