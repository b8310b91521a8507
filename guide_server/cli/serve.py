"""`guide serve`: run the guide server (FastAPI + WebSockets) under uvicorn.

Options given on the command line override `GUIDE_*` environment variables;
everything else (tokens, origins, limits) comes from the environment.
"""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from guide_core.exceptions import TlsError
from guide_core.tls import ServerCertificate, ensure_self_signed, load_server_certificate, machine_names

if TYPE_CHECKING:
    from guide_server.core.config import GuideSettings


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
    serve.add_argument(
        "--tls",
        action="store_true",
        default=None,
        help="serve https and wss (a headset enters VR only from a secure page); without "
        "GUIDE_TLS_CERT/GUIDE_TLS_KEY a self-signed certificate for this machine is made and its "
        "fingerprint printed",
    )
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
    "tls",
)


def serve_command(args: argparse.Namespace) -> int:
    """Build the settings, then serve until interrupted."""
    from guide_core.interrupts import ignore_interrupts
    from guide_core.log_levels import uvicorn_log_level
    from guide_server.api import create_app
    from guide_server.api.running import OperatorServer, tls_options, uvicorn_config
    from guide_server.core.config import GuideSettings

    overrides = {name: getattr(args, name) for name in SETTING_NAMES if getattr(args, name) is not None}
    try:
        settings = GuideSettings(**overrides)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            print(f"guide serve: {error['msg']}")
        return 2
    try:
        certificate = server_certificate(settings)
    except TlsError as exc:
        print(f"guide serve: {exc}")
        return 2
    if certificate is not None:
        print(trust_instructions(certificate, settings.host, settings.port), flush=True)
    app = create_app(settings)
    config = uvicorn_config(
        app, host=settings.host, port=settings.port, log_level=uvicorn_log_level(), **tls_options(certificate)
    )
    # uvicorn shuts down gracefully on SIGINT, then raises the signal it caught again: ignored
    # from here on, so the operator's Ctrl-C (once or twice) ends with status 0 and no traceback.
    ignore_interrupts()
    OperatorServer(config).run()
    return 0


def server_certificate(settings: GuideSettings) -> ServerCertificate | None:
    """The certificate to serve with: the operator's, the self-signed one for this machine, or none."""
    if not settings.serves_tls:
        return None
    if settings.tls_cert is not None and settings.tls_key is not None:
        return load_server_certificate(settings.tls_cert, settings.tls_key)
    names, addresses = machine_names()
    try:
        listening = ipaddress.ip_address(settings.host)
        if not listening.is_unspecified and listening not in addresses:
            addresses.append(listening)
    except ValueError:
        if settings.host not in names:
            names.append(settings.host)
    return ensure_self_signed(settings.tls_dir, names, addresses)


def trust_instructions(certificate: ServerCertificate, host: str, port: int) -> str:
    """What the operator is told at start: where to point each client and how it trusts the server."""
    shown = _reachable_host(certificate, host)
    base = f"https://{shown}:{port}"
    if not certificate.self_signed:
        source = "the given certificate"
    elif certificate.generated:
        source = "a self-signed certificate made for this machine now"
    else:
        source = "this machine's self-signed certificate"
    fp = certificate.fingerprint
    return "\n".join(
        [
            f"guide serve: https and wss on {base}/ with {source} ({certificate.cert})",
            f"  SHA-256 fingerprint: {fp}",
            f"  names: {', '.join(certificate.names) or '(none)'}",
            f"  headset browser: open {base}/ once, check that the certificate's SHA-256 is the one above, "
            "and accept it; the page is then a secure context and can enter VR",
            f"  robot: ros2 launch guide_robot guide.launch.py server_url:=wss://{shown}:{port}/ws/robot cert_fingerprint:={fp}",
            f"  terminal: guide listen --url wss://{shown}:{port}/ws/visitor --cert-fingerprint {fp}",
            f"  Unity: VisitorSettings.Url = wss://{shown}:{port}/ws/visitor, CertificateSha256 = {fp}",
        ]
    )


def _reachable_host(certificate: ServerCertificate, host: str) -> str:
    """The address to print: the listening one, or for 0.0.0.0 the first non-loopback one certified."""
    try:
        if not ipaddress.ip_address(host).is_unspecified:
            return host
    except ValueError:
        return host
    for name in certificate.names:
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            continue
        if address.version == 4 and not address.is_loopback:
            return name
    return "127.0.0.1"
