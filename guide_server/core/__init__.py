"""The server's foundations: settings, metrics and the engine chosen at startup."""
