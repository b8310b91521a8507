"""ROS 2 nodes of the museum guide: pose, exhibit proximity, a simulated TurtleBot2, and the bridge to the guide server."""
