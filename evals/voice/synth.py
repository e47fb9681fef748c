"""Spoken questions without a human voice: Debian's espeak-ng speaks, sox resamples and adds noise.

Mandarin is spoken by ``espeak-ng -v cmn-latn-pinyin`` from pinyin with tone numbers ("hei1 se4 XL
hai2 you3 ma5"); the plain ``cmn`` voice reads the tone digits aloud on this build. English by
``-v en``. Every clip is 16 kHz mono 16-bit WAV with a little silence either side, as a phone would
record it. Clips are cached by their parameters, so a second run synthesises nothing.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

VOICES = {"zh": "cmn-latn-pinyin", "en": "en"}
BASE_WPM = 150
SYNTH_VERSION = 3
"""Bump when the recipe changes, so cached clips are made again."""


@dataclass(frozen=True)
class Variant:
    name: str
    speed: float
    """Relative to BASE_WPM words a minute."""
    snr_db: float | None
    """Pink noise this many dB below the speech (RMS); None for a clean clip."""


CLEAN = Variant("clean", 1.0, None)
VARIANTS = (CLEAN, Variant("fast, noise 20 dB", 1.2, 20.0), Variant("slow, noise 10 dB", 0.85, 10.0))


class ToolMissing(RuntimeError):
    """espeak-ng or sox is not installed (``apt-get install espeak-ng sox``)."""


def tools_missing() -> list[str]:
    return [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]


def synthesise(words: str, lang: str, folder: Path, variant: Variant = CLEAN) -> Path:
    """A WAV of ``words`` spoken in ``lang`` ("zh": pinyin with tone numbers; "en": English), cached.

    Raises:
        ToolMissing: espeak-ng or sox is not installed.
    """
    missing = tools_missing()
    if missing:
        raise ToolMissing(f"{' and '.join(missing)} not installed (apt-get install espeak-ng sox)")
    key = hashlib.sha1(f"{SYNTH_VERSION}|{lang}|{words}|{variant.speed}|{variant.snr_db}".encode()).hexdigest()[:16]
    target = folder / f"{lang}-{_slug(words)}-{key}.wav"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="liveassist-synth-") as tmp:
        spoken, clean = Path(tmp) / "spoken.wav", Path(tmp) / "clean.wav"
        _run(["espeak-ng", "-v", VOICES[lang], "-s", str(round(BASE_WPM * variant.speed)), "-w", str(spoken), words])
        _run(["sox", "-R", str(spoken), "-r", "16000", "-c", "1", "-b", "16", str(clean), "pad", "0.3", "0.6"])
        if variant.snr_db is None:
            shutil.move(clean, Path(tmp) / "out.wav")
        else:
            _add_noise(clean, Path(tmp) / "out.wav", variant.snr_db)
        shutil.move(Path(tmp) / "out.wav", target)
    return target


def _add_noise(clean: Path, out: Path, snr_db: float) -> None:
    """Pink noise ``snr_db`` below the speech's RMS, mixed in with sox (repeatable: the same noise every run)."""
    speech_rms = _rms(clean)
    seconds = float(_run(["soxi", "-D", str(clean)]).strip())
    noise = out.with_name("noise.wav")
    _run(["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(noise), "synth", f"{seconds:.3f}", "pinknoise"])
    gain = speech_rms / max(_rms(noise), 1e-9) / (10 ** (snr_db / 20))
    _run(["sox", "-R", "-m", "-v", "1", str(clean), "-v", f"{gain:.6f}", str(noise), str(out)])


def _rms(path: Path) -> float:
    report = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True).stderr
    match = re.search(r"RMS\s+amplitude:\s+([\d.eE+-]+)", report)
    return float(match.group(1)) if match else 0.0


def _run(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _slug(words: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:32] or "clip"
