"""`guide bench soak`: the simulated robot tours the museum for minutes while 100 visitors listen.

Processes, all on 127.0.0.1: `guide serve` (the engine chosen), `guide robot --sim
--loop` (fast simulator, bridge to the server), and this process with the visitors:
most read at once, some read slowly (a pause per message), some join and leave
and come back with `hello.resume`. Every description a visitor saw start must end
`stop`, `length` or `cancelled` (the robot moved on); no visitor may get an
`error`. The server's RSS (from /proc) is sampled every few seconds: after the
warm-up (the first minute, or a quarter of a shorter run) it must grow less
than 5%. Time to first token: the server's `ttft_ms` of each description and,
at the visitors, `description.start` to the first delta, p50/p95 over the run;
the reference is the warm-up window of the same run. The run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.serve import percentile
from bench.table import print_table

RSS_GROWTH_LIMIT = 1.05
SAMPLE_EVERY_S = 5.0
READY_TIMEOUT_S = 600.0
FINISHED_BY_DESIGN = {"stop", "length", "cancelled"}


def add_command(sub: Any) -> None:
    """Register `guide bench soak`."""
    parser = sub.add_parser("soak", help="robot tours in a loop with 100 visitors: errors, RSS growth, TTFT")
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the tour runs")
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--engine", choices=["onnx", "transformers", "scripted"], default="onnx")
    parser.add_argument("--speed", type=float, default=2.0, help="simulator speed, m/s")
    parser.add_argument("--pause", type=float, default=4.0, help="simulator pause at each exhibit, s")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--seed", type=int, default=7)
    parser.set_defaults(handler=run)


@dataclass
class SoakLog:
    """What the visitors saw, stamped with seconds since the tour started."""

    started: float = field(default_factory=time.monotonic)
    client_ttft: list[tuple[float, float]] = field(default_factory=list)
    server_ttft: dict[str, tuple[float, float]] = field(default_factory=dict)
    finishes: dict[str, int] = field(default_factory=dict)
    unfinished: int = 0
    errors: list[str] = field(default_factory=list)
    closes: dict[int, int] = field(default_factory=dict)
    descriptions_seen: int = 0
    robot_offline: int = 0
    rss: list[tuple[float, int]] = field(default_factory=list)

    def now(self) -> float:
        """Seconds since the tour started."""
        return time.monotonic() - self.started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def _wait_ready(url: str, server: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + READY_TIMEOUT_S
    async with httpx.AsyncClient(timeout=5) as http:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"guide serve exited with {server.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.5)
    raise RuntimeError(f"the server was not ready within {READY_TIMEOUT_S:.0f} s")


class SoakVisitor:
    """One headset: reads the tour's stream (slowly, or leaving and rejoining) until `stop` is set."""

    def __init__(self, url: str, style: str, log: SoakLog, rng: random.Random) -> None:
        self.url, self.style, self.log, self.rng = url, style, log, rng
        self.open: dict[str, float] = {}  # request_id -> when its start arrived
        self.resume: dict[str, Any] | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Visit until `stop`; a churner leaves after a while and comes back resuming."""
        while not stop.is_set():
            stay = self.rng.uniform(5, 25) if self.style == "churn" else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._visit(stop), stay)
            self.log.unfinished += len(self.open)  # left mid-description by choice
            self.open.clear()
            if self.style == "churn" and not stop.is_set():
                await asyncio.sleep(self.rng.uniform(1, 5))
            elif not stop.is_set():
                await asyncio.sleep(1)  # the server closed us; count it (below) and rejoin

    async def _visit(self, stop: asyncio.Event) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        from guide_core.demo_tokens import DEMO_VISITOR_TOKEN

        hello: dict[str, Any] = {
            "type": "hello",
            "client": "visitor",
            "token": DEMO_VISITOR_TOKEN,
            "tour": "default",
        }
        if self.resume is not None:
            hello["resume"] = self.resume
        try:
            async with connect(f"{self.url}/ws/visitor", max_size=None) as ws:
                await ws.send(json.dumps(hello))
                while not stop.is_set():
                    try:
                        raw = await asyncio.wait_for(ws.recv(), 1.0)
                    except TimeoutError:
                        continue
                    self._on(json.loads(raw))
                    if self.style == "slow":
                        await asyncio.sleep(0.05)
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else -1
            self.log.closes[code] = self.log.closes.get(code, 0) + 1

    def _on(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "description.start":
            self.open[message["request_id"]] = self.log.now()
            self.log.descriptions_seen += 1
        elif kind == "description.delta":
            request_id = message["request_id"]
            self.resume = {"request_id": request_id, "seq": message["seq"]}
            started = self.open.get(request_id)
            if started is not None and started >= 0:
                self.log.client_ttft.append((started, (self.log.now() - started) * 1000))
                self.open[request_id] = -1.0  # first delta seen
        elif kind == "description.end":
            self.open.pop(message["request_id"], None)
            reason = message["finish_reason"]
            self.log.finishes[reason] = self.log.finishes.get(reason, 0) + 1
            if message.get("ttft_ms") is not None:
                self.log.server_ttft.setdefault(message["request_id"], (self.log.now(), message["ttft_ms"]))
        elif kind == "error" and message["code"] == "robot_unavailable":
            self.log.robot_offline += 1  # the robot process stalled (a tour notice, reported apart)
        elif kind == "error":
            self.log.errors.append(f"{message['code']}: {message['message']}")


async def _sample_rss(pid: int, log: SoakLog, stop: asyncio.Event) -> None:
    while not stop.is_set():
        log.rss.append((log.now(), _rss_kib(pid)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY_S)
    log.rss.append((log.now(), _rss_kib(pid)))


async def _tour(args: argparse.Namespace, url: str, server_pid: int, env: dict[str, str]) -> SoakLog:
    rng = random.Random(args.seed)
    log = SoakLog()
    stop = asyncio.Event()
    styles = ["slow"] * (args.visitors * 15 // 100) + ["churn"] * (args.visitors * 15 // 100)
    styles += ["steady"] * (args.visitors - len(styles))
    visitors = [SoakVisitor(url, style, log, random.Random(rng.random())) for style in styles]
    tasks = [asyncio.create_task(v.run(stop)) for v in visitors]
    tasks.append(asyncio.create_task(_sample_rss(server_pid, log, stop)))
    robot = subprocess.Popen(
        [
            *_guide(),
            "robot",
            "--sim",
            "--loop",
            "--speed",
            str(args.speed),
            "--pause",
            str(args.pause),
            "--server-url",
            f"{url}/ws/robot",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.minutes * 60)
    finally:
        stop.set()
        _stop(robot)
        await asyncio.gather(*tasks, return_exceptions=True)
    return log


def _guide() -> list[str]:
    return [sys.executable, "-m", "guide_server.cli"]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _window(samples: list[tuple[float, float]], start: float, end: float) -> list[float]:
    return [value for at, value in samples if start <= at < end]


def _report(args: argparse.Namespace, log: SoakLog) -> int:
    total = args.minutes * 60
    warmup = min(60.0, total / 4)
    server_ttft = list(log.server_ttft.values())
    rows: list[list[object]] = []
    for name, samples in (("server ttft ms", server_ttft), ("visitor ttft ms", log.client_ttft)):
        first = _window(samples, 0, warmup)
        rest = _window(samples, warmup, total + 60)
        for label, q in (("p50", 0.5), ("p95", 0.95)):
            if first and rest:
                a, b = percentile(first, q), percentile(rest, q)
                rows.append([f"{name} {label}", a, b, b / a if a else "-"])
    after_warmup = next((kib for at, kib in log.rss if at >= warmup), log.rss[-1][1])
    end = log.rss[-1][1]
    rows.append(["server RSS MiB", after_warmup / 1024, end / 1024, end / after_warmup])
    peak = max(kib for at, kib in log.rss if at >= warmup) if log.rss else end
    rows.append(["server peak RSS MiB", after_warmup / 1024, peak / 1024, peak / after_warmup])
    print(
        f"soak: {args.minutes:g} min, {args.visitors} visitors, engine {args.engine}, warm-up {warmup:.0f} s"
    )
    print_table(["metric", "warm-up (reference)", "after warm-up / end", "ratio"], rows)
    print_table(
        [
            "descriptions started (all visitors)",
            "ended by reason",
            "left mid-stream",
            "errors",
            "robot offline notices",
            "closes",
        ],
        [
            [
                log.descriptions_seen,
                json.dumps(log.finishes),
                log.unfinished,
                len(log.errors),
                log.robot_offline,
                json.dumps(log.closes),
            ]
        ],
    )
    problems = []
    if set(log.finishes) - FINISHED_BY_DESIGN:
        problems.append(f"descriptions ended otherwise than by design: {log.finishes}")
    if log.errors:
        problems.append(f"{len(log.errors)} errors, first: {log.errors[0]}")
    if end / after_warmup >= RSS_GROWTH_LIMIT:
        problems.append(f"server RSS grew {100 * (end / after_warmup - 1):.1f}% after warm-up")
    if not log.finishes.get("stop") and not log.finishes.get("length"):
        problems.append("no description finished: is the robot reaching the exhibits?")
    if log.robot_offline:
        print(f"WARN: {log.robot_offline} robot_unavailable notices: the simulated robot stalled (CPU?)")
    for problem in problems:
        print(f"FAIL: {problem}")
    print("soak: OK" if not problems else "soak: FAILED")
    return 1 if problems else 0


async def _soak(args: argparse.Namespace) -> int:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {
            "GUIDE_FEEDBACK_DB": str(Path(tmp) / "feedback.sqlite3"),
            "GUIDE_MAX_NEW_TOKENS": str(args.max_new_tokens),
            "RMW_IMPLEMENTATION": os.environ.get("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp"),
            "HF_HUB_OFFLINE": "1",
            "ROS_DOMAIN_ID": str(230 + port % 2),  # keep the soak's DDS traffic apart from tests'
        }
        server = subprocess.Popen(
            [*_guide(), "serve", "--port", str(port), "--engine", args.engine, "--no-watch"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await _wait_ready(url, server)
            log = await _tour(args, url.replace("http://", "ws://"), server.pid, env)
            if server.poll() is not None:
                print(f"FAIL: the server exited with {server.returncode} during the soak")
                return 1
        finally:
            _stop(server)
    return _report(args, log)


def run(args: argparse.Namespace) -> int:
    """Run the soak and print its tables; exit 1 if any check failed."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no line per readiness poll
    return asyncio.run(_soak(args))
