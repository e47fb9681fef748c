"""Replay a recorded night of danmaku into a live room, over the ``/stream`` WebSocket.

    liveassist replay assistant/demo/night.jsonl --url http://127.0.0.1:8000 --room demo --token INGEST \\
        [--speed 10 | --rate 2000] [--on-air-token HOST] [--limit 300]
    python -m assistant.live.replay ...           (the same, without the CLI)

Each line of the file is a chat message (``{"t": seconds_from_start, "platform", "user_id", "nickname",
"text", "role"}``) or a change of the product on air (``{"t": ..., "on_air": {"link_no": N}}``). Messages
that fall due within the same ~20 ms go in one frame. The recorded pacing is kept, scaled by ``--speed``
(10 = ten times faster), or replaced by a fixed ``--rate`` in messages per second; when the server is slower
than that, the replay sends as fast as it acknowledges. On-air changes become ``PUT /v1/rooms/{room}/on-air``
calls when ``--on-air-token`` (a host or admin token) is given, and are skipped otherwise.

Progress goes to stderr every few seconds, the summary to stdout (``--json`` for a machine). A bad file (with
its line number), an unreachable server and a refused token are one-line errors and exit code 1.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from assistant.errors import InvalidInput, LiveAssistError

BATCH_WINDOW = 0.02
"""Messages due within this many seconds of a frame's first go in that frame."""
MAX_FRAME = 500
"""Messages in one frame at most (the server takes up to 5,000)."""
MAX_IN_FLIGHT = 64
"""Frames sent but not yet acknowledged, at most: beyond this the replay waits for the server."""
ACK_TIMEOUT = 30.0
REFUSED_CODES = {4401, 4403, 1008}


# --- the file ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """One line of a recorded night: a chat message, or a change of the product on air."""

    number: int
    t: float
    message: dict[str, Any] | None = None
    on_air: int | None = None


def read_night(path: Path, limit: int | None = None) -> list[Line]:
    """Read and check the whole file before anything is sent.

    Args:
        path: a JSON Lines file; blank lines are skipped.
        limit: read only the first ``limit`` lines of the file.

    Raises:
        InvalidInput: the file is missing, or a line is not what a night holds (its number is in the message).
    """
    try:
        raw_lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read it ({exc})") from None
    lines: list[Line] = []
    for number, raw in enumerate(raw_lines[:limit] if limit is not None else raw_lines, start=1):
        if raw.strip():
            lines.append(_parse_line(path, number, raw))
    if not any(line.message for line in lines):
        raise InvalidInput(f"{path}: no messages to replay")
    # A recording is in time order; a hand-edited one may not be, and sending the past late helps nobody.
    return sorted(lines, key=lambda line: line.t)


def _parse_line(path: Path, number: int, raw: str) -> Line:
    where = f"{path} line {number}"
    try:
        record = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput(f"{where}: not JSON ({exc})") from None
    if not isinstance(record, dict):
        raise InvalidInput(f"{where}: expected a JSON object, got {type(record).__name__}")
    t = record.get("t")
    if isinstance(t, bool) or not isinstance(t, int | float) or t < 0:
        raise InvalidInput(f'{where}: "t" must be a number of seconds from the start, 0 or more (got {t!r})')
    if "on_air" in record:
        link = record["on_air"].get("link_no") if isinstance(record["on_air"], dict) else None
        if isinstance(link, bool) or not isinstance(link, int):
            raise InvalidInput(f'{where}: "on_air" must be {{"link_no": N}} with a whole number N')
        return Line(number, float(t), on_air=link)
    for key in ("user_id", "text"):
        if not isinstance(record.get(key), str) or (key == "user_id" and not record[key].strip()):
            blank = " (not blank)" if key == "user_id" else ""
            raise InvalidInput(f'{where}: a message needs "{key}" as a string{blank}')
    message = {k: v for k, v in record.items() if k != "t"}
    return Line(number, float(t), message=message)


# --- pacing --------------------------------------------------------------------------------------------------

@dataclass
class Frame:
    due: float
    """Seconds from the start of the replay."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    """The file's line number of each message."""
    on_air: int | None = None


