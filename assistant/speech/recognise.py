"""One spoken question → :class:`~assistant.pipeline.Heard`: what was said, in which language, how sure.

The clip (already cropped to its speech, at most 30 s) is encoded once; everything else reuses the
encoder output, because on two cores the encoder is most of the cost. Whisper pads every clip to a
30-second window; CTranslate2 also encodes shorter ones, and a 10-second window costs a ninth of a
30-second one (0.1 s against 0.9 s here) with the same transcripts on the voice eval, so a question
of up to 9 s is encoded in a 10-second window (20 or 30 s for longer ones).

1. **Language**, Mandarin or English only. Whisper's own detection, left free, calls robotic or
   accented Mandarin Thai, Tagalog or Japanese; restricted to the two languages a room speaks, it
   compares the probabilities of ``zh`` and ``en``, weighted towards the store's own language
   (see :func:`choose_language`).
2. **Decoding** the way MODELS.md found free of loops: greedy-equivalent beam search at
   temperature 0, no timestamps, no previous text, ``no_repeat_ngram_size=3``, at most 64 new
   tokens, no initial prompt (a prompt sentence leaks into transcripts).
3. **Hotwords**: the room's vocabulary as the decoder's previous-text context, so "XL" is not
   "excel" — checked against a decode without them, so a word the viewer did not say is never
   put in their mouth (:mod:`assistant.speech.hotwords`).
4. **Confidence** (0..1): the geometric-mean token probability ``exp(avg_logprob)`` times
   ``1 - no_speech_prob``, rescaled (:func:`confidence`).
5. **Text** normalised like typed text: Traditional → Simplified, full-width → half-width.

CTranslate2's Whisper API (``encode``, ``detect_language``, ``generate``) is called directly rather
than through ``WhisperModel.transcribe``, which would run the encoder again for each language tried.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assistant.pipeline import Heard
from assistant.speech.audio import duration
from assistant.speech.hotwords import Hotwords, check_hotwords
from assistant.speech.model import LoadedModel
from assistant.text import normalise

LANGUAGES = ("zh", "en")
BEAM_SIZE = 5
MAX_NEW_TOKENS = 64
NO_REPEAT_NGRAM = 3


@dataclass(frozen=True)
class Decoded:
    """One decoder pass: the text and the figures its confidence comes from."""

    text: str
    language: str
    avg_logprob: float
    no_speech_prob: float
    tokens: int


@dataclass(frozen=True)
class Encoded:
    """A clip after the encoder, with what language detection made of it."""

    output: object
    """CTranslate2 StorageView of the encoder output."""
    language_probs: dict[str, float]


def transcribe(model: LoadedModel, speech: np.ndarray, hotwords: Hotwords | None = None,
               prior: str | None = None, *, duration_s: float | None = None) -> Heard:
    """What the viewer said, from a clip already cropped to its speech.

    Args:
        model: the loaded Whisper model.
        speech: 16 kHz mono float32 samples, at most 30 s.
        hotwords: the room's vocabulary, or None for a plain decode.
        prior: the store's language (``"zh"``/``"en"``): the tie-breaker when detection is unsure.
        duration_s: the original clip's length (before cropping), for the transcript record.
    """
    encoded = encode(model, speech)
    language = choose_language(encoded.language_probs, prior)
    plain = decode(model, encoded, language)
    best = plain
    if hotwords is not None and hotwords.terms:
        biased = decode(model, encoded, language, hotwords.prompt)
        best = check_hotwords(biased, plain, hotwords)
    text = normalise(best.text).text
    return Heard(text=text, language=language, confidence=confidence(best), model=model.name,
                 duration_s=duration_s if duration_s is not None else duration(speech))


def encode(model: LoadedModel, speech: np.ndarray) -> Encoded:
    from faster_whisper.audio import pad_or_trim

    whisper = model.whisper
    features = whisper.feature_extractor(speech)[:, :whisper.feature_extractor.nb_max_frames]
    output = whisper.encode(pad_or_trim(features, window_frames(duration(speech))))
    probs = {token[2:-2]: prob for token, prob in whisper.model.detect_language(output)[0]}
    return Encoded(output=output, language_probs=probs)


def window_frames(seconds: float) -> int:
    """The encoder window for a clip: 10, 20 or 30 s (100 mel frames a second), a second to spare."""
    for window in (10, 20):
        if seconds <= window - 1:
            return window * 100
    return 3000


PRIOR_ODDS = 10.0
"""How much likelier a viewer speaks the store's language than the other one, a priori."""


