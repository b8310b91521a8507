"""The guide's wire protocol: every JSON message between server, robot and VR clients.

One pydantic model per message, shared by the server (`guide_server.api`), the
robot bridge (`guide_robot`), the Python listener and, through the exported
JSON Schema (`guide protocol schema`), the Unity and browser clients.

Every message is a JSON object with a `type`. Client -> server: `hello`, `pose`,
`proximity`, `question`, `goto`, `feedback`, `speech`. Server -> client: `welcome`,
`pose`, `proximity`, `tour.state`, `description.start|delta|end`,
`answer.start|delta|end`, `speech.audio`, `goto`, `feedback.saved`, `error`.

This module does no I/O: parse with `parse_client_message`, serialise with
`dump_message`.
"""

from __future__ import annotations

import json
import re
from enum import IntEnum, StrEnum
from typing import Annotated, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from guide_core.exceptions import ProtocolError

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 16 * 1024
"""Largest client message accepted; questions are short."""
MAX_QUESTION_CHARS = 500

ExhibitId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
RequestId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
TourId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ClientKind(StrEnum):
    """Who is on the other end of a socket."""

    ROBOT = "robot"
    VISITOR = "visitor"
    LISTENER = "listener"


class Audience(StrEnum):
    """Whom a description is written for."""

    CHILD = "child"
    ADULT = "adult"
    EXPERT = "expert"


Language: TypeAlias = Literal["en", "el", "tr"]


class VisitorProfile(_Message):
    """The visitor's audience and language, chosen in the headset."""

    audience: Audience = Audience.ADULT
    language: Language = "en"


class ResumePoint(_Message):
    """Where a reconnecting visitor left a stream: the last `seq` it saw."""

    request_id: RequestId
    seq: int = Field(ge=-1)


class FinishReason(StrEnum):
    """Why a description or answer stream ended."""

    STOP = "stop"
    LENGTH = "length"
    CANCELLED = "cancelled"
    ERROR = "error"


class ProximityKind(StrEnum):
    """What the robot did relative to an exhibit's zone."""

    ENTER = "enter"
    DWELL = "dwell"
    LEAVE = "leave"


class ErrorCode(StrEnum):
    """Machine-readable reason carried by every `error` message."""

    BAD_JSON = "bad_json"
    BINARY_FRAME = "binary_frame"
    UNKNOWN_TYPE = "unknown_type"
    INVALID_MESSAGE = "invalid_message"
    TOO_LARGE = "too_large"
    QUESTION_TOO_LONG = "question_too_long"
    UNKNOWN_EXHIBIT = "unknown_exhibit"
    UNAUTHORIZED = "unauthorized"
    HELLO_REQUIRED = "hello_required"
    BAD_PROTOCOL_VERSION = "bad_protocol_version"
    NOT_ALLOWED = "not_allowed"
    RATE_LIMITED = "rate_limited"
    NO_CURRENT_EXHIBIT = "no_current_exhibit"
    GENERATION_FAILED = "generation_failed"
    ROBOT_UNAVAILABLE = "robot_unavailable"
    SPEECH_UNAVAILABLE = "speech_unavailable"
    TOO_MANY_TOURS = "too_many_tours"
    TOO_SLOW = "too_slow"
    INTERNAL = "internal"


class CloseCode(IntEnum):
    """WebSocket close codes the server uses; each comes after an `error` saying why."""

    HELLO_REQUIRED = 4400
    """The first message was not a valid `hello` (or none came in time); fix it and reconnect."""
    UNAUTHORIZED = 4401
    """Missing or wrong token; reconnect with the right one."""
    FORBIDDEN_ORIGIN = 4403
    """A browser page from an origin not on the allow-list (GUIDE_ALLOWED_ORIGINS)."""
    TOO_SLOW = 4408
    """The client fell too far behind; reconnect with `hello.resume` to get the rest."""
    REPLACED = 4409
    """A newer robot connection took this tour over."""
    TOO_MANY_TOURS = 4429
    """The server runs as many tours as it may, each in use: join an existing tour."""
    BAD_PROTOCOL_VERSION = 4426
    """The client speaks another protocol version; upgrade it."""


