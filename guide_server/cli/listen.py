"""`guide listen`: a tour's live stream in the terminal, for operators and debugging.

Each `*.end` line says how many sentences were released to visitors and, for the
operator, how many the claim checker withheld and why (`--raw` shows their text).
With `--speak` (or `--speak-to FILE.wav`) the listener turns speech on and plays
each `speech.audio` clip as it comes (or writes it to the file).

`StreamPrinter` turns parsed server messages into terminal text (no I/O); `listen`
is the thin websockets loop around it: say hello as a `listener`, print, and
reconnect with backoff (resuming the stream) until interrupted.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import ValidationError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from guide_core.backoff import Backoff
from guide_core.exceptions import CertificateMismatch
from guide_core.protocol import (
    AnswerEnd,
    ClientKind,
    DescriptionEnd,
    Hello,
    ResumePoint,
    ServerMessage,
    dump_message,
    parse_server_message,
)
from guide_core.tls import ClientTrust
from guide_server.exceptions import SpeechOutputError
from guide_server.speech.playback import AudioSink, PlayerSink, WavSink

log = logging.getLogger(__name__)

RECONNECT_FIRST_S = 0.5
RECONNECT_MAX_S = 8.0


@dataclass(frozen=True)
class ListenOptions:
    """What `guide listen` was told."""

    url: str
    tour: str = "default"
    token: str | None = None
    once: bool = False
    """Exit after the first description that ends."""
    raw: bool = False
    """Also print every frame as JSON."""
    speak: bool = False
    """Play the speech on this machine's audio output."""
    speak_to: Path | None = None
    """Write the speech to this WAV file instead."""
    trust: ClientTrust = field(default_factory=ClientTrust)
    """How a wss:// server is trusted: the system's CAs, a CA file, or a pinned fingerprint."""

    @property
    def speech(self) -> bool:
        """Whether to ask the server for speech."""
        return self.speak or self.speak_to is not None


def resolve_token(token: str | None) -> str:
    """The token to send: the option, else $GUIDE_VISITOR_TOKEN, else the loopback demo token."""
    if token:
        return token
    from_env = os.environ.get("GUIDE_VISITOR_TOKEN")
    if from_env:
        return from_env
    from guide_core.demo_tokens import DEMO_VISITOR_TOKEN

    return DEMO_VISITOR_TOKEN


def http_base(ws_url: str) -> str:
    """The server's http(s) base URL for a ws(s):// socket URL."""
    parts = urlsplit(ws_url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme)
    if scheme is None:
        raise ValueError(f"{ws_url!r} is not a WebSocket URL: use ws://HOST:PORT/ws/visitor")
    return urlunsplit((scheme, parts.netloc, "", "", ""))


@dataclass
class StreamPrinter:
    """Formats server messages as terminal text; remembers titles and the resume point."""

    titles: dict[str, str] = field(default_factory=dict)
    resume: ResumePoint | None = None
    finished_descriptions: int = 0
    unspoken: set[tuple[str, int]] = field(default_factory=set)
    """Released deltas whose speech has not come yet (only while speech is on)."""
    speaking: bool = False
    _open_line: bool = False

    def title(self, exhibit_id: str) -> str:
        """An exhibit's title (or its id while the catalogue is unknown)."""
        return self.titles.get(exhibit_id, exhibit_id)

    def _block(self, text: str) -> str:
        prefix = "\n" if self._open_line else ""
        self._open_line = False
        return f"{prefix}{text}\n"

    def format(self, message: ServerMessage) -> str:
        """The text to print for one message ('' for those not shown)."""
        match message.type:
            case "welcome":
                return self._block(f"== joined tour {message.tour} (model {message.model_id})")
            case "tour.state":
                if message.exhibit_id and message.exhibit_title:
                    self.titles[message.exhibit_id] = message.exhibit_title
                where = self.title(message.exhibit_id) if message.exhibit_id else "between exhibits"
                robot = "online" if message.robot_online else "offline"
                return self._block(f"== tour {message.tour}: {where} (robot {robot})")
            case "proximity":
                return self._block(
                    f"-- robot {message.event.value} {self.title(message.exhibit_id)} ({message.distance:.1f} m)"
                )
            case "description.start" | "answer.start":
                self.resume = ResumePoint(request_id=message.request_id, seq=-1)
                kind = "Description" if message.type == "description.start" else "Answer"
                header = f"## {kind}: {self.title(message.exhibit_id)} [{message.request_id}]"
                if message.type == "answer.start" and message.question:
                    header += f"\n   Q: {message.question}"
                self._open_line = True
                return f"{header}\n"
            case "description.delta" | "answer.delta":
                if self.resume and self.resume.request_id == message.request_id:
                    self.resume = ResumePoint(request_id=message.request_id, seq=message.seq)
                if self.speaking:
                    first = message.first_seq if message.first_seq is not None else message.seq
                    self.unspoken.update((message.request_id, s) for s in range(first, message.seq + 1))
                self._open_line = True
                return message.text
            case "description.end" | "answer.end":
                assert isinstance(message, DescriptionEnd | AnswerEnd)
                if message.type == "description.end":
                    self.finished_descriptions += 1
                return self._block(self._ending(message))
            case "speech.audio":
                self.unspoken.discard((message.request_id, message.seq))
                return ""
            case "goto":
                return self._block(f"-- robot sent to {self.title(message.exhibit_id)}")
            case "feedback.saved":
                return self._block(f"-- feedback #{message.feedback_id} saved")
            case "error":
                return self._block(f"!! {message.code.value}: {message.message}")
        return ""

    def _ending(self, message: DescriptionEnd | AnswerEnd) -> str:
        parts = [f"   [{message.finish_reason.value}, {message.token_count} tokens"]
        if message.ttft_ms is not None:
            parts.append(f", first token {message.ttft_ms:.0f} ms")
        parts.append("]")
        line = "".join(parts)
        if message.fallback_text:
            line = f"   (curated summary) {message.fallback_text}\n{line}"
        check = message.fact_check
        if check is not None:
            line += f" {_sentences(check.released)} released"
            if check.fallback:
                line += " (the museum's record)"
            if check.regenerated:
                line += ", regenerated"
            if check.withheld:
                # For operators and curators only: visitors are never sent withheld text.
                reasons = "; ".join(w.reason for w in check.withheld)
                line += f"\n   {_sentences(len(check.withheld))} withheld: {reasons}"
        return line


