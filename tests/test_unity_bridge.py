"""The Unity package: its C# messages match the protocol, and it compiles and round-trips under mono."""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from conftest import TIMEOUT
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from guide_core import protocol as p
from guide_core.csharp_messages import MESSAGES_PATH, csharp_source
from guide_core.paths import UNITY_BRIDGE_DIR
from guide_core.protocol import dump_message, protocol_json_schema
from guide_core.tls import ServerCertificate, ensure_self_signed
from guide_core.unity_meta import expected_meta_files

SCHEMA_PATH = UNITY_BRIDGE_DIR / "protocol.schema.json"
STUBS = sorted((UNITY_BRIDGE_DIR / "Tests~" / "Stubs").glob("*.cs"))
FIX = "run `.venv/bin/guide protocol schema && .venv/bin/guide unity messages` and commit the result"


def _sources(folder: str) -> list[str]:
    return [str(p) for p in sorted((UNITY_BRIDGE_DIR / folder).rglob("*.cs"))]


def _mcs() -> str:
    found = shutil.which("mcs")
    if found is None:
        pytest.fail("mono's C# compiler `mcs` is missing: run `make vr-tools` (apt-get install mono-mcs)")
    return found


def _compile(out: Path, sources: list[str], *, library: bool) -> None:
    target = ["-target:library"] if library else []
    done = subprocess.run(
        [_mcs(), *target, f"-out:{out}", "-warnaserror+", "-nowarn:414,649,169", *sources],
        capture_output=True,
        text=True,
        timeout=20 * TIMEOUT,
    )
    assert done.returncode == 0, f"C# compile failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def round_trip_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's runtime plus the round-trip driver, compiled with mcs."""
    out = tmp_path_factory.mktemp("unity") / "RoundTrip.exe"
    driver = str(UNITY_BRIDGE_DIR / "Tests~" / "RoundTrip" / "RoundTrip.cs")
    _compile(out, [*_sources("Runtime"), *map(str, STUBS), driver], library=False)
    return out


