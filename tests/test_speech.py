"""Speech on a real server: released sentences spoken by the packaged Piper voice, to whom asked for it."""

from __future__ import annotations

import array
import asyncio
import base64
import subprocess
import sys
import wave
from pathlib import Path

from conftest import TIMEOUT
from server_harness import EXHIBIT, Client, guide_server, robot, settings_for, visitor
from test_server_streaming import SENTENCES, TEXT, enter

from guide_core.protocol import ErrorCode, Question, SpeechSetting, VisitorProfile
from guide_server.generation.engines.scripted import ScriptedEngine


async def stream_with_audio(client: Client, kind: str = "description") -> tuple[list, list]:
    """One request's `<kind>.*` messages and its `speech.audio`, until every released sentence was spoken."""
    texts, audio = [], []
    request_id = None
    while True:
        message = await client.recv()
        if message.type.startswith(kind + ".") and request_id in (None, message.request_id):
            request_id = message.request_id
            texts.append(message)
        elif message.type == "speech.audio" and message.request_id == request_id:
            audio.append(message)
        released = sum(m.type.endswith(".delta") for m in texts)
        if texts and texts[-1].type == f"{kind}.end" and len(audio) == released:
            return texts, audio


def assert_spoken_in_step(texts: list, audio: list) -> None:
    """One clip per released delta, in seq order, each after its text and of a plausible length."""
    deltas = [m for m in texts if m.type.endswith(".delta")]
    assert [a.seq for a in audio] == [d.seq for d in deltas]
    for delta, clip in zip(deltas, audio, strict=True):
        pcm = base64.b64decode(clip.audio)
        assert clip.encoding == "pcm_s16le" and clip.voice == "en_US-joe-medium"
        assert abs(len(pcm) / 2 / clip.sample_rate * 1000 - clip.duration_ms) < 1
        words = len(delta.text.split())
        seconds = clip.duration_ms / 1000
        assert 0.15 * words < seconds < 1.0 * words + 1, f"{seconds:.1f} s of audio for {words} words"
        samples = array.array("h", pcm)
        assert max(map(abs, samples)) > 1000, "the clip is silent"


