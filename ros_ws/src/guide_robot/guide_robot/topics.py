"""Every topic the guide's nodes use, and their QoS: one module, so no node imports another's names.

Launch remaps the robot's own topics (odom_topic:=, goal_topic:=) for a robot whose base
publishes elsewhere; the /guide/* topics are the guide's own.
"""

from __future__ import annotations

from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy

ODOM_TOPIC = "/odom"
"""The base's odometry (Kobuki, or the simulator)."""
AMCL_TOPIC = "/amcl_pose"
"""Nav2's localisation, when pose_source is amcl."""
GOAL_TOPIC = "/goal_pose"
"""Where the bridge sends the robot (Nav2's goal, or the simulator's)."""
POSE_SOURCES = {"odom": ODOM_TOPIC, "amcl": AMCL_TOPIC}

EVENTS_TOPIC = "/guide/exhibit_proximity"
"""std_msgs/String, each a guide_core.protocol.Proximity as JSON."""
POSE_TOPIC = "/guide/pose"
ZONES_TOPIC = "/guide/exhibit_zones"

EVENTS_QOS = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
LATCHED_QOS = QoSProfile(
    depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL
)
