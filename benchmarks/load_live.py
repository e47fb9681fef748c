"""How much danmaku the real server takes in, and how fast a question is answered under that load.

Starts ``liveassist serve`` as a subprocess on a temporary SQLite database (the demo store imported, tokens
made with the CLI, link 1 on air), then — from this second process, over loopback — pushes danmaku through
``/v1/rooms/{room}/stream`` as fast as the server acknowledges them, in a live room's burst mix: mostly
the same question about the product on air in every spelling, chit-chat, some distinct questions. It
measures:

* ingest: messages acknowledged per second, in the steady state (after ``--warmup`` seconds), grouping on;
* question-to-answer latency: about one message in ``--probe-every`` is a probe question from a viewer with
  a unique nickname, sent in a frame of its own; ``/v1/rooms/{room}/events`` (a host token) is followed and
  each probe is timed from its send to its ``turn`` event (``asker`` is the nickname). Probes the server shed
  are counted by reason, from their frame's acknowledgement;
* the server: its ``/metrics`` counters at the end, its CPU time and its peak RSS (``VmHWM``).

    .venv/bin/python benchmarks/load_live.py                          # 60,000 messages or 30 s
    .venv/bin/python benchmarks/load_live.py --messages 20000 --json
    .venv/bin/python benchmarks/load_live.py --py-spy /tmp/server.txt  # also sample the server (pip install py-spy)

Not a test: every figure depends on the machine. Sends only to 127.0.0.1, bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.demo import make_night as night  # noqa: E402

ROOM = "bench"
ON_AIR_LINK = 1
TARGET_RATE = 5000
TARGET_P95_MS = 200
ACCEPTED = ("queued", "joined_queued", "aggregated")
"""Acknowledgement outcomes that promise an answer (the rest are shed or ignored)."""


# --- the workload ------------------------------------------------------------------------------------------

@dataclass
class Frame:
    text: str
    """The frame as sent (encoded before the clock starts, so the sender costs little)."""
    count: int
    probe: str | None = None
    """The probe's nickname, for a frame that carries one probe question."""


def workload(total: int, batch: int, probe_every: int, seed: int = 7) -> list[Frame]:
    """``total`` messages in frames of ``batch``; every ``probe_every``-th message a probe in a frame of its own.

    The mix of a room right after "1号链接上车了": 62 % the hot question (XL) in every spelling, 10 % other
    stock questions about the product on air, 16 % chit-chat, 12 % distinct questions (destinations, body
    sizes, materials, other links, policies, orders, bargaining, spam).
    """
    rng = random.Random(seed)
    products, holders = night.load_store()
    product = products[ON_AIR_LINK]
    hot = night.hot_question(product, rng)
    holder_ids = sorted(holders)

    def question(distinct: bool) -> tuple[str, str | None]:
        """(text, user_id) — a user_id only for an order holder asking about their own order."""
        if not distinct:
            roll = rng.random()
            if roll < 0.86:
                return night.roughen(night.stock_question(product, rng, value=hot), rng), None
            return night.roughen(night.stock_question(product, rng), rng), None
        roll = rng.random()
        if roll < 0.3:
            return night.shipping_question(product, rng), None
        if roll < 0.5:
            return night.size_question(product, rng), None
        if roll < 0.62:
            return night.info_question(product, rng), None
        if roll < 0.75:
            return night.other_product_question(products, ON_AIR_LINK, rng), None
        if roll < 0.82:
            return night.combo_question(product, rng), None
        if roll < 0.87:
            holder = rng.choice(holder_ids)
            return rng.choice(night.ORDER_ASKS).format(item=rng.choice(holders[holder])), holder
        if roll < 0.92:
            return rng.choice(night.POLICY), None
        if roll < 0.96:
            return rng.choice(night.BARGAIN), None
        return rng.choice(night.SPAM).format(n=rng.randrange(100, 999)), None

    def message(i: int) -> dict[str, Any]:
        roll = rng.random()
        if roll < 0.72:
            text, user = question(distinct=False)
        elif roll < 0.88:
            text, user = night.roughen(rng.choice(night.CHITCHAT), rng), None
        else:
            text, user = question(distinct=True)
        # Most of a big room speaks once; a few regulars talk all the time (and get rate-limited).
        user = user or (f"douyin:{rng.randrange(100, 400)}" if rng.random() < 0.03 else f"douyin:{9_000_000 + i}")
        return {"platform": "douyin", "user_id": user, "nickname": f"观众{i}", "text": text}

    frames: list[Frame] = []
    chunk: list[dict[str, Any]] = []
    for i in range(total):
        if probe_every and i % probe_every == probe_every // 2:
            name = f"probe-{i:06d}"
            text, user = question(distinct=rng.random() < 0.4)
            probe = {"platform": "douyin", "user_id": user or f"douyin:{8_000_000 + i}", "nickname": name,
                     "text": text}
            frames.append(Frame(json.dumps([probe], ensure_ascii=False), 1, probe=name))
            continue
        chunk.append(message(i))
        if len(chunk) >= batch:
            frames.append(Frame(json.dumps(chunk, ensure_ascii=False), len(chunk)))
            chunk = []
    if chunk:
        frames.append(Frame(json.dumps(chunk, ensure_ascii=False), len(chunk)))
    return frames


