"""One timed exhibit visit on a real server: visitors on the tour, the robot enters, then leaves.

Shared by `guide bench serve` and `guide bench speech`: each passes its own
`listen(socket)` that reads one visitor's messages and returns what it timed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


async def timed_visit(
    url: str,
    count: int,
    exhibit_id: str,
    seq: int,
    listen: Callable[[Any], Coroutine[Any, Any, T]],
    *,
    speech: bool = False,
) -> tuple[float, list[T]]:
    """(perf_counter when `enter` was sent, each visitor's `listen` result); `leave` follows."""
    from websockets.asyncio.client import connect

    from guide_core.demo_tokens import DEMO_ROBOT_TOKEN, DEMO_VISITOR_TOKEN
    from guide_core.protocol import (
        ClientKind,
        Hello,
        Proximity,
        ProximityKind,
        dump_message,
        parse_server_message,
    )

    ws = url.replace("http://", "ws://")
    sockets = [await connect(f"{ws}/ws/visitor", max_size=None) for _ in range(count)]
    robot = await connect(f"{ws}/ws/robot")
    try:
        for socket in sockets:
            hello = Hello(client=ClientKind.VISITOR, token=DEMO_VISITOR_TOKEN, speech=speech)
            await socket.send(dump_message(hello))
        for socket in sockets:  # every visitor is on the tour before the robot arrives
            while parse_server_message(await socket.recv()).type != "tour.state":
                pass
        await robot.send(dump_message(Hello(client=ClientKind.ROBOT, token=DEMO_ROBOT_TOKEN)))
        await robot.recv()
        listeners = [asyncio.create_task(listen(socket)) for socket in sockets]
        sent = time.perf_counter()
        event = Proximity(
            event=ProximityKind.ENTER,
            exhibit_id=exhibit_id,
            distance=1.0,
            bearing=0.0,
            seq=seq,
            stamp=time.time(),
        )
        await robot.send(dump_message(event))
        results = await asyncio.gather(*listeners)
        leave = event.model_copy(update={"event": ProximityKind.LEAVE, "seq": seq + 1, "stamp": time.time()})
        await robot.send(dump_message(leave))
    finally:
        for socket in [*sockets, robot]:
            await socket.close()
    return sent, results
