"""The opening burst, in-process: what the live room's door and its answering worker cost per message.

Right after the host calls a link, every new spelling of the hot question is new to the room. This
loads the demo store into a temporary SQLite database, puts link 1 on air, stops the answering worker,
takes the first ``--messages`` messages of ``benchmarks/load_live.py``'s workload through the door
(``LiveService.submit_many``, frames of 100, no HTTP), then starts one worker and times how long it
takes to answer everything the door queued. It prints:

* the door: µs of wall time per message, and how the door decided them (queued, joined a queued
  question in the same words, ignored, shed);
* the worker: ms per queued message until the queue is empty and every row is written;
* with ``--profile FILE``: a cProfile of the worker's drain, for ``python -m pstats FILE``.

    .venv/bin/python benchmarks/live_burst.py                   # the first 10,000 messages (2 s at 5,000/s)
    .venv/bin/python benchmarks/live_burst.py --messages 5000 --profile /tmp/burst.prof

Not a test: the figures depend on the machine. Nothing is sent over the network.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import load_live  # noqa: E402  (the same workload as the load benchmark)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000, help="how many messages of the workload (10,000)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the worker's drain to FILE")
    args = parser.parse_args(argv)

    from fastapi.testclient import TestClient

    from assistant.api.app import create_app
    from assistant.auth import create_token
    from assistant.config import Settings
    from assistant.demo import make_night as night
    from assistant.live.danmaku import Danmaku

    frames = load_live.workload(args.messages, 100, 0)
    batches = [[Danmaku.model_validate(m) for m in json.loads(frame.text)] for frame in frames]
    with tempfile.TemporaryDirectory(prefix="liveassist-burst-") as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/burst.db", data_dir=Path(folder),
                            queue_size=max(2000, args.messages))
        with TestClient(create_app(settings)) as client:
            client.headers["Authorization"] = f"Bearer {create_token(client.app.state.engine, 'admin')}"
            imported = client.post("/v1/catalog", json=json.loads(night.STORE.read_text()))
            assert imported.status_code == 200, imported.text
            assert client.put(f"/v1/rooms/{load_live.ROOM}/on-air", json={"link_no": load_live.ON_AIR_LINK}).status_code == 200
            live = client.app.state.live
            live._stop.set()  # the worker stops: the door alone, then the drain alone
            time.sleep(1.0)

            outcomes: Counter[str] = Counter()
            started = time.perf_counter()
            for batch in batches:
                outcomes.update(live.submit_many(load_live.ROOM, batch))
            door_seconds = time.perf_counter() - started
            queued = live.bus.depth()

            live._stop.clear()
            profiler = cProfile.Profile() if args.profile else None  # profiles the thread that enables it
            worker = threading.Thread(target=profiler.runcall if profiler else live._work,
                                      args=(live._work,) if profiler else (), name="answer-burst", daemon=True)
            started = time.perf_counter()
            cpu_started = time.process_time()
            worker.start()
            live.drain(timeout=600)
            drain_seconds = time.perf_counter() - started
            drain_cpu = time.process_time() - cpu_started
            live._stop.set()
            worker.join(timeout=5)
            if profiler:
                profiler.dump_stats(args.profile)
            stats = live.stats(load_live.ROOM)

    print(f"liveassist opening burst — the first {args.messages:,} messages of the load benchmark's workload, "
          "in-process, SQLite")
    print(f"{'door':28} {door_seconds / args.messages * 1e6:8.1f} µs per message   "
          + ", ".join(f"{k} {v:,}" for k, v in outcomes.most_common()))
    print(f"{'worker drain':28} {drain_seconds:8.2f} s for {queued:,} queued "
          f"({drain_seconds / max(queued, 1) * 1000:.2f} ms each; process CPU {drain_cpu:.2f} s)")
    print(f"{'room stats':28} received {stats['received']:,}, answered {stats['answered']:,}, "
          f"grouped {stats['grouped']:,}, escalated {stats['escalated']:,}, ignored {stats['ignored']:,}, "
          f"shed {stats['shed']:,}, pending {stats['pending']:,}")
    if args.profile:
        print(f"profile of the drain: {args.profile} (python -m pstats {args.profile})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