# --- the server ----------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``liveassist serve`` in a subprocess, on its own database, with its tokens."""

    def __init__(self, folder: Path, *, database_url: str | None, port: int | None,
                 extra_env: dict[str, str], log_name: str = "server.log") -> None:
        self.port = port or _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {"LIVEASSIST_DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.db'}",
                                 "LIVEASSIST_DATA_DIR": str(folder), "LIVEASSIST_LOG_LEVEL": "warning"} | extra_env
        self.log = (folder / log_name).open("w")
        self.process: subprocess.Popen[bytes] | None = None
        self.tokens: dict[str, str] = {}

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"liveassist {' '.join(args[:2])} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def start(self) -> None:
        import httpx

        self.cli("catalog", "import", str(night.STORE))  # indexed here, not by the server under load
        self.tokens = {role: self.cli("tokens", "create", role, "--name", "load benchmark")
                       for role in ("ingest", "host", "admin")}
        self.cli("room", "on-air", ROOM, str(ON_AIR_LINK))
        self.serve()

    def serve(self) -> None:
        import httpx

        self.process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(self.port),
                                         "--log-level", "warning"], env=self.env, cwd=ROOT,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with {self.process.returncode}; see {self.log.name}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise SystemExit("the server did not become ready in 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def peak_rss_mb(self) -> float | None:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return None

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server so far (all its threads)."""
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return 0.0

    def metrics(self) -> dict[str, Any]:
        import httpx

        text = httpx.get(f"{self.base}/metrics", headers={"Authorization": f"Bearer {self.tokens['host']}"},
                         timeout=10).text
        return parse_metrics(text)

    def room_stats(self) -> dict[str, Any]:
        """``GET /v1/rooms/{room}/stats``: every message by outcome (shared by all processes)."""
        import httpx

        return httpx.get(f"{self.base}/v1/rooms/{ROOM}/stats",
                         headers={"Authorization": f"Bearer {self.tokens['host']}"}, timeout=10).json()


def merge_metrics(all_metrics: list[dict[str, Any]]) -> dict[str, Any]:
    """The servers' counters added up (each process counts what it handled)."""
    merged: dict[str, Any] = {"received": 0, "shed": collections.Counter(), "decisions": collections.Counter(),
                              "grouped": 0, "queue_depth": 0}
    for metrics in all_metrics:
        for key in ("received", "grouped"):
            merged[key] += metrics[key]
        merged["queue_depth"] = max(merged["queue_depth"], metrics["queue_depth"])
        merged["shed"].update(metrics["shed"])
        merged["decisions"].update(metrics["decisions"])
    return merged | {"shed": dict(merged["shed"]), "decisions": dict(merged["decisions"])}


def parse_metrics(text: str) -> dict[str, Any]:
    """The counters that matter here, from Prometheus text."""
    out: dict[str, Any] = {"received": 0, "shed": {}, "decisions": {}, "grouped": 0, "queue_depth": 0}
    pattern = re.compile(r'^(\w+?)(?:\{(.*)\})? ([0-9.eE+-]+)$')
    for line in text.splitlines():
        match = pattern.match(line)
        if not match:
            continue
        name, labels_text, value = match.group(1), match.group(2) or "", float(match.group(3))
        labels = dict(re.findall(r'(\w+)="([^"]*)"', labels_text))
        if name == "liveassist_messages_received_total":
            out["received"] += int(value)
        elif name == "liveassist_messages_shed_total":
            out["shed"][labels["reason"]] = int(value)
        elif name == "liveassist_decisions_total":
            out["decisions"][f"{labels['action']}/{labels['route']}"] = int(value)
        elif name == "liveassist_messages_grouped_total":
            out["grouped"] = int(value)
        elif name == "liveassist_queue_depth":
            out["queue_depth"] = int(value)
    return out


# --- the run ---------------------------------------------------------------------------------------------------

@dataclass
class Run:
    sent: int = 0
    acked: int = 0
    frames_sent: int = 0
    acks: list[tuple[float, int]] = field(default_factory=list)
    """(seconds from the start, messages acknowledged) per frame."""
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    probe_sent: dict[str, float] = field(default_factory=dict)
    probe_outcome: dict[str, str] = field(default_factory=dict)
    probe_seen: dict[str, float] = field(default_factory=dict)
    events: int = 0
    send_seconds: float = 0.0
    server_cpu_sending: float = 0.0
    """The server's CPU seconds from the first frame to the last acknowledgement."""


async def drive(server: Server, frames: list[Frame], *, seconds: float, in_flight: int, settle: float,
                rate: float | None = None) -> Run:
    from websockets.asyncio.client import connect

    run = Run()
    auth = {"Authorization": f"Bearer {server.tokens['ingest']}"}
    ws_base = server.base.replace("http://", "ws://") + f"/v1/rooms/{ROOM}"
    events = await connect(f"{ws_base}/events", additional_headers={"Authorization": f"Bearer {server.tokens['host']}"},
                           max_size=2 ** 24, ping_interval=None, compression=None)
    await events.recv()  # the snapshot
    stream = await connect(f"{ws_base}/stream", additional_headers=auth, max_size=2 ** 24, ping_interval=None,
                           compression=None)
    clock = time.perf_counter
    cpu_at_start = server.cpu_seconds()
    started = clock()
    pending: collections.deque[Frame] = collections.deque()
    slots = asyncio.Semaphore(in_flight)

    async def follow_events() -> None:
        async for text in events:
            run.events += 1
            if '"probe-' not in text:
                continue
            event = json.loads(text)
            # One "turn" per answered message; viewers joining an answered group come as one "joined"
            # event per frame, with their nicknames in "askers".
            askers = [event.get("asker") or ""] if event.get("type") == "turn" else event.get("askers", [])
            for asker in askers:
                if asker.startswith("probe-") and asker not in run.probe_seen:
                    run.probe_seen[asker] = clock()

    async def read_acks() -> None:
        async for text in stream:
            ack = json.loads(text)
            frame = pending.popleft()
            run.acked += ack["received"]
            run.acks.append((clock() - started, ack["received"]))
            run.outcomes.update(ack["outcomes"])
            if frame.probe:
                run.probe_outcome[frame.probe] = next(iter(ack["outcomes"]), "invalid")
            slots.release()

    follower = asyncio.create_task(follow_events())
    reader = asyncio.create_task(read_acks())
    deadline = started + seconds
    for frame in frames:
        if clock() >= deadline:
            break
        if rate:  # an offered load instead of "as fast as acknowledged"
            wait = started + run.sent / rate - clock()
            if wait > 0:
                await asyncio.sleep(wait)
        await slots.acquire()
        pending.append(frame)
        if frame.probe:
            run.probe_sent[frame.probe] = clock()
        await stream.send(frame.text)
        run.sent += frame.count
        run.frames_sent += 1
    while pending and clock() < deadline + 30:
        await asyncio.sleep(0.01)
    run.send_seconds = clock() - started
    run.server_cpu_sending = server.cpu_seconds() - cpu_at_start
    # Let the answers for probes already accepted arrive (bounded).
    waiting_for = {p for p, outcome in run.probe_outcome.items() if outcome in ACCEPTED}
    settle_until = clock() + settle
    while clock() < settle_until and not waiting_for <= run.probe_seen.keys():
        await asyncio.sleep(0.05)
    for task in (follower, reader):
        task.cancel()
    await stream.close()
    await events.close()
    await asyncio.gather(follower, reader, return_exceptions=True)
    return run


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def figures(run: Run, *, warmup: float) -> dict[str, Any]:
    steady = [(t, n) for t, n in run.acks if t >= warmup]
    steady_rate = None
    if len(steady) >= 2:
        span = steady[-1][0] - steady[0][0]
        steady_rate = sum(n for _, n in steady[1:]) / span if span > 0 else None
    per_second_counts: dict[int, int] = collections.defaultdict(int)
    for t, n in run.acks:
        per_second_counts[int(t)] += n
    latencies = {p: (run.probe_seen[p] - run.probe_sent[p]) * 1000 for p in run.probe_sent if p in run.probe_seen}
    by_outcome: dict[str, list[float]] = collections.defaultdict(list)
    for probe, ms in latencies.items():
        by_outcome[run.probe_outcome.get(probe, "?")].append(ms)
    first_probe = min(run.probe_sent.values(), default=0.0)
    after_burst = [ms for p, ms in latencies.items() if run.probe_sent[p] - first_probe >= warmup]
    accepted = [p for p, o in run.probe_outcome.items() if o in ACCEPTED]
    shed = collections.Counter(o for o in run.probe_outcome.values() if o not in ACCEPTED)
    values = list(latencies.values())
    return {
        "sent": run.sent, "acknowledged": run.acked, "seconds": round(run.send_seconds, 2),
        "overall_rate": round(run.acked / run.send_seconds, 1) if run.send_seconds else None,
        "steady_rate": round(steady_rate, 1) if steady_rate else None,
        "per_second": [per_second_counts[s] for s in range(int(run.send_seconds) + 1)],
        "outcomes": dict(run.outcomes.most_common()),
        "probes": {"sent": len(run.probe_sent), "acknowledged": len(run.probe_outcome), "accepted": len(accepted),
                   "shed": dict(shed), "seen": len(values),
                   "accepted_not_seen": len([p for p in accepted if p not in latencies]),
                   "p50_ms": round(percentile(values, 0.5), 1), "p95_ms": round(percentile(values, 0.95), 1),
                   "max_ms": round(max(values), 1) if values else None,
                   "after_warmup": {"n": len(after_burst), "p50_ms": round(percentile(after_burst, 0.5), 1),
                                    "p95_ms": round(percentile(after_burst, 0.95), 1)},
                   "by_outcome": {o: {"n": len(v), "p50_ms": round(percentile(v, 0.5), 1),
                                      "p95_ms": round(percentile(v, 0.95), 1), "max_ms": round(max(v), 1)}
                                  for o, v in sorted(by_outcome.items())}},
        "events_received": run.events,
        "probe_timeline": sorted((round(run.probe_sent[p] - min(run.probe_sent.values()), 2), round(ms, 1),
                                  run.probe_outcome.get(p, "?")) for p, ms in latencies.items()),
    }


def table(result: dict[str, Any]) -> str:
    probes, server = result["probes"], result["server"]
    steady = result["steady_rate"] or 0
    # An offered 5,000 msg/s is acknowledged at 4,99x: the last frames' acknowledgements are still on the way.
    verdict_rate = "meets" if steady >= TARGET_RATE * 0.99 else "MISSES"
    p95 = probes["p95_ms"]
    verdict_p95 = "meets" if p95 == p95 and p95 <= TARGET_P95_MS else "MISSES"
    lines = [
        f"liveassist load benchmark — {os.cpu_count()} cores, {result['database']}, "
        f"{result['processes']} server process{'es' if result['processes'] > 1 else ''} ({result['bus']} bus), "
        f"workers {result['workers']}, "
        f"grouping on, frames of {result['batch']} ({result['in_flight']} in flight), "
        + (f"offered {result['offered_rate']:,.0f} msg/s" if result["offered_rate"] else "as fast as acknowledged"),
        "",
        f"{'ingest, steady (after warm-up)':34} {steady:>10,.0f} msg/s   target {TARGET_RATE:,}: {verdict_rate}",
        f"{'ingest, whole run':34} {result['overall_rate'] or 0:>10,.0f} msg/s   "
        f"({result['acknowledged']:,} acknowledged in {result['seconds']} s)",
        f"{'ack outcomes':34} " + ", ".join(f"{k} {v:,}" for k, v in result["outcomes"].items()),
        f"{'probes':34} {probes['sent']:>10,}   accepted {probes['accepted']}, seen {probes['seen']}, "
        f"accepted but not seen {probes['accepted_not_seen']}, shed {probes['shed'] or 0}",
        f"{'question → answer p50 / p95 / max':34} {probes['p50_ms']:>7} / {p95} / {probes['max_ms']} ms   "
        f"target p95 ≤ {TARGET_P95_MS}: {verdict_p95}",
    ]
    late = probes["after_warmup"]
    lines.append(f"{'  sent after the first ' + str(result['warmup']) + ' s':34} {late['n']:>10}   "
                 f"p50 {late['p50_ms']} / p95 {late['p95_ms']} ms")
    for outcome, stats in probes["by_outcome"].items():
        lines.append(f"{'  ' + outcome:34} {stats['n']:>10}   p50 {stats['p50_ms']} / p95 {stats['p95_ms']} / "
                     f"max {stats['max_ms']} ms")
    lines += [
        f"{'server received':34} {server['received']:>10,}",
        f"{'server shed, by reason':34} " + (", ".join(f"{k} {v:,}" for k, v in server["shed"].items()) or "none"),
        f"{'server decisions, action/route':34} " + ", ".join(f"{k} {v:,}" for k, v in
                                                             sorted(server["decisions"].items())),
        f"{'server grouped':34} {server['grouped']:>10,}   queue depth at the end {server['queue_depth']}",
        f"{'room stats (nothing lost?)':34} " + ", ".join(
            f"{k} {result['room_stats'][k]:,}" for k in ("received", "answered", "grouped", "escalated", "ignored",
                                                           "shed", "pending")),
        f"{'server CPU while sending':34} {result['server_cpu_s']:>10.1f} s   "
        f"({result['server_cpu_share']:.0%} of one core); this client {result['client_cpu_s']:.1f} s",
        f"{'server peak RSS (VmHWM, all)':34} {result['server_peak_rss_mb']:>10.0f} MB",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=60_000, help="send at most this many (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=30.0, help="and for at most this long (default %(default)s)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds left out of the steady rate")
    parser.add_argument("--batch", type=int, default=100, help="messages per frame (default %(default)s)")
    parser.add_argument("--in-flight", type=int, default=8, help="frames sent but not acknowledged, at most")
    parser.add_argument("--probe-every", type=int, default=50, help="one probe question per this many messages")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to wait for accepted probes' answers")
    parser.add_argument("--rate", type=float, help="offer this many messages/s instead of as many as acknowledged")
    parser.add_argument("--workers", type=int, help="the server's answering threads (LIVEASSIST_WORKERS)")
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--port", type=int)
    parser.add_argument("--py-spy", metavar="FILE", help="record the server with py-spy (collapsed stacks) to FILE")
    parser.add_argument("--py-spy-gil", action="store_true", help="with --py-spy: only the thread holding the GIL")
    parser.add_argument("--py-spy-idle", action="store_true", help="with --py-spy: idle threads too (where they wait)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--bus-url", help="redis://… : share the stream through Redis (LIVEASSIST_BUS_URL); its "
                        "stream is deleted first")
    parser.add_argument("--processes", type=int, default=1,
                        help="with --bus-url: this many server processes answer (danmaku go to the first)")
    args = parser.parse_args()
    if args.processes > 1 and not args.bus_url:
        parser.error("--processes needs --bus-url")

    extra_env = {"LIVEASSIST_WORKERS": str(args.workers)} if args.workers else {}
    if args.bus_url:
        import redis

        redis.Redis.from_url(args.bus_url).delete("liveassist:danmaku")
        extra_env["LIVEASSIST_BUS_URL"] = args.bus_url
    frames = workload(args.messages, args.batch, args.probe_every)
    folder = Path(tempfile.mkdtemp(prefix="liveassist-load-"))
    server = Server(folder, database_url=args.database_url, port=args.port, extra_env=extra_env)
    spy: subprocess.Popen[bytes] | None = None
    others: list[Server] = []
    try:
        server.start()
        for n in range(1, args.processes):
            other = Server(folder, database_url=server.env["LIVEASSIST_DATABASE_URL"], port=None,
                           extra_env=extra_env, log_name=f"server-{n + 1}.log")
            other.tokens = server.tokens
            other.serve()
            others.append(other)
        if args.py_spy:
            command = [shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy")), "record",
                       "--pid", str(server.pid), "--rate", "200", "--format", "raw", "--output", args.py_spy,
                       "--duration", str(int(args.seconds) + 2), "--nonblocking"]
            command += (["--gil"] if args.py_spy_gil else []) + (["--idle"] if args.py_spy_idle else [])
            spy = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            time.sleep(1.0)
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        others_cpu_before = sum(other.cpu_seconds() for other in others)
        run = asyncio.run(drive(server, frames, seconds=args.seconds, in_flight=args.in_flight, settle=args.settle,
                                rate=args.rate))
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        run.server_cpu_sending += sum(other.cpu_seconds() for other in others) - others_cpu_before
        result = figures(run, warmup=args.warmup)
        result.update({
            "database": "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite",
            "warmup": args.warmup, "workers": args.workers or 1, "offered_rate": args.rate, "batch": args.batch,
            "in_flight": args.in_flight,
            "processes": args.processes, "bus": "Redis Streams" if args.bus_url else "in-process",
            "server": merge_metrics([server.metrics(), *(other.metrics() for other in others)]),
            "room_stats": server.room_stats(),
            "server_peak_rss_mb": round(sum(s.peak_rss_mb() or 0 for s in (server, *others)), 1),
            "server_cpu_s": round(run.server_cpu_sending, 2),
            "server_cpu_share": run.server_cpu_sending / run.send_seconds if run.send_seconds else 0.0,
            "client_cpu_s": round((client_after.ru_utime + client_after.ru_stime)
                                  - (client_before.ru_utime + client_before.ru_stime), 2),
            "targets": {"rate_per_s": TARGET_RATE, "p95_ms": TARGET_P95_MS},
        })
    finally:
        if spy is not None:
            try:
                spy.wait(timeout=args.seconds + 30)
            except subprocess.TimeoutExpired:
                spy.terminate()
        for other in others:
            other.stop()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
