"""Where the speech is: Silero VAD (shipped inside faster-whisper, runs offline on onnxruntime).

Two uses: a clip is cropped to its speech (and refused when it has none), and a continuous PCM
stream is cut into utterances, one per question, at the first pause of ``silence_ms``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.errors import InvalidInput
from assistant.speech.audio import SAMPLE_RATE

PAD_MS = 200
"""Kept either side of the speech: Whisper misses first syllables cut too tight."""
MIN_SPEECH_MS = 200
"""Shorter bursts (a click, a cough) are not speech."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    """Sample indices, padding included."""


def speech_spans(audio: np.ndarray, silence_ms: int = 500) -> list[Span]:
    """The stretches of speech in 16 kHz audio; pauses shorter than ``silence_ms`` do not split them."""
    if len(audio) < SAMPLE_RATE // 10:
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_speech_duration_ms=MIN_SPEECH_MS, min_silence_duration_ms=silence_ms,
                         speech_pad_ms=PAD_MS)
    return [Span(int(s["start"]), int(s["end"])) for s in get_speech_timestamps(audio, options)]


def crop_to_speech(audio: np.ndarray) -> np.ndarray:
    """The audio from the first speech to the last (pauses in between kept: they separate words).

    Raises:
        InvalidInput: no speech was found (silence, noise, music without voice).
    """
    spans = speech_spans(audio)
    if not spans:
        raise InvalidInput("no speech was found in the audio (silent or only noise)")
    return audio[spans[0].start:spans[-1].end]


class UtteranceSegmenter:
    """Cuts a continuous 16 kHz stream into utterances: speech followed by a pause.

    ``feed`` returns the utterances completed by the new samples; ``finish`` returns what is left
    (the client said it stopped). Buffered audio never exceeds ``max_seconds`` of speech plus one
    check interval: an utterance that runs on is cut there and handed over as it is.
    """

    def __init__(self, max_seconds: float, silence_ms: int = 500, check_every_ms: int = 250) -> None:
        self.max_samples = int(max_seconds * SAMPLE_RATE)
        self.silence_ms = silence_ms
        self.check_every = check_every_ms * SAMPLE_RATE // 1000
        self._buffer = np.zeros(0, dtype=np.float32)
        self._unchecked = 0

    @property
    def buffered_seconds(self) -> float:
        return len(self._buffer) / SAMPLE_RATE

    def feed(self, samples: np.ndarray) -> list[np.ndarray]:
        self._buffer = np.concatenate([self._buffer, samples.astype(np.float32, copy=False)])
        self._unchecked += len(samples)
        if self._unchecked < self.check_every:
            return []
        self._unchecked = 0
        return self._cut(final=False)

    def finish(self) -> list[np.ndarray]:
        utterances = self._cut(final=True)
        self._buffer = np.zeros(0, dtype=np.float32)
        return utterances

    def _cut(self, *, final: bool) -> list[np.ndarray]:
        buffer = self._buffer
        spans = speech_spans(buffer, self.silence_ms)
        if not spans:
            # Keep a little: the start of a word may be in the last samples.
            self._buffer = buffer[-PAD_MS * SAMPLE_RATE // 1000:]
            return []
        # Every span but the last is followed by a long enough pause; the last one is finished
        # only if the pause after it has begun (the VAD ends a span still talking at the buffer's end).
        finished = spans if final or spans[-1].end < len(buffer) else spans[:-1]
        utterances = [buffer[s.start:s.end] for s in finished]
        if len(finished) < len(spans):
            talking = spans[-1]
            if len(buffer) - talking.start >= self.max_samples:  # runs on: hand it over as it is
                utterances.append(buffer[talking.start:])
                self._buffer = np.zeros(0, dtype=np.float32)
            else:
                self._buffer = buffer[talking.start:]
        else:
            self._buffer = buffer[finished[-1].end:]
        return utterances