def plan_frames(lines: Sequence[Line], *, speed: float | None = None, rate: float | None = None,
                window: float = BATCH_WINDOW, max_frame: int = MAX_FRAME) -> list[Frame]:
    """When each line is due, and the frames they travel in.

    Recorded pacing divided by ``speed`` (default 1), or ``rate`` messages per second. An on-air change is a
    frame of its own, so the messages after it are asked about the new product.
    """
    if rate is not None and rate <= 0:
        raise InvalidInput("--rate must be more than 0 messages per second")
    if speed is not None and speed <= 0:
        raise InvalidInput("--speed must be more than 0")
    frames: list[Frame] = []
    start = lines[0].t if lines else 0.0
    sent = 0
    for line in lines:
        if rate is not None:
            due = sent / rate
        else:
            due = (line.t - start) / (speed or 1.0)
        if line.on_air is not None:
            frames.append(Frame(due, on_air=line.on_air))
            continue
        sent += 1
        last = frames[-1] if frames else None
        if last is None or last.on_air is not None or due - last.due >= window or len(last.messages) >= max_frame:
            last = Frame(due)
            frames.append(last)
        last.messages.append(line.message)  # type: ignore[arg-type]
        last.numbers.append(line.number)
    return frames


# --- the report ------------------------------------------------------------------------------------------------

@dataclass
class ReplayReport:
    sent: int = 0
    frames: int = 0
    acknowledged: int = 0
    """Messages the server acknowledged (the sum of each frame's ``received``)."""
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    invalid: list[dict[str, Any]] = field(default_factory=list)
    on_air_applied: int = 0
    on_air_skipped: int = 0
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.acknowledged / self.elapsed if self.elapsed > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "frames": self.frames, "acknowledged": self.acknowledged,
                "outcomes": dict(self.outcomes.most_common()), "invalid": len(self.invalid),
                "on_air_applied": self.on_air_applied, "on_air_skipped": self.on_air_skipped,
                "elapsed_s": round(self.elapsed, 3), "rate_per_s": round(self.rate, 1)}

    def progress(self) -> str:
        shown = ", ".join(f"{name} {count}" for name, count in self.outcomes.most_common())
        return f"sent {self.sent}, acknowledged {self.acknowledged}" + (f" ({shown})" if shown else "")

    def summary(self) -> str:
        lines = [f"replayed {self.sent} messages in {self.frames} frames in {self.elapsed:.1f} s "
                 f"({self.rate:,.0f} messages/s acknowledged)",
                 f"  acknowledged {self.acknowledged}, invalid {len(self.invalid)}"]
        lines += [f"  {name:18} {count:7}" for name, count in self.outcomes.most_common()]
        if self.on_air_applied or self.on_air_skipped:
            lines.append(f"  on-air changes: {self.on_air_applied} applied, {self.on_air_skipped} skipped")
        return "\n".join(lines)


# --- talking to the server ------------------------------------------------------------------------------------

def endpoints(url: str, room: str) -> tuple[str, str]:
    """``http://host:8000`` (or ``ws://…``) → (the stream's WebSocket URL, the room's HTTP URL)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        raise InvalidInput(f"--url must be like http://127.0.0.1:8000 (got {url!r})")
    secure = parts.scheme in ("https", "wss")
    base = parts.path.rstrip("/")
    path = f"{base}/v1/rooms/{quote(room, safe='')}"
    ws = urlunsplit(("wss" if secure else "ws", parts.netloc, f"{path}/stream", "", ""))
    http = urlunsplit(("https" if secure else "http", parts.netloc, path, "", ""))
    return ws, http


def _refused(what: str) -> LiveAssistError:
    return LiveAssistError(f"the server refused the {what} (it needs a valid ingest or admin token)")


async def _connect(ws_url: str, token: str) -> Any:
    """Open the stream; websockets' errors become ours here, and only here."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

    try:
        return await connect(ws_url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=2 ** 22,
                             open_timeout=10, ping_interval=None, compression=None)
    except InvalidStatus as exc:
        status = exc.response.status_code
        if status in (401, 403):
            # Starlette turns a close before accept (code 4401) into HTTP 403 on the handshake.
            raise _refused("token") from None
        raise LiveAssistError(f"{ws_url}: the server answered HTTP {status}, not a WebSocket") from None
    except InvalidURI as exc:
        raise InvalidInput(f"--url: {exc}") from None
    except (OSError, TimeoutError, InvalidHandshake) as exc:
        raise LiveAssistError(f"cannot reach {ws_url}: {exc or type(exc).__name__}") from None


