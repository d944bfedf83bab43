"""From a high-risk live segment's arrival to its shutdown webhook, under steady load.

``trustfair serve`` runs in a subprocess on a fresh SQLite store, its webhook pointed
at a receiver in the bench process. A load generator sends ``live.segment`` events
over HTTP, one event per request, on several keep-alive connections, at a steady
rate (open loop: request i is due at i/rate, whatever the answers before it did).
Most sessions are honest talk; some say two explicit high-risk lines (diversion,
pornography) a little apart, and the second crosses the threshold. For each shutdown
webhook the receiver checks the signature and takes the time from sending the
segment that tripped it (named in the payload) to receiving the webhook.

The baseline is a bare HTTP echo server (``trustfair.bench.echo``: uvicorn, the same
settings) under the same load in the same run: its request round trip. Runs
alternate (echo, trustfair, echo, trustfair ...) and the median of each figure over
the runs is reported, with every run's figures beside it. Sending, receiving and the
clock are one process, so the times need no clock sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustfair.enforce.live_risk import SHUTDOWN_TOPIC
from trustfair.pipeline.outbox import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TOPIC_HEADER,
    verify_signature,
)

SECRET = "bench-secret"


def serve_command(port: int) -> list[str]:
    """`trustfair serve` as the benches run it: no lexicon watching, no access log."""
    return [
        sys.executable,
        "-m",
        "trustfair.cli",
        "serve",
        "--port",
        str(port),
        "--lexicon-check-seconds",
        "0",
        "--no-access-log",
    ]


TARGET_P99_MS = 250.0
HONEST_LINES = (
    "家人们晚上好，欢迎来到直播间，今天给大家带来几款秋冬好物",
    "这款保温杯是三百毫升的，双层不锈钢，放包里不占地方",
    "喜欢的家人们可以点一下关注，下单记得看清楚规格和颜色",
    "这件毛衣是羊毛混纺的，洗的时候建议手洗或者放洗衣袋",
    "有问题可以在评论区问我，我一个一个回答大家",
    "今天的福利款库存不多，大家按需购买，不要冲动下单",
)
RISKY_LINES = (
    "加我微信 tf8899123 私下转账更便宜，平台上不要拍",
    "加V看福利视频 约炮 一夜情 懂的来",
)
RISKY_GAP = 10
"""Events between a risky session's two high-risk lines."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(q / 100 * len(ordered))  # nearest rank
    return ordered[min(len(ordered), max(rank, 1)) - 1]


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far; None where /proc is not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


# -- the load ------------------------------------------------------------------------


def segments(count: int, run: str, sessions: int, risky_every: int) -> tuple[list[bytes], set[str]]:
    """``count`` request bodies (one live.segment each) and the risky event ids.

    Every ``risky_every``-th event starts a risky session's pair of high-risk lines;
    the second line follows ``RISKY_GAP`` events later.
    """
    now = datetime.now(UTC).isoformat()
    bodies: list[dict[str, Any] | None] = [None] * count
    tripping: set[str] = set()
    starts = range(risky_every // 2, count - RISKY_GAP, risky_every)
    for risky, start in enumerate(starts):
        session_id = f"{run}-risky-{risky}"
        for line, index in enumerate((start, start + RISKY_GAP)):
            event_id = f"{run}-risky-{risky}-{line}"
            bodies[index] = _segment(event_id, session_id, line, RISKY_LINES[line], now)
            if line == 1:
                tripping.add(event_id)
    seq = itertools.count()
    for index in range(count):
        if bodies[index] is None:
            n = next(seq)
            session_id = f"{run}-honest-{n % sessions}"
            bodies[index] = _segment(
                f"{run}-e{index}", session_id, n // sessions, HONEST_LINES[n % 6], now
            )
    return [json.dumps([b], ensure_ascii=False).encode() for b in bodies], tripping


def _segment(event_id: str, session_id: str, seq: int, text: str, at: str) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "live.segment",
        "occurred_at": at,
        "source": "bench",
        "payload": {
            "session_id": session_id,
            "streamer_id": f"streamer-{session_id}",
            "seq": seq,
            "offset_ms": seq * 3000,
            "text": text,
        },
    }


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


@dataclass
class Load:
    sent_at: dict[str, float] = field(default_factory=dict)
    round_trips: list[float] = field(default_factory=list)
    errors: int = 0
    started: float = 0.0
    finished: float = 0.0

    def achieved_rate(self) -> float:
        return len(self.round_trips) / max(self.finished - self.started, 1e-9)