# --- client -> server -------------------------------------------------------------


class Hello(_Message):
    """First message on every socket: who the client is, and its token."""

    type: Literal["hello"] = "hello"
    client: ClientKind
    protocol: int = PROTOCOL_VERSION
    token: Annotated[str, StringConstraints(max_length=256)]
    tour: TourId = "default"
    profile: VisitorProfile = VisitorProfile()
    speech: bool = Field(
        default=False,
        description="Speak descriptions and answers to this visitor (`speech.audio`); toggled later "
        "with `speech`. A language with no voice gets text and one `speech_unavailable` error.",
    )
    resume: ResumePoint | None = None


class Pose(_Message):
    """The robot's pose in the museum map frame (robot -> server -> visitors)."""

    type: Literal["pose"] = "pose"
    frame_id: Annotated[str, StringConstraints(max_length=64)] = "map"
    x: float = Field(allow_inf_nan=False)
    y: float = Field(allow_inf_nan=False)
    yaw: float = Field(allow_inf_nan=False, description="Radians, counter-clockwise from +x.")
    stamp: float = Field(allow_inf_nan=False, description="Seconds since the epoch.")


class Proximity(_Message):
    """The robot entered, dwells at, or left an exhibit's zone.

    Published as JSON on the ROS topic `/guide/exhibit_proximity` and sent by the
    bridge to the server unchanged. `seq` increases by one per event of a node.
    """

    type: Literal["proximity"] = "proximity"
    event: ProximityKind
    exhibit_id: ExhibitId
    distance: float = Field(ge=0, allow_inf_nan=False, description="Metres to the exhibit.")
    bearing: float = Field(allow_inf_nan=False, description="Radians from robot heading.")
    seq: int = Field(ge=0)
    stamp: float = Field(allow_inf_nan=False, description="Seconds since the epoch.")


class Question(_Message):
    """A visitor's question about the current exhibit, or a named one."""

    type: Literal["question"] = "question"
    request_id: RequestId
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    exhibit_id: ExhibitId | None = None


class Goto(_Message):
    """Take the robot to an exhibit (visitor -> server -> robot).

    The server fills `x`, `y` and `frame_id` from the floor plan before forwarding.
    """

    type: Literal["goto"] = "goto"
    exhibit_id: ExhibitId
    request_id: RequestId | None = None
    x: float | None = Field(default=None, allow_inf_nan=False)
    y: float | None = Field(default=None, allow_inf_nan=False)
    frame_id: Annotated[str, StringConstraints(max_length=64)] | None = None


class Feedback(_Message):
    """A rating or correction of a description or answer."""

    type: Literal["feedback"] = "feedback"
    exhibit_id: ExhibitId
    request_id: RequestId | None = None
    rating: int | None = Field(default=None, ge=1, le=5)
    comment: Annotated[str, StringConstraints(max_length=2000)] | None = None
    correction: Annotated[str, StringConstraints(max_length=2000)] | None = None
    author: Literal["visitor", "curator"] = "visitor"


class SpeechSetting(_Message):
    """The visitor turned speech on or off (the clients' speech toggle)."""

    type: Literal["speech"] = "speech"
    enabled: bool


# --- server -> client -------------------------------------------------------------


class Limits(_Message):
    """Limits the server enforces, told to the client up front."""

    max_message_bytes: int = MAX_MESSAGE_BYTES
    max_question_chars: int = MAX_QUESTION_CHARS
    questions_per_minute: int = 10


class Welcome(_Message):
    """The server accepted `hello`."""

    type: Literal["welcome"] = "welcome"
    protocol: int = PROTOCOL_VERSION
    session_id: str
    tour: TourId
    model_id: str
    limits: Limits = Limits()


