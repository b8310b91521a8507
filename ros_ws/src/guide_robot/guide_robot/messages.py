"""Conversions between ROS messages and the guide's plain types (the nodes' only message code)."""

from __future__ import annotations

import math

from geometry_msgs.msg import Pose as PoseMsg
from geometry_msgs.msg import PoseStamped, Quaternion
from rclpy.time import Time
from std_msgs.msg import ColorRGBA, String
from visualization_msgs.msg import Marker, MarkerArray

from guide_core.protocol import Proximity, dump_message
from guide_robot.proximity import ExhibitZone, RobotPose


def yaw_to_quaternion(yaw: float) -> Quaternion:
    """A rotation of `yaw` radians about +z."""
    return Quaternion(x=0.0, y=0.0, z=math.sin(yaw / 2), w=math.cos(yaw / 2))


def quaternion_to_yaw(q: Quaternion) -> float:
    """The rotation about +z of a (planar) quaternion."""
    return math.atan2(2.0 * (q.w * q.z + q.x * q.y), 1.0 - 2.0 * (q.y * q.y + q.z * q.z))


def robot_pose(pose: PoseMsg) -> RobotPose:
    """A geometry_msgs/Pose as a planar pose."""
    return RobotPose(pose.position.x, pose.position.y, quaternion_to_yaw(pose.orientation))


def pose_msg(pose: RobotPose) -> PoseMsg:
    """A planar pose as a geometry_msgs/Pose."""
    msg = PoseMsg()
    msg.position.x, msg.position.y = pose.x, pose.y
    msg.orientation = yaw_to_quaternion(pose.yaw)
    return msg


def pose_stamped(pose: RobotPose, *, frame_id: str, stamp: Time) -> PoseStamped:
    """A planar pose as a geometry_msgs/PoseStamped."""
    msg = PoseStamped()
    msg.header.frame_id = frame_id
    msg.header.stamp = stamp.to_msg()
    msg.pose = pose_msg(pose)
    return msg


def proximity_msg(event: Proximity) -> String:
    """A proximity event as the JSON String published on /guide/exhibit_proximity."""
    return String(data=dump_message(event))


def zone_markers(
    zones: list[ExhibitZone], *, frame_id: str, stamp: Time, inside: frozenset[str]
) -> MarkerArray:
    """RViz discs for the enter radius (and a ring for the leave radius) of each exhibit, plus labels."""
    markers = [Marker(action=Marker.DELETEALL, ns="guide")]
    for index, zone in enumerate(zones):
        near = zone.exhibit_id in inside
        for kind, radius, alpha, offset in (
            ("enter", zone.enter_radius, 0.35, 0),
            ("leave", zone.leave_radius, 0.12, 1),
        ):
            disc = Marker(ns=f"guide/{kind}", id=index, type=Marker.CYLINDER, action=Marker.ADD)
            disc.header.frame_id, disc.header.stamp = frame_id, stamp.to_msg()
            disc.pose.position.x, disc.pose.position.y = zone.x, zone.y
            disc.pose.position.z = 0.01 * offset
            disc.pose.orientation.w = 1.0
            disc.scale.x = disc.scale.y = 2 * radius
            disc.scale.z = 0.01
            disc.color = ColorRGBA(r=0.1, g=0.8 if near else 0.4, b=0.2 if near else 0.9, a=alpha)
            markers.append(disc)
        label = Marker(
            ns="guide/label", id=index, type=Marker.TEXT_VIEW_FACING, action=Marker.ADD, text=zone.exhibit_id
        )
        label.header.frame_id, label.header.stamp = frame_id, stamp.to_msg()
        label.pose.position.x, label.pose.position.y, label.pose.position.z = zone.x, zone.y, 0.5
        label.pose.orientation.w = 1.0
        label.scale.z = 0.2
        label.color = ColorRGBA(r=1.0, g=1.0, b=1.0, a=1.0)
        markers.append(label)
    return MarkerArray(markers=markers)
