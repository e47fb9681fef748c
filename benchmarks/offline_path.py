"""How fast the offline path answers, in-process, on the demo store.

Runs a mix of realistic viewer messages (stock, shipping, orders, size, price, policy, escalations,
chit-chat) through ``Assistant.handle`` — understanding, planning, tool calls on the database,
composing, the guard and the transcript write — and prints latency percentiles and throughput.

    .venv/bin/python benchmarks/offline_path.py                 # SQLite in a temp folder
    .venv/bin/python benchmarks/offline_path.py --rounds 20 --database-url postgresql+psycopg://…

Not a test: figures depend on the machine. The README records what this machine measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
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

DEMO = ROOT / "assistant" / "demo" / "store_zh.json"
MESSAGES = [
    "XL还有吗", "黑色L码有货不", "灰色的呢", "什么时候发货", "发到成都几天", "寄到新疆要多久",
    "3号链接黑色M还有吗", "链接5还有货吗", "有木有XXL", "still have XL?", "170 60kg穿什么码",
    "一米六五 100斤选什么码", "多少钱", "这个什么材质", "支持七天无理由吗", "包邮吗", "我的单发了吗",
    "能便宜点吗", "质量太差了", "孕妇能用吗", "666", "主播好美", "哈哈哈哈", "🎉🎉", "还有么？？？",
    "黑色XL還有嗎", "ＸＬ还有吗", "口红03色号还有吗", "牛肉干香辣味有货吗", "2号链接28码有吗",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40, help="times the message mix is asked (default 40)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        engine = get_engine(url)
        upgrade(engine)
        catalog, warnings, _ = read_catalog_file(DEMO)
        import_catalog(engine, catalog, warnings=warnings)
        on_air = min((p for p in catalog.products if p.link_no), key=lambda p: p.link_no or 0).sku
        set_on_air(engine, "bench", sku=on_air)
        users = sorted({o.user_id for o in catalog.orders})
        assistant = Assistant(engine, Settings(data_dir=Path(tmp), database_url=url))
        now = dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

        started = time.perf_counter()
        assistant.handle(Message("bench", users[0], "XL还有吗", now=now))  # first message builds vocabularies
        cold_ms = (time.perf_counter() - started) * 1000

        latencies: list[float] = []
        actions: dict[str, int] = {}
        print(f"asking {len(MESSAGES)} messages × {args.rounds} rounds …", file=sys.stderr)
        wall = time.perf_counter()
        for round_no in range(args.rounds):
            for i, text in enumerate(MESSAGES):
                user = users[(round_no + i) % len(users)]
                t = time.perf_counter()
                decision = assistant.handle(Message("bench", user, text, now=now))
                latencies.append((time.perf_counter() - t) * 1000)
                actions[decision.action] = actions.get(decision.action, 0) + 1
        wall = time.perf_counter() - wall

    figures = {
        "messages": len(latencies),
        "database": "sqlite" if not args.database_url else url.split(":", 1)[0],
        "first_message_ms": round(cold_ms, 1),
        "p50_ms": round(percentile(latencies, 0.50), 3),
        "p95_ms": round(percentile(latencies, 0.95), 3),
        "p99_ms": round(percentile(latencies, 0.99), 3),
        "mean_ms": round(statistics.fmean(latencies), 3),
        "messages_per_s": round(len(latencies) / wall, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "actions": actions,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"{figures['messages']} messages on {figures['database']}: "
              f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, "
              f"{figures['messages_per_s']} messages/s on one thread; first message {figures['first_message_ms']} ms; "
              f"peak RSS {figures['max_rss_mb']} MB; actions {actions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
