"""Tours: who is connected to which robot, and one shared description per exhibit visit."""
