"""launch/guide.launch.py cannot run here (no `launch` package on the index): check that it parses and
names only the nodes, executables and parameters that exist."""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

from guide_robot import guide_bridge_node, proximity_node, sim_turtlebot_node

from guide_server.paths import PROJECT_ROOT

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
    assert declared == documented | {"start_server"}
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
