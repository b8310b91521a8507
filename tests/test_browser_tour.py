"""The browser VR client in headless Chromium against a real `guide serve` and `guide robot --sim`.

Chromium is Debian's (`apt-get install chromium`); playwright-core (npm, web/) only drives it.
The screenshot lands in test-artifacts/browser-tour.png. A second run serves https on this
machine's network address with its self-signed certificate, trusted by Chromium through that
certificate's key hash only.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import ssl
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from conftest import TIMEOUT

from guide_core.paths import PROJECT_ROOT
from guide_core.tls import ClientTrust, ensure_self_signed, machine_names

WEB_DIR = PROJECT_ROOT / "web"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _require_tools() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("Debian's chromium (make vr-tools)")
    if shutil.which("node") is None:
        missing.append("node (make vr-tools)")
    if not (WEB_DIR / "node_modules" / "playwright-core").is_dir():
        missing.append("web/node_modules (make web)")
    if missing:
        pytest.fail("the browser test needs: " + ", ".join(missing))


@asynccontextmanager
async def _process(*args: str, env: dict[str, str], log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            *args, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
        try:
            yield proc
        finally:
            if proc.returncode is None:
                proc.terminate()
                try:
                    await asyncio.wait_for(proc.wait(), TIMEOUT)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()


async def _wait_ready(
    base: str, server: asyncio.subprocess.Process, log: Path, verify: ssl.SSLContext | bool = True
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, verify=verify) as client:
        deadline = asyncio.get_running_loop().time() + 6 * TIMEOUT
        while asyncio.get_running_loop().time() < deadline:
            if server.returncode is not None:
                pytest.fail(f"guide serve exited ({server.returncode}):\n{log.read_text()}")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)  # polling a server that is starting; not a timing assumption
    pytest.fail(f"guide serve was not ready within {6 * TIMEOUT} s:\n{log.read_text()}")


async def test_page_streams_a_description_and_answers_a_question(tmp_path: Path, exhibits_dir: Path) -> None:
    _require_tools()
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "browser-tour.png"
    screenshot.unlink(missing_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "GUIDE_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        "ROS_DOMAIN_ID": str(100 + port % 100),  # keep this test's DDS traffic apart from others'
        "RMW_IMPLEMENTATION": os.environ.get("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp"),
    }
    guide = [sys.executable, "-m", "guide_server.cli"]
    serve = [
        *guide,
        "serve",
        "--engine",
        "scripted",
        "--port",
        str(port),
        "--exhibits",
        str(exhibits_dir),
        "--no-watch",
    ]
    sim = [*guide, "robot", "--sim", "--exhibits", str(exhibits_dir), "--server-url", f"ws://127.0.0.1:{port}/ws/robot",
           "--speed", "2.0", "--pause", "30", "--noise", "0.0"]  # fmt: skip
    async with _process(*serve, env=env, log=tmp_path / "serve.log") as server:
        await _wait_ready(base, server, tmp_path / "serve.log")
        browser = await asyncio.create_subprocess_exec(
            "node", "tests/tour.e2e.mjs", "--url", f"{base}/", "--screenshot", str(screenshot),
            "--chromium", CHROMIUM, "--timeout-ms", str(int(12 * TIMEOUT * 1000)),
            cwd=WEB_DIR, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            first = await asyncio.wait_for(browser.stdout.readline(), 6 * TIMEOUT)
            assert first.strip() == b"PAGE CONNECTED", first + await browser.stderr.read()
            async with _process(*sim, env=env, log=tmp_path / "robot.log"):
                answered = await asyncio.wait_for(browser.stdout.readline(), 15 * TIMEOUT)
                assert answered.strip() == b"ANSWERED", answered + await browser.stderr.read()
                server.terminate()  # a server restart: page and robot bridge must reconnect by themselves
                await asyncio.wait_for(server.wait(), 3 * TIMEOUT)
                async with _process(*serve, env=env, log=tmp_path / "serve-again.log") as again:
                    await _wait_ready(base, again, tmp_path / "serve-again.log")
                    out, err = await asyncio.wait_for(browser.communicate(), 15 * TIMEOUT)
        finally:
            if browser.returncode is None:
                browser.kill()
                await browser.wait()
    logs = f"{err.decode()}\n--- serve ---\n{(tmp_path / 'serve.log').read_text()[-3000:]}\n--- robot ---\n{(tmp_path / 'robot.log').read_text()[-3000:]}"
    assert browser.returncode == 0, logs
    shown = json.loads(out.decode().strip().splitlines()[-1])
    assert shown["pose"] is not None, "the page never received the robot's pose"
    assert shown["exhibitId"] in json.loads((exhibits_dir / "museum.json").read_text())["tour"]
    assert shown["streamed"].strip(), "no description text was streamed"
    assert shown["shown"] == shown["streamed"], "the panel does not show the streamed description"
    assert shown["title"] != "Waiting for the robot..."
    assert shown["question"] == "Q: When was it built?"
    assert shown["answer"].strip(), "the question got no answer"
    assert "saved" in shown["notice"]
    assert shown["has3d"], f"the 3D view did not start: {shown['console']}"
    assert shown["reconnects"] == 1, "the page did not reconnect after the server restart"
    assert shown["robotStatus"] == "robot: online"
    assert screenshot.stat().st_size > 10_000
    for which, spoken in zip(("description", "answer"), shown["spoken"], strict=True):
        assert [clip["seq"] for clip in spoken["clips"]] == list(range(spoken["pieces"])), (
            f"the page must schedule one clip per released {which} sentence, in seq order: {spoken}"
        )
        assert all(clip["seconds"] > 0.3 for clip in spoken["clips"]), (
            f"a clip too short to be speech: {spoken}"
        )
    assert shown["speech"]["gaps"] == 0, f"the voice fell silent between sentences: {shown['speech']}"
    _assert_readable_labels(shown["labels"], shown["exhibitId"])


def _assert_readable_labels(labels: dict, current: str) -> None:
    """The map's labels: the current exhibit's among them, a few at a time, none overlapping, big enough."""
    shown = labels["shown"]
    exhibits = [label for label in shown if label["kind"] == "exhibit"]
    assert current in {label["id"] for label in exhibits}, f"the current exhibit's label is hidden: {shown}"
    assert 3 <= len(exhibits) <= 8 < labels["total"], f"{len(exhibits)} exhibit labels of {labels['total']}"
    for label in shown:
        assert label["rect"]["h"] >= 20, (
            f"{label['id']}: {label['rect']['h']:.0f} px high is too small to read"
        )
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            ra, rb = a["rect"], b["rect"]
            apart = (
                ra["x"] + ra["w"] <= rb["x"] or rb["x"] + rb["w"] <= ra["x"] or ra["y"] + ra["h"] <= rb["y"]
            )
            assert apart or rb["y"] + rb["h"] <= ra["y"], f"labels {a['id']} and {b['id']} overlap: {ra} {rb}"


def _network_address() -> str | None:
    """This machine's address on its network (what a headset would open), or None without one."""
    _, addresses = machine_names()
    routed = [a for a in addresses if a.version == 4 and not a.is_loopback]
    return str(routed[0]) if routed else None