def _sentences(count: int) -> str:
    return f"{count} sentence" + ("" if count == 1 else "s")


async def fetch_titles(ws_url: str, trust: ClientTrust | None = None) -> dict[str, str]:
    """Exhibit id -> title from GET /api/exhibits (empty, with a warning, when unreachable)."""
    trust = trust or ClientTrust()
    context = trust.ssl_context(ws_url)
    try:
        async with httpx.AsyncClient(
            base_url=http_base(ws_url), timeout=10, verify=context or True
        ) as client:
            response = await client.get("/api/exhibits")
            trust.verify_peer(response.extensions["network_stream"].get_extra_info("ssl_object"))
            response.raise_for_status()
            return {e["id"]: e["title"] for e in response.json()}
    except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
        log.warning("exhibit titles unavailable (%s); showing ids", exc)
        return {}


def untrusted_server_message(options: ListenOptions, exc: Exception) -> str:
    """Why the server was refused, and how to trust the right one."""
    if isinstance(exc, CertificateMismatch):
        return str(exc)
    how = (
        f"the CA file {options.trust.ca_file} did not sign it"
        if options.trust.ca_file
        else "it is not signed by a CA this machine trusts"
    )
    return (
        f"refusing {options.url}: its certificate failed verification ({exc}); {how}. For the guide's "
        "self-signed certificate pass --cert-fingerprint with the SHA-256 `guide serve --tls` printed"
    )


async def listen_once(
    options: ListenOptions,
    printer: StreamPrinter,
    write: Callable[[str], None],
    sink: AudioSink | None = None,
) -> bool:
    """One connection: hello, then print (and play) until it closes; True when --once is satisfied."""
    hello = Hello(
        client=ClientKind.LISTENER,
        token=resolve_token(options.token),
        tour=options.tour,
        speech=sink is not None,
        resume=printer.resume,
    )
    async with connect(options.url, open_timeout=10, ssl=options.trust.ssl_context(options.url)) as socket:
        options.trust.verify_transport(socket.transport)  # before the token leaves this machine
        await socket.send(dump_message(hello))
        async for raw in socket:
            if options.raw:
                text = raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")
                write(f"<< {text}\n")
            try:
                message = parse_server_message(raw)
            except ValidationError as exc:
                write(f"!! unreadable frame skipped: {exc.errors()[0]['msg']}\n")
                continue
            write(printer.format(message))
            if message.type == "speech.audio" and sink is not None:
                sink.write(base64.b64decode(message.audio), message.sample_rate)
            if message.type == "error" and message.code.value == "speech_unavailable":
                printer.speaking = False
                printer.unspoken.clear()
            if options.once and printer.finished_descriptions and not printer.unspoken:
                return True
    return False


async def listen(options: ListenOptions, out: TextIO = sys.stdout) -> int:
    """Print the tour's stream until interrupted; reconnects (and resumes) after a drop."""

    def write(text: str) -> None:
        out.write(text)
        out.flush()

    try:
        http_base(options.url)
        options.trust.ssl_context(options.url)
    except ValueError as exc:
        print(f"guide listen: {exc}", file=sys.stderr)
        return 2
    try:
        sink = open_sink(options)
    except SpeechOutputError as exc:
        print(f"guide listen: {exc}", file=sys.stderr)
        return 2
    try:
        return await _listen_loop(options, write, sink)
    finally:
        if sink is not None:
            sink.close()


def open_sink(options: ListenOptions) -> AudioSink | None:
    """Where the speech goes: the WAV file, the audio player, or nowhere (speech off)."""
    if options.speak_to is not None:
        return WavSink(options.speak_to)
    if options.speak:
        return PlayerSink()
    return None


async def _listen_loop(options: ListenOptions, write: Callable[[str], None], sink: AudioSink | None) -> int:
    printer = StreamPrinter(speaking=sink is not None)
    backoff = Backoff(RECONNECT_FIRST_S, RECONNECT_MAX_S)
    delay = backoff.next_delay()
    while True:
        try:
            if not printer.titles:
                printer.titles = await fetch_titles(options.url, options.trust)
            if await listen_once(options, printer, write, sink):
                return 0
            backoff.reset()
            delay = backoff.next_delay()
            write("\n== the server closed the connection; reconnecting\n")
        except ConnectionClosed as exc:
            reason = exc.rcvd.reason if exc.rcvd else "no close frame"
            code = exc.rcvd.code if exc.rcvd else None
            if code == 4401:
                print(f"guide listen: the server refused the token ({reason}): pass --token", file=sys.stderr)
                return 1
            write(f"\n== connection lost ({code} {reason}); reconnecting in {delay:.1f} s\n")
        except InvalidURI as exc:
            print(f"guide listen: {exc}", file=sys.stderr)
            return 2
        except (CertificateMismatch, ssl.SSLCertVerificationError) as exc:
            print(f"guide listen: {untrusted_server_message(options, exc)}", file=sys.stderr)
            return 3
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            write(f"== cannot reach {options.url} ({exc}); retrying in {delay:.1f} s\n")
        await asyncio.sleep(delay)
        delay = backoff.next_delay()