def _run(exe: Path, lines: list[str]) -> list[str]:
    mono = shutil.which("mono")
    assert mono, "mono runtime missing: run `make vr-tools`"
    done = subprocess.run(
        [mono, str(exe)], input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=20 * TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_committed_schema_is_current() -> None:
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == protocol_json_schema(), f"unity_bridge/protocol.schema.json is stale: {FIX}"


def test_generated_csharp_is_current() -> None:
    expected = csharp_source(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert MESSAGES_PATH.read_text(encoding="utf-8") == expected, f"{MESSAGES_PATH.name} is stale: {FIX}"


def _expected_cs_type(prop: dict, defs: dict) -> str:
    """Independent of the generator: the C# type a schema property must have."""
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    nullable = "anyOf" in prop
    (schema,) = options
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return "string" if "enum" in defs[name] else name
    if schema.get("type") == "array":
        return f"List<{schema['items']['$ref'].rsplit('/', 1)[-1]}>"
    scalar = {"string": "string", "integer": "int", "number": "double", "boolean": "bool"}[schema["type"]]
    return scalar + "?" if nullable and scalar != "string" else scalar


def _csharp_classes(source: str) -> dict[str, dict[str, str]]:
    """Class name -> {field name: C# type}, read from the C# source text."""
    classes: dict[str, dict[str, str]] = {}
    for match in re.finditer(r"public sealed partial class (\w+)[^{]*\{(.*?)\n    \}", source, re.S):
        fields = re.findall(
            r"^        public (?!const|static|override)([\w<>?]+) @?(\w+)(?: = [^;]+)?;", match[2], re.M
        )
        classes[match[1]] = {name: cs_type for cs_type, name in fields}
    return classes


def test_csharp_classes_match_schema_field_by_field() -> None:
    schema = protocol_json_schema()
    defs = schema["$defs"]
    classes = _csharp_classes(MESSAGES_PATH.read_text(encoding="utf-8"))
    objects = {name: d for name, d in defs.items() if d.get("type") == "object"}
    assert set(classes) == set(objects), f"C# classes differ from the schema's messages: {FIX}"
    for name, definition in objects.items():
        expected = {
            field: _expected_cs_type(prop, defs)
            for field, prop in definition["properties"].items()
            if field != "type"
        }
        assert classes[name] == expected, f"{name}: C# fields differ from the schema: {FIX}"


def test_csharp_type_constants_match_wire_types() -> None:
    source = MESSAGES_PATH.read_text(encoding="utf-8")
    for kind in ("client_message", "server_message"):
        for wire_type, ref in protocol_json_schema()[kind]["discriminator"]["mapping"].items():
            cls = ref.rsplit("/", 1)[-1]
            assert (
                f'class {cls} : GuideMessage\n    {{\n        public const string TypeName = "{wire_type}";'
                in source
            )


def test_package_and_sample_compile_against_unity_stubs(tmp_path: Path) -> None:
    sources = [*_sources("Runtime"), *_sources("Samples~"), *map(str, STUBS)]
    _compile(tmp_path / "MuseumGuide.dll", sources, library=True)


def test_stubs_are_not_shipped() -> None:
    shipped = [
        str(p) for p in UNITY_BRIDGE_DIR.rglob("*.cs") if not any(part.endswith("~") for part in p.parts)
    ]
    assert not [s for s in shipped if "Stub" in s], "Unity stubs must live under a `~` folder"


def test_every_package_asset_has_a_current_meta_file() -> None:
    stale = [
        str(meta)
        for meta, text in expected_meta_files().items()
        if not meta.exists() or meta.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"missing or stale .meta files (run `.venv/bin/guide unity meta`): {stale}"


SAMPLE_SERVER_MESSAGES = [
    p.Welcome(session_id="s-1", tour="default", model_id="smollm2-135m+lora"),
    p.TourState(
        tour="default", exhibit_id="kourion-theatre", exhibit_title='Kourion "theatre"', robot_online=True
    ),
    p.Pose(x=1.25, y=-3.5, yaw=1.5707963267948966, stamp=1732312345.125),
    p.DescriptionStart(request_id="d-1", exhibit_id="kourion-theatre", model_id="m", cached=True),
    p.DescriptionDelta(request_id="d-1", seq=0, text="Built in the 2nd century BC,\nthe théâtre ✓"),
    p.DescriptionDelta(request_id="d-1", seq=4, text=" merged", first_seq=1),
    p.DescriptionEnd(
        request_id="d-1",
        finish_reason=p.FinishReason.STOP,
        token_count=42,
        ttft_ms=81.5,
        fact_check=p.FactCheck(
            ok=False,
            released=2,
            withheld=[
                p.WithheldSentence(text="Rebuilt in 1554.", reason="the record never says the year 1554")
            ],
            regenerated=True,
            fallback=True,
            check_ms=3.25,
        ),
    ),
    p.AnswerStart(request_id="q-1", exhibit_id="kolossi-castle", model_id="m", question="Who built it?"),
    p.AnswerDelta(request_id="q-1", seq=0, text="The Knights"),
    p.AnswerEnd(
        request_id="q-1", finish_reason=p.FinishReason.ERROR, token_count=0, fallback_text="Summary."
    ),
    p.Proximity(
        event=p.ProximityKind.DWELL,
        exhibit_id="kolossi-castle",
        distance=0.75,
        bearing=-0.5,
        seq=3,
        stamp=9.5,
    ),
    p.Goto(exhibit_id="kolossi-castle", x=4.0, y=2.5, frame_id="map"),
    p.FeedbackSaved(feedback_id=7, request_id="q-1"),
    p.SpeechAudio(
        request_id="d-1",
        seq=0,
        voice="en_US-joe-medium",
        sample_rate=22050,
        duration_ms=0.1,
        audio="AAABAA==",
    ),
    p.Error(code=p.ErrorCode.UNAUTHORIZED, message="bad token: use ?token=..."),
]
SAMPLE_CLIENT_MESSAGES = [
    p.Hello(client=p.ClientKind.VISITOR, token="demo", resume=p.ResumePoint(request_id="d-1", seq=3)),
    p.Question(request_id="q-1", text="When was it built?", exhibit_id="kourion-theatre"),
    p.Feedback(
        exhibit_id="kourion-theatre", request_id="d-1", rating=5, comment="great", correction="AD 1454"
    ),
    p.Goto(exhibit_id="kolossi-castle", request_id="g-1"),
    p.SpeechSetting(enabled=True),
]


def test_every_message_type_has_a_round_trip_sample() -> None:
    schema = protocol_json_schema()
    assert {m.type for m in SAMPLE_SERVER_MESSAGES} == set(
        schema["server_message"]["discriminator"]["mapping"]
    )
    client_types = {m.type for m in SAMPLE_CLIENT_MESSAGES} | {"pose", "proximity"}
    assert client_types == set(schema["client_message"]["discriminator"]["mapping"])


def test_csharp_round_trips_every_message(round_trip_exe: Path) -> None:
    lines = [f"server {dump_message(m)}" for m in SAMPLE_SERVER_MESSAGES]
    lines += [f"client {dump_message(m)}" for m in SAMPLE_CLIENT_MESSAGES]
    outputs = _run(round_trip_exe, lines)
    assert len(outputs) == len(lines)
    for line, output in zip(lines, outputs, strict=True):
        original = json.loads(line.split(" ", 1)[1])
        echoed = json.loads(output)
        # C# writes defaults explicitly; pydantic with exclude_none may omit None only.
        assert echoed == original, f"C# changed the message:\n  sent {original}\n  got  {echoed}"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'server {"type":"welcome","tour":"default","model_id":"m"}',
            "ERROR message.session_id: field required",
        ),
        ('server {"type":"pose","x":"1","y":0,"yaw":0,"stamp":0}', "ERROR message.x: expected a number"),
        (
            'server {"type":"description.delta","request_id":"r","seq":1.5,"text":""}',
            "ERROR message.seq: expected an integer",
        ),
        (
            'server {"type":"answer.end","request_id":"r","finish_reason":"stop","token_count":1,"fact_check":{"released":1}}',
            "ERROR message.fact_check.ok: field required",
        ),
        (
            'server {"type":"answer.end","request_id":"r","finish_reason":"stop","token_count":1,'
            '"fact_check":{"ok":false,"withheld":[{"text":"t"}]}}',
            "ERROR message.fact_check.withheld[0].reason: field required",
        ),
        ('server {"type":"pose",', "ERROR JSON text ended early at character 15"),
        ('server {"type":"from.the.future"}', "UNKNOWN"),
    ],
)
def test_csharp_names_the_field_at_fault(round_trip_exe: Path, line: str, expected: str) -> None:
    assert _run(round_trip_exe, [line]) == [expected]


