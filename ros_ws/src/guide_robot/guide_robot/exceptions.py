"""Every error the robot package raises, each with its fix.

BadParameter          a node parameter that cannot work (the node stops at start, exit 2)
ServerRefused         the guide server refused the bridge's hello (token, protocol)
LaunchArgumentError   a launch argument that cannot work (a ValueError)
"""

from __future__ import annotations


class BadParameter(Exception):
    """A node's parameters are unusable; the message names each problem and its fix."""


class ServerRefused(Exception):
    """The server answered the hello with an error: retrying with the same settings cannot help."""


class LaunchArgumentError(ValueError):
    """A launch argument that cannot work, with what to pass instead."""