class TourState(_Message):
    """The tour's current exhibit and whether its robot is reachable."""

    type: Literal["tour.state"] = "tour.state"
    tour: TourId
    exhibit_id: ExhibitId | None = None
    exhibit_title: str | None = None
    robot_online: bool = False


class WithheldSentence(_Message):
    """A generated sentence the claim checker did not release, and why (for curators and logs)."""

    text: str
    reason: str


class FactCheck(_Message):
    """The claim checker's account of one description or answer; visitors see only released text."""

    ok: bool = Field(description="Every generated sentence was supported and released.")
    released: int = Field(default=0, ge=0, description="Sentences released to visitors.")
    withheld: list[WithheldSentence] = Field(
        default_factory=list, description="Generated sentences never sent, each with the reason."
    )
    regenerated: bool = Field(
        default=False, description="A second generation was asked for (policy regenerate)."
    )
    fallback: bool = Field(
        default=False, description="The museum's record was given because no generated sentence survived."
    )
    replaced: int = Field(
        default=0,
        ge=0,
        description=(
            "Released sentences that are the plan's plain statement, said in place of a model "
            "sentence that failed the check."
        ),
    )
    check_ms: float = Field(default=0.0, ge=0, description="Time the claim checker took, in milliseconds.")


class _StreamStart(_Message):
    request_id: RequestId
    exhibit_id: ExhibitId
    model_id: str
    profile: VisitorProfile = VisitorProfile()
    cached: bool = False


class _StreamDelta(_Message):
    request_id: RequestId
    seq: int = Field(ge=0, description="0, 1, 2 ... with no gaps within one request.")
    text: str
    first_seq: int | None = Field(
        default=None,
        ge=0,
        description="Set when the server merged pending deltas for a slow client: "
        "this delta's text covers first_seq..seq, so no word is missing.",
    )


class _StreamEnd(_Message):
    request_id: RequestId
    finish_reason: FinishReason
    token_count: int = Field(ge=0)
    ttft_ms: float | None = Field(default=None, description="Time to first token, ms.")
    fact_check: FactCheck | None = None
    fallback_text: str | None = Field(
        default=None, description="The curated summary, sent when generation failed."
    )


class DescriptionStart(_StreamStart):
    """A description of an exhibit begins; one per exhibit visit, shared by the tour."""

    type: Literal["description.start"] = "description.start"


class DescriptionDelta(_StreamDelta):
    """The next piece of a description's text."""

    type: Literal["description.delta"] = "description.delta"


class DescriptionEnd(_StreamEnd):
    """A description finished, was cancelled, or failed."""

    type: Literal["description.end"] = "description.end"


class AnswerStart(_StreamStart):
    """An answer to a visitor's question begins; `request_id` is the question's."""

    type: Literal["answer.start"] = "answer.start"
    question: str = ""


class AnswerDelta(_StreamDelta):
    """The next piece of an answer's text."""

    type: Literal["answer.delta"] = "answer.delta"


class AnswerEnd(_StreamEnd):
    """An answer finished, was cancelled, or failed."""

    type: Literal["answer.end"] = "answer.end"


class SpeechAudio(_Message):
    """The spoken form of one released sentence: the `*.delta` with this `request_id` and `seq`.

    Sent only to visitors who turned speech on, in `seq` order within a request,
    after the delta it speaks. `audio` is base64 of little-endian signed 16-bit
    mono PCM at `sample_rate`, so a client can queue it without decoding a file.
    """

    type: Literal["speech.audio"] = "speech.audio"
    request_id: RequestId
    seq: int = Field(ge=0, description="The `seq` of the delta whose text this speaks.")
    voice: str = Field(description="The voice that spoke, e.g. `en_US-joe-medium`.")
    encoding: Literal["pcm_s16le"] = "pcm_s16le"
    sample_rate: int = Field(gt=0, description="Samples per second.")
    duration_ms: float = Field(ge=0)
    audio: str = Field(description="Base64 of the PCM samples.")