def _closed(exc: Exception) -> LiveAssistError:
    code = getattr(getattr(exc, "rcvd", None), "code", None)
    reason = getattr(getattr(exc, "rcvd", None), "reason", "")
    if code in REFUSED_CODES:
        return _refused("token")
    return LiveAssistError(f"the server closed the stream (code {code}{': ' + reason if reason else ''})")


class _OnAir:
    """``PUT …/on-air`` for the on-air lines, with a host or admin token (or skipped without one)."""

    def __init__(self, room_url: str, token: str | None) -> None:
        self.url, self.token = room_url, token
        self.client: Any = None

    async def __aenter__(self) -> _OnAir:
        if self.token:
            import httpx

            self.client = httpx.AsyncClient(headers={"Authorization": f"Bearer {self.token}"}, timeout=10)
            await self._check()
        return self

    async def _check(self) -> None:
        """Refuse a wrong token before the night starts, not at its first on-air change (GET the room: the
        roles that may read it are the roles that may change what is on air)."""
        import httpx

        try:
            response = await self.client.get(self.url)
        except httpx.TransportError as exc:
            await self.client.aclose()
            raise LiveAssistError(f"cannot reach {self.url}: {exc or type(exc).__name__}") from None
        if response.status_code in (401, 403):
            await self.client.aclose()
            raise LiveAssistError("the server refused the on-air token (it needs a valid host or admin token)")

    async def __aexit__(self, *exc: object) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def put(self, link_no: int, warn: Callable[[str], None]) -> bool:
        if self.client is None:
            return False
        import httpx

        try:
            response = await self.client.put(f"{self.url}/on-air", json={"link_no": link_no})
        except httpx.TransportError as exc:
            raise LiveAssistError(f"cannot reach {self.url}/on-air: {exc or type(exc).__name__}") from None
        if response.status_code in (401, 403):
            raise LiveAssistError("the server refused the on-air token (it needs a valid host or admin token)")
        if response.status_code != 200:
            warn(f"on air link {link_no}: HTTP {response.status_code} {response.text[:200]}")
            return False
        return True


async def replay(lines: Sequence[Line], *, url: str, room: str, token: str, speed: float | None = None,
                 rate: float | None = None, on_air_token: str | None = None, progress_every: float = 3.0,
                 say: Callable[[str], None] | None = None) -> ReplayReport:
    """Send ``lines`` to ``room`` and wait for every frame's acknowledgement.

    Raises:
        LiveAssistError: the server is unreachable, refused a token or closed the stream.
    """
    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    frames = plan_frames(lines, speed=speed, rate=rate)
    ws_url, room_url = endpoints(url, room)
    report = ReplayReport()
    pending: collections.deque[list[int]] = collections.deque()
    slots = asyncio.Semaphore(MAX_IN_FLIGHT)
    on_air_lines = sum(1 for f in frames if f.on_air is not None)
    if on_air_lines and not on_air_token:
        say(f"replay: {on_air_lines} on-air changes will be skipped (no --on-air-token)")
    websocket = await _connect(ws_url, token)
    started = time.monotonic()

    async def receive() -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for text in websocket:
                ack = json.loads(text)
                report.acknowledged += int(ack.get("received", 0))
                report.outcomes.update(ack.get("outcomes") or {})
                numbers = pending.popleft() if pending else []
                for problem in ack.get("invalid") or []:
                    index = problem.get("index")
                    line = numbers[index] if isinstance(index, int) and 0 <= index < len(numbers) else None
                    report.invalid.append({"line": line, "error": problem.get("error")})
                slots.release()
        except ConnectionClosed as exc:
            if pending:
                raise _closed(exc) from None

    async def tell() -> None:
        while True:
            await asyncio.sleep(progress_every)
            say(f"replay: {time.monotonic() - started:6.1f}s  {report.progress()}")

    receiver = asyncio.create_task(receive())
    ticker = asyncio.create_task(tell())
    try:
        async with _OnAir(room_url, on_air_token) as on_air:
            for frame in frames:
                wait = started + frame.due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if frame.on_air is not None:
                    await _until_acknowledged(pending, receiver)  # the new product applies to what follows
                    if await on_air.put(frame.on_air, say):
                        report.on_air_applied += 1
                    else:
                        report.on_air_skipped += 1
                    continue
                await _acquire(slots, receiver)
                await _send(websocket, json.dumps(frame.messages, ensure_ascii=False), receiver)
                pending.append(frame.numbers)
                report.sent += len(frame.messages)
                report.frames += 1
            await _until_acknowledged(pending, receiver)
        report.elapsed = time.monotonic() - started
    finally:
        ticker.cancel()
        await websocket.close()
        if not receiver.done():
            receiver.cancel()
        await asyncio.gather(receiver, ticker, return_exceptions=True)
    return report


