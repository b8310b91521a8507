"""The bridge against the real guide server (uvicorn, scripted engine): welcomed with the robot
token, and back after the server restarts on the same port."""

from __future__ import annotations

import ipaddress
import socket
import threading
from pathlib import Path

import pytest
import uvicorn
from conftest import TIMEOUT
from guide_robot.guide_bridge_node import GuideBridgeNode
from guide_robot.synthetic_museum import write_museum
from rclpy.parameter import Parameter
from robot_support import Session, ros_session, wait_until
from server_harness import shared_embedder

from guide_core.tls import ServerCertificate, ensure_self_signed
from guide_server.api.main import create_app
from guide_server.api.running import tls_options, uvicorn_config
from guide_server.core.config import GuideSettings

TOKEN = "robot-token-for-the-real-server-test"


class RealServer:
    """The guide server app under uvicorn in a thread, restartable on one port."""

    def __init__(self, settings: GuideSettings, tls: ServerCertificate | None = None) -> None:
        self.settings = settings
        self.tls = tls
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve a fresh app on the port."""
        config = uvicorn_config(
            create_app(self.settings, embedder=shared_embedder()),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            **tls_options(self.tls),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        wait_until(lambda: self._server.started, "uvicorn to start")

    def stop(self) -> None:
        """Shut the server down and wait for its thread."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(TIMEOUT)
            self._server = None


def _settings(tmp_path: Path) -> GuideSettings:
    museum = write_museum(tmp_path / "exhibits", count=4, spacing=3.0, radius=1.0, columns=4)
    return GuideSettings(
        exhibits_dir=museum,
        engine="scripted",
        robot_token=TOKEN,
        visitor_token="visitor-token-for-the-real-server-test",
        watch_catalogue=False,
        feedback_db=tmp_path / "feedback.sqlite3",
    )


@pytest.fixture
def server(tmp_path: Path) -> RealServer:
    real = RealServer(_settings(tmp_path))
    real.start()
    yield real
    real.stop()


@pytest.fixture
def tls_server(tmp_path: Path) -> RealServer:
    certificate = ensure_self_signed(tmp_path / "tls", ["localhost"], [ipaddress.ip_address("127.0.0.1")])
    real = RealServer(_settings(tmp_path), tls=certificate)
    real.start()
    yield real
    real.stop()


def test_bridge_is_welcomed_and_reconnects_after_a_server_restart(server: RealServer) -> None:
    with ros_session() as session:
        _run(session, server)


def _run(session: Session, server: RealServer) -> None:
    values = {
        "server_url": f"ws://127.0.0.1:{server.port}/ws/robot",
        "token": TOKEN,
        "backoff_initial": 0.05,
        "backoff_max": 0.2,
    }
    bridge = GuideBridgeNode(
        context=session.context, parameter_overrides=[Parameter(k, value=v) for k, v in values.items()]
    )
    session.add(bridge)
    assert bridge.client is not None
    wait_until(bridge.client.connected.is_set, "the server's welcome")
    server.stop()
    wait_until(lambda: not bridge.client.connected.is_set(), "the bridge noticing the restart")
    server.start()
    wait_until(lambda: bridge.client.sessions == 2, "the second welcome")


def test_bridge_over_wss_pins_the_servers_certificate_and_refuses_another(tls_server: RealServer) -> None:
    assert tls_server.tls is not None
    url = f"wss://127.0.0.1:{tls_server.port}/ws/robot"
    wrong = "AB:" * 31 + "AB"
    with ros_session() as session:
        nodes = {}
        for name, pin in (("pinned", tls_server.tls.fingerprint), ("wrong", wrong)):
            values = {
                "server_url": url,
                "token": TOKEN,
                "cert_fingerprint": pin,
                "backoff_initial": 0.05,
                "backoff_max": 0.2,
            }
            nodes[name] = GuideBridgeNode(
                context=session.context,
                parameter_overrides=[Parameter(k, value=v) for k, v in values.items()],
                namespace=f"/{name}",
            )
            session.add(nodes[name])
        pinned, refused = nodes["pinned"].client, nodes["wrong"].client
        assert pinned is not None and refused is not None
        wait_until(pinned.connected.is_set, "the server's welcome over wss")
        wait_until(lambda: refused.untrusted >= 2, "the wrong pin refused, again after its backoff")
        assert refused.sessions == 0, "a bridge with the wrong pin must never be welcomed"