SECRET = "Rebuilt in 1554 by the Romans."
"""A withheld sentence: in `fact_check` for curators, never on a visitor's panel."""


def _panel(exe: Path, messages: list) -> list[dict[str, str]]:
    return [json.loads(line) for line in _run(exe, [f"panel {dump_message(m)}" for m in messages])]


def _end(request_id: str, check: p.FactCheck | None, **extra) -> p.DescriptionEnd:
    return p.DescriptionEnd(
        request_id=request_id, finish_reason=p.FinishReason.STOP, token_count=9, fact_check=check, **extra
    )


def test_panel_shows_released_text_and_never_withheld(round_trip_exe: Path) -> None:
    withheld = [p.WithheldSentence(text=SECRET, reason="the record names no 'Romans'")]
    shown = _panel(
        round_trip_exe,
        [
            p.DescriptionStart(request_id="d-1", exhibit_id="kolossi-castle", model_id="m"),
            p.DescriptionDelta(request_id="d-1", seq=0, text="Rebuilt in 1454."),
            p.DescriptionDelta(request_id="d-1", seq=1, text=" A Knights' keep."),
            p.DescriptionStart(request_id="d-1", exhibit_id="kolossi-castle", model_id="m"),  # resumed
            _end("d-1", p.FactCheck(ok=False, released=2, withheld=withheld)),
            p.DescriptionStart(request_id="d-2", exhibit_id="kourion-theatre", model_id="m"),
            p.DescriptionDelta(request_id="d-2", seq=0, text="The museum's record says: A theatre."),
            _end(
                "d-2", p.FactCheck(ok=False, released=1, withheld=withheld, regenerated=True, fallback=True)
            ),
            p.DescriptionStart(request_id="d-3", exhibit_id="kolossi-castle", model_id="m"),
            p.DescriptionEnd(
                request_id="d-3",
                finish_reason=p.FinishReason.ERROR,
                token_count=0,
                fact_check=p.FactCheck(ok=True),
                fallback_text="Summary.",
            ),
        ],
    )
    assert shown[2]["body"] == "Rebuilt in 1454. A Knights' keep."
    assert shown[3]["body"] == shown[2]["body"], "a repeated start must not clear the text"
    assert shown[4] == {
        "body": "Rebuilt in 1454. A Knights' keep.",
        "check": "Checked against the museum's record",
    }
    assert shown[7] == {"body": "The museum's record says: A theatre.", "check": "From the museum's record"}
    assert shown[9] == {"body": "Summary.", "check": "From the museum's record"}
    for panel in shown:
        assert "1554" not in panel["body"] + panel["check"] and "withheld" not in panel["check"]


