"""Audio in: any file the bundled FFmpeg (PyAV) reads, or raw PCM, as 16 kHz mono float32.

PyAV's errors become :class:`InvalidInput` here and nowhere else, with a message a viewer's app (or
the person at the CLI) can act on: empty, not audio, no audio track, too long.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from assistant.errors import InvalidInput

SAMPLE_RATE = 16_000
WINDOW_SECONDS = 30.0
"""Whisper hears 30 seconds at a time; a question is decoded as one window, so no clip is longer."""


def max_seconds(configured: float) -> float:
    """The longest clip accepted: the setting, but never more than one Whisper window."""
    return min(configured, WINDOW_SECONDS)


def decode(source: bytes | Path, limit_seconds: float) -> np.ndarray:
    """Decode a whole audio file to 16 kHz mono float32 samples in [-1, 1].

    Raises:
        InvalidInput: the file is empty, is not audio (or is damaged past reading), has no audio
            track, or is longer than ``limit_seconds``.
    """
    data = source.read_bytes() if isinstance(source, Path) else source
    if not data:
        raise InvalidInput("the audio file is empty")
    import av
    from faster_whisper.audio import decode_audio

    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InvalidInput("the file has no audio track")
            # Refuse long files before decoding them (duration is in microseconds when the format knows it).
            if container.duration is not None and container.duration / 1_000_000 > limit_seconds + 0.5:
                raise _too_long(container.duration / 1_000_000, limit_seconds)
        audio = decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise InvalidInput(f"could not read the file as audio (wav, mp3, m4a, ogg/opus, webm…): {why}") from exc
    check_length(audio, limit_seconds)
    return audio


def from_pcm16(data: bytes) -> np.ndarray:
    """Raw 16-bit little-endian mono PCM (the voice WebSocket's frames) as float32 samples."""
    usable = len(data) - len(data) % 2
    return np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0


def check_length(audio: np.ndarray, limit_seconds: float) -> None:
    """Raises: InvalidInput when the audio is empty or longer than ``limit_seconds``."""
    seconds = duration(audio)
    if seconds == 0:
        raise InvalidInput("the audio holds no sound (zero samples)")
    if seconds > limit_seconds + 0.5:
        raise _too_long(seconds, limit_seconds)


def duration(audio: np.ndarray) -> float:
    return len(audio) / SAMPLE_RATE


def _too_long(seconds: float, limit: float) -> InvalidInput:
    return InvalidInput(f"the audio is {seconds:.1f} s long; a spoken question may last at most {limit:.0f} s")