async def test_page_over_https_is_a_secure_context_that_may_ask_for_vr(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    """A headset's view: https on the museum network, the certificate trusted by its key hash alone."""
    _require_tools()
    address = _network_address() or "127.0.0.1"  # loopback only where the machine has no network
    names, addresses = machine_names()
    certificate = ensure_self_signed(tmp_path / "tls", names, addresses)
    port = _free_port()
    base = f"https://{address}:{port}"
    visitor_token = "visitor-" + "k" * 32
    env = os.environ | {
        "GUIDE_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        "GUIDE_TLS_DIR": str(tmp_path / "tls"),
        "GUIDE_VISITOR_TOKEN": visitor_token,
        "GUIDE_ROBOT_TOKEN": "robot-" + "k" * 32,
    }
    serve = [sys.executable, "-m", "guide_server.cli", "serve", "--tls", "--engine", "scripted",
             "--host", address, "--port", str(port), "--exhibits", str(exhibits_dir), "--no-watch"]  # fmt: skip
    async with _process(*serve, env=env, log=tmp_path / "serve.log") as server:
        await _wait_ready(
            base,
            server,
            tmp_path / "serve.log",
            ClientTrust(fingerprint=certificate.fingerprint).ssl_context(base.replace("https", "wss")),
        )
        browser = await asyncio.create_subprocess_exec(
            "node", "tests/tour.e2e.mjs", "--secure", "--url", f"{base}/?token={visitor_token}",
            "--spki", certificate.spki_sha256, "--chromium", CHROMIUM, "--timeout-ms", str(int(6 * TIMEOUT * 1000)),
            cwd=WEB_DIR, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(browser.communicate(), 8 * TIMEOUT)
    assert browser.returncode == 0, (
        f"{err.decode()}\n--- serve ---\n{(tmp_path / 'serve.log').read_text()[-3000:]}"
    )
    shown = json.loads(out.decode().strip().splitlines()[-1])
    assert shown["protocol"] == "https:" and shown["secureContext"], shown
    assert shown["socketUrl"] == f"wss://{address}:{port}/ws/visitor", shown
    assert shown["sessionId"] and shown["exhibits"] > 0, f"the page did not connect over wss: {shown}"
    assert shown["xr"].startswith("immersive-vr supported: "), (
        f"asking for immersive-vr failed: {shown['xr']}"
    )