@pytest.mark.parametrize(
    ("x", "y", "unity"), [(1.0, 0.0, "0 0 1"), (0.0, 1.0, "-1 0 0"), (2.5, -4.0, "4 0 2.5")]
)
def test_map_frame_to_unity(round_trip_exe: Path, x: float, y: float, unity: str) -> None:
    """ROS x forward -> Unity z forward; ROS y left -> Unity -x (Unity x is right)."""
    assert _run(round_trip_exe, [f"map {x} {y}"]) == [unity]


VOICE_RATE = 22050
"""The packaged Piper voice's sample rate."""


def _clip(request_id: str, seq: int, samples: list[int], rate: int = VOICE_RATE) -> p.SpeechAudio:
    """A speech.audio clip of the given 16-bit samples."""
    pcm = struct.pack(f"<{len(samples)}h", *samples)
    return p.SpeechAudio(
        request_id=request_id,
        seq=seq,
        voice="en_US-joe-medium",
        sample_rate=rate,
        duration_ms=len(samples) / rate * 1000,
        audio=base64.b64encode(pcm).decode(),
    )


def _read(exe: Path, setup: list[str], frames: int, channels: int = 1) -> dict:
    """What one Read of `frames` gives after the `setup` lines (their own outputs are not checked)."""
    return json.loads(_run(exe, [*setup, f"read {frames} {channels}"])[-1])


def _floats(samples: list[int]) -> list[float]:
    return [s / 32768 for s in samples]


def test_speech_queue_decodes_little_endian_pcm(round_trip_exe: Path) -> None:
    pattern = [0, 16384, -16384, 32767, -32768, 1, -1, 0x1234]
    setup = ["queue 22050 10", "begin d-1", f"audio {dump_message(_clip('d-1', 0, pattern))}"]
    mono = _read(round_trip_exe, setup, len(pattern) + 3)
    assert mono["written"] == len(pattern)
    assert mono["samples"] == pytest.approx([*_floats(pattern), 0, 0, 0], abs=1e-9), (
        "the samples must be little-endian signed 16-bit over 32768, then silence"
    )
    stereo = _read(round_trip_exe, setup, 3, channels=2)
    assert stereo["samples"] == pytest.approx([0, 0, 0.5, 0.5, -0.5, -0.5]), "each sample on every channel"


def test_consecutive_clips_play_back_to_back(round_trip_exe: Path) -> None:
    first, second = [1000, 2000, 3000, 4000, 5000], [6000, 7000, 8000]
    outputs = _run(
        round_trip_exe,
        [
            "queue 22050 10",
            "begin d-1",
            f"audio {dump_message(_clip('d-1', 0, first))}",
            f"audio {dump_message(_clip('d-1', 1, second))}",
            "read 3",
            "read 4",
            "read 3",
        ],
    )
    assert outputs[2:4] == ["Queued", "Queued"]
    reads = [json.loads(line) for line in outputs[4:]]
    assert [r["seq"] for r in reads] == [0, 1, -1], "the seq at the play position: the sentence to highlight"
    assert [r["playing"] for r in reads] == ["d-1", "d-1", None]
    played = [s for r in reads for s in r["samples"]]
    assert played == pytest.approx([*_floats(first + second), 0, 0]), "no gap and no repeat between clips"
    assert [r["written"] for r in reads] == [3, 4, 1]


