"""The guide server is SIGKILLed mid-description and restarted on the same port.

Real processes throughout: two `guide serve` runs, a `guide listen` subprocess that reconnects on
its own, and the real bridge node over DDS. Checked: the bridge delivers the events it buffered
while the server was down once and in order (the restarted server logs each proximity it handles),
the listener comes back and prints the current exhibit's description, a visitor joining the new
server gets that description, and feedback rows committed before the kill are all in the SQLite file.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from conftest import TIMEOUT
from fault_support import GuideServeProcess, proximity
from guide_robot.guide_bridge_node import GuideBridgeNode
from guide_robot.topics import EVENTS_QOS, EVENTS_TOPIC
from rclpy.parameter import Parameter
from robot_support import ros_session, wait_until
from server_harness import (
    EXHIBIT,
    NEXT_EXHIBIT,
    GuideServer,
    scripted_description,
    text_of,
    visitor,
    words_to_release,
)
from std_msgs.msg import String
from test_listen import _read_until
from test_server_cli import free_port

from guide_core.catalogue.loader import load_catalogue
from guide_core.demo_tokens import DEMO_ROBOT_TOKEN
from guide_core.protocol import Feedback, ProximityKind, dump_message
from guide_server.feedback.store import export_feedback

SAID_BEFORE_KILL = 3
FEEDBACK_ROWS = 5
HANDLED = re.compile(r"proximity (\w+) ([a-z0-9-]+) \(seq (\d+)\)")


async def test_server_killed_mid_description_recovers_events_visitors_and_feedback(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    catalogue = load_catalogue(exhibits_dir).catalogue
    port = free_port()
    db = tmp_path / "feedback.sqlite3"
    env = os.environ | {"GUIDE_FEEDBACK_DB": str(db)}
    words = words_to_release(scripted_description(catalogue.get(EXHIBIT)), SAID_BEFORE_KILL)
    hanging = {"GUIDE_SCRIPTED_FAULT": "hang", "GUIDE_SCRIPTED_FAULT_AFTER": str(words)}
    server = GuideServer(url=f"http://127.0.0.1:{port}", app=None)  # type: ignore[arg-type]
    first = await GuideServeProcess.start(port=port, exhibits_dir=exhibits_dir, env=env | hanging)
    second: GuideServeProcess | None = None
    listener = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "guide_server.cli", "listen", "--once", "--url", server.ws("/ws/visitor")),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    printed: list[str] = []
    try:
        with ros_session() as session:
            events = session.node("test_events").create_publisher(String, EVENTS_TOPIC, EVENTS_QOS)

            def publish(kind: ProximityKind, exhibit_id: str, seq: int) -> None:
                events.publish(String(data=dump_message(proximity(kind, exhibit_id, seq))))

            values = {
                "server_url": server.ws("/ws/robot"),
                "token": DEMO_ROBOT_TOKEN,
                "backoff_initial": 0.05,
                "backoff_max": 0.2,
            }
            bridge = GuideBridgeNode(
                context=session.context,
                parameter_overrides=[Parameter(k, value=v) for k, v in values.items()],
            )
            session.add(bridge)
            client = bridge.client
            assert client is not None
            await asyncio.to_thread(wait_until, client.connected.is_set, "the bridge's welcome")
            await asyncio.to_thread(
                wait_until, lambda: events.get_subscription_count() > 0, "the bridge on DDS"
            )

            async with visitor(server) as headset:
                publish(ProximityKind.ENTER, EXHIBIT, 0)
                deltas = 0
                while deltas < SAID_BEFORE_KILL:
                    deltas += (await headset.recv()).type == "description.delta"
                for row in range(FEEDBACK_ROWS):
                    await headset.send(Feedback(exhibit_id=EXHIBIT, rating=row % 5 + 1, comment=f"row {row}"))
                    await headset.recv_type("feedback.saved")
            await _read_until(listener.stdout, f"## Description: {catalogue.get(EXHIBIT).title}", printed)

            await first.kill()
            rows_after_kill = len(export_feedback(db))
            await asyncio.to_thread(wait_until, lambda: not client.connected.is_set(), "the bridge losing it")
            publish(ProximityKind.LEAVE, EXHIBIT, 1)
            publish(ProximityKind.ENTER, NEXT_EXHIBIT, 2)
            await asyncio.to_thread(wait_until, lambda: len(bridge.buffer) == 2, "both events buffered")

            second = await GuideServeProcess.start(port=port, exhibits_dir=exhibits_dir, env=env)
            await second.wait_for_line("(seq 2)")
            publish(
                ProximityKind.DWELL, NEXT_EXHIBIT, 3
            )  # sent after the buffer: everything before it arrived
            await second.wait_for_line("(seq 3)")
            rest, _ = await asyncio.wait_for(listener.communicate(), 3 * TIMEOUT)
            async with visitor(server) as late:
                state = await late.recv_type("tour.state")
                description = await late.stream("description")
    finally:
        if listener.returncode is None:
            listener.kill()
            await listener.wait()
        await first.kill()
        if second is not None:
            await second.kill()
    handled = [(m[1], m[2], int(m[3])) for line in second.lines if (m := HANDLED.search(line))]
    assert handled == [("leave", EXHIBIT, 1), ("enter", NEXT_EXHIBIT, 2), ("dwell", NEXT_EXHIBIT, 3)]
    output = "".join(printed) + rest.decode()
    assert listener.returncode == 0, output
    next_exhibit = catalogue.get(NEXT_EXHIBIT)
    said = scripted_description(next_exhibit)
    assert f"## Description: {next_exhibit.title}" in output and said in output
    assert state.exhibit_id == NEXT_EXHIBIT
    assert text_of(description).strip() == said
    assert rows_after_kill == FEEDBACK_ROWS
    assert [r.comment for r in export_feedback(db)] == [f"row {row}" for row in range(FEEDBACK_ROWS)]
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