class FeedbackSaved(_Message):
    """The server stored a `feedback` message."""

    type: Literal["feedback.saved"] = "feedback.saved"
    feedback_id: int
    request_id: RequestId | None = None


class Error(_Message):
    """Something the client sent, or the server's work for it, went wrong."""

    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    request_id: str | None = None


ClientMessage: TypeAlias = Annotated[
    Hello | Pose | Proximity | Question | Goto | Feedback | SpeechSetting, Field(discriminator="type")
]
ServerMessage: TypeAlias = Annotated[
    Welcome
    | Pose
    | Proximity
    | TourState
    | DescriptionStart
    | DescriptionDelta
    | DescriptionEnd
    | AnswerStart
    | AnswerDelta
    | AnswerEnd
    | SpeechAudio
    | Goto
    | FeedbackSaved
    | Error,
    Field(discriminator="type"),
]

_CLIENT = TypeAdapter(ClientMessage)
_SERVER = TypeAdapter(ServerMessage)
_REQUEST_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
CLIENT_TYPES = frozenset(("hello", "pose", "proximity", "question", "goto", "feedback", "speech"))


def parse_client_message(raw: str | bytes) -> ClientMessage:
    """Parse one client frame, or raise `ProtocolError` saying what is wrong and how to fix it."""
    if isinstance(raw, bytes):
        raise ProtocolError(
            ErrorCode.BINARY_FRAME, "binary frames are not accepted: send JSON as a text frame"
        )
    if len(raw.encode("utf-8", errors="replace")) > MAX_MESSAGE_BYTES:
        raise ProtocolError(
            ErrorCode.TOO_LARGE, f"message is over the {MAX_MESSAGE_BYTES}-byte limit: send less"
        )
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ProtocolError(ErrorCode.BAD_JSON, f"not valid JSON ({exc}): send one JSON object") from None
    if not isinstance(data, dict):
        raise ProtocolError(ErrorCode.INVALID_MESSAGE, "a message must be a JSON object with a 'type'")
    request_id = data.get("request_id")
    if not isinstance(request_id, str) or not _REQUEST_ID.fullmatch(request_id):
        request_id = None  # echo only a well-formed id: a lone surrogate could not even be sent back
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in CLIENT_TYPES:
        raise ProtocolError(
            ErrorCode.UNKNOWN_TYPE,
            f"unknown message type {kind!r}: use one of {', '.join(sorted(CLIENT_TYPES))}",
            request_id,
        )
    if kind == "question" and isinstance(data.get("text"), str):
        if len(data["text"]) > MAX_QUESTION_CHARS:
            raise ProtocolError(
                ErrorCode.QUESTION_TOO_LONG,
                f"question is {len(data['text'])} characters; the limit is {MAX_QUESTION_CHARS}",
                request_id,
            )
    try:
        return _CLIENT.validate_python(data)
    except ValidationError as exc:
        raise ProtocolError(ErrorCode.INVALID_MESSAGE, describe_validation_error(exc), request_id) from None


def parse_server_message(raw: str | bytes) -> ServerMessage:
    """Parse one server frame (for clients: robot bridge, listener, tests)."""
    return _SERVER.validate_json(raw)


def dump_message(message: BaseModel) -> str:
    """Serialise a message to the JSON text sent on the wire."""
    return message.model_dump_json(exclude_none=True)


def describe_validation_error(exc: ValidationError) -> str:
    """One readable line per field problem, e.g. `text: field required`."""
    parts = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"][1:] or err["loc"]) or "message"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts[:5])


def protocol_json_schema() -> dict[str, object]:
    """JSON Schema of every message, for the Unity and browser clients."""
    client = _CLIENT.json_schema(ref_template="#/$defs/{model}")
    server = _SERVER.json_schema(ref_template="#/$defs/{model}")
    defs = {**client.pop("$defs", {}), **server.pop("$defs", {})}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Museum guide protocol",
        "version": PROTOCOL_VERSION,
        "client_message": client,
        "server_message": server,
        "$defs": defs,
    }
