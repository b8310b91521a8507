"""Helpers for the robot tests: an isolated DDS domain per test, a background executor, and a
recorder of proximity events that tests wait on (never sleep)."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import rclpy
from conftest import TIMEOUT
from guide_robot.topics import EVENTS_QOS, EVENTS_TOPIC
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from std_msgs.msg import String

from guide_core.protocol import Proximity

os.environ.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")
# Other helpers may run DDS on this machine at the same time: each test gets its own domain.
_DOMAINS = itertools.count(100 + os.getpid() % 60)


@contextmanager
def ros_session() -> Iterator[Session]:
    """A fresh rclpy context in an unused domain, spun by a background executor; torn down after."""
    context = Context()
    rclpy.init(context=context, domain_id=next(_DOMAINS) % 230)
    session = Session(context)
    try:
        yield session
    finally:
        session.close()


class Session:
    """Nodes spinning on one MultiThreadedExecutor in a background thread."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.executor = MultiThreadedExecutor(context=context)
        self.nodes: list[Node] = []
        self._thread = threading.Thread(target=self.executor.spin, daemon=True)
        self._thread.start()

    def add(self, node: Node) -> Node:
        """Spin `node` until the session ends."""
        self.nodes.append(node)
        self.executor.add_node(node)
        return node

    def node(self, name: str) -> Node:
        """A plain helper node in this session."""
        return self.add(Node(name, context=self.context))

    def close(self) -> None:
        """Destroy every node, stop the executor, shut the context down."""
        self.executor.shutdown(timeout_sec=TIMEOUT)
        for node in self.nodes:
            node.destroy_node()
        self._thread.join(TIMEOUT)
        rclpy.try_shutdown(context=self.context)


class EventRecorder:
    """Subscribes to /guide/exhibit_proximity and lets a test wait for a condition on what arrived."""

    def __init__(self, session: Session) -> None:
        self.events: list[Proximity] = []
        self._changed = threading.Condition()
        self.node = session.node("event_recorder")
        self.subscription = self.node.create_subscription(String, EVENTS_TOPIC, self._on_event, EVENTS_QOS)

    def _on_event(self, msg: String) -> None:
        with self._changed:
            self.events.append(Proximity.model_validate_json(msg.data))
            self._changed.notify_all()

    def wait_for(
        self, condition: Callable[[list[Proximity]], bool], what: str, *, timeout: float = TIMEOUT
    ) -> None:
        """Block until `condition(events)` holds, or fail naming `what` and the events seen."""
        with self._changed:
            if not self._changed.wait_for(lambda: condition(self.events), timeout):
                raise AssertionError(f"timed out waiting for {what}; events: {self.summary()}")

    def wait_while(
        self, action: Callable[[], None], condition: Callable[[list[Proximity]], bool], what: str
    ) -> None:
        """Repeat `action` (e.g. publish a pose) until `condition(events)` holds."""
        deadline = threading.Event()
        timer = threading.Timer(TIMEOUT, deadline.set)
        timer.start()
        try:
            while not deadline.is_set():
                action()
                with self._changed:
                    if self._changed.wait_for(lambda: condition(self.events), 0.05):
                        return
            raise AssertionError(f"timed out waiting for {what}; events: {self.summary()}")
        finally:
            timer.cancel()

    def summary(self) -> list[tuple[str, str]]:
        """(event, exhibit) pairs seen so far."""
        with self._changed:
            return [(str(e.event), e.exhibit_id) for e in self.events]


def wait_until(condition: Callable[[], bool], what: str, *, timeout: float = TIMEOUT) -> None:
    """Poll a condition that has no event of its own (e.g. DDS discovery) until it holds."""
    gate = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        gate.wait(0.02)
    raise AssertionError(f"timed out waiting for {what}")
