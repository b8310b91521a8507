"""https and wss: the self-signed certificate, pinned by `guide listen` and the robot socket, and
a server with another certificate refused before any token is sent."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import os
import ssl
import stat
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import TIMEOUT
from server_harness import EXHIBIT, guide_server, robot, settings_for, text_of, visitor
from websockets.asyncio.client import connect

from guide_core.exceptions import CertificateMismatch, TlsError
from guide_core.protocol import Proximity, ProximityKind
from guide_core.tls import (
    ClientTrust,
    ServerCertificate,
    ensure_self_signed,
    load_server_certificate,
    normalise_fingerprint,
)

LOOPBACK = [ipaddress.ip_address("127.0.0.1")]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> ServerCertificate:
    """The server's self-signed certificate for this machine's loopback names."""
    return ensure_self_signed(tmp_path_factory.mktemp("tls"), ["localhost"], LOOPBACK)


@pytest.fixture(scope="module")
def impostor(tmp_path_factory: pytest.TempPathFactory) -> ServerCertificate:
    """Another self-signed certificate for the same names: what a wrong server would present."""
    return ensure_self_signed(tmp_path_factory.mktemp("impostor"), ["localhost"], LOOPBACK)


def test_self_signed_certificate_is_kept_then_remade_for_new_names_or_near_expiry(tmp_path: Path) -> None:
    first = ensure_self_signed(tmp_path, ["localhost"], LOOPBACK)
    assert first.generated and first.self_signed
    assert {"localhost", "127.0.0.1"} <= set(first.names)
    assert stat.S_IMODE(os.stat(first.key).st_mode) == 0o600, (
        "the private key must be readable by its owner only"
    )
    again = ensure_self_signed(tmp_path, ["localhost"], LOOPBACK)
    assert not again.generated and again.fingerprint == first.fingerprint
    lan = ensure_self_signed(
        tmp_path, ["localhost", "guide.lab"], [*LOOPBACK, ipaddress.ip_address("10.1.2.3")]
    )
    assert lan.generated and lan.fingerprint != first.fingerprint
    assert {"guide.lab", "10.1.2.3"} <= set(lan.names)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=390)
    renewed = ensure_self_signed(tmp_path, ["localhost"], LOOPBACK, now=later)
    assert renewed.generated, "a certificate about to expire must be remade"


def test_a_key_that_is_not_the_certificates_is_refused(
    tmp_path: Path, certificate: ServerCertificate
) -> None:
    other = ensure_self_signed(tmp_path, ["localhost"], LOOPBACK)
    with pytest.raises(TlsError, match="the key must be the certificate's"):
        load_server_certificate(certificate.cert, other.key)
    with pytest.raises(TlsError, match="does not exist"):
        load_server_certificate(tmp_path / "missing.pem", other.key)
    assert load_server_certificate(certificate.cert, certificate.key).fingerprint == certificate.fingerprint


def test_fingerprints_are_read_in_any_case_with_or_without_colons(certificate: ServerCertificate) -> None:
    bare = certificate.fingerprint.replace(":", "").lower()
    assert normalise_fingerprint(bare) == certificate.fingerprint
    assert normalise_fingerprint(f" {certificate.fingerprint.lower()} ") == certificate.fingerprint
    with pytest.raises(ValueError, match="64 hex digits"):
        normalise_fingerprint(bare[:-2])
    with pytest.raises(ValueError, match="64 hex digits"):
        normalise_fingerprint("zz" * 32)


def test_a_pin_or_ca_file_on_plain_ws_is_refused_not_ignored(certificate: ServerCertificate) -> None:
    for trust in (ClientTrust(fingerprint=certificate.fingerprint), ClientTrust(ca_file=certificate.cert)):
        with pytest.raises(ValueError, match="never falls back"):
            trust.ssl_context("ws://127.0.0.1:8000/ws/robot")
    assert ClientTrust().ssl_context("ws://127.0.0.1:8000/ws/robot") is None


def _enter(seq: int = 0) -> Proximity:
    return Proximity(
        event=ProximityKind.ENTER, exhibit_id=EXHIBIT, distance=1.0, bearing=0.0, seq=seq, stamp=time.time()
    )


async def _listen(url: str, *trust: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "guide_server.cli", "listen", "--once", "--url", url, *trust,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_https_and_wss_end_to_end_with_the_pinned_certificate(
    tmp_path: Path, exhibits_dir: Path, certificate: ServerCertificate
) -> None:
    pin = ClientTrust(fingerprint=certificate.fingerprint)
    async with guide_server(settings_for(tmp_path, exhibits_dir), tls=certificate) as server:
        assert server.url.startswith("https://")
        trusted = ssl.create_default_context(cafile=str(certificate.cert))
        async with httpx.AsyncClient(base_url=server.url, verify=trusted, timeout=TIMEOUT) as client:
            assert (await client.get("/readyz")).status_code == 200
        url = server.ws("/ws/visitor")
        listener = await _listen(url, "--cert-fingerprint", certificate.fingerprint.replace(":", "").lower())
        try:
            joined = await asyncio.wait_for(listener.stdout.readline(), 3 * TIMEOUT)
            while b"== joined tour" not in joined:
                assert joined, (await listener.stderr.read()).decode()
                joined = await asyncio.wait_for(listener.stdout.readline(), 3 * TIMEOUT)
            async with (
                visitor(server, ssl=pin.ssl_context(url)) as headset,
                robot(server, ssl=pin.ssl_context(url)) as bridge,
            ):
                pin.verify_transport(headset.socket.transport)
                await bridge.send(_enter())
                streamed = await headset.stream("description")
            out, err = await asyncio.wait_for(listener.communicate(), 3 * TIMEOUT)
        finally:
            if listener.returncode is None:
                listener.kill()
                await listener.wait()
    assert listener.returncode == 0, err.decode()
    description = text_of(streamed)
    assert description.strip() and description in out.decode()


async def test_a_server_with_another_certificate_is_refused(
    tmp_path: Path, exhibits_dir: Path, certificate: ServerCertificate, impostor: ServerCertificate
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir), tls=impostor) as server:
        url = server.ws("/ws/visitor")
        pinned = await _listen(url, "--cert-fingerprint", certificate.fingerprint)
        out, err = await asyncio.wait_for(pinned.communicate(), 3 * TIMEOUT)
        assert pinned.returncode == 3, out.decode() + err.decode()
        assert f"not the pinned {certificate.fingerprint}" in err.decode()
        assert impostor.fingerprint in err.decode(), "the refusal must show the fingerprint it saw"
        by_ca = await _listen(url, "--ca-file", str(certificate.cert))
        out, err = await asyncio.wait_for(by_ca.communicate(), 3 * TIMEOUT)
        assert by_ca.returncode == 3, out.decode() + err.decode()
        assert "failed verification" in err.decode() and "--cert-fingerprint" in err.decode()
        plain = await _listen(url.replace("wss://", "ws://"), "--cert-fingerprint", certificate.fingerprint)
        out, err = await asyncio.wait_for(plain.communicate(), 3 * TIMEOUT)
        assert plain.returncode == 2 and "never falls back" in err.decode(), err.decode()
        pin = ClientTrust(fingerprint=certificate.fingerprint)
        async with connect(url, ssl=pin.ssl_context(url)) as socket:
            with pytest.raises(CertificateMismatch, match="not the pinned"):
                pin.verify_transport(socket.transport)
