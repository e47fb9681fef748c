"""The voice eval: spoken questions through speech recognition and the real pipeline, graded.

Each case of ``evals/voice/cases.jsonl`` (the text-case format of ``evals/README.md``, plus
``speak``: what espeak-ng says, pinyin with tone numbers for Mandarin) is synthesised in every
variant of :data:`evals.voice.synth.VARIANTS` (clean; faster with noise at 20 dB SNR; slower with
noise at 10 dB), transcribed by :func:`assistant.speech.listen.hear` in the case's room (its product
on air, so the room's hotwords apply), answered by the pipeline as a spoken message, and graded by
:mod:`evals.grader` against :mod:`evals.oracle`, exactly as a typed case.

Reported, per language and per variant: character error rate (Mandarin) or word error rate
(English) against the case's ``text``; answer accuracy (the case passes: right action, facts stated,
nothing false); wrong answers (answered, but not correctly: the costly failure); escalations for
unclear audio; clips refused; hotword leaks (a hotword in the transcript that the question does not
contain); recognition latency.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from assistant.config import Settings, get_settings
from assistant.errors import InvalidInput
from assistant.live_state import clear_on_air, set_on_air, set_stock
from assistant.pipeline import Heard, Message
from evals.grader import Case, Grade, grade
from evals.oracle import Oracle
from evals.runner import _open_store, load_cases
from evals.voice.synth import VARIANTS, Variant, synthesise

CASES = Path(__file__).resolve().parent / "cases.jsonl"
_EN_WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class VoiceCase:
    case: Case
    speak: str
    """What espeak-ng is given: pinyin with tone numbers (zh) or the English words."""
    lang: str


@dataclass
class ClipResult:
    voice: VoiceCase
    variant: Variant
    heard: Heard | None
    refused: str | None
    decision: dict[str, Any]
    grade: Grade
    edits: int
    ref_len: int
    seconds: float
    leaked: list[str] = field(default_factory=list)

    @property
    def wrong_answer(self) -> bool:
        return self.decision.get("action") == "answer" and not self.grade.passed

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.voice.case.id, "lang": self.voice.lang, "variant": self.variant.name,
                "text": self.voice.case.text, "heard": self.heard.record() if self.heard else None,
                "refused": self.refused, "action": self.decision.get("action"),
                "reason": self.decision.get("reason_code"), "reply": self.decision.get("reply", ""),
                "passed": self.grade.passed, "error_rate": round(self.edits / max(1, self.ref_len), 3),
                "leaked": self.leaked, "seconds": round(self.seconds, 3)}


@dataclass
class VoiceTally:
    clips: int = 0
    passed: int = 0
    wrong_answers: int = 0
    unclear: int = 0
    refused: int = 0
    leaks: int = 0
    edits: int = 0
    ref_len: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, r: ClipResult) -> None:
        self.clips += 1
        self.passed += r.grade.passed
        self.wrong_answers += r.wrong_answer
        self.unclear += r.decision.get("reason_code") == "unclear_audio"
        self.refused += r.refused is not None
        self.leaks += bool(r.leaked)
        self.edits += r.edits
        self.ref_len += r.ref_len
        self.seconds.append(r.seconds)

    @property
    def error_rate(self) -> float:
        return self.edits / self.ref_len if self.ref_len else 0.0

    def latency(self, share: float) -> float:
        ordered = sorted(self.seconds) or [0.0]
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]

    def as_dict(self) -> dict[str, Any]:
        return {"clips": self.clips, "answer_accuracy": round(self.passed / self.clips, 4) if self.clips else None,
                "error_rate": round(self.error_rate, 4), "wrong_answers": self.wrong_answers,
                "unclear_escalations": self.unclear, "refused": self.refused, "hotword_leaks": self.leaks,
                "latency_p50_s": round(self.latency(0.5), 3), "latency_p95_s": round(self.latency(0.95), 3)}


@dataclass
class VoiceReport:
    results: list[ClipResult]
    hotwords: bool

    def groups(self) -> dict[str, VoiceTally]:
        keys: dict[str, list[ClipResult]] = {"all": list(self.results)}
        for r in self.results:
            metric = "CER" if r.voice.lang == "zh" else "WER"
            keys.setdefault(f"{r.voice.lang} ({metric})", []).append(r)
            keys.setdefault(f"{r.voice.lang} {r.variant.name}", []).append(r)
        tallies: dict[str, VoiceTally] = {}
        for name, results in keys.items():
            tally = VoiceTally()
            for r in results:
                tally.add(r)
            tallies[name] = tally
        return tallies

    def as_dict(self) -> dict[str, Any]:
        return {"hotwords": self.hotwords, "groups": {k: v.as_dict() for k, v in self.groups().items()},
                "clips": [r.as_dict() for r in self.results]}

    def table(self, all_clips: bool = False) -> str:
        lines = [f"voice eval ({'with' if self.hotwords else 'without'} hotwords); error rate: CER for zh, WER for en",
                 f"{'':28} {'clips':>5} {'answers':>8} {'err rate':>8} {'wrong':>5} {'unclear':>7} {'refused':>7} "
                 f"{'leaks':>5} {'p50 s':>6} {'p95 s':>6}"]
        for name, t in self.groups().items():
            lines.append(f"{name[:28]:28} {t.clips:>5} {t.passed / max(1, t.clips):>8.1%} {t.error_rate:>8.1%} "
                         f"{t.wrong_answers:>5} {t.unclear:>7} {t.refused:>7} {t.leaks:>5} {t.latency(0.5):>6.2f} "
                         f"{t.latency(0.95):>6.2f}")
        shown = self.results if all_clips else [r for r in self.results if not r.grade.passed][:30]
        if shown:
            lines.append("\nclips" + ("" if all_clips else " that failed (first 30; --verbose for every clip)") + ":")
            for r in shown:
                heard = r.heard.text if r.heard else f"refused: {r.refused}"
                conf = f" ({r.heard.confidence:.2f})" if r.heard else ""
                mark = "ok " if r.grade.passed else "WRONG" if r.wrong_answer else "miss"
                lines.append(f"  {mark:5} {r.voice.case.id:16} [{r.variant.name}] {r.voice.case.text!r} → heard "
                             f"{heard!r}{conf} → {r.decision.get('action')} {r.decision.get('reason_code') or ''}"
                             + (f"  leaked {r.leaked}" if r.leaked else ""))
        return "\n".join(lines)


def load_voice_cases(path: Path = CASES) -> list[VoiceCase]:
    cases = {c.id: c for c in load_cases([path])}
    voiced = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            lang = "zh" if "zh" in raw.get("tags", []) else "en"
            voiced.append(VoiceCase(cases[raw["id"]], raw.get("speak") or raw["text"], lang))
    return voiced


def run_voice(cases: Sequence[VoiceCase] | None = None, *, variants: Iterable[Variant] = VARIANTS,
              hotwords: bool = True, settings: Settings | None = None) -> VoiceReport:
    """Synthesise (or reuse) every clip, hear it in its room, answer it, grade it."""
    from assistant.catalog.snapshot import get_snapshot
    from assistant.speech.hotwords import room_hotwords
    from assistant.speech.listen import hear

    settings = settings or get_settings()
    clip_dir = settings.data_dir / "voice-eval" / "clips"
    voiced = list(cases) if cases is not None else load_voice_cases()
    variants = list(variants)
    by_store: dict[str, list[VoiceCase]] = {}
    for v in voiced:
        by_store.setdefault(v.case.store, []).append(v)
    results: list[ClipResult] = []
    with tempfile.TemporaryDirectory(prefix="liveassist-voice-eval-") as tmp:
        for store, store_cases in by_store.items():
            # The eval's own database; the operator's settings for the model (assembled once in their data dir).
            engine, assistant = _open_store(store, Path(tmp) / store)
            oracle = Oracle(engine)
            try:
                for v in store_cases:
                    room = "voice-" + re.sub(r"[^\w.:@-]", "_", v.case.id)[:58]
                    if v.case.on_air:
                        set_on_air(engine, room, sku=v.case.on_air)
                    else:
                        clear_on_air(engine, room)
                    undo = [(s, w, set_stock(engine, s, w, q).before) for s, w, q in v.case.setup]
                    with engine.connect() as conn:
                        words = room_hotwords(get_snapshot(engine, conn), v.case.on_air)
                    for variant in variants:
                        clip = synthesise(v.speak, v.lang, clip_dir, variant)
                        results.append(_run_clip(v, variant, clip, room, engine, assistant, oracle,
                                                 settings, hotwords, words, hear))
                    for sku, warehouse, qty in reversed(undo):
                        set_stock(engine, sku, warehouse, qty)
            finally:
                engine.dispose()
    return VoiceReport(results, hotwords)


def _run_clip(v: VoiceCase, variant: Variant, clip: Path, room: str, engine: Any, assistant: Any, oracle: Oracle,
              settings: Settings, hotwords: bool, words: Any, hear: Any) -> ClipResult:
    started = time.perf_counter()
    try:
        heard = hear(engine, settings, room, clip, hotwords=hotwords)
    except InvalidInput as exc:
        seconds = time.perf_counter() - started
        decision = {"action": "refused", "reply": "", "reason_code": None}
        edits, ref_len = error_count(v.case.text, "", v.lang)
        return ClipResult(v, variant, None, str(exc), decision, Grade(action_ok=False), edits, ref_len, seconds)
    seconds = time.perf_counter() - started
    decision = assistant.handle(Message(room, v.case.user, heard.text, now=v.case.now, channel="eval",
                                        heard=heard)).contract()
    edits, ref_len = error_count(v.case.text, heard.text, v.lang)
    return ClipResult(v, variant, heard, None, decision, grade(v.case, decision, oracle), edits, ref_len, seconds,
                      leaked=leaked_terms(v.case.text, heard.text, words))


def error_count(reference: str, hypothesis: str, lang: str) -> tuple[int, int]:
    """(edits, reference length): characters for Mandarin (CER), words for English (WER).

    Both sides are normalised alike (Simplified, lower case, no punctuation or spaces).
    """
    from assistant.text import normalise

    ref, hyp = normalise(reference).lower, normalise(hypothesis).lower
    if lang == "zh":
        ref_units: list[str] = [c for c in ref if c.isalnum()]
        hyp_units: list[str] = [c for c in hyp if c.isalnum()]
    else:
        ref_units, hyp_units = _EN_WORD.findall(ref), _EN_WORD.findall(hyp)
    return Levenshtein.distance(ref_units, hyp_units), len(ref_units)


def leaked_terms(reference: str, transcript: str, words: Any) -> list[str]:
    """Hotword terms in the transcript that the spoken question does not contain."""
    from assistant.speech.hotwords import tokens

    said, heard = tokens(reference), tokens(transcript)

    def has(seq: list[str], term: list[str]) -> bool:
        return any(seq[i:i + len(term)] == term for i in range(len(seq) - len(term) + 1))

    # Latin words are whole tokens, so "L" is not found inside "XL".
    return [t for t in words.terms if tokens(t) and has(heard, tokens(t)) and not has(said, tokens(t))]