def choose_language(probs: dict[str, float], prior: str | None = None) -> str:
    """Mandarin or English: Whisper's odds between the two, times the store's prior odds.

    Only the two probabilities are compared: what the model gives Thai or Japanese for a robotic
    Mandarin clip says nothing about which of *our* two languages it is. A viewer in a Chinese
    store room is taken to speak Mandarin unless Whisper finds English more than ``PRIOR_ODDS``
    times likelier (and the other way round in an English store). On the voice eval (espeak-ng's
    robotic Mandarin, which Whisper often finds likelier English) this brought the Mandarin CER from
    115 % to 82 % for an English WER of 32 % against 30 %, and the same answer accuracy.
    """
    zh, en = probs.get("zh", 0.0), probs.get("en", 0.0)
    weight = {"zh": PRIOR_ODDS, "en": 1 / PRIOR_ODDS}.get(prior or "", 1.0)
    return "zh" if zh * weight >= en else "en"


def decode(model: LoadedModel, encoded: Encoded, language: str, hotwords: str | None = None) -> Decoded:
    """One decoder pass over the encoded clip, in ``language``, optionally biased by ``hotwords``."""
    from faster_whisper.tokenizer import Tokenizer

    whisper = model.whisper
    tokenizer = Tokenizer(whisper.hf_tokenizer, whisper.model.is_multilingual, task="transcribe", language=language)
    prompt: list[int] = []
    if hotwords:
        # faster-whisper's own hotwords format: previous-text context before the start of transcript.
        prompt = [tokenizer.sot_prev, *tokenizer.encode(" " + hotwords.strip())[: whisper.max_length // 2 - 1]]
    prompt += [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    result = whisper.model.generate(
        encoded.output, [prompt], beam_size=BEAM_SIZE, no_repeat_ngram_size=NO_REPEAT_NGRAM,
        max_length=len(prompt) + MAX_NEW_TOKENS, return_scores=True, return_no_speech_prob=True,
        suppress_blank=True, suppress_tokens=[-1],
    )[0]
    tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
    # The score is the sum of log-probabilities over the length (length_penalty 1); like Whisper,
    # count the end-of-text token in the average.
    avg_logprob = result.scores[0] * len(result.sequences_ids[0]) / (len(result.sequences_ids[0]) + 1)
    return Decoded(text=tokenizer.decode(tokens).strip(), language=language, avg_logprob=avg_logprob,
                   no_speech_prob=result.no_speech_prob, tokens=len(tokens))


# The rescaling of exp(avg_logprob): Whisper base gives token probabilities of 0.6-0.8 on what it
# hears right and 0.3-0.5 on what it cannot make out. FLOOR maps to 0 and CEILING to 1. Measured on
# the voice eval at the default voice_min_confidence of 0.55: 1 of 23 transcripts within 20 % error
# falls below it, 2 of 42 with over 50 % error stay above (see evals/voice/README.md).
FLOOR, CEILING = 0.25, 0.75


def confidence(decoded: Decoded) -> float:
    """0..1: ``clamp((exp(avg_logprob) - FLOOR) / (CEILING - FLOOR)) * (1 - no_speech_prob)``; 0 for no text."""
    if decoded.tokens == 0 or not decoded.text:
        return 0.0
    token_probability = math.exp(decoded.avg_logprob)
    scaled = min(1.0, max(0.0, (token_probability - FLOOR) / (CEILING - FLOOR)))
    return round(scaled * (1.0 - decoded.no_speech_prob), 4)
