"""`guide_bridge_node`: the robot's side of the guide server's /ws/robot socket.

Forwards /guide/pose (rate-limited) and /guide/exhibit_proximity to the server
as `pose` and `proximity` messages, and publishes each `goto` it receives as a
/goal_pose (PoseStamped, map frame) for Nav2 or the simulator. Reconnects with
backoff; proximity events wait in a bounded buffer while the server is away.

`GuideBridgeNode` is the thin ROS shell; `BridgeClient` owns the socket: one
asyncio loop in its own thread. ROS callbacks hand it poses and proximity events
from other threads (`send_pose`, `send_event`); goals from the server come back
through `on_goal`, called on the client's thread. What it sends and what a
server frame means are decided in `bridge_core`, without sockets.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from geometry_msgs.msg import PoseStamped
from pydantic import ValidationError
from rclpy.node import Node
from std_msgs.msg import String
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from guide_core.backoff import Backoff
from guide_core.exceptions import CertificateMismatch
from guide_core.protocol import Goto, Pose, Proximity
from guide_core.tls import ClientTrust
from guide_robot.bridge_core import (
    EventBuffer,
    PoseRateLimit,
    check_server_url,
    expect_welcome,
    goal_from_frame,
    hello_text,
    pose_text,
    proximity_text,
)
from guide_robot.exceptions import ServerRefused
from guide_robot.messages import pose_stamped, robot_pose
from guide_robot.parameters import CheckedParameters
from guide_robot.proximity import RobotPose
from guide_robot.spin import spin_node
from guide_robot.topics import EVENTS_QOS, EVENTS_TOPIC, GOAL_TOPIC, POSE_TOPIC

DEFAULTS: dict[str, Any] = {
    "server_url": "ws://127.0.0.1:8000/ws/robot",
    "token": "",
    "tour": "default",
    "pose_interval": 0.5,
    "buffer_size": 200,
    "backoff_initial": 0.5,
    "backoff_max": 10.0,
    "ca_file": "",
    "cert_fingerprint": "",
}


def check_parameters(values: Mapping[str, Any]) -> list[str]:
    """Every problem with the bridge's parameters, each with its fix."""
    problems = []
    if (reason := check_server_url(values["server_url"])) is not None:
        problems.append(reason)
    else:  # the trust settings are checked against a URL that is one (else the URL's problem twice)
        try:
            client_trust(values).ssl_context(values["server_url"])
        except ValueError as exc:
            problems.append(f"{exc} (parameters ca_file / cert_fingerprint)")
    if not values["token"]:
        problems.append("token is empty: set it to the guide server's robot token (--token or token:=...)")
    if not 0.0 < values["pose_interval"] <= 60.0:
        problems.append(f"pose_interval {values['pose_interval']} s must be above 0 and at most 60")
    if not 1 <= values["buffer_size"] <= 100_000:
        problems.append(f"buffer_size {values['buffer_size']} must be from 1 to 100000 events")
    if not 0.0 < values["backoff_initial"] <= values["backoff_max"]:
        problems.append("backoff_initial must be above 0 and at most backoff_max (seconds)")
    return problems


def client_trust(values: Mapping[str, Any]) -> ClientTrust:
    """How the bridge trusts a wss:// server: system CAs, `ca_file`, or the pinned `cert_fingerprint`."""
    return ClientTrust(
        ca_file=Path(values["ca_file"]) if values["ca_file"] else None,
        fingerprint=values["cert_fingerprint"] or None,
    )


log = logging.getLogger(__name__)

HELLO_TIMEOUT = 5.0
"""Seconds to wait for the server's welcome."""


