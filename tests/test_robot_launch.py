"""launch/guide.launch.py cannot run here (no `launch` package on the index): check that it parses,
names only the nodes, executables and parameters that exist, stops the launch when the bridge or the
server fails, and serves where server_url points (its decisions live in guide_robot.launch_plan)."""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

import pytest
from guide_robot import guide_bridge_node, proximity_node, sim_turtlebot_node
from guide_robot.exceptions import LaunchArgumentError
from guide_robot.launch_plan import check_server_command, serve_command, stop_reason

from guide_core.paths import PROJECT_ROOT

LAUNCH = PROJECT_ROOT / "launch" / "guide.launch.py"
PACKAGE = PROJECT_ROOT / "ros_ws" / "src" / "guide_robot"
NODE_PARAMETERS = {
    "proximity_node": set(proximity_node.DEFAULTS),
    "sim_turtlebot_node": set(sim_turtlebot_node.DEFAULTS),
    "guide_bridge_node": set(guide_bridge_node.DEFAULTS),
}


def _node_calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "Node"]


def _keyword(call: ast.Call, name: str) -> ast.expr:
    return next(k.value for k in call.keywords if k.arg == name)


def test_launch_file_names_existing_nodes_and_parameters() -> None:
    tree = ast.parse(LAUNCH.read_text(encoding="utf-8"))
    calls = _node_calls(tree)
    executables = [ast.literal_eval(_keyword(c, "executable")) for c in calls]
    assert sorted(executables) == sorted(NODE_PARAMETERS)
    for call, executable in zip(calls, executables, strict=True):
        (parameters,) = _keyword(call, "parameters").elts
        names = {ast.literal_eval(key) for key in parameters.keys}
        assert names <= NODE_PARAMETERS[executable], (
            f"{executable} has no parameter {names - NODE_PARAMETERS[executable]}"
        )


def test_launch_arguments_are_the_documented_ones() -> None:
    tree = ast.parse(LAUNCH.read_text(encoding="utf-8"))
    declared = {
        ast.literal_eval(n.args[0])
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "DeclareLaunchArgument"
    }
    documented = {
        "use_sim",
        "pose_source",
        "exhibits_dir",
        "server_url",
        "token",
        "ca_file",
        "cert_fingerprint",
    }
    assert declared == documented | {"start_server", "engine", "odom_topic", "goal_topic"}
    docstring = ast.get_docstring(tree) or ""
    assert all(name in docstring for name in declared), (
        f"the launch file's docstring omits some of {declared}"
    )


def test_console_scripts_point_at_main_functions() -> None:
    setup = ast.parse((PACKAGE / "setup.py").read_text(encoding="utf-8"))
    scripts = [
        ast.literal_eval(part) if isinstance(part, ast.Constant) else None
        for n in ast.walk(setup)
        if isinstance(n, ast.JoinedStr)
        for part in n.values
    ]
    text = "".join(s for s in scripts if s)
    for module in (proximity_node, sim_turtlebot_node, guide_bridge_node):
        name = module.__name__.rsplit(".", 1)[1]
        assert f"{name} = " in text and callable(module.main)
    assert (PACKAGE / "resource" / "guide_robot").is_file()
    assert "<build_type>ament_python</build_type>" in (PACKAGE / "package.xml").read_text()
    cfg = configparser.ConfigParser()
    cfg.read(PACKAGE / "setup.cfg")
    assert cfg["install"]["install_scripts"] == "$base/lib/guide_robot"
    assert Path(PACKAGE / "launch" / "guide.launch.py").resolve() == LAUNCH.resolve()


@pytest.mark.parametrize(
    ("server_url", "expected"),
    [
        ("ws://127.0.0.1:8000/ws/robot", ["--host", "127.0.0.1", "--port", "8000"]),
        ("ws://localhost:8123/ws/robot", ["--host", "127.0.0.1", "--port", "8123"]),
        ("wss://192.0.2.7:9443/ws/robot", ["--host", "192.0.2.7", "--port", "9443", "--tls"]),
        ("wss://guide.lab/ws/robot", ["--host", "guide.lab", "--port", "443", "--tls"]),
    ],
)
def test_the_started_server_listens_where_server_url_points(server_url: str, expected: list[str]) -> None:
    command = serve_command(server_url, "/museum/exhibits", engine="scripted")
    assert command[:4] == ["guide", "serve", "--exhibits", "/museum/exhibits"]
    assert command[4:] == [*expected, "--engine", "scripted"]
    assert "--engine" not in serve_command(server_url, "/museum/exhibits")


def test_a_server_url_the_server_cannot_listen_on_is_refused_with_its_fix() -> None:
    with pytest.raises(LaunchArgumentError, match=r"start_server:=true: .*must end in /ws/robot"):
        serve_command("ws://127.0.0.1:8000/", "/museum/exhibits")


def test_a_failed_bridge_stops_the_launch_and_a_clean_stop_does_not() -> None:
    assert stop_reason("guide_bridge_node", 0) is None
    reason = stop_reason("guide_bridge_node", 2)
    assert (
        reason is not None and "guide_bridge_node exited with status 2" in reason and "launch stops" in reason
    )
    tree = ast.parse(LAUNCH.read_text(encoding="utf-8"))
    handlers = [
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "OnProcessExit"
    ]
    targets = {ast.unparse(_keyword(h, "target_action")) for h in handlers}
    assert targets == {"bridge", "server"}, "the bridge's and the started server's exits are watched"
    source = LAUNCH.read_text(encoding="utf-8")
    assert "bridge := Node(" in source and "Shutdown(reason=reason)" in source


def test_the_robots_topics_can_be_remapped_at_launch() -> None:
    tree = ast.parse(LAUNCH.read_text(encoding="utf-8"))
    remapped = {
        ast.literal_eval(_keyword(call, "executable")): ast.unparse(_keyword(call, "remappings"))
        for call in _node_calls(tree)
    }
    assert remapped == {
        "sim_turtlebot_node": "[odom, goal]",
        "proximity_node": "[odom]",
        "guide_bridge_node": "[goal]",
    }
    source = LAUNCH.read_text(encoding="utf-8")
    assert '(ODOM_TOPIC, LaunchConfiguration("odom_topic"))' in source
    assert '(GOAL_TOPIC, LaunchConfiguration("goal_topic"))' in source


def test_start_server_without_the_guide_command_is_refused_with_its_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LaunchArgumentError, match=r"start_server:=true: no `guide` command on PATH"):
        check_server_command(serve_command("ws://127.0.0.1:8000/ws/robot", "/museum/exhibits"))
    guide = tmp_path / "guide"
    guide.write_text("#!/bin/sh\n")
    guide.chmod(0o755)
    check_server_command(serve_command("ws://127.0.0.1:8000/ws/robot", "/museum/exhibits"))


def test_an_exit_while_the_launch_is_stopping_is_not_a_new_failure() -> None:
    assert stop_reason("guide serve", -15, stopping=True) is None
    assert stop_reason("guide serve", -15) is not None
    assert "stopping=context.is_shutdown" in LAUNCH.read_text(encoding="utf-8")
