"""The ``liveassist`` command: works on the database directly (no server, no token needed).

    liveassist catalog import FILE.json        upsert a catalog (validated whole first)
    liveassist stock set VARIANT_SKU WH QTY    change stock; the next answer uses it
    liveassist room on-air ROOM SKU_OR_LINK    set (or --clear) the product on air
    liveassist ask --room R --user U "TEXT"    answer one message (--json for the contract JSON)
    liveassist ask --room R --user U --audio F answer a spoken question (wav, mp3, m4a, ogg, webm…)
    liveassist transcripts [filters]           list or export what was asked and answered
    liveassist serve                           the HTTP API
    liveassist demo                            load the demo store and serve it

Errors a user can fix print one line on stderr and exit with 1 (2 for a malformed command line);
no traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.config import Settings, get_settings
from assistant.errors import InvalidInput, LiveAssistError

DEMO_CATALOG = Path(__file__).parent / "demo" / "store_zh.json"


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    from assistant.db import get_engine, upgrade

    engine = get_engine(settings.resolved_database_url)
    upgrade(engine)
    return engine


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _parse_time(raw: str | None, what: str) -> dt.datetime | None:
    if raw is None:
        return None
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{what} must be an ISO 8601 time such as 2026-11-22T20:00:00+08:00 (got {raw!r})") from None


# --- catalog -------------------------------------------------------------------------------------

def cmd_catalog_import(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.catalog.importer import import_catalog, read_catalog_file
    from assistant.knowledge.hooks import describe, index_after_change

    catalog, warnings, _ = read_catalog_file(Path(args.file))
    engine = _engine(settings)
    report = import_catalog(engine, catalog, warnings=warnings, prune=args.replace)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.no_index:
        knowledge = {"ok": True, "skipped": True}
        print(report.summary())
        print("knowledge index: not updated now (--no-index); a running server updates it in the background")
        return 0
    # The import has committed; a failure to index is reported, and does not fail the command.
    print("indexing product knowledge (the first time takes a few seconds per 100 passages)…", file=sys.stderr)
    knowledge = index_after_change(engine, settings, "catalog import")
    if args.json:
        _print_json(report.__dict__ | {"knowledge": knowledge})
    else:
        print(report.summary())
        print(describe(knowledge), file=sys.stdout if knowledge["ok"] else sys.stderr)
    return 0


def cmd_catalog_validate(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.catalog.importer import read_catalog_file

    catalog, warnings, _ = read_catalog_file(Path(args.file))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    variants = sum(len(p.variants) for p in catalog.products)
    print(f"catalog is valid: {len(catalog.products)} products, {variants} variants, {len(catalog.orders)} orders")
    return 0


# --- live state ----------------------------------------------------------------------------------

def cmd_stock_set(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.live_state import set_stock

    change = set_stock(_engine(settings), args.variant_sku, args.warehouse, args.qty)
    print(f"{change.variant_sku} @ {change.warehouse}: {change.before} → {change.after}")
    return 0


def cmd_stock_show(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.catalog.snapshot import get_snapshot
    from tools.inventory import live_stock

    engine = _engine(settings)
    with engine.connect() as conn:
        store = get_snapshot(engine, conn)
        product = store.products.get(args.sku)
        variants = list(product.variants) if product else [store.variant(args.sku)]
        stock = live_stock(conn, [v.sku for v in variants])
    for variant in variants:
        figures = stock[variant.sku]
        detail = ", ".join(f"{code} {qty}" for code, qty in sorted(figures.items())) or "none"
        print(f"{variant.sku:28} {variant.label():20} total {sum(figures.values()):5}   ({detail})")
    return 0


def cmd_room_on_air(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.live_state import clear_on_air, set_on_air

    engine = _engine(settings)
    chosen = [x is not None and x is not False for x in (args.product, args.sku, args.link)]
    if args.clear:
        if any(chosen):
            raise InvalidInput("--clear takes no product")
        clear_on_air(engine, args.room)
        print(f"room {args.room}: nothing on air")
        return 0
    if sum(chosen) != 1:
        raise InvalidInput("name exactly one product: SKU_OR_LINK_NO, --sku S or --link N (or --clear)")
    state = set_on_air(engine, args.room, sku=args.sku, link_no=args.link, either=args.product)
    print(f"room {args.room}: on air {state.on_air_sku}")
    return 0


def cmd_room_show(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.live_state import check_room_id, room_state

    check_room_id(args.room)
    with _engine(settings).connect() as conn:
        state = room_state(conn, args.room)
    print(json.dumps({"room": state.room_id, "on_air": state.on_air_sku, "exists": state.exists}))
    return 0


# --- asking --------------------------------------------------------------------------------------

def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.live_state import check_room_id
    from assistant.pipeline import Assistant, Message

    check_room_id(args.room)
    if not args.user.strip():
        raise InvalidInput("--user must not be empty")
    if (args.text is None) == (args.audio is None):
        raise InvalidInput('give exactly one of "TEXT" or --audio FILE')
    engine = _engine(settings)
    heard = _hear(engine, settings, args.room, Path(args.audio)) if args.audio else None
    assistant = Assistant(engine, settings)
    decision = assistant.handle(Message(room_id=args.room, user_id=args.user, text=heard.text if heard else args.text,
                                        now=_parse_time(args.now, "--now"), nickname=args.name, channel="cli",
                                        heard=heard))
    if args.json:
        _print_json({"heard": heard.record(), **decision.contract()} if heard else decision.contract())
    else:
        if heard:
            print(f"heard ({heard.language}, confidence {heard.confidence:.2f}, {heard.duration_s:.1f} s): "
                  f"{heard.text}")
        print(f"[{decision.action}] {decision.reply or '(no reply)'}")
        print(f"  intent {decision.intent}, confidence {decision.confidence:.2f}: {decision.reason}")
        for call in decision.tool_calls:
            print(f"  · {call['name']}({json.dumps(call['args'], ensure_ascii=False)})")
    return 0


def _hear(engine, settings: Settings, room: str, path: Path):  # type: ignore[no-untyped-def]
    """Transcribe an audio file (speech recognition is loaded only here, never for typed questions)."""
    from assistant.speech.listen import hear

    if not path.is_file():
        raise InvalidInput(f"no such audio file: {path}")
    return hear(engine, settings, room, path)


def cmd_transcripts(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import transcripts

    if args.action and args.action not in transcripts.ACTIONS:
        raise InvalidInput(f"--action is one of {', '.join(transcripts.ACTIONS)}")
    query = transcripts.TranscriptQuery(
        room=args.room, user=args.user, action=args.action, intent=args.intent,
        since=_parse_time(args.since, "--since"), until=_parse_time(args.until, "--until"), limit=args.limit,
    )
    rows = transcripts.search(_engine(settings), query)
    if args.format == "csv":
        output = transcripts.to_csv(rows)
    elif args.format == "jsonl":
        output = transcripts.to_jsonl(rows)
    elif args.format == "json":
        output = json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n"
    else:
        output = "".join(
            f"{r['received_at'][:19]}  {r['room_id']:10} {r['user_id']:18} {r['action']:8} {r['intent'] or '':12} "
            f"{r['text'][:40]!r} → {r['reply'][:60]}\n" for r in rows
        ) or "no transcripts match\n"
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
        print(f"wrote {len(rows)} transcripts to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return 0


# --- tokens --------------------------------------------------------------------------------------

def cmd_tokens_create(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.auth import create_token

    print(create_token(_engine(settings), args.role, args.name or ""))
    return 0


def cmd_tokens_list(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.auth import list_tokens

    for token in list_tokens(_engine(settings)):
        state = f"revoked {token['revoked_at']:%Y-%m-%d}" if token["revoked_at"] else "active"
        print(f"{token['id']:5}  {token['role']:7} {state:18} {token['name']}")
    return 0


def cmd_tokens_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.auth import revoke_token

    revoke_token(_engine(settings), args.id)
    print(f"token {args.id} revoked")
    return 0


# --- serving -------------------------------------------------------------------------------------

def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from assistant.api.app import create_app

    _engine(settings)
    print(f"liveassist serving on http://{args.host}:{args.port}  (API docs: /docs)", flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.auth import ROLES, create_token
    from assistant.catalog.importer import import_catalog, read_catalog_file
    from assistant.live_state import set_on_air

    engine = _engine(settings)
    catalog, warnings, _ = read_catalog_file(DEMO_CATALOG)
    report = import_catalog(engine, catalog, warnings=warnings)  # the server indexes knowledge as it starts
    first = min((p for p in catalog.products if p.link_no is not None), key=lambda p: p.link_no or 0)
    set_on_air(engine, "demo", sku=first.sku)
    tokens = {role: create_token(engine, role, "demo") for role in ROLES}
    base = f"http://{args.host}:{args.port}"
    print(f"demo store loaded into {settings.resolved_database_url}")
    print(f"  {report.summary()}")
    print(f"  room 'demo' is presenting {first.title} (link {first.link_no})\n")
    print("Tokens for this demo (each role has its own; new ones every run):")
    for role, token in tokens.items():
        print(f"  {role:7} {token}")
    print("\nThree things to try:")
    print(f"  1. curl -s {base}/v1/rooms/demo/messages -H 'Authorization: Bearer {tokens['ingest']}' \\\n"
          "       -H 'content-type: application/json' -d '{\"user_id\": \"douyin:1001\", \"text\": \"黑色XL还有吗\"}'")
    print("  2. .venv/bin/liveassist ask --room demo --user douyin:7712 '我的单发了吗'")
    print("  3. .venv/bin/liveassist ask --room demo --user douyin:1001 --json '发到成都几天'")
    print(f"\nAPI docs: {base}/docs")
    if args.no_serve:
        return 0
    args.log_level = "warning"
    return cmd_serve(args, settings)


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.live import replay

    return replay.run(args)


def _replay_arguments(parser: argparse.ArgumentParser) -> None:
    from assistant.live import replay

    replay.add_arguments(parser)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from evals.cli import run_command

    return run_command(args)


def _eval_arguments(parser: argparse.ArgumentParser) -> None:
    from evals.cli import add_arguments

    add_arguments(parser)


# --- the parser ----------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liveassist", description="Live-room shopping assistant.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    catalog = commands.add_parser("catalog", help="import or check a catalog").add_subparsers(
        dest="catalog_command", required=True, metavar="ACTION")
    p = catalog.add_parser("import", help="validate and upsert a catalog JSON file")
    p.add_argument("file")
    p.add_argument("--replace", action="store_true", help="also delete what the file does not list")
    p.add_argument("--no-index", action="store_true",
                   help="do not update the knowledge index now (a running server does it in the background)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_catalog_import)
    p = catalog.add_parser("validate", help="check a catalog file without importing it")
    p.add_argument("file")
    p.set_defaults(run=cmd_catalog_validate)

    stock = commands.add_parser("stock", help="change or show stock").add_subparsers(
        dest="stock_command", required=True, metavar="ACTION")
    p = stock.add_parser("set", help="set a variant's units in a warehouse")
    p.add_argument("variant_sku")
    p.add_argument("warehouse")
    p.add_argument("qty", help="whole number, 0 or more")
    p.set_defaults(run=cmd_stock_set)
    p = stock.add_parser("show", help="stock of a product or variant")
    p.add_argument("sku")
    p.set_defaults(run=cmd_stock_show)

    room = commands.add_parser("room", help="the product on air in a room").add_subparsers(
        dest="room_command", required=True, metavar="ACTION")
    p = room.add_parser("on-air", help="set the product the host is presenting")
    p.add_argument("room")
    p.add_argument("product", nargs="?", help="a product SKU, or else a link number")
    p.add_argument("--sku")
    p.add_argument("--link", type=int)
    p.add_argument("--clear", action="store_true", help="nothing on air")
    p.set_defaults(run=cmd_room_on_air)
    p = room.add_parser("show", help="what a room is presenting")
    p.add_argument("room")
    p.set_defaults(run=cmd_room_show)

    p = commands.add_parser("ask", help="answer one viewer message")
    p.add_argument("--room", required=True)
    p.add_argument("--user", required=True, help="platform:id, e.g. douyin:7712")
    p.add_argument("--now", help="ISO 8601 time to answer for (fixes the clock)")
    p.add_argument("--name", help="the viewer's nickname, to address the reply")
    p.add_argument("--json", action="store_true", help="print the contract JSON")
    p.add_argument("--audio", metavar="FILE", help="a spoken question instead of TEXT (wav, mp3, m4a, ogg/opus, webm…)")
    p.add_argument("text", nargs="?", help="what the viewer wrote (omit with --audio)")
    p.set_defaults(run=cmd_ask)

    p = commands.add_parser("transcripts", help="list or export transcripts")
    p.add_argument("--room")
    p.add_argument("--user")
    p.add_argument("--action", help="answer, escalate or ignore")
    p.add_argument("--intent")
    p.add_argument("--since", help="ISO 8601 time")
    p.add_argument("--until", help="ISO 8601 time")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--format", choices=["table", "csv", "jsonl", "json"], default="table")
    p.add_argument("--output", "-o", help="write to this file instead of stdout")
    p.set_defaults(run=cmd_transcripts)

    tokens = commands.add_parser("tokens", help="API tokens for the roles ingest, host, cs, admin").add_subparsers(
        dest="tokens_command", required=True, metavar="ACTION")
    p = tokens.add_parser("create", help="print a new token for ROLE (shown only this once)")
    p.add_argument("role", help="ingest, host, cs or admin")
    p.add_argument("--name", help="a label, e.g. the connector or person it is for")
    p.set_defaults(run=cmd_tokens_create)
    p = tokens.add_parser("list", help="tokens by id and role (never the tokens themselves)")
    p.set_defaults(run=cmd_tokens_list)
    p = tokens.add_parser("revoke", help="revoke a token by id")
    p.add_argument("id", type=int)
    p.set_defaults(run=cmd_tokens_revoke)

    p = commands.add_parser("replay", help="replay a recorded night of danmaku against a running server")
    _replay_arguments(p)
    p.set_defaults(run=cmd_replay)

    p = commands.add_parser("eval", help="run the labelled eval cases and print accuracy, false facts, leaks, latency")
    _eval_arguments(p)
    p.set_defaults(run=cmd_eval)

    for name, runner, help_text in (("serve", cmd_serve, "run the HTTP API"),
                                    ("demo", cmd_demo, "load the demo store and run the HTTP API")):
        p = commands.add_parser(name, help=help_text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--log-level", default="info")
        if name == "demo":
            p.add_argument("--no-serve", action="store_true", help="load and print, but do not serve")
        p.set_defaults(run=runner)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace, Settings], int] = args.run
    try:
        return run(args, get_settings())
    except LiveAssistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