def test_a_new_request_drops_the_old_ones_audio(round_trip_exe: Path) -> None:
    old, new = [3000] * 4, [-2000] * 3
    outputs = _run(
        round_trip_exe,
        [
            "queue 22050 10",
            "begin d-1",
            f"audio {dump_message(_clip('d-1', 0, old))}",
            f"audio {dump_message(_clip('d-1', 1, old))}",
            "read 2",
            "begin d-1",  # the same description resumed: keep playing
            f"audio {dump_message(_clip('d-1', 1, old))}",  # and a repeated seq is not queued twice
            "read 2",
            "begin q-1",  # barge-in: the visitor asked
            "read 2",
            f"audio {dump_message(_clip('d-1', 2, old))}",  # the cut-off stream's late audio
            f"audio {dump_message(_clip('q-1', 0, new))}",
            "read 4",
        ],
    )
    assert outputs[5:7] == ["SAME", "Repeated"]
    assert json.loads(outputs[7])["written"] == 2, "a resumed stream must not cut its own speech"
    assert outputs[8] == "NEW"
    assert json.loads(outputs[9]) == {"written": 0, "playing": None, "seq": -1, "samples": [0, 0]}
    assert outputs[10:12] == ["OtherRequest", "Queued"]
    answer = json.loads(outputs[12])
    assert answer["samples"] == pytest.approx([*_floats(new), 0]) and answer["playing"] is None


def test_speech_off_drops_the_queue_and_on_again_takes_the_request_from_its_start(
    round_trip_exe: Path,
) -> None:
    clip = dump_message(_clip("d-1", 0, [4000] * 3))
    outputs = _run(
        round_trip_exe,
        ["queue 22050 10", "begin d-1", f"audio {clip}", "speech off", "read 3", f"audio {clip}", "speech on",
         f"audio {clip}", "read 3"],
    )  # fmt: skip
    assert json.loads(outputs[4])["written"] == 0 and outputs[5] == "Off"
    assert outputs[7] == "Queued", "the server speaks the current request again from seq 0"
    assert json.loads(outputs[8])["written"] == 3


def test_speech_queue_is_bounded(round_trip_exe: Path) -> None:
    outputs = _run(
        round_trip_exe,
        [
            "queue 22050 0.01",  # 220 samples
            "begin d-1",
            f"audio {dump_message(_clip('d-1', 0, [1] * 200))}",
            f"audio {dump_message(_clip('d-1', 1, [2] * 100))}",
            "read 200",
            f"audio {dump_message(_clip('d-1', 2, [3] * 100))}",
        ],
    )
    assert outputs[2:4] == ["Queued", "Full"]
    assert outputs[5] == "Queued", "played samples free their room"


@pytest.mark.parametrize("output_rate", [48000, 44100, 16000])
def test_resampling_keeps_duration_and_joins_clips(round_trip_exe: Path, output_rate: int) -> None:
    slope = 7  # a ramp: linear interpolation of it is exact, so every output sample can be checked
    ramp = [slope * i for i in range(2 * 2205)]
    setup = [
        f"queue {output_rate} 10",
        "begin d-1",
        f"audio {dump_message(_clip('d-1', 0, ramp[:2205]))}",
        f"audio {dump_message(_clip('d-1', 1, ramp[2205:]))}",
    ]
    played = _read(round_trip_exe, setup, output_rate)
    expected = len(ramp) * output_rate / VOICE_RATE  # 0.2 s
    assert abs(played["written"] - expected) <= 2, f"{played['written']} samples for {expected:.0f}"
    step = VOICE_RATE / output_rate
    wanted = [slope * k * step / 32768 for k in range(played["written"])]
    assert played["samples"][: played["written"]] == pytest.approx(wanted, abs=1e-5), (
        "the resampled ramp must stay a ramp across the clip boundary"
    )
    first_only = _read(round_trip_exe, setup[:3], output_rate)
    assert abs(first_only["written"] - expected / 2) <= 2