async def send_load(
    port: int,
    path: str,
    bodies: list[bytes],
    ids: list[str],
    rate: float,
    connections: int,
    headers: str = "",
) -> Load:
    """Send ``bodies`` open-loop at ``rate``/s over ``connections`` keep-alive sockets."""
    load = Load()
    next_index = itertools.count()
    loop = asyncio.get_running_loop()
    load.started = loop.time() + 0.05

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (i := next(next_index)) < len(bodies):
                delay = load.started + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                body = bodies[i]
                head = (
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode()
                sent = time.perf_counter()
                load.sent_at[ids[i]] = sent
                writer.write(head + body)
                status, _ = await _read_response(reader)
                load.round_trips.append(time.perf_counter() - sent)
                if status != 200:
                    load.errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    load.finished = loop.time()
    return load


# -- the webhook receiver ------------------------------------------------------------


@dataclass
class Received:
    at: float
    delivery: str
    payload: dict[str, Any]
    signature_ok: bool


class Receiver:
    """A minimal HTTP/1.1 server that records each webhook as it arrives."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.other_commands = 0
        """Webhooks of other topics (sanctions issued, content blocked): answered, not timed."""
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request_line := await reader.readline():
                if not request_line.strip():
                    continue
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                at = time.perf_counter()
                if headers.get(TOPIC_HEADER.lower()) != SHUTDOWN_TOPIC:
                    self.other_commands += 1
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    await writer.drain()
                    continue
                self.received.append(
                    Received(
                        at,
                        headers.get(DELIVERY_HEADER.lower(), ""),
                        json.loads(body),
                        verify_signature(SECRET, headers.get(SIGNATURE_HEADER.lower(), ""), body),
                    )
                )
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


# -- the servers ---------------------------------------------------------------------


def _env(extra: dict[str, str]) -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{path}" if path else src, **extra}


async def _warm(port: int, path: str, body: bytes, headers: str = "") -> None:
    """One request before the clock: the text engine loads on its first text."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    writer.write(head + body)
    await _read_response(reader)
    writer.close()


def _echo_run(count: int, rate: float, connections: int) -> dict[str, Any]:
    bodies, _ = segments(count, "echo", sessions=200, risky_every=max(count, 50))
    ids = [str(i) for i in range(count)]
    port = free_port()
    command = [sys.executable, "-m", "trustfair.bench.echo", str(port)]

    async def go() -> tuple[Load, float | None]:
        with _process(command, _env({}), port) as process:
            await _wait_port(port)
            await _warm(port, "/echo", bodies[0])
            before = cpu_seconds(process.pid)
            load = await send_load(port, "/echo", bodies, ids, rate, connections)
            return load, _spent(before, cpu_seconds(process.pid))

    load, cpu = asyncio.run(go())
    return {**_load_figures(load), **_cpu_figures(cpu, len(bodies))}


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def _cpu_figures(cpu: float | None, requests: int) -> dict[str, Any]:
    return {
        "server_cpu_s": None if cpu is None else round(cpu, 2),
        "server_cpu_ms_per_request": None if cpu is None else round(cpu / requests * 1000, 3),
    }


def _load_figures(load: Load) -> dict[str, Any]:
    return {
        "requests": len(load.round_trips),
        "errors": load.errors,
        "achieved_rate_per_s": round(load.achieved_rate(), 1),
        "request_p50_ms": _ms(percentile(load.round_trips, 50)),
        "request_p99_ms": _ms(percentile(load.round_trips, 99)),
    }


def _trustfair_run(
    count: int, rate: float, connections: int, risky_every: int, run: str, tmp: Path
) -> dict[str, Any]:
    bodies, tripping = segments(count, run, sessions=200, risky_every=risky_every)
    ids = [json.loads(b)[0]["event_id"] for b in bodies]
    port = free_port()

    database_url = f"sqlite:///{tmp / f'{run}.db'}"
    # The server takes events only from a service with a key: make one in its store.
    key = f"Authorization: Bearer {_service_key(database_url)}\r\n"

    async def go() -> tuple[Load, list[Received], float | None]:
        receiver = Receiver()
        await receiver.start()
        env = _env(
            {
                "TRUSTFAIR_DATABASE_URL": database_url,
                "TRUSTFAIR_WEBHOOK_URL": f"http://127.0.0.1:{receiver.port}/hook",
                "TRUSTFAIR_WEBHOOK_SECRET": SECRET,
            }
        )
        command = serve_command(port)
        try:
            # Started inside the loop, so the receiver already answers while it boots.
            with _process(command, env, port) as process:
                await _wait_port(port)
                warm = _segment(f"{run}-warm", f"{run}-warm", 0, HONEST_LINES[0], "")
                warm["occurred_at"] = datetime.now(UTC).isoformat()
                await _warm(port, "/v1/events", json.dumps([warm]).encode(), key)
                before = cpu_seconds(process.pid)
                load = await send_load(port, "/v1/events", bodies, ids, rate, connections, key)
                deadline = time.monotonic() + 10
                while len(receiver.received) < len(tripping) and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                cpu = _spent(before, cpu_seconds(process.pid))
        finally:
            await receiver.close()
        return load, receiver.received, cpu, receiver.other_commands

    load, received, cpu, other_commands = asyncio.run(go())
    latencies = [
        r.at - load.sent_at[r.payload["event_id"]]
        for r in received
        if r.payload.get("event_id") in load.sent_at
    ]
    figures = {**_load_figures(load), **_cpu_figures(cpu, len(bodies))}
    figures.update(
        {
            "shutdowns_expected": len(tripping),
            "other_commands_received": other_commands,
            "shutdowns_received": len(received),
            "shutdowns_on_the_tripping_segment": sum(
                r.payload.get("event_id") in tripping for r in received
            ),
            "distinct_deliveries": len({r.delivery for r in received}),
            "signatures_valid": sum(r.signature_ok for r in received),
            "shutdown_p50_ms": _ms(percentile(latencies, 50)),
            "shutdown_p99_ms": _ms(percentile(latencies, 99)),
            "shutdown_max_ms": _ms(max(latencies, default=None)),
        }
    )
    return figures


def _service_key(database_url: str) -> str:
    from trustfair.access.accounts import add_key
    from trustfair.store.database import Store

    store = Store.open(database_url)
    try:
        with store.transaction() as session:
            return add_key(session, "bench", "service", datetime.now(UTC)).key
    finally:
        store.close()


@contextlib.contextmanager
def _process(command: list[str], env: dict[str, str], port: int):  # type: ignore[no-untyped-def]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        _started[port] = (process, log)
        try:
            yield process
        finally:
            _started.pop(port, None)
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


_started: dict[int, tuple[subprocess.Popen[bytes], Any]] = {}


async def _wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            process, log = _started.get(port, (None, None))
            if (process and process.poll() is not None) or time.monotonic() > deadline:
                output = ""
                if log is not None:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                raise RuntimeError(f"server on port {port} did not start:\n{output}") from None
            await asyncio.sleep(0.1)


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [run[key] for run in runs if run.get(key) is not None]
    return round(statistics.median(values), 2) if values else None


def run(
    events: int | None = None,
    rate: float = 500.0,
    seconds: float = 10.0,
    connections: int = 32,
    risky_every: int = 50,
    repeats: int = 2,
) -> dict[str, Any]:
    count = events or int(rate * seconds)
    ours: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(repeats):
            bare.append(_echo_run(count, rate, connections))
            ours.append(
                _trustfair_run(count, rate, connections, risky_every, f"r{attempt}", Path(tmp))
            )
    keys = (
        "achieved_rate_per_s",
        "request_p50_ms",
        "request_p99_ms",
        "server_cpu_ms_per_request",
    )
    trustfair = {key: _median(ours, key) for key in (*keys, "shutdown_p50_ms", "shutdown_p99_ms")}
    return {
        "bench": "shutdown",
        "events_per_run": count,
        "target_rate_per_s": rate,
        "connections": connections,
        "repeats": repeats,
        "store": "sqlite (WAL, file)",
        "trustfair": trustfair,
        "baseline_echo": {key: _median(bare, key) for key in keys},
        "target_shutdown_p99_ms": TARGET_P99_MS,
        "trustfair_runs": ours,
        "baseline_runs": bare,
        "what_trustfair_does": (
            "HTTP POST /v1/events of one live.segment → API key checked → validate + store "
            "+ text engine + policy + live risk score → outbox row committed → dispatcher "
            "woken → signed webhook POST received by the bench"
        ),
        "what_baseline_does": "HTTP POST of the same bodies to a bare uvicorn echo app",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_end": _load_average(),
    }


def _load_average() -> list[float] | None:
    """Other work on the machine while the bench ran, which its figures share CPUs with."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None