async def _acquire(slots: asyncio.Semaphore, receiver: asyncio.Task[None]) -> None:
    getter = asyncio.ensure_future(slots.acquire())
    await asyncio.wait({getter, receiver}, timeout=ACK_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    if getter.done():
        return
    getter.cancel()
    _raise_from(receiver, "no acknowledgement")


async def _send(websocket: Any, text: str, receiver: asyncio.Task[None]) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        await websocket.send(text)
    except ConnectionClosed as exc:
        if receiver.done() and receiver.exception() is not None:
            raise receiver.exception() from None  # type: ignore[misc]
        raise _closed(exc) from None


async def _until_acknowledged(pending: collections.deque[list[int]], receiver: asyncio.Task[None]) -> None:
    deadline = time.monotonic() + ACK_TIMEOUT
    while pending:
        if receiver.done():
            _raise_from(receiver, "not every frame was acknowledged")
        if time.monotonic() > deadline:
            raise LiveAssistError(f"no acknowledgement for {len(pending)} frames in {ACK_TIMEOUT:.0f} s")
        await asyncio.sleep(0.005)


def _raise_from(receiver: asyncio.Task[None], otherwise: str) -> None:
    """The reader's own error if it has one; else the stream closed, or the server is too slow."""
    if receiver.done() and not receiver.cancelled() and receiver.exception() is not None:
        raise receiver.exception()  # type: ignore[misc]
    if receiver.done():
        raise LiveAssistError(f"the server closed the stream: {otherwise}")
    raise LiveAssistError(f"{otherwise} in {ACK_TIMEOUT:.0f} s")


# --- the command ------------------------------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a recorded night (JSON Lines), e.g. assistant/demo/night.jsonl")
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server (default %(default)s)")
    parser.add_argument("--room", required=True, help="the room to replay into")
    parser.add_argument("--token", required=True, help="an ingest (or admin) token")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=float, help="the recorded pacing, this many times faster (default 1)")
    pace.add_argument("--rate", type=float, help="a fixed rate instead, in messages per second")
    parser.add_argument("--on-air-token", help="a host or admin token: apply the recorded on-air changes")
    parser.add_argument("--limit", type=int, help="replay only the first N lines of the file")
    parser.add_argument("--progress", type=float, default=3.0, metavar="SECONDS",
                        help="how often to print progress on stderr (default %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(args: argparse.Namespace) -> int:
    """Replay as the command line asked; 0 when every frame was acknowledged, 1 on an error (printed)."""
    try:
        if args.limit is not None and args.limit < 1:
            raise InvalidInput("--limit must be 1 or more")
        lines = read_night(args.file, args.limit)
        report = asyncio.run(replay(lines, url=args.url, room=args.room, token=args.token, speed=args.speed,
                                    rate=args.rate, on_air_token=args.on_air_token, progress_every=args.progress))
    except LiveAssistError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    for problem in report.invalid[:10]:
        print(f"warning: line {problem['line']}: the server refused it: {problem['error']}", file=sys.stderr)
    print(json.dumps(report.as_dict(), ensure_ascii=False) if args.json else report.summary())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.live.replay", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
