"""`guide listen` prints a streamed description, with the exhibit's title, from a real server."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from conftest import TIMEOUT
from server_harness import EXHIBIT, guide_server, robot, settings_for, text_of, visitor

from guide_core.catalogue.loader import load_catalogue
from guide_core.protocol import (
    AnswerDelta,
    AnswerEnd,
    AnswerStart,
    DescriptionDelta,
    DescriptionEnd,
    DescriptionStart,
    FactCheck,
    FinishReason,
    Proximity,
    ProximityKind,
    WithheldSentence,
)
from guide_server.cli.listen import StreamPrinter, http_base


async def _read_until(stream: asyncio.StreamReader, marker: str, seen: list[str]) -> None:
    while not any(marker in line for line in seen):
        line = await asyncio.wait_for(stream.readline(), TIMEOUT)
        if not line:
            raise AssertionError(f"guide listen exited before printing {marker!r}:\n{''.join(seen)}")
        seen.append(line.decode())


async def test_guide_listen_prints_a_streamed_description(tmp_path: Path, exhibits_dir: Path) -> None:
    title = load_catalogue(exhibits_dir).catalogue.get(EXHIBIT).title
    async with guide_server(settings_for(tmp_path, exhibits_dir)) as server:
        listener = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "guide_server.cli",
            "listen",
            "--once",
            "--url",
            server.ws("/ws/visitor"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        seen: list[str] = []
        try:
            await _read_until(listener.stdout, "== joined tour default", seen)
            async with visitor(server) as headset, robot(server) as bridge:
                await bridge.send(
                    Proximity(
                        event=ProximityKind.ENTER,
                        exhibit_id=EXHIBIT,
                        distance=1.0,
                        bearing=0.0,
                        seq=0,
                        stamp=time.time(),
                    )
                )
                streamed = await headset.stream("description")
            rest, _ = await asyncio.wait_for(listener.communicate(), 3 * TIMEOUT)
        finally:
            if listener.returncode is None:
                listener.kill()
                await listener.wait()
    output = "".join(seen) + rest.decode()
    assert listener.returncode == 0, output
    assert f"## Description: {title}" in output
    description = text_of(streamed)
    assert description.strip(), "the scripted engine streamed no text"
    assert description in output


def test_printer_shows_titles_text_and_fact_check() -> None:
    printer = StreamPrinter(titles={"kolossi-castle": "Kolossi Castle"})
    parts = [
        printer.format(DescriptionStart(request_id="d-1", exhibit_id="kolossi-castle", model_id="m")),
        printer.format(DescriptionDelta(request_id="d-1", seq=0, text="Rebuilt in 1454.")),
        printer.format(DescriptionDelta(request_id="d-1", seq=1, text=" A Knights' keep.")),
        printer.format(
            DescriptionEnd(
                request_id="d-1",
                finish_reason=FinishReason.STOP,
                token_count=12,
                ttft_ms=80.4,
                fact_check=FactCheck(
                    ok=False,
                    released=2,
                    withheld=[
                        WithheldSentence(
                            text="Rebuilt in 1554.", reason="the record never says the year 1554"
                        ),
                        WithheldSentence(text="Built by Romans.", reason="the record names no 'Romans'"),
                    ],
                ),
            )
        ),
    ]
    text = "".join(parts)
    assert text == (
        "## Description: Kolossi Castle [d-1]\nRebuilt in 1454. A Knights' keep.\n"
        "   [stop, 12 tokens, first token 80 ms] 2 sentences released\n"
        "   2 sentences withheld: the record never says the year 1554; the record names no 'Romans'\n"
    )
    assert printer.resume is not None and printer.resume.seq == 1
    assert printer.finished_descriptions == 1


def test_printer_says_when_the_record_was_given_and_nothing_was_withheld() -> None:
    printer = StreamPrinter()
    printer.format(AnswerStart(request_id="q-1", exhibit_id="kolossi-castle", model_id="m", question="Who?"))
    printer.format(AnswerDelta(request_id="q-1", seq=0, text="The museum's record says: Knights."))
    fallback = printer.format(
        AnswerEnd(
            request_id="q-1",
            finish_reason=FinishReason.STOP,
            token_count=5,
            fact_check=FactCheck(
                ok=False,
                released=1,
                withheld=[WithheldSentence(text="Romans built it.", reason="the record names no 'Romans'")],
                regenerated=True,
                fallback=True,
            ),
        )
    )
    assert fallback == (
        "\n   [stop, 5 tokens] 1 sentence released (the museum's record), regenerated\n"
        "   1 sentence withheld: the record names no 'Romans'\n"
    )
    clean = printer.format(
        AnswerEnd(
            request_id="q-1",
            finish_reason=FinishReason.STOP,
            token_count=5,
            fact_check=FactCheck(ok=True, released=1),
        )
    )
    assert clean == "   [stop, 5 tokens] 1 sentence released\n"
    assert "withheld" not in clean


def test_http_base_names_a_bad_url() -> None:
    assert http_base("ws://127.0.0.1:8000/ws/visitor") == "http://127.0.0.1:8000"
    try:
        http_base("http://127.0.0.1:8000/ws/visitor")
    except ValueError as exc:
        assert "ws://HOST:PORT/ws/visitor" in str(exc)
    else:
        raise AssertionError("an http:// URL must be refused")
