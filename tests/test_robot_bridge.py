"""The bridge node over real DDS and a real WebSocket: hello/welcome, goals to /goal_pose, and
events buffered across a server restart, delivered once and in order.

The server here is a small stand-in speaking the same protocol models on /ws/robot: a restart
of the server at a chosen moment is the fault under test.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TIMEOUT
from guide_robot.guide_bridge_node import GuideBridgeNode
from guide_robot.messages import proximity_msg
from guide_robot.proximity_node import ProximityNode
from guide_robot.sim_turtlebot_node import SimTurtlebotNode
from guide_robot.synthetic_museum import write_museum
from guide_robot.topics import EVENTS_QOS, EVENTS_TOPIC
from rclpy.parameter import Parameter
from robot_support import Session, ros_session, wait_until
from std_msgs.msg import String
from websockets.asyncio.server import ServerConnection, serve

from guide_core.protocol import (
    ClientKind,
    Goto,
    Hello,
    Pose,
    Proximity,
    ProximityKind,
    Welcome,
    dump_message,
    parse_client_message,
)

TOKEN = "robot-token-for-tests"


class StandInServer:
    """A /ws/robot endpoint on a fixed port that can be stopped and started again."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/ws/robot"
        self.received: list[Pose | Proximity] = []
        self.hellos: list[Hello] = []
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = None
        self._sockets: set[ServerConnection] = set()

    def start(self) -> None:
        """Listen on the port."""
        self._call(self._start())

    def stop(self) -> None:
        """Close every connection and stop listening."""
        self._call(self._stop())

    def send_to_robot(self, message: Goto) -> None:
        """Send a message to every connected robot."""
        self._call(self._broadcast(dump_message(message)))

    def wait_for(self, condition: Callable[[list], bool], what: str) -> None:
        """Block until `condition(received)` holds."""
        with self._changed:
            if not self._changed.wait_for(lambda: condition(self.received), TIMEOUT):
                raise AssertionError(f"timed out waiting for {what}; received {self.received}")

    def close(self) -> None:
        """Stop and end the server's thread."""
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(TIMEOUT)

    def _call(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(TIMEOUT)

    async def _start(self) -> None:
        self._server = await serve(self._handle, "127.0.0.1", self.port)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _broadcast(self, text: str) -> None:
        for connection in list(self._sockets):
            await connection.send(text)

    async def _handle(self, connection: ServerConnection) -> None:
        hello = parse_client_message(await connection.recv())
        assert isinstance(hello, Hello) and hello.client == ClientKind.ROBOT and hello.token == TOKEN
        await connection.send(
            dump_message(Welcome(session_id=f"s{len(self.hellos)}", tour=hello.tour, model_id="stand-in"))
        )
        self._sockets.add(connection)
        with self._changed:
            self.hellos.append(hello)
            self._changed.notify_all()
        try:
            async for frame in connection:
                message = parse_client_message(frame)
                with self._changed:
                    self.received.append(message)
                    self._changed.notify_all()
        finally:
            self._sockets.discard(connection)


@pytest.fixture
def server() -> StandInServer:
    stand_in = StandInServer()
    stand_in.start()
    yield stand_in
    stand_in.close()


@pytest.fixture
def session() -> Session:
    with ros_session() as session:
        yield session


def _bridge(session: Session, server: StandInServer, **values: object) -> GuideBridgeNode:
    params = {
        "server_url": server.url,
        "token": TOKEN,
        "pose_interval": 0.1,
        "backoff_initial": 0.05,
        "backoff_max": 0.2,
    }
    node = GuideBridgeNode(
        context=session.context,
        parameter_overrides=[Parameter(k, value=v) for k, v in {**params, **values}.items()],
    )
    return session.add(node)


def _events(received: list) -> list[Proximity]:
    return [m for m in received if isinstance(m, Proximity)]


def test_goal_through_the_bridge_brings_the_simulated_robot_to_the_exhibit(
    session: Session, server: StandInServer, tmp_path: Path
) -> None:
    museum = write_museum(tmp_path / "exhibits", count=4, spacing=3.0, radius=1.0, columns=4)
    fast = {"exhibits_dir": str(museum)}
    session.add(
        SimTurtlebotNode(
            context=session.context,
            parameter_overrides=[
                Parameter(k, value=v)
                for k, v in {
                    **fast,
                    "follow_tour": False,
                    "speed": 3.0,
                    "turn_rate": 6.0,
                    "start_x": 9.0,
                }.items()
            ],
        )
    )
    session.add(
        ProximityNode(
            context=session.context,
            parameter_overrides=[
                Parameter(k, value=v)
                for k, v in {**fast, "dwell_time": 0.3, "min_stay": 0.2, "odom_x": 9.0}.items()
            ],
        )
    )
    bridge = _bridge(session, server)
    assert bridge.client is not None
    server.wait_for(lambda r: any(isinstance(m, Pose) for m in r), "the first pose")
    assert server.hellos[0].tour == "default"
    server.send_to_robot(Goto(exhibit_id="exhibit-002", x=9.0, y=3.0, frame_id="map"))
    server.wait_for(
        lambda r: (
            [(e.event, e.exhibit_id) for e in _events(r)][-1:] == [(ProximityKind.DWELL, "exhibit-002")]
        ),
        "the robot dwelling at exhibit-002",
    )
    kinds = [(str(e.event), e.exhibit_id) for e in _events(server.received)]
    # Straight from (9, 0) to (9, 3): no other zone on the way.
    assert kinds == [("enter", "exhibit-002"), ("dwell", "exhibit-002")]
    last_pose = [m for m in server.received if isinstance(m, Pose)][-1]
    assert last_pose.frame_id == "map" and abs(last_pose.x - 9.0) < 1.3


def test_events_while_the_server_is_down_arrive_once_in_order_after_restart(
    session: Session, server: StandInServer
) -> None:
    bridge = _bridge(session, server, buffer_size=3)
    assert bridge.client is not None
    wait_until(bridge.client.connected.is_set, "the first connection")
    events = session.node("test_proximity_source").create_publisher(String, EVENTS_TOPIC, EVENTS_QOS)
    wait_until(lambda: events.get_subscription_count() > 0, "the bridge's subscription")

    def event(seq: int) -> Proximity:
        kind = (ProximityKind.ENTER, ProximityKind.DWELL, ProximityKind.LEAVE)[seq % 3]
        return Proximity(
            event=kind, exhibit_id="exhibit-001", distance=0.5, bearing=0.1, seq=seq, stamp=float(seq)
        )

    events.publish(proximity_msg(event(0)))
    server.wait_for(lambda r: len(_events(r)) == 1, "the event sent while connected")

    server.stop()
    wait_until(lambda: not bridge.client.connected.is_set(), "the bridge noticing the server is gone")
    for seq in range(1, 6):
        events.publish(proximity_msg(event(seq)))
    # The buffer holds 3: events 1 and 2 are dropped (with a warning), 3, 4, 5 wait.
    wait_until(lambda: bridge.buffer.dropped == 2 and len(bridge.buffer) == 3, "five events in the buffer")

    server.start()
    server.wait_for(lambda r: len(_events(r)) >= 4, "the buffered events")
    wait_until(lambda: len(bridge.buffer) == 0, "an empty buffer")
    events.publish(proximity_msg(event(6)))
    server.wait_for(lambda r: len(_events(r)) >= 5, "the event after reconnecting")
    assert [e.seq for e in _events(server.received)] == [0, 3, 4, 5, 6]
    assert len(server.hellos) == 2 and bridge.client.sessions == 2
