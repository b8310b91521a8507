"""The standard node lifecycle shared by every entry point: init, spin, shut down.

Catches only what a ROS node should: a bad parameter (exit 2 with its reason),
Ctrl-C and an external shutdown. Once stopping, SIGINT is ignored: `ros2 launch`
forwards a second SIGINT while the nodes clean up, and an operator presses
Ctrl-C twice; neither may turn a clean stop into a traceback. These are a
process's main functions: nothing runs after them but the exit.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence

import rclpy
from rclpy.executors import Executor, ExternalShutdownException, MultiThreadedExecutor, SingleThreadedExecutor
from rclpy.node import Node

from guide_core.interrupts import ignore_interrupts
from guide_robot.exceptions import BadParameter

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 5.0
"""How long stopping waits for running callbacks before destroying the nodes."""


def spin_nodes(
    build: Callable[[], Sequence[Node]],
    *,
    args: list[str] | None = None,
    executor: Callable[[], Executor] = SingleThreadedExecutor,
) -> int:
    """Init ROS, build the nodes, spin them until shutdown; returns the exit status."""
    try:
        return _spin_nodes(build, args=args, executor=executor)
    except KeyboardInterrupt:
        # rclpy's own handler ends the spin and Python's raises KeyboardInterrupt as well: the
        # second may land anywhere, even in the clean-up's first line. Still a clean stop.
        return 0


def _spin_nodes(
    build: Callable[[], Sequence[Node]], *, args: list[str] | None, executor: Callable[[], Executor]
) -> int:
    rclpy.init(args=args)
    nodes: Sequence[Node] = []
    spinner: Executor | None = None
    try:
        nodes = build()
        spinner = executor()
        for node in nodes:
            spinner.add_node(node)
        spinner.spin()
    except BadParameter as exc:
        print(exc, file=sys.stderr)
        return 2
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        _ignore_interrupts_now()
        log.info("stopping %s", ", ".join(node.get_name() for node in nodes) or "(no nodes started)")
        if spinner is not None:
            spinner.shutdown(timeout_sec=SHUTDOWN_TIMEOUT_S)  # its worker threads end with it
        for node in nodes:
            node.destroy_node()
        rclpy.try_shutdown()
    return 0


def _ignore_interrupts_now() -> None:
    """ignore_interrupts(), even if a KeyboardInterrupt still pending lands on the way in."""
    while True:
        try:
            ignore_interrupts()
            return
        except KeyboardInterrupt:
            continue


def spin_node(node_class: Callable[[], Node], args: list[str] | None = None) -> int:
    """Console-script main for one node class."""
    return spin_nodes(lambda: [node_class()], args=args)


__all__ = ["MultiThreadedExecutor", "spin_node", "spin_nodes"]