def test_guide_speech_follows_the_stream_and_the_toggle(round_trip_exe: Path) -> None:
    description, answer = _clip("d-1", 0, [5000] * 4), _clip("q-1", 0, [-5000] * 4)
    outputs = _run(
        round_trip_exe,
        [
            "voice 22050 5",
            f"speak {dump_message(p.DescriptionStart(request_id='d-1', exhibit_id=EXHIBIT_ID, model_id='m'))}",
            f"speak {dump_message(description)}",
            "read 2",
            f"speak {dump_message(p.AnswerStart(request_id='q-1', exhibit_id=EXHIBIT_ID, model_id='m', question='?'))}",
            "read 2",
            f"speak {dump_message(answer)}",
            "read 2",
            "speech off",
            "read 2",
            f"speak {dump_message(_clip('q-1', 1, [-5000] * 4))}",
            "read 2",
        ],
    )
    reads = [json.loads(outputs[i]) for i in (3, 5, 7, 9, 11)]
    assert reads[0]["samples"] == pytest.approx(_floats([5000] * 2)) and reads[0]["playing"] == "d-1"
    assert reads[1]["written"] == 0, "answer.start must cut the description's speech"
    assert reads[2]["samples"] == pytest.approx(_floats([-5000] * 2)) and reads[2]["playing"] == "q-1"
    assert outputs[8] == "OFF", "GuideClient.SetSpeech(false) must reach GuideSpeech"
    assert reads[3]["written"] == 0 and reads[4]["written"] == 0


EXHIBIT_ID = "kolossi-castle"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[ServerCertificate, ServerCertificate]:
    """The server's self-signed certificate and another one for the same names (an impostor's)."""
    loopback = [ipaddress.ip_address("127.0.0.1")]
    return (
        ensure_self_signed(tmp_path_factory.mktemp("tls"), ["localhost"], loopback),
        ensure_self_signed(tmp_path_factory.mktemp("impostor"), ["localhost"], loopback),
    )


def _der_hex(certificate: ServerCertificate) -> str:
    cert = x509.load_pem_x509_certificate(certificate.cert.read_bytes())
    return cert.public_bytes(serialization.Encoding.DER).hex()


@pytest.mark.parametrize(
    "written",
    [
        lambda fp: fp,
        lambda fp: fp.lower(),
        lambda fp: fp.replace(":", ""),
        lambda fp: fp.replace(":", "").lower(),
        lambda fp: "  " + fp.swapcase() + " ",
    ],
    ids=["as-printed", "lower", "no-colons", "bare-lower", "spaced-mixed"],
)
def test_certificate_pin_accepts_the_right_certificate_however_written(
    round_trip_exe: Path, certificates: tuple[ServerCertificate, ServerCertificate], written
) -> None:
    ours, _ = certificates
    assert _run(round_trip_exe, [f"pin {written(ours.fingerprint)} {_der_hex(ours)}"]) == ["OK"]


def test_certificate_pin_refuses_another_certificate_saying_both_fingerprints(
    round_trip_exe: Path, certificates: tuple[ServerCertificate, ServerCertificate]
) -> None:
    ours, impostor = certificates
    (line,) = _run(round_trip_exe, [f"pin {ours.fingerprint.lower()} {_der_hex(impostor)}"])
    assert line.startswith(
        f"REFUSED the server's certificate SHA-256 {impostor.fingerprint} does not match the pinned {ours.fingerprint}"
    ), line
    assert "copy the fingerprint `guide serve --tls` printed" in line


@pytest.mark.parametrize("pin", ["AB" * 31 + "A", "zz" * 32, "AB" * 33])
def test_a_pin_that_is_not_a_fingerprint_is_refused(round_trip_exe: Path, pin: str) -> None:
    (line,) = _run(round_trip_exe, [f"pin {pin} 00"])
    assert line.startswith("INVALID ") and "expected 64 hex digits" in line


def test_connection_with_a_pin_never_falls_back_to_plain_ws(
    round_trip_exe: Path, certificates: tuple[ServerCertificate, ServerCertificate]
) -> None:
    ours, _ = certificates
    plain, bad = _run(
        round_trip_exe,
        [
            f"connect ws://127.0.0.1:9/ws/visitor {ours.fingerprint}",
            "connect wss://127.0.0.1:9/ws/visitor 12:34",
        ],
    )
    assert plain.startswith("FAILED ") and "never falls back to an unencrypted socket" in plain
    assert bad.startswith("FAILED ") and "not a SHA-256 certificate fingerprint" in bad
