"""Hearing a question in a room: audio → :class:`~assistant.pipeline.Heard`, with the room's words.

The one entry point the CLI, the HTTP upload, the voice WebSocket, the voice eval and the benchmark
share. It decodes and checks the audio, crops it to the speech, reads the room's vocabulary (the
product on air) for hotwords, and transcribes. The caller then asks the unchanged text pipeline with
``Message(text=heard.text, heard=heard)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from assistant.catalog.snapshot import get_snapshot
from assistant.config import Settings
from assistant.db import storage_errors
from assistant.errors import InvalidInput
from assistant.live_state import room_state
from assistant.pipeline import Heard
from assistant.speech.audio import check_length, decode, duration, max_seconds
from assistant.speech.hotwords import Hotwords, room_hotwords
from assistant.speech.model import load
from assistant.speech.recognise import transcribe
from assistant.speech.vad import crop_to_speech


def hear(engine: Engine, settings: Settings, room_id: str, audio: bytes | Path | np.ndarray, *,
         hotwords: bool = True) -> Heard:
    """What a viewer said in ``room_id``: an audio file's bytes, a path, or 16 kHz float32 samples.

    Raises:
        InvalidInput: empty, not audio, too long, no speech in it, or no words could be made out.
        SpeechUnavailable: the model cannot be loaded.
        StorageError: the room's vocabulary could not be read.
    """
    limit = max_seconds(settings.max_audio_seconds)
    samples = audio if isinstance(audio, np.ndarray) else decode(audio, limit)
    check_length(samples, limit)
    speech = crop_to_speech(samples)
    model = load(settings)
    words, prior = room_words(engine, room_id)
    heard = transcribe(model, speech, words if hotwords else None, prior, duration_s=duration(samples))
    if not heard.text.strip(" .,?!。，？！…"):
        raise InvalidInput("no words could be made out in the audio")
    return heard


def room_words(engine: Engine, room_id: str) -> tuple[Hotwords, str]:
    """The room's hotwords (the product on air first) and the store's language."""
    with storage_errors(), engine.connect() as conn:
        store = get_snapshot(engine, conn)
        on_air = room_state(conn, room_id).on_air_sku
    return room_hotwords(store, on_air), store.language
