"""The money path under concurrency: claims paid by the fund, deposits and settlements,
with retries that must be answered from the idempotency keys and move nothing again.

``trustfair serve`` runs in a subprocess on a fresh store (a SQLite file, or a
PostgreSQL schema of its own). Before the clock: orders are ingested (``order.paid``
dated 30 days ago, so a ``not_delivered`` claim on one is paid at once by the default
terms), the fund gets a contribution that covers every payout, and one request of
each kind warms the server. Then ``requests`` money-moving requests are sent by
``clients`` parallel keep-alive clients, closed loop (each sends its next request
when its previous one is answered). About ``replay_share`` of them are retries: the
same Idempotency-Key and body as a request the same client already had answered, so
each must be answered from its key (``Idempotent-Replayed: true``). First-time
requests and replays are timed apart. Every non-2xx answer is an error, counted by
status. Afterwards ``trustfair ledger check`` runs on the store; its verdict and
counts are in the result, with a cross-check that the fund paid out exactly what the
answered claims say was paid.

The baseline is the bare uvicorn echo server (``trustfair.bench.echo``) sent the same
requests (same paths, headers and bodies, same clients, closed loop) in the same run.
Runs alternate (echo, trustfair, ...); the median of each figure over the runs is
reported, with every run's figures beside it.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trustfair.bench.shutdown import (
    _cpu_figures,
    _env,
    _load_average,
    _median,
    _ms,
    _process,
    _spent,
    _wait_port,
    cpu_seconds,
    free_port,
    percentile,
    serve_command,
)

DEFAULT_REQUESTS = 2_000
MERCHANTS = 16
CONTRIBUTION_FEN = 10**11
KIND_WEIGHTS = {"claim": 0.6, "deposit": 0.25, "settlement": 0.15}
"""Shares of the first-time requests."""
PAID_DAYS_AGO = 30
"""Orders are paid this long ago: past the terms' 15 days, a not_delivered claim pays."""


# -- the plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    kind: str
    path: str
    key: str
    body: bytes
    replay: bool = False


@dataclass
class Plan:
    orders: list[dict[str, Any]]
    """``order.paid`` payloads to ingest before the clock."""
    clients: list[list[Request]]
    """Each client's requests, in the order it sends them."""

    def requests(self) -> list[Request]:
        return [request for client in self.clients for request in client]


def plan(requests: int, clients: int, replay_share: float, run: str, seed: int = 7) -> Plan:
    """``requests`` requests over ``clients`` clients; a replay repeats (key, path, body)
    of a first-time request its own client sent before it, so it was already answered."""
    rng = random.Random(seed)
    replays = round(requests * replay_share)
    first_times = requests - replays
    kinds = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=first_times)
    orders: list[dict[str, Any]] = []
    firsts: list[Request] = []
    for i, kind in enumerate(kinds):
        merchant = f"{run}-m-{rng.randrange(MERCHANTS)}"
        amount = rng.randrange(1_000, 40_000)
        if kind == "claim":
            order_id = f"{run}-o-{i}"
            buyer = f"{run}-b-{i % 97}"
            orders.append(_order(order_id, buyer, merchant, amount))
            path = "/v1/claims"
            body: dict[str, Any] = {
                "claim_ref": f"{run}-ref-{i}",
                "order_id": order_id,
                "buyer_id": buyer,
                "kind": "not_delivered",
                "requested_fen": amount,
                "description": "never arrived",
            }
        elif kind == "deposit":
            path = f"/v1/merchants/{merchant}/deposits"
            body = {"payment_id": f"{run}-pay-{i}", "amount_fen": amount}
        else:
            path = f"/v1/merchants/{merchant}/settlements"
            body = {"settlement_ref": f"{run}-s-{i}", "amount_fen": amount}
        firsts.append(Request(kind, path, f"{run}-{kind}-{i}", json.dumps(body).encode()))
    per_client: list[list[Request]] = [[] for _ in range(clients)]
    for i, request in enumerate(firsts):
        per_client[i % clients].append(request)
    replay_counts = [replays // clients + (c < replays % clients) for c in range(clients)]
    sequences: list[list[Request]] = []
    for mine, count in zip(per_client, replay_counts, strict=True):
        if not mine:
            sequences.append([])
            continue
        # The first request is a first-time one; replays fall anywhere after it.
        slots = [False] * (len(mine) - 1) + [True] * count
        rng.shuffle(slots)
        sequence, sent = [mine[0]], [mine[0]]
        pending = iter(mine[1:])
        for is_replay in slots:
            if is_replay:
                original = rng.choice(sent)
                sequence.append(
                    Request(original.kind, original.path, original.key, original.body, True)
                )
            else:
                request = next(pending)
                sequence.append(request)
                sent.append(request)
        sequences.append(sequence)
    return Plan(orders, sequences)


def _order(order_id: str, buyer: str, merchant: str, amount: int) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "buyer_id": buyer,
        "merchant_id": merchant,
        "listing_id": f"l-{order_id}",
        "unit_price_fen": amount,
        "amount_fen": amount,
    }


