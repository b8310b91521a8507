"""The robot needs only the core: a fresh venv with guide_core, websockets and the ROS wheels (no torch,
transformers, fastapi or guide_server) runs the simulated robot and its bridge against a real guide
server, whose visitor then gets the description of the exhibit the robot reached."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import venv
from pathlib import Path

import pytest
from conftest import TIMEOUT
from fault_support import GuideServeProcess
from test_server_cli import free_port
from websockets.asyncio.client import ClientConnection, connect

from guide_core.demo_tokens import DEMO_VISITOR_TOKEN
from guide_core.paths import PROJECT_ROOT
from guide_core.protocol import ClientKind, DescriptionStart, Hello, dump_message, parse_server_message

pytestmark = pytest.mark.slow

ROS_WHEELS = [
    "ros-rclpy[fastrtps]==9.1.2",
    "ros-std-msgs==5.5.1",
    "ros-geometry-msgs==5.5.1",
    "ros-nav-msgs==5.5.1",
    "ros-visualization-msgs==5.5.1",
]
IGNORED = shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
SERVER_ONLY = ("torch", "transformers", "fastapi", "uvicorn", "guide_server", "onnxruntime", "piper")


@pytest.fixture(scope="module")
def robot_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding guide_core, the robot package, websockets and the ROS wheels: nothing else."""
    folder = tmp_path_factory.mktemp("robot-venv")
    venv.create(folder, with_pip=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # Copies, so pip's in-tree builds leave no build/ folders in the checkout.
    sources = tmp_path_factory.mktemp("robot-sources")
    core = shutil.copytree(PROJECT_ROOT / "guide_core", sources / "guide_core", ignore=IGNORED)
    robot = shutil.copytree(
        PROJECT_ROOT / "ros_ws" / "src" / "guide_robot", sources / "robot", ignore=IGNORED
    )
    (robot / "launch" / "guide.launch.py").unlink()
    shutil.copy(PROJECT_ROOT / "launch" / "guide.launch.py", robot / "launch" / "guide.launch.py")
    subprocess.run([*pip, str(core), "websockets==17.4", *ROS_WHEELS], check=True, timeout=60 * TIMEOUT)
    subprocess.run([*pip, str(robot)], check=True, timeout=30 * TIMEOUT)
    return folder


def test_the_robot_venv_holds_no_server_package(robot_venv: Path) -> None:
    listed = subprocess.run(
        [str(robot_venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        capture_output=True, text=True, check=True,
    ).stdout.lower()  # fmt: skip
    assert "museum-guide-core==0.1.0" in listed and "guide_robot==0.1.0" in listed.replace("-", "_")
    for name in ("torch", "transformers", "fastapi", "uvicorn", "museum-guide=="):
        assert name not in listed, f"{name} is installed on the robot:\n{listed}"


async def test_the_core_only_robot_tours_against_a_real_server(
    robot_venv: Path, tmp_path: Path, exhibits_dir: Path
) -> None:
    port = free_port()
    env = os.environ | {"GUIDE_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    server = await GuideServeProcess.start(port=port, exhibits_dir=exhibits_dir, env=env)
    robot_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "ROS_DOMAIN_ID": str(170 + os.getpid() % 50),
        "RMW_IMPLEMENTATION": "rmw_fastrtps_cpp",
        "PYTHONUNBUFFERED": "1",
    }
    robot = None
    try:
        async with connect(f"ws://127.0.0.1:{port}/ws/visitor") as visitor:
            await visitor.send(dump_message(Hello(client=ClientKind.VISITOR, token=DEMO_VISITOR_TOKEN)))
            robot = await asyncio.create_subprocess_exec(
                str(robot_venv / "bin" / "python"), "-X", "importtime", "-m", "guide_robot.commands",
                "--sim", "--exhibits", str(exhibits_dir), "--server-url", f"ws://127.0.0.1:{port}/ws/robot",
                "--speed", "3.0", "--pause", "1", "--noise", "0",
                env=robot_env, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            start = await _first_description_start(visitor)
        assert robot.returncode is None, "the robot is still touring"
        robot.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(robot.communicate(), 3 * TIMEOUT)
    finally:
        if robot is not None and robot.returncode is None:
            robot.kill()
            await robot.wait()
        await server.kill()
    log = stderr.decode(errors="replace")
    assert robot.returncode == 0, log[-3000:]
    assert start.exhibit_id, "the server described the exhibit the core-only robot reached"
    imported = {
        line.split("|")[-1].strip().split(".")[0] for line in log.splitlines() if "import time:" in line
    }
    assert "guide_core" in imported and "guide_robot" in imported and "rclpy" in imported
    assert imported.isdisjoint(SERVER_ONLY), f"the robot imported {imported & set(SERVER_ONLY)}"


async def _first_description_start(visitor: ClientConnection) -> DescriptionStart:
    while True:
        message = parse_server_message(await asyncio.wait_for(visitor.recv(), 20 * TIMEOUT))
        if isinstance(message, DescriptionStart):
            return message
