"""colcon (ament_python) build of the guide_robot ROS 2 package."""

from glob import glob

from setuptools import find_packages, setup

PACKAGE = "guide_robot"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", glob("launch/*.launch.py")),
    ],
    # The guide's core (protocol, catalogue, TLS trust; no torch, fastapi or rclpy) and the bridge's
    # WebSocket client. rclpy and the message packages come from ROS (apt, or the ros-* wheels).
    install_requires=["setuptools", "museum-guide-core==0.1.0", "websockets==17.4"],
    zip_safe=True,
    maintainer="Museum guide team",
    maintainer_email="guide@example.org",
    description="Museum guide robot side: exhibit proximity, simulated TurtleBot2, bridge to the guide server",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            f"proximity_node = {PACKAGE}.proximity_node:main",
            f"sim_turtlebot_node = {PACKAGE}.sim_turtlebot_node:main",
            f"guide_bridge_node = {PACKAGE}.guide_bridge_node:main",
            f"guide-robot = {PACKAGE}.commands:main",
        ],
    },
)
