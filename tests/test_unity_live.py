"""The Unity package's own connection code (GuideConnection under mono) against a real guide server:
ws:// through ClientWebSocket, wss:// with a pinned certificate through PinnedSocket, and speech."""

from __future__ import annotations

import asyncio
import ipaddress
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import TIMEOUT
from server_harness import EXHIBIT, GuideServer, guide_server, robot, settings_for, text_of, visitor

from guide_core.demo_tokens import DEMO_VISITOR_TOKEN
from guide_core.paths import UNITY_BRIDGE_DIR
from guide_core.protocol import Proximity, ProximityKind
from guide_core.tls import ClientTrust, ServerCertificate, ensure_self_signed


@pytest.fixture(scope="module")
def live_client_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GuideConnection plus the LiveClient driver, compiled with mcs."""
    mcs = shutil.which("mcs")
    if mcs is None:
        pytest.fail("mono's C# compiler `mcs` is missing: run `make vr-tools`")
    out = tmp_path_factory.mktemp("unity-live") / "LiveClient.exe"
    sources = [
        *sorted(str(p) for p in (UNITY_BRIDGE_DIR / "Runtime").rglob("*.cs")),
        *sorted(str(p) for p in (UNITY_BRIDGE_DIR / "Tests~" / "Stubs").glob("*.cs")),
        str(UNITY_BRIDGE_DIR / "Tests~" / "LiveClient" / "LiveClient.cs"),
    ]
    done = subprocess.run(
        [mcs, f"-out:{out}", *sources], capture_output=True, text=True, timeout=20 * TIMEOUT
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _enter() -> Proximity:
    return Proximity(
        event=ProximityKind.ENTER, exhibit_id=EXHIBIT, distance=1.0, bearing=0.0, seq=0, stamp=time.time()
    )


async def _unity(exe: Path, url: str, *options: str) -> asyncio.subprocess.Process:
    """LiveClient connecting to `url` (see its header for the options)."""
    return await asyncio.create_subprocess_exec(
        "mono", str(exe), url, DEMO_VISITOR_TOKEN, str(6 * TIMEOUT), *options,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _joined(unity: asyncio.subprocess.Process) -> None:
    """Wait for LiveClient's welcome and tour.state."""
    for expected in ("welcome", "tour.state"):
        line = await asyncio.wait_for(unity.stdout.readline(), 3 * TIMEOUT)
        assert line.decode().strip() == expected, line.decode() + (await unity.stderr.read()).decode()


async def _finish(unity: asyncio.subprocess.Process) -> list[str]:
    """LiveClient's output lines once it exits (it must exit 0)."""
    out, err = await asyncio.wait_for(unity.communicate(), 6 * TIMEOUT)
    assert unity.returncode == 0, out.decode() + err.decode()
    return out.decode().splitlines()


async def _description_and_answer(server: GuideServer, exe: Path, *options: str, **connect_options) -> None:
    """LiveClient streams a description and an answer to its question; its resume point follows them."""
    unity = await _unity(exe, server.ws("/ws/visitor"), *options)
    try:
        await _joined(unity)
        async with visitor(server, **connect_options) as headset, robot(server, **connect_options) as bridge:
            await bridge.send(_enter())
            streamed = await headset.stream("description")
            lines = await _finish(unity)
    finally:
        if unity.returncode is None:
            unity.kill()
            await unity.wait()
    assert f"DESCRIPTION {text_of(streamed).replace(chr(10), ' ')}" in lines
    assert {"description.start", "description.delta", "description.end", "answer.start", "answer.end"} <= set(
        lines
    )
    answer_deltas = lines.count("answer.delta")
    assert f"RESUME unity-q-1 {answer_deltas - 1}" in lines, (
        "the resume point must be the last answer seq seen"
    )


async def test_unity_connection_streams_a_description_and_an_answer(
    tmp_path: Path, exhibits_dir: Path, live_client_exe: Path
) -> None:
    async with guide_server(settings_for(tmp_path, exhibits_dir)) as server:
        await _description_and_answer(server, live_client_exe)


async def test_unity_connection_hears_each_sentence_after_its_text(
    tmp_path: Path, exhibits_dir: Path, live_client_exe: Path
) -> None:
    """Speech=true in hello: the real Piper voice's clips come after their deltas, and SpeechQueue takes them."""
    async with guide_server(settings_for(tmp_path, exhibits_dir)) as server:
        unity = await _unity(live_client_exe, server.ws("/ws/visitor"), "speech")
        try:
            await _joined(unity)
            async with robot(server) as bridge:
                await bridge.send(_enter())
                lines = await _finish(unity)
        finally:
            if unity.returncode is None:
                unity.kill()
                await unity.wait()
    deltas = [line.split()[1:] for line in lines if line.startswith("DELTA ")]
    audio = [line.split()[1:] for line in lines if line.startswith("AUDIO ")]
    assert deltas and [a[:2] for a in audio] == deltas, (
        "one clip per delta, same request and seq, in seq order"
    )
    for (request, seq), clip in zip(deltas, audio, strict=True):
        assert lines.index(f"DELTA {request} {seq}") < lines.index(f"AUDIO {' '.join(clip)}"), (
            f"the speech of seq {seq} came before its text"
        )
        outcome, queued, duration = clip[2], float(clip[3]), float(clip[4])
        assert outcome == "Queued"
        assert duration > 0.3, f"{duration} s is too short for a spoken sentence"
        assert abs(queued - duration) < 0.002, f"{queued} s queued at 48 kHz for {duration} s of speech"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> ServerCertificate:
    """The server's self-signed certificate for the loopback names."""
    return ensure_self_signed(
        tmp_path_factory.mktemp("tls"), ["localhost"], [ipaddress.ip_address("127.0.0.1")]
    )


async def test_unity_connection_over_wss_with_the_pinned_certificate(
    tmp_path: Path, exhibits_dir: Path, live_client_exe: Path, certificate: ServerCertificate
) -> None:
    pin = certificate.fingerprint.replace(":", "").lower()  # a pin is accepted however it is written
    async with guide_server(settings_for(tmp_path, exhibits_dir), tls=certificate) as server:
        url = server.ws("/ws/visitor")
        assert url.startswith("wss://")
        trust = ClientTrust(fingerprint=certificate.fingerprint).ssl_context(url)
        await _description_and_answer(server, live_client_exe, f"pin={pin}", ssl=trust)


async def test_unity_connection_refuses_a_server_with_another_certificate(
    tmp_path: Path, exhibits_dir: Path, live_client_exe: Path, certificate: ServerCertificate
) -> None:
    impostor = ensure_self_signed(tmp_path / "impostor", ["localhost"], [ipaddress.ip_address("127.0.0.1")])
    async with guide_server(settings_for(tmp_path, exhibits_dir), tls=impostor) as server:
        unity = await _unity(live_client_exe, server.ws("/ws/visitor"), f"pin={certificate.fingerprint}")
        out, err = await asyncio.wait_for(unity.communicate(), 6 * TIMEOUT)
    assert unity.returncode == 3, out.decode() + err.decode()
    (failed,) = [line for line in out.decode().splitlines() if line.startswith("FAILED ")]
    assert failed == (
        f"FAILED the server's certificate SHA-256 {impostor.fingerprint} does not match the pinned "
        f"{certificate.fingerprint}: this is not the guide server you trusted (or its certificate was remade); "
        "copy the fingerprint `guide serve --tls` printed into CertificateSha256"
    )
    assert "welcome" not in out.decode(), "nothing may be sent to a server that is not the pinned one"
    assert "reconnecting" not in err.decode(), "a refused certificate must not be retried"
