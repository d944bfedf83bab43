"""Money over HTTP under load, against `trustfair serve` as a real process: a thousand
and more money-moving requests from parallel clients, each operation sent by every
client with the same Idempotency-Key (and some again under a new key), then checked
against what the plan says the money must be — computed here, from the plan alone.

Once with the server running throughout, once with it SIGKILLed mid-run and a new one
started on the same store: the end state must be the same.

The plan runs in phases (setup, claims, decisions, settlements and top-ups, wrong
bodies); within a phase every operation is independent of the order the server sees
them in, so the end state is one number per account whatever the interleaving:
- contributions come first and cover every payout, so no award waits;
- a merchant's deposit and what it owes move by min(owed, deposit) after every award
  and deposit, so after the claims phase deposit − owed = deposits − awards;
- in the last phase a merchant gets settlements or top-ups, never both: n settlements
  keep back min(owed, their sum) between them, in any order.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import api_key, event
from tests.served import Server
from trustfair.store.database import Store

CLIENTS = 10
ORDERS = 48
MERCHANTS = [f"m-{i}" for i in range(6)]
SETTLED = {"m-0": [50_000], "m-2": [7_000, 9_000, 11_000], "m-3": [4_000, 60_000, 3_000]}
TOPPED_UP = {"m-4": [6_000, 15_000], "m-5": [2_500, 40_000]}
FIRST_DEPOSITS = {"m-0": 400_000, "m-1": 300_000, "m-2": 8_000, "m-3": 5_000, "m-4": 10_000}
CONTRIBUTIONS = [3_000_000, 2_000_000]
WRONG_BODIES = 24


# -- the plan, and what it must come to --------------------------------------------------


@dataclass
class Op:
    """One logical money-moving request: every client sends it, with the same key."""

    key: str
    role: str
    path: str | Callable[[dict[str, dict]], str]
    body: dict[str, Any]
    kind: str
    subject: str = ""
    of_key: str | None = None
    """For a claim sent again under a new key: the first key's op."""

    def url_path(self, answers: dict[str, dict]) -> str:
        return self.path if isinstance(self.path, str) else self.path(answers)


@dataclass
class Order:
    order_id: str
    buyer_id: str
    merchant_id: str
    amount_fen: int


def orders() -> list[Order]:
    rng = random.Random(7)
    return [
        Order(f"o-{i}", f"b-{i % 9}", MERCHANTS[i % len(MERCHANTS)], rng.randrange(1_000, 40_000))
        for i in range(ORDERS)
    ]


@dataclass(frozen=True)
class Review:
    approve: bool
    amount_fen: int | None = None


