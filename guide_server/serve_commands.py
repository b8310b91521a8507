"""`guide serve`: run the guide server (FastAPI + WebSockets) under uvicorn.

Options given on the command line override `GUIDE_*` environment variables;
everything else (tokens, origins, limits) comes from the environment.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pydantic import ValidationError


def add_commands(subparsers: Any) -> None:
    """Register `guide serve`."""
    serve = subparsers.add_parser("serve", help="run the guide server (robot and visitor sockets, API)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port (default 8000)")
    serve.add_argument("--exhibits", type=Path, dest="exhibits_dir", help="catalogue folder")
    serve.add_argument(
        "--engine", choices=["onnx", "transformers", "openai", "scripted"], help="generation engine"
    )
    serve.add_argument(
        "--model", help="onnx/transformers: model id or folder (default: the registry's choice)"
    )
    serve.add_argument("--openai-base-url", help="openai: the server's /v1 URL")
    serve.add_argument("--openai-model", help="openai: model name")
    serve.add_argument("--max-new-tokens", type=int, help="token budget per description or answer")
    serve.add_argument(
        "--fact-guard",
        choices=["drop", "regenerate"],
        help="unsupported sentences are never sent; regenerate also retries once when none survived",
    )
    serve.add_argument("--no-watch", dest="watch_catalogue", action="store_false", default=None)
    serve.set_defaults(handler=serve_command)


SETTING_NAMES = (
    "host",
    "port",
    "exhibits_dir",
    "engine",
    "model",
    "openai_base_url",
    "openai_model",
    "max_new_tokens",
    "fact_guard",
    "watch_catalogue",
)


def serve_command(args: argparse.Namespace) -> int:
    """Build the settings, then serve until interrupted."""
    import uvicorn

    from guide_server.api import create_app
    from guide_server.api.running import uvicorn_config
    from guide_server.core.config import GuideSettings

    overrides = {name: getattr(args, name) for name in SETTING_NAMES if getattr(args, name) is not None}
    try:
        settings = GuideSettings(**overrides)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            print(f"guide serve: {error['msg']}")
        return 2
    app = create_app(settings)
    uvicorn.Server(uvicorn_config(app, host=settings.host, port=settings.port)).run()
    return 0
