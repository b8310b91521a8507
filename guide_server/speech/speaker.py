"""The server's speaker: loads the voices once, speaks one sentence at a time, remembers clips.

Synthesis runs on one worker thread (a Piper voice is one ONNX session and two
sentences at once only slow each other on a small CPU). Clips are kept in a
bounded LRU by (voice, text), so a cached description replays its audio at
once and a sentence said to many groups is spoken once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from guide_core.protocol import Language
from guide_server.speech.voices import VOICE_LOADERS, SpeechClip, Voice

log = logging.getLogger(__name__)


class Speaker:
    """Speaks sentences in the languages that have a voice; one per app."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        cache_size: int = 256,
        loaders: Mapping[str, Callable[[], Voice]] = VOICE_LOADERS,
    ) -> None:
        self.enabled = enabled
        self.cache_size = cache_size
        self._loaders = loaders
        self._voices: dict[str, Voice] = {}
        self._load_lock = threading.Lock()
        self._clips: OrderedDict[tuple[str, str], SpeechClip] = OrderedDict()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speech")
        self.synthesis_s = 0.0
        """Seconds spent synthesising (for benches)."""
        self.audio_s = 0.0
        """Seconds of audio synthesised (for benches)."""

    def speaks(self, language: Language) -> bool:
        """Whether speech is on and `language` has a voice."""
        return self.enabled and language in self._loaders

    def load(self) -> None:
        """Load every voice now (the app does this in the background at start)."""
        for language in self._loaders:
            self._voice(language)

    def _voice(self, language: str) -> Voice:
        with self._load_lock:
            voice = self._voices.get(language)
            if voice is None:
                started = time.perf_counter()
                voice = self._voices[language] = self._loaders[language]()
                log.info("voice %s loaded in %.2f s", voice.name, time.perf_counter() - started)
            return voice

    def cached(self, text: str, language: Language) -> SpeechClip | None:
        """The clip already made for `text`, if any."""
        voice = self._voices.get(language)
        clip = self._clips.get((voice.name, text)) if voice is not None else None
        if clip is not None:
            self._clips.move_to_end((clip.voice, text))
        return clip

    async def speak(self, text: str, language: Language) -> SpeechClip:
        """`text` spoken in `language` (from the clip cache when said before)."""
        if not self.speaks(language):
            raise ValueError(f"no voice speaks {language!r}")
        clip = self.cached(text, language)
        if clip is not None:
            return clip
        loop = asyncio.get_running_loop()
        clip = await loop.run_in_executor(self._worker, self._synthesize, text, language)
        self._remember(text, clip)
        return clip

    def _synthesize(self, text: str, language: str) -> SpeechClip:
        started = time.perf_counter()
        clip = self._voice(language).synthesize(text)
        self.synthesis_s += time.perf_counter() - started
        self.audio_s += clip.duration_ms / 1000
        return clip

    def _remember(self, text: str, clip: SpeechClip) -> None:
        if self.cache_size <= 0:
            return
        self._clips[(clip.voice, text)] = clip
        self._clips.move_to_end((clip.voice, text))
        while len(self._clips) > self.cache_size:
            self._clips.popitem(last=False)

    def close(self) -> None:
        """Stop the worker thread (pending syntheses are dropped)."""
        self._worker.shutdown(wait=False, cancel_futures=True)