def claim_plan() -> list[tuple[Order, str, int, Review | None]]:
    """(order, kind, requested, what the reviewer decides) per claim, one per order."""
    plan = []
    for i, order in enumerate(orders()):
        kind = ["not_delivered", "not_delivered", "counterfeit", "not_as_described"][i % 4]
        requested = order.amount_fen if i % 3 else order.amount_fen // 2 + 1
        review = None
        if kind != "not_delivered":
            review = [
                Review(False),
                Review(True),
                Review(True, max(1, requested // 3)),
            ][(i // 4) % 3]
        plan.append((order, kind, requested, review))
    return plan


def claim_key(order: Order) -> str:
    return f"claim-{order.order_id}"


def phases() -> list[list[Op]]:
    """The plan's phases, each a list of ops; decisions find their claim's id from
    the answer to its filing."""
    setup = [
        Op(f"contribution-{i}", "admin", "/v1/fund/contributions",
           {"contribution_ref": f"c-{i}", "amount_fen": amount, "memo": "seed"}, "contribution")
        for i, amount in enumerate(CONTRIBUTIONS)
    ] + [
        Op(f"deposit-{m}-0", "service", f"/v1/merchants/{m}/deposits",
           {"payment_id": f"pay-{m}-0", "amount_fen": amount}, "deposit", m)
        for m, amount in FIRST_DEPOSITS.items()
    ]  # fmt: skip
    claims = []
    for i, (order, kind, requested, _review) in enumerate(claim_plan()):
        body = {
            "claim_ref": f"ref-{order.order_id}",
            "order_id": order.order_id,
            "buyer_id": order.buyer_id,
            "kind": kind,
            "requested_fen": requested,
            "description": f"{kind} on {order.order_id}",
        }
        role = "customer_service" if i % 2 else "service"
        claims.append(Op(claim_key(order), role, "/v1/claims", body, "claim", order.order_id))
        if i % 6 == 0:  # the same claim again under a new key: never paid twice
            claims.append(
                Op(f"{claim_key(order)}-again", role, "/v1/claims", body, "claim again",
                   order.order_id, of_key=claim_key(order))
            )  # fmt: skip
    decisions = []
    for order, _kind, _requested, review in claim_plan():
        if review is None:
            continue
        body: dict[str, Any] = {
            "outcome": "approve" if review.approve else "reject",
            "reason": "looked at the photos",
        }
        if review.amount_fen is not None:
            body["amount_fen"] = review.amount_fen

        def path(answers: dict[str, dict], key: str = claim_key(order)) -> str:
            return f"/v1/claims/{answers[key]['id']}/decision"

        decisions.append(
            Op(f"decision-{order.order_id}", "reviewer", path, body, "decision", order.order_id)
        )
    last = [
        Op(f"settlement-{m}-{j}", "service", f"/v1/merchants/{m}/settlements",
           {"settlement_ref": f"s-{m}-{j}", "amount_fen": amount}, "settlement", m)
        for m, amounts in SETTLED.items()
        for j, amount in enumerate(amounts)
    ] + [
        Op(f"deposit-{m}-{j + 1}", "service", f"/v1/merchants/{m}/deposits",
           {"payment_id": f"pay-{m}-{j + 1}", "amount_fen": amount}, "deposit", m)
        for m, amounts in TOPPED_UP.items()
        for j, amount in enumerate(amounts)
    ]  # fmt: skip
    return [setup, claims, decisions, last]


@dataclass
class Expected:
    fund: int = 0
    contributions: int = 0
    payouts: int = 0
    recoveries: int = 0
    deposit: Counter[str] = field(default_factory=Counter)
    owed: Counter[str] = field(default_factory=Counter)
    claims: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    """order_id → (state, amount paid)."""

    def recover(self, merchant: str) -> None:
        moved = min(self.owed[merchant], self.deposit[merchant])
        self.owed[merchant] -= moved
        self.deposit[merchant] -= moved
        self.fund += moved
        self.recoveries += moved

    def pay_claim(self, order: Order, amount: int) -> None:
        assert self.fund >= amount, "the plan must keep the fund able to pay at once"
        self.owed[order.merchant_id] += amount
        self.fund -= amount
        self.payouts += amount
        self.claims[order.order_id] = ("paid", amount)
        self.recover(order.merchant_id)


def expected() -> Expected:
    """The end state, from the plan and the terms (claims of not_delivered over 15 days
    unseen are paid; the others wait for a reviewer) — not from the server."""
    want = Expected()
    for amount in CONTRIBUTIONS:
        want.fund += amount
        want.contributions += amount
    for merchant, amount in FIRST_DEPOSITS.items():
        want.deposit[merchant] += amount
        want.recover(merchant)
    for order, kind, requested, review in claim_plan():
        if kind == "not_delivered":
            want.pay_claim(order, requested)
        elif review is not None and review.approve:
            want.pay_claim(order, review.amount_fen or requested)
        else:
            want.claims[order.order_id] = ("rejected", None)
    for merchant, amounts in SETTLED.items():
        for amount in amounts:
            kept = min(want.owed[merchant], amount)
            want.owed[merchant] -= kept
            want.fund += kept
            want.recoveries += kept
    for merchant, amounts in TOPPED_UP.items():
        for amount in amounts:
            want.deposit[merchant] += amount
            want.recover(merchant)
    return want


# -- the clients ------------------------------------------------------------------------


@dataclass
class Seen:
    status: int
    body: Any
    replayed: bool


class Run:
    """Shared by the client threads: where the server is, what each key was answered."""

    def __init__(self, base: str, keys: dict[str, str]) -> None:
        self.base = base
        self.keys = keys
        self.lock = threading.Lock()
        self.answers: dict[str, list[Seen]] = defaultdict(list)
        self.counts: Counter[str] = Counter()
        self.settled: set[str] = set()
        """Keys with a definitive answer."""
        self.settled_after_kill: set[str] = set()
        self.tried_before_kill: set[str] = set()
        self.killed = False
        self.problems: list[str] = []

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1

    def send(self, client: httpx.Client, op: Op, resolved: dict[str, dict]) -> Seen:
        """Send ``op`` until it gets a definitive answer; retry on 409 with Retry-After,
        on 5xx and when the server does not answer — always with the same key."""
        path = op.url_path(resolved)
        headers = {"Authorization": f"Bearer {self.keys[op.role]}", "Idempotency-Key": op.key}
        deadline = time.monotonic() + 120
        first, down = True, 0
        while True:
            assert time.monotonic() < deadline, f"{op.key} never got an answer"
            with self.lock:
                base, killed = self.base, self.killed
                if not killed:
                    self.tried_before_kill.add(op.key)
            self.count("requests")
            if not first:
                self.count("retries")
                if killed and op.key in self.tried_before_kill:
                    self.count("retries after the kill")
            first = False
            try:
                response = client.post(f"{base}{path}", json=op.body, headers=headers)
            except httpx.TransportError:
                self.count("connection errors")
                down += 1
                time.sleep(min(0.5, 0.02 * 2**down))
                continue
            down = 0
            if response.status_code == 409 and "retry-after" in response.headers:
                self.count("409 in flight")
                time.sleep(random.uniform(0.02, 0.15))
                continue
            if response.status_code >= 500:
                self.count("5xx")
                time.sleep(0.05)
                continue
            seen = Seen(
                response.status_code,
                response.json(),
                response.headers.get("idempotent-replayed") == "true",
            )
            with self.lock:
                self.counts["replays" if seen.replayed else "first answers"] += 1
                if response.status_code == 422:
                    self.counts["422"] += 1
                self.answers[op.key].append(seen)
                self.settled.add(op.key)
                if self.killed and op.key in self.tried_before_kill:
                    self.settled_after_kill.add(op.key)
            return seen

    def run_phase(self, ops: list[Op], resolved: dict[str, dict], seed: int) -> None:
        """Every client sends every op of the phase, each in its own order."""

        def client_work(n: int) -> None:
            mine = list(ops)
            random.Random(seed * 100 + n).shuffle(mine)
            try:
                with httpx.Client(timeout=30) as client:
                    for op in mine:
                        self.send(client, op, resolved)
            except BaseException as exc:  # reported by the main thread
                with self.lock:
                    self.problems.append(f"client {n}: {exc!r}")

        threads = [threading.Thread(target=client_work, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not self.problems, self.problems


# -- the store and the server -----------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def money_store(request: pytest.FixtureRequest) -> Iterator[tuple[Store, str]]:
    """A fresh store (a SQLite file, or a PostgreSQL schema of its own) and its URL."""
    store: Store = request.getfixturevalue(f"{request.param}_store")
    yield store, store.engine.url.render_as_string(hide_password=False)


def days_ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def pay_orders(base: str, service_key: str) -> None:
    paid_at = days_ago(30)
    batch = [
        event(
            f"paid-{order.order_id}",
            "order.paid",
            {
                "order_id": order.order_id,
                "buyer_id": order.buyer_id,
                "merchant_id": order.merchant_id,
                "listing_id": f"l-{order.order_id}",
                "unit_price_fen": order.amount_fen,
                "amount_fen": order.amount_fen,
            },
            paid_at,
        )
        for order in orders()
    ]
    response = httpx.post(
        f"{base}/v1/events",
        json=batch,
        headers={"Authorization": f"Bearer {service_key}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == ORDERS, response.text


def ledger_check(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trustfair.cli", "ledger", "check", "--json"],
        env={**os.environ, "TRUSTFAIR_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def wrong_bodies(run_phases: list[list[Op]]) -> list[Op]:
    """Keys already answered, sent again with another body: each must get 422."""
    every = [op for phase in run_phases for op in phase]
    picked = random.Random(11).sample(every, WRONG_BODIES)
    wrong = []
    for op in picked:
        body = dict(op.body)
        if "amount_fen" in body:
            body["amount_fen"] += 1
        elif "requested_fen" in body:
            body["requested_fen"] -= 1
        else:
            body["reason"] = "another reason"
        wrong.append(Op(op.key, op.role, op.path, body, f"wrong {op.kind}", op.subject))
    return wrong


def money_run(
    store_and_url: tuple[Store, str],
    tmp_path: Path,
    kill_after: int | None = None,
) -> Run:
    """The whole plan against a served store; with ``kill_after``, the server is
    SIGKILLed once that many claims have an answer and a new one started on the store."""
    store, url = store_and_url
    keys = {
        role: api_key(store, role) for role in ("admin", "service", "customer_service", "reviewer")
    }
    env = {"TRUSTFAIR_DATABASE_URL": url, "TRUSTFAIR_IDEMPOTENCY_LEASE_SECONDS": "2"}
    servers = [Server(env)]
    run = Run(servers[0].base, keys)
    stop_watching = threading.Event()

    def kill_mid_run() -> None:
        assert kill_after is not None
        while not stop_watching.is_set():
            with run.lock:
                answered = sum(1 for key in run.settled if key.startswith("claim-"))
            if answered >= kill_after:
                servers[0].kill()
                with run.lock:
                    run.killed = True
                    run.counts["claims answered before the kill"] = answered
                servers.append(Server(env))
                with run.lock:
                    run.base = servers[-1].base
                return
            time.sleep(0.005)

    watcher = threading.Thread(target=kill_mid_run) if kill_after is not None else None
    try:
        pay_orders(run.base, keys["service"])
        if watcher is not None:
            watcher.start()
        plan = phases()
        resolved: dict[str, dict] = {}
        for seed, phase in enumerate(plan):
            run.run_phase(phase, resolved, seed)
            for op in phase:
                resolved[op.key] = run.answers[op.key][0].body
        run.run_phase(wrong_bodies(plan), resolved, 99)
        stop_watching.set()
        if watcher is not None:
            watcher.join()
        check_the_end_state(run, plan, servers[-1].base, keys, url)
    finally:
        stop_watching.set()
        for server in servers:
            server.close()
    return run


# -- what must hold ---------------------------------------------------------------------


def wrong_body(seen: Seen) -> bool:
    return seen.status == 422 and "used for another request" in str(seen.body)


def check_the_end_state(
    run: Run, plan: list[list[Op]], base: str, keys: dict[str, str], url: str
) -> None:
    want = expected()
    every = [op for phase in plan for op in phase]
    read = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {keys['admin']}"})

    # Every response to a key is the first response to it, byte for byte.
    for op in every:
        real = [
            s
            for s in run.answers[op.key]
            if s.status != 422 or "another request" not in str(s.body)
        ]
        assert len(real) >= CLIENTS and all(
            (s.status, s.body) == (real[0].status, real[0].body) for s in real
        ), f"{op.key}: {[(s.status, s.body) for s in real if s.body != real[0].body][:2]}"
        assert sum(not s.replayed for s in real) <= 1, f"{op.key} was worked on twice"
        assert real[0].status in (200, 201), f"{op.key}: {real[0].status} {real[0].body}"
    for op in wrong_bodies(plan):
        wrong = [s for s in run.answers[op.key] if s.status == 422]
        assert len(wrong) == CLIENTS, op.key
        assert all("used for another request" in s.body["detail"] for s in wrong), op.key

    # A claim sent again under a new key is the same claim, not a second one.
    for op in every:
        if op.of_key is not None:
            again, first = run.answers[op.key][0].body, run.answers[op.of_key][0].body
            assert (again["id"], again["state"]) == (first["id"], first["state"])

    # Each claim is in the state the plan says, paid exactly once.
    claims = read.get("/v1/claims", params={"limit": 200}).json()
    assert claims["total"] == ORDERS
    by_order = {claim["order_id"]: claim for claim in claims["claims"]}
    for order_id, (state, amount) in want.claims.items():
        claim = by_order[order_id]
        assert (claim["state"], claim["amount_fen"]) == (state, amount), claim
        postings = read.get(
            "/v1/ledger/postings", params={"ref_type": "claim", "ref_id": str(claim["id"])}
        ).json()
        kinds = sorted(posting["kind"] for posting in postings)
        assert kinds == (["award", "payout"] if state == "paid" else []), (order_id, kinds)
        for posting in postings:
            moved = sum(line["amount_fen"] for line in posting["lines"] if line["amount_fen"] > 0)
            assert moved == amount, posting

    # The fund and every merchant hold what the plan computes.
    figures = read.get("/v1/fund").json()
    assert figures == {
        "fund_fen": want.fund,
        "contributions_fen": want.contributions,
        "payouts_fen": want.payouts,
        "recoveries_fen": want.recoveries,
        "waiting_awards": 0,
        "owed_by_merchants_fen": sum(want.owed.values()),
    }
    for merchant in MERCHANTS:
        money = read.get(f"/v1/merchants/{merchant}/money").json()
        assert (money["deposit_fen"], money["owed_fen"]) == (
            want.deposit[merchant],
            want.owed[merchant],
        ), merchant
    # The plan leaves debt somewhere and recovers some of it by settlement.
    assert sum(want.owed.values()) > 0 and want.recoveries > 0

    # The ledger proves its own invariants, read by the CLI from the store.
    checked = ledger_check(url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["ok"] is True
    read.close()


def report(run: Run, what: str) -> None:
    print(f"\n{what}: {dict(sorted(run.counts.items()))}")


def test_a_thousand_parallel_money_requests_move_the_money_the_plan_says(
    money_store: tuple[Store, str], tmp_path: Path
) -> None:
    run = money_run(money_store, tmp_path)
    report(run, "parallel run")
    assert run.counts["requests"] >= 1_000
    assert run.counts["replays"] > 0 and run.counts["422"] == WRONG_BODIES * CLIENTS


def test_a_server_killed_mid_run_and_restarted_ends_where_the_plan_says(
    money_store: tuple[Store, str], tmp_path: Path
) -> None:
    claims = len(phases()[1])
    run = money_run(money_store, tmp_path, kill_after=claims // 3)
    report(run, "SIGKILL run")
    assert run.killed
    assert run.counts["requests"] >= 1_000
    # The kill fell mid-run: some claims were answered before it, some only after it
    # by a retry of a request first sent to the killed server.
    assert 0 < run.counts["claims answered before the kill"] < claims
    assert run.counts["retries after the kill"] > 0
    assert run.settled_after_kill


@pytest.mark.postgres
def test_two_settlements_at_once_keep_back_what_is_owed_once(postgres_store: Store) -> None:
    """Found by the parallel run: a settlement read what the merchant owed before it
    queued for the ledger, so one beside another kept back what that one already had
    — refused (422, kept for its key) as an overdrawn receivable. Here the second
    settlement starts while the first holds the ledger, and must keep back the rest."""
    from sqlalchemy import text

    from trustfair.protect.fund import Award, award, contribute, withhold_from_settlement
    from trustfair.protect.terms import Protection

    store, terms, at = postgres_store, Protection(), datetime.now(UTC)
    with store.transaction() as session:
        contribute(session, "c", 100_000, at, "test")
        owed = Award("order", "o-1", "b-1", "m-1", 10_000, True, "late_shipment")
        award(session, owed, at, "test", terms=terms, rule="test")

    holding, release = threading.Event(), threading.Event()
    kept: dict[str, int | Exception] = {}

    def settle(ref: str, hold: bool) -> None:
        try:
            with store.transaction() as session:
                kept[ref] = withhold_from_settlement(
                    session, "m-1", ref, 6_000, at, "test", terms=terms
                )
                if hold:
                    holding.set()
                    release.wait(timeout=60)
        except Exception as exc:
            kept[ref] = exc

    first = threading.Thread(target=settle, args=("s-1", True))
    first.start()
    assert holding.wait(timeout=60)
    second = threading.Thread(target=settle, args=("s-2", False))
    second.start()
    waiting = "select count(*) from pg_locks where locktype = 'advisory' and not granted"
    with store.reading() as session:
        while not session.scalar(text(waiting)) and second.is_alive():
            session.rollback()
            time.sleep(0.01)
    release.set()
    first.join()
    second.join()
    assert kept == {"s-1": 6_000, "s-2": 4_000}
