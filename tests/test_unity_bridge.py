"""The Unity package: its C# messages match the protocol, and it compiles and round-trips under mono."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import TIMEOUT

from guide_server import protocol as p
from guide_server.csharp_messages import MESSAGES_PATH, csharp_source
from guide_server.paths import UNITY_BRIDGE_DIR
from guide_server.protocol import dump_message, protocol_json_schema
from guide_server.unity_meta import expected_meta_files

SCHEMA_PATH = UNITY_BRIDGE_DIR / "protocol.schema.json"
STUBS = sorted((UNITY_BRIDGE_DIR / "Tests~" / "Stubs").glob("*.cs"))
FIX = "run `.venv/bin/guide protocol schema && .venv/bin/guide unity messages` and commit the result"


def _sources(folder: str) -> list[str]:
    return [str(p) for p in sorted((UNITY_BRIDGE_DIR / folder).rglob("*.cs"))]


def _mcs() -> str:
    found = shutil.which("mcs")
    if found is None:
        pytest.fail("mono's C# compiler `mcs` is missing: run `make unity-tools` (apt-get install mono-mcs)")
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
    assert mono, "mono runtime missing: run `make unity-tools`"
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
