"""Declared, checked ROS parameters: one helper every guide node uses.

A node lists its parameters with defaults and one check function over all their
values (returning problems with their fixes). A bad value at start raises
`BadParameter`; a bad later change is refused with the check's reason, and a
parameter that needs a restart says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rcl_interfaces.msg import SetParametersResult
from rclpy.exceptions import InvalidParameterTypeException
from rclpy.node import Node
from rclpy.parameter import Parameter

from guide_core.catalogue import CatalogueError, CatalogueStore
from guide_robot.exceptions import BadParameter

Check = Callable[[Mapping[str, Any]], list[str]]


class CheckedParameters:
    """The current values of a node's declared parameters, always passing `check`."""

    def __init__(
        self,
        node: Node,
        defaults: Mapping[str, Any],
        check: Check,
        *,
        restart_only: frozenset[str] = frozenset(),
        on_change: Callable[[Mapping[str, Any]], None] | None = None,
    ) -> None:
        for name, default in defaults.items():
            try:
                node.declare_parameter(name, default)
            except InvalidParameterTypeException as exc:
                kind = type(default).__name__
                raise BadParameter(
                    f"{node.get_name()}: parameter {name} must be a {kind} like {default!r} ({exc})"
                ) from None
        self.values: dict[str, Any] = {name: node.get_parameter(name).value for name in defaults}
        problems = check(self.values)
        if problems:
            raise BadParameter(f"{node.get_name()}: bad parameters: " + "; ".join(problems))
        self._check = check
        self._restart_only = restart_only
        self._on_change = on_change
        node.add_on_set_parameters_callback(self._validate)
        node.add_post_set_parameters_callback(self._apply)

    def _validate(self, parameters: list[Parameter]) -> SetParametersResult:
        changed = {p.name: p.value for p in parameters if p.name in self.values}
        frozen = sorted(n for n, v in changed.items() if n in self._restart_only and v != self.values[n])
        if frozen:
            return SetParametersResult(
                successful=False, reason=f"{', '.join(frozen)} cannot change while running: restart the node"
            )
        problems = self._check({**self.values, **changed})
        return SetParametersResult(successful=not problems, reason="; ".join(problems))

    def _apply(self, parameters: list[Parameter]) -> None:
        self.values.update({p.name: p.value for p in parameters if p.name in self.values})
        if self._on_change is not None:
            self._on_change(self.values)


def open_catalogue(node_name: str, exhibits_dir: str) -> CatalogueStore:
    """The live catalogue a node reads, or `BadParameter` naming the node and how to find the problems."""
    try:
        return CatalogueStore.open(Path(exhibits_dir))
    except CatalogueError as exc:
        raise BadParameter(
            f"{node_name}: exhibits_dir has problems; run `guide exhibits validate`:\n{exc}"
        ) from None
