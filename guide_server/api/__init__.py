"""The guide server's HTTP and WebSocket edge: `create_app(settings, engine=...)`."""

from guide_server.api.main import create_app

__all__ = ["create_app"]
