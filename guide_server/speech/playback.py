"""Where `guide listen --speak` sends the guide's speech: the machine's audio output or a WAV file.

`WavSink` writes every clip to one WAV file (stdlib `wave`). `PlayerSink` pipes
raw PCM to the first audio player found on the machine (PipeWire's `pw-play`,
PulseAudio's `pacat`, ALSA's `aplay`); with none installed it says so and how
to fix it, instead of listening silently.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path
from typing import Protocol

from guide_server.exceptions import SpeechOutputError

PLAYERS: dict[str, list[str]] = {
    "pw-play": ["pw-play", "--format=s16", "--rate={rate}", "--channels=1", "-"],
    "pacat": ["pacat", "--format=s16le", "--rate={rate}", "--channels=1", "--playback"],
    "aplay": ["aplay", "-q", "-t", "raw", "-f", "S16_LE", "-r", "{rate}", "-c", "1", "-"],
}


class AudioSink(Protocol):
    """Takes the guide's speech clip by clip."""

    def write(self, pcm: bytes, sample_rate: int) -> None:
        """Queue one clip of 16-bit mono PCM."""
        ...

    def close(self) -> None:
        """Finish (flush the file, let the player drain)."""
        ...


class WavSink:
    """Every clip appended to one mono 16-bit WAV file."""

    def __init__(self, path: Path) -> None:
        try:
            self._file = wave.open(str(path), "wb")
        except OSError as exc:
            raise SpeechOutputError(
                f"cannot write {path} ({exc.strerror}): pick a writable --speak-to"
            ) from None
        self.path = path
        self._rate: int | None = None
        self.seconds = 0.0

    def write(self, pcm: bytes, sample_rate: int) -> None:
        """Append a clip; every clip of one file must share its sample rate."""
        if self._rate is None:
            self._rate = sample_rate
            self._file.setnchannels(1)
            self._file.setsampwidth(2)
            self._file.setframerate(sample_rate)
        elif sample_rate != self._rate:
            raise SpeechOutputError(f"a {sample_rate} Hz clip cannot join a {self._rate} Hz WAV file")
        self._file.writeframes(pcm)
        self.seconds += len(pcm) / 2 / sample_rate

    def close(self) -> None:
        """Write the header's final length."""
        if self._rate is None:  # no speech came: still a valid, empty WAV
            self._file.setnchannels(1)
            self._file.setsampwidth(2)
            self._file.setframerate(22050)
        self._file.close()


def find_player() -> str:
    """The first installed audio player, or a `SpeechOutputError` naming what to install."""
    for name in PLAYERS:
        if shutil.which(name):
            return name
    raise SpeechOutputError(
        "no audio player found (pw-play, pacat or aplay): install pipewire-bin, pulseaudio-utils "
        "or alsa-utils, or write the speech to a file with --speak-to FILE.wav"
    )


class PlayerSink:
    """Clips piped to an audio player process, started at the first clip's sample rate."""

    def __init__(self, player: str | None = None) -> None:
        self.player = player or find_player()
        self._process: subprocess.Popen[bytes] | None = None
        self._rate: int | None = None

    def write(self, pcm: bytes, sample_rate: int) -> None:
        """Send a clip to the player (restarted if the sample rate changes)."""
        if self._process is None or sample_rate != self._rate:
            self.close()
            command = [part.format(rate=sample_rate) for part in PLAYERS[self.player]]
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE)
            self._rate = sample_rate
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(pcm)
            self._process.stdin.flush()
        except BrokenPipeError:
            raise SpeechOutputError(
                f"the audio player {self.player} stopped: check the machine's sound output"
            ) from None

    def close(self) -> None:
        """Let the player finish what it was given."""
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()
            self._process.wait()
            self._process = None