async def test_description_is_spoken_sentence_by_sentence_to_visitors_who_asked(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    engine = ScriptedEngine(TEXT, model_id="scripted-test")
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with (
            visitor(server, speech=True) as listener,
            visitor(server) as reader,
            robot(server) as bot,
        ):
            await enter(bot)
            texts, audio = await stream_with_audio(listener)
            assert [m.text.strip() for m in texts if m.type.endswith(".delta")] == SENTENCES
            assert_spoken_in_step(texts, audio)
            # The reader got the same text and no audio at all (the end came after every delta).
            others = []
            while (message := await reader.recv()).type != "description.end":
                others.append(message.type)
            assert "speech.audio" not in others
            assert server.services.speaker.audio_s > 0


async def test_cached_description_keeps_its_audio(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(TEXT, model_id="scripted-test")
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server, speech=True) as first, robot(server) as bot:
            await enter(bot)
            await stream_with_audio(first)
            await bot.send_json({"type": "proximity", "event": "leave", "exhibit_id": EXHIBIT,
                                 "distance": 2.0, "bearing": 0.0, "seq": 1, "stamp": 1.0})  # fmt: skip
            await first.recv_type("tour.state")
            spoken_before = server.services.speaker.synthesis_s
            await enter(bot, seq=2)
            texts, audio = await stream_with_audio(first)
            assert texts[0].cached
            assert_spoken_in_step(texts, audio)
            assert server.services.speaker.synthesis_s == spoken_before, (
                "the cached description was spoken again"
            )


async def test_answer_is_spoken_to_the_asker_only(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(TEXT, model_id="scripted-test")
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with (
            visitor(server, speech=True) as asker,
            visitor(server, speech=True) as neighbour,
            robot(server) as bot,
        ):
            await enter(bot)
            await stream_with_audio(asker)
            await stream_with_audio(neighbour)
            await asker.send(Question(request_id="q1", text="When was the keep built?"))
            texts, audio = await stream_with_audio(asker, "answer")
            assert texts[-1].request_id == "q1" and audio, "the answer was not spoken"
            assert_spoken_in_step(texts, audio)
            # The neighbour hears nothing of it: its next message is the robot's next event.
            await enter(bot, "kourion-theatre", seq=1)
            while (message := await neighbour.recv()).type != "proximity":
                assert getattr(message, "request_id", None) != "q1", (
                    f"the neighbour got {message.type} of another's answer"
                )


async def test_greek_visitor_gets_text_and_one_speech_unavailable(tmp_path: Path, exhibits_dir: Path) -> None:
    engine = ScriptedEngine(TEXT, model_id="scripted-test")
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        greek = VisitorProfile(language="el")
        async with visitor(server, profile=greek, speech=True) as client, robot(server) as bot:
            notice = await client.recv_type("error")
            assert notice.code is ErrorCode.SPEECH_UNAVAILABLE and "Greek" in notice.message
            await enter(bot)
            kinds = []
            while (message := await client.recv()).type != "description.end":
                kinds.append(message.type)
            assert "description.delta" in kinds and "speech.audio" not in kinds
            assert "error" not in kinds, "speech_unavailable must be said once"


async def test_turning_speech_on_mid_tour_speaks_the_current_description(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    engine = ScriptedEngine(TEXT, model_id="scripted-test")
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        async with visitor(server) as client, robot(server) as bot:
            await enter(bot)
            texts = await client.stream()
            assert texts[-1].type == "description.end"
            await client.send(SpeechSetting(enabled=True))
            clips = [await client.recv_type("speech.audio") for _ in SENTENCES]
            assert [c.seq for c in clips] == list(range(len(SENTENCES)))
            assert all(c.request_id == texts[0].request_id for c in clips)


async def test_speech_off_on_the_server_is_said_not_faked(tmp_path: Path, exhibits_dir: Path) -> None:
    settings = settings_for(tmp_path, exhibits_dir, speech=False)
    async with guide_server(settings, ScriptedEngine(TEXT, model_id="scripted-test")) as server:
        async with visitor(server, speech=True) as client:
            notice = await client.recv_type("error")
            assert notice.code is ErrorCode.SPEECH_UNAVAILABLE and "GUIDE_SPEECH" in notice.message


async def test_guide_listen_writes_the_spoken_description_to_a_wav_file(
    tmp_path: Path, exhibits_dir: Path
) -> None:
    wav = tmp_path / "guide.wav"
    engine = ScriptedEngine(TEXT, model_id="scripted-test")
    async with guide_server(settings_for(tmp_path, exhibits_dir), engine) as server:
        listener = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "guide_server.cli", "listen", "--once", "--speak-to", str(wav),
            "--url", server.ws("/ws/visitor"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            seen: list[str] = []
            while not any("== joined tour" in line for line in seen):
                line = await asyncio.wait_for(listener.stdout.readline(), TIMEOUT)
                assert line, f"guide listen exited early:\n{''.join(seen)}"
                seen.append(line.decode())
            async with visitor(server, speech=True) as headset, robot(server) as bot:
                await enter(bot)
                _, audio = await stream_with_audio(headset)
            out, _ = await asyncio.wait_for(listener.communicate(), 3 * TIMEOUT)
        finally:
            if listener.returncode is None:
                listener.kill()
                await listener.wait()
    assert listener.returncode == 0, "".join(seen) + out.decode()
    with wave.open(str(wav)) as written:
        seconds = written.getnframes() / written.getframerate()
    expected = sum(clip.duration_ms for clip in audio) / 1000
    assert abs(seconds - expected) < 0.05, (
        f"the WAV holds {seconds:.2f} s; the headset heard {expected:.2f} s"
    )


def test_speak_to_an_unwritable_file_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "guide.wav"
    result = subprocess.run(
        [sys.executable, "-m", "guide_server.cli", "listen", "--speak-to", str(target)],
        capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert result.returncode == 2
    assert str(target) in result.stderr and "--speak-to" in result.stderr
