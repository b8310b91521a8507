"""The WebSocket endpoints: `/ws/robot` and `/ws/visitor`."""