# -- the clients -----------------------------------------------------------------------


@dataclass
class Answered:
    request: Request
    status: int
    seconds: float
    replayed_header: bool
    body: bytes


@dataclass
class Load:
    answers: list[Answered] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0


async def _read(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(status_line.split()[1]), headers, body


def _head(request: Request, authorization: str) -> bytes:
    return (
        f"POST {request.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {authorization}\r\nIdempotency-Key: {request.key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(request.body)}\r\n\r\n"
    ).encode()


async def send_closed_loop(port: int, clients: list[list[Request]], authorization: str) -> Load:
    """Each client on its own keep-alive connection: send, wait for the answer, next."""
    load = Load()

    async def client(requests: list[Request]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in requests:
                sent = time.perf_counter()
                writer.write(_head(request, authorization) + request.body)
                status, headers, body = await _read(reader)
                load.answers.append(
                    Answered(
                        request,
                        status,
                        time.perf_counter() - sent,
                        headers.get("idempotent-replayed") == "true",
                        body,
                    )
                )
        finally:
            writer.close()

    load.started = time.perf_counter()
    await asyncio.gather(*(client(requests) for requests in clients))
    load.finished = time.perf_counter()
    return load


async def _send_one(port: int, request: Request, authorization: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(_head(request, authorization) + request.body)
        status, _, body = await _read(reader)
        return status, body
    finally:
        writer.close()


def _load_figures(load: Load) -> dict[str, Any]:
    first = [a.seconds for a in load.answers if not a.request.replay]
    again = [a.seconds for a in load.answers if a.request.replay]
    errors = Counter(str(a.status) for a in load.answers if not 200 <= a.status < 300)
    elapsed = max(load.finished - load.started, 1e-9)
    return {
        "requests": len(load.answers),
        "first_time_requests": len(first),
        "replays_sent": len(again),
        "errors": sum(errors.values()),
        "errors_by_status": dict(sorted(errors.items())),
        "seconds": round(elapsed, 3),
        "requests_per_s": round(len(load.answers) / elapsed, 1),
        "first_time_p50_ms": _ms(percentile(first, 50)),
        "first_time_p99_ms": _ms(percentile(first, 99)),
        "replay_p50_ms": _ms(percentile(again, 50)),
        "replay_p99_ms": _ms(percentile(again, 99)),
    }


# -- the runs --------------------------------------------------------------------------


def _echo_run(the_plan: Plan) -> dict[str, Any]:
    port = free_port()
    command = [sys.executable, "-m", "trustfair.bench.echo", str(port)]

    async def go() -> tuple[Load, float | None]:
        with _process(command, _env({}), port) as process:
            await _wait_port(port)
            await _send_one(port, the_plan.clients[0][0], "echo")
            before = cpu_seconds(process.pid)
            load = await send_closed_loop(port, the_plan.clients, "echo")
            return load, _spent(before, cpu_seconds(process.pid))

    load, cpu = asyncio.run(go())
    return {**_load_figures(load), **_cpu_figures(cpu, len(load.answers))}


def _keys(database_url: str) -> dict[str, str]:
    from trustfair.access.accounts import add_key
    from trustfair.store.database import Store

    store = Store.open(database_url)
    try:
        with store.transaction() as session:
            now = datetime.now(UTC)
            return {
                role: add_key(session, f"bench-{role}", role, now).key
                for role in ("service", "admin")
            }
    finally:
        store.close()


def _ingest(port: int, orders: list[dict[str, Any]], key: str) -> None:
    import httpx

    paid_at = (datetime.now(UTC) - timedelta(days=PAID_DAYS_AGO)).isoformat()
    events = [
        {
            "event_id": f"paid-{order['order_id']}",
            "type": "order.paid",
            "occurred_at": paid_at,
            "source": "bench",
            "payload": order,
        }
        for order in orders
    ]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        for start in range(0, len(events), 1_000):
            batch = events[start : start + 1_000]
            response = client.post(
                "/v1/events", json=batch, headers={"Authorization": f"Bearer {key}"}
            )
            if response.status_code != 200 or response.json().get("accepted") != len(batch):
                raise RuntimeError(f"orders not ingested: {response.status_code} {response.text}")


def _setup(port: int, run: str, orders: list[dict[str, Any]], keys: dict[str, str]) -> list[Any]:
    """Orders, the fund's money and one warming request of each kind: untimed. Returns
    the warming claim's answer (its payout is in the ledger too)."""
    warm_order = _order(f"{run}-warm-o", f"{run}-warm-b", f"{run}-warm-m", 5_000)
    _ingest(port, [*orders, warm_order], keys["service"])
    contribution = Request(
        "contribution",
        "/v1/fund/contributions",
        f"{run}-contribution",
        json.dumps(
            {"contribution_ref": f"{run}-c", "amount_fen": CONTRIBUTION_FEN, "memo": "bench"}
        ).encode(),
    )
    warming = [
        Request(
            "claim",
            "/v1/claims",
            f"{run}-warm-claim",
            json.dumps(
                {
                    "claim_ref": f"{run}-warm-ref",
                    "order_id": warm_order["order_id"],
                    "buyer_id": warm_order["buyer_id"],
                    "kind": "not_delivered",
                    "requested_fen": 5_000,
                    "description": "warm",
                }
            ).encode(),
        ),
        Request(
            "deposit",
            f"/v1/merchants/{run}-warm-m/deposits",
            f"{run}-warm-deposit",
            json.dumps({"payment_id": f"{run}-warm-pay", "amount_fen": 1_000}).encode(),
        ),
        Request(
            "settlement",
            f"/v1/merchants/{run}-warm-m/settlements",
            f"{run}-warm-settlement",
            json.dumps({"settlement_ref": f"{run}-warm-s", "amount_fen": 10_000}).encode(),
        ),
    ]

    async def go() -> list[Any]:
        status, body = await _send_one(port, contribution, keys["admin"])
        if status != 201:
            raise RuntimeError(f"contribution refused: {status} {body!r}")
        answers = []
        for request in warming:
            status, body = await _send_one(port, request, keys["service"])
            if not 200 <= status < 300:
                raise RuntimeError(f"warming {request.kind} refused: {status} {body!r}")
            answers.append(json.loads(body))
        return answers

    return asyncio.run(go())[:1]


def _ledger_check(database_url: str) -> dict[str, Any]:
    """``trustfair ledger check --json`` on the store, as an operator would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "trustfair.cli", "ledger", "check", "--json"],
        env=_env({"TRUSTFAIR_DATABASE_URL": database_url}),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"ok": False, "exit_code": done.returncode, "output": done.stdout + done.stderr}
    return {"exit_code": done.returncode, **report}


def _trustfair_run(the_plan: Plan, run: str, database_url: str) -> dict[str, Any]:
    port = free_port()
    keys = _keys(database_url)
    env = _env({"TRUSTFAIR_DATABASE_URL": database_url})
    command = serve_command(port)
    with _process(command, env, port) as process:
        asyncio.run(_wait_port(port))
        warm_claims = _setup(port, run, the_plan.orders, keys)
        before = cpu_seconds(process.pid)
        load = asyncio.run(send_closed_loop(port, the_plan.clients, keys["service"]))
        cpu = _spent(before, cpu_seconds(process.pid))
    figures = {**_load_figures(load), **_cpu_figures(cpu, len(load.answers))}

    claims = [*warm_claims]
    for answer in load.answers:
        if answer.request.kind == "claim" and not answer.request.replay and answer.status == 201:
            claims.append(json.loads(answer.body))
    states = Counter(claim["state"] for claim in claims)
    paid = sum(claim["amount_fen"] or 0 for claim in claims if claim["state"] == "paid")
    ledger = _ledger_check(database_url)
    figures.update(
        {
            "replays_answered_from_key": sum(
                a.request.replay and a.replayed_header for a in load.answers
            ),
            "first_time_answered_from_key": sum(
                not a.request.replay and a.replayed_header for a in load.answers
            ),
            "replays_same_answer": _same_answers(load),
            "claims_by_state": dict(sorted(states.items())),
            "ledger_check": {
                key: ledger.get(key)
                for key in (
                    "ok",
                    "exit_code",
                    "postings",
                    "entries",
                    "accounts",
                    "fund_fen",
                    "contributions_fen",
                    "payouts_fen",
                    "recoveries_fen",
                    "breaches",
                    "output",
                )
                if key in ledger
            },
            "ledger_payouts_match_paid_claims": ledger.get("payouts_fen") == paid,
        }
    )
    return figures


def _same_answers(load: Load) -> bool:
    """Every replay got, byte for byte, the body its first request got."""
    first = {a.request.key: a.body for a in load.answers if not a.request.replay}
    return all(first.get(a.request.key) == a.body for a in load.answers if a.request.replay)


class _Stores:
    """A fresh store per run: a SQLite file, or a PostgreSQL schema of its own."""

    def __init__(self, kind: str, database_url: str | None, tmp: Path) -> None:
        if kind not in ("sqlite", "postgresql"):
            raise ValueError(f"store must be sqlite or postgresql, not {kind!r}")
        if kind == "postgresql" and not database_url:
            raise ValueError("--store postgresql needs --database-url postgresql+psycopg://…")
        self.kind, self.database_url, self.tmp = kind, database_url, tmp
        self.schemas: list[str] = []

    def fresh(self, run: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.tmp / f'{run}.db'}"
        from sqlalchemy import create_engine, make_url, text

        assert self.database_url is not None
        schema = f"tf_bench_{uuid.uuid4().hex[:12]}"
        engine = create_engine(self.database_url)
        try:
            with engine.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        finally:
            engine.dispose()
        self.schemas.append(schema)
        url = make_url(self.database_url).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        if not self.schemas:
            return
        from sqlalchemy import create_engine, text

        engine = create_engine(str(self.database_url))
        try:
            with engine.begin() as connection:
                for schema in self.schemas:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        finally:
            engine.dispose()

    def describe(self) -> str:
        return "sqlite (WAL, file)" if self.kind == "sqlite" else "postgresql (a fresh schema)"


def run(
    events: int | None = None,
    clients: int = 8,
    replay_share: float = 0.3,
    repeats: int = 2,
    store: str = "sqlite",
    database_url: str | None = None,
) -> dict[str, Any]:
    count = events or DEFAULT_REQUESTS
    ours: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    mix: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        stores = _Stores(store, database_url, Path(tmp))
        try:
            for attempt in range(repeats):
                name = f"r{attempt}"
                the_plan = plan(count, clients, replay_share, name, seed=attempt)
                mix = mix or dict(
                    sorted(Counter(r.kind for r in the_plan.requests() if not r.replay).items())
                )
                bare.append(_echo_run(the_plan))
                ours.append(_trustfair_run(the_plan, name, stores.fresh(name)))
        finally:
            stores.close()
    keys = (
        "requests_per_s",
        "first_time_p50_ms",
        "first_time_p99_ms",
        "replay_p50_ms",
        "replay_p99_ms",
        "server_cpu_ms_per_request",
    )
    return {
        "bench": "money",
        "requests_per_run": count,
        "replay_share": replay_share,
        "clients": clients,
        "repeats": repeats,
        "store": stores.describe(),
        "trustfair": {key: _median(ours, key) for key in keys},
        "baseline_echo": {key: _median(bare, key) for key in keys},
        "errors": sum(r["errors"] for r in ours),
        "replays_sent": sum(r["replays_sent"] for r in ours),
        "ledger_ok": all(r["ledger_check"].get("ok") is True for r in ours),
        "ledger_postings": [r["ledger_check"].get("postings") for r in ours],
        "first_time_mix": mix,
        "trustfair_runs": ours,
        "baseline_runs": bare,
        "what_trustfair_does": (
            "HTTP POST of a money-moving request (not_delivered claim on an order paid "
            f"{PAID_DAYS_AGO} days ago → adjudicated and paid by the fund, recovered from the "
            "merchant's deposit; deposit payment → debt recovered; settlement → what is owed "
            "kept back) with an Idempotency-Key → API key checked → key claimed in its own "
            "transaction → ledger postings + the answer committed together; a replay is "
            "answered from the key's row"
        ),
        "what_baseline_does": (
            "HTTP POST of the same requests (paths, headers, bodies) to a bare uvicorn echo app"
        ),
        "setup_not_timed": (
            "orders ingested as order.paid events, a fund contribution, one warming request "
            "of each kind"
        ),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_end": _load_average(),
    }