class BridgeClient:
    """Keeps one robot socket to the guide server open for as long as it runs."""

    def __init__(
        self,
        *,
        url: str,
        token: str,
        tour: str,
        buffer: EventBuffer,
        pose_interval: float,
        on_goal: Callable[[Goto], None],
        backoff: Backoff,
        trust: ClientTrust | None = None,
    ) -> None:
        self._url, self._token, self._tour = url, token, tour
        self._buffer = buffer
        self._pose_limit = PoseRateLimit(pose_interval)
        self._on_goal = on_goal
        self._backoff = backoff
        self._trust = trust or ClientTrust()
        self._latest_pose: Pose | None = None
        self._pose_lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(
            target=self._loop.run_until_complete, args=(self._run(),), daemon=True
        )
        self._thread.name = "guide-bridge"
        self.connected = threading.Event()
        """Set while a welcomed connection is open."""
        self.sessions = 0
        """How many times the server welcomed the robot."""
        self.untrusted = 0
        """How many times the server's certificate was refused (a pin or CA that does not match)."""

    def start(self) -> BridgeClient:
        """Start connecting in the background."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close the socket and end the client's thread."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()

    def send_event(self, event: Proximity) -> None:
        """Queue a proximity event; sent in order once connected. Safe from any thread."""
        self._buffer.push(event)
        self._poke()

    def send_pose(self, pose: Pose) -> None:
        """Offer the latest pose; sent at most once per pose interval. Safe from any thread."""
        with self._pose_lock:
            self._latest_pose = pose
        self._poke()

    def _poke(self) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                context = self._trust.ssl_context(self._url)
                async with connect(
                    self._url, open_timeout=HELLO_TIMEOUT, max_size=2**20, ssl=context
                ) as socket:
                    self._trust.verify_transport(socket.transport)  # before the token is sent
                    await self._session(socket)
            except ServerRefused as exc:
                log.error("%s; check the token parameter against the server's robot token", exc)
            except CertificateMismatch as exc:
                self.untrusted += 1
                log.error("refusing %s: %s (parameter cert_fingerprint)", self._url, exc)
            except ssl.SSLCertVerificationError as exc:
                self.untrusted += 1
                log.error(
                    "refusing %s: its certificate failed verification (%s); set ca_file to the CA that "
                    "signed it, or cert_fingerprint to the SHA-256 `guide serve --tls` printed",
                    self._url,
                    exc.verify_message or exc,
                )
            except (OSError, TimeoutError, WebSocketException) as exc:
                log.warning("guide server %s unreachable (%s)", self._url, exc or type(exc).__name__)
            finally:
                self.connected.clear()
            if self._stop.is_set():
                break
            delay = self._backoff.next_delay()
            log.info("reconnecting to %s in %.1f s (%d events waiting)", self._url, delay, len(self._buffer))
            try:
                await asyncio.wait_for(self._stop.wait(), delay)
            except TimeoutError:
                pass

    async def _session(self, socket: ClientConnection) -> None:
        """One welcomed connection: send, receive, until either side ends it or `stop`."""
        await socket.send(hello_text(token=self._token, tour=self._tour))
        welcome = expect_welcome(await asyncio.wait_for(socket.recv(), HELLO_TIMEOUT))
        log.info("connected to the guide server: session %s, tour %s", welcome.session_id, welcome.tour)
        self._backoff.reset()
        self.sessions += 1
        self.connected.set()
        tasks = [
            asyncio.create_task(self._receive(socket)),
            asyncio.create_task(self._send(socket)),
            asyncio.create_task(self._stop.wait()),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    async def _receive(self, socket: ClientConnection) -> None:
        async for frame in socket:
            goal = goal_from_frame(frame)
            if goal is not None:
                self._on_goal(goal)

    async def _send(self, socket: ClientConnection) -> None:
        """Send waiting events in order, then the latest pose when due. Safe to cancel:
        an event leaves the buffer only after its send returned."""
        while True:
            self._wake.clear()
            while (event := self._buffer.peek()) is not None:
                await socket.send(proximity_text(event))
                self._buffer.pop(event)
            with self._pose_lock:
                pose = self._latest_pose
            if pose is not None and self._pose_limit.due(asyncio.get_running_loop().time()):
                with self._pose_lock:
                    if self._latest_pose is pose:
                        self._latest_pose = None
                await socket.send(pose_text(pose))
            try:
                await asyncio.wait_for(self._wake.wait(), self._pose_limit.interval)
            except TimeoutError:
                pass


class GuideBridgeNode(Node):
    """Thin ROS shell around `BridgeClient`."""

    def __init__(self, **kwargs: Any) -> None:
        self.client: BridgeClient | None = None  # destroy_node may run after a failed start
        super().__init__("guide_bridge_node", **kwargs)
        self.params = CheckedParameters(self, DEFAULTS, check_parameters, restart_only=frozenset(DEFAULTS))
        values = self.params.values
        self.buffer = EventBuffer(values["buffer_size"])
        self._goals = self.create_publisher(PoseStamped, GOAL_TOPIC, 10)
        client = BridgeClient(
            url=values["server_url"],
            token=values["token"],
            tour=values["tour"],
            buffer=self.buffer,
            pose_interval=values["pose_interval"],
            on_goal=self._on_goto,
            backoff=Backoff(values["backoff_initial"], values["backoff_max"]),
            trust=client_trust(values),
        )
        self.create_subscription(PoseStamped, POSE_TOPIC, self._on_pose, 10)
        self.create_subscription(String, EVENTS_TOPIC, self._on_event, EVENTS_QOS)
        self.client = client.start()
        self.get_logger().info(f"bridging to {values['server_url']} (tour {values['tour']})")

    def destroy_node(self) -> None:
        """Close the server socket, then destroy the node."""
        if self.client is not None:
            self.client.stop()
        super().destroy_node()

    def _on_pose(self, msg: PoseStamped) -> None:
        if self.client is None:
            return
        pose = robot_pose(msg.pose)
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec / 1e9
        self.client.send_pose(
            Pose(frame_id=msg.header.frame_id or "map", x=pose.x, y=pose.y, yaw=pose.yaw, stamp=stamp)
        )

    def _on_event(self, msg: String) -> None:
        try:
            event = Proximity.model_validate_json(msg.data)
        except ValidationError as exc:
            self.get_logger().warning(f"ignoring a malformed proximity event on {EVENTS_TOPIC}: {exc}")
            return
        if self.client is not None:
            self.client.send_event(event)

    def _on_goto(self, goto: Goto) -> None:
        # Called on the client's thread; rclpy publishers are thread-safe.
        assert goto.x is not None and goto.y is not None
        self.get_logger().info(f"server sends the robot to {goto.exhibit_id} ({goto.x:.2f}, {goto.y:.2f})")
        goal = RobotPose(goto.x, goto.y, 0.0)
        self._goals.publish(pose_stamped(goal, frame_id=goto.frame_id or "map", stamp=self.get_clock().now()))


def main(args: list[str] | None = None) -> int:
    """Console script `guide_bridge_node`: init, spin, shut down."""
    return spin_node(GuideBridgeNode, args)


if __name__ == "__main__":
    sys.exit(main())
