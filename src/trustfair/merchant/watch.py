"""The fulfilment watcher: as of a moment, urge merchants about their orders at risk
and compensate the buyers of orders whose deadline passed unshipped.

``watch(session, at, ...)`` is the use case, in the caller's transaction;
``run_fulfilment(store, registry, at)`` runs it in a transaction of its own (retried
after a deadlock), and ``run_through(store, registry, since, until, step)`` steps it
through a stretch of time, as the demo does over a simulated history.

**Compensation, once per order.** A missed deadline is recorded once
(``fulfilment_misses``, unique per order) and the buyer is awarded the late-shipment
compensation by ``protect.fund.award`` under the same purpose as the late-shipment
guarantee's (``order:{id}:late_shipment``): whichever of the two paths comes first
pays, the other finds the posting and pays nothing. The amount is the policy's
(``protection.late_shipment``: a share of what the order was paid, within bounds), on
the same payment record the guarantee reads (``order_coverage``), so the two agree.
Borne by the merchant, the fund pays first and recovers from the deposit. The
posting's rule is ``fulfilment.missed_deadline``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.merchant.deadlines import DueOrder, at_risk, missed
from trustfair.merchant.terms import Compensated, FulfilmentTerms, default_terms
from trustfair.merchant.urges import Signer, urge
from trustfair.pipeline.registry import Registry
from trustfair.policy.files import DEFAULT_POLICY_PATH, load_policy
from trustfair.protect.coverage import order_cover
from trustfair.protect.fund import AWARD, Award, award
from trustfair.protect.ledger import lock_ledger, posted
from trustfair.protect.terms import Protection
from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import MissedDeadlineRow
from trustfair.store.retry import with_retries

MISSED_RULE = "fulfilment.missed_deadline"
LATE_SHIPMENT = "late_shipment"
ACTOR = "system:fulfilment"


@dataclass
class WatchRun:
    at: datetime
    at_risk: int = 0
    urges: list[int] = field(default_factory=list)
    merchants_urged: list[str] = field(default_factory=list)
    missed: int = 0
    compensated: dict[str, int] = field(default_factory=dict)
    """order id → fen awarded by this run."""

    def add(self, other: WatchRun) -> None:
        self.at = other.at
        self.at_risk += other.at_risk
        self.urges += other.urges
        self.merchants_urged += other.merchants_urged
        self.missed += other.missed
        self.compensated.update(other.compensated)


def watch(
    session: Session,
    at: datetime,
    *,
    protection: Protection | None = None,
    secret: str | None = None,
    terms: FulfilmentTerms | None = None,
) -> WatchRun:
    """Urge and compensate as of ``at``; safe to run twice, or from several places.

    ``protection``: the compensation terms (the policy's ``protection`` section; by
    default, those of the policy the settings name); ``secret``: the key of the
    acknowledgement links (by default, the settings')."""
    terms = terms or default_terms()
    if protection is None or secret is None:
        settings = Settings.from_env()
        secret = secret if secret is not None else settings.urge_secret
        if protection is None:
            path = settings.policy_path or DEFAULT_POLICY_PATH
            protection = load_policy(path).spec.protection
    run = WatchRun(at)
    risky = at_risk(session, at, terms.horizon)
    run.at_risk = len(risky)
    by_merchant: dict[str, list[DueOrder]] = defaultdict(list)
    for order in risky:
        by_merchant[order.merchant_id].append(order)
    signer = Signer(secret)
    for merchant_id in sorted(by_merchant):  # one order of locks for every watcher
        row = urge(
            session,
            merchant_id,
            by_merchant[merchant_id],
            at,
            interval=terms.urge_interval,
            signer=signer,
            ack_base_url=terms.ack_base_url,
        )
        if row is not None:
            run.urges.append(row.id)
            run.merchants_urged.append(merchant_id)
    late = missed(session, at, terms.lookback, terms.miss_grace)
    if late:
        lock_ledger(session)  # awards queue for it anyway; take it before the first miss
    for order in late:
        paid = _record_miss(session, order, at, protection, terms)
        run.missed += paid is not None
        if paid:
            run.compensated[order.order_id] = paid
    return run


def _record_miss(
    session: Session,
    order: DueOrder,
    at: datetime,
    protection: Protection,
    terms: FulfilmentTerms,
) -> int | None:
    """Record ``order``'s missed deadline and compensate its buyer; None if another
    watcher recorded it first, else the fen this call awarded (0: none)."""
    cover = order_cover(session, order.order_id)
    if cover is None:
        return None  # a deadline without a payment record: nothing to pay on
    miss_id = session.execute(
        insert_ignoring_conflicts(session, MissedDeadlineRow.__table__, ["order_id"]).returning(
            MissedDeadlineRow.id
        ),
        {
            "order_id": order.order_id,
            "merchant_id": order.merchant_id,
            "buyer_id": cover.buyer_id,
            "due_at": order.due_at,
            "found_at": at,
            "rule": MISSED_RULE,
            "award_id": None,
        },
    ).scalar_one_or_none()
    if miss_id is None:
        return None
    covered = LATE_SHIPMENT in cover.guarantees
    rules = protection.late_shipment
    amount = rules.compensation(cover.amount_fen)
    if (terms.compensate is Compensated.GUARANTEED and not covered) or amount <= 0:
        return 0
    owed = Award(
        "order",
        order.order_id,
        cover.buyer_id,
        order.merchant_id,
        amount,
        rules.borne_by == "merchant",
        guarantee=LATE_SHIPMENT,
    )
    earlier = posted(session, f"{owed.base}:{AWARD}")  # the guarantee's, if it paid first
    posting = award(
        session,
        owed,
        at,
        ACTOR,
        terms=protection,
        rule=MISSED_RULE,
        memo=f"order {order.order_id} not shipped by its deadline {order.due_at.isoformat()}",
    )
    miss = session.get(MissedDeadlineRow, miss_id)
    assert miss is not None
    miss.award_id = posting.id
    session.flush()
    return amount if earlier is None else 0


def run_fulfilment(
    store: Store, registry: Registry, at: datetime, terms: FulfilmentTerms | None = None
) -> WatchRun:
    """Watch as of ``at`` in a transaction of its own (retried after a deadlock), with
    the registry's policy terms and secret."""
    protection = registry.policy.spec.protection  # type: ignore[attr-defined]

    def work() -> WatchRun:
        with store.transaction() as session:
            return watch(
                session,
                at,
                protection=protection,
                secret=registry.settings.urge_secret,
                terms=terms,
            )

    return with_retries(work)


def steps(since: datetime, until: datetime, step: timedelta) -> Iterator[datetime]:
    if step <= timedelta(0):
        raise ValueError("the step must be positive")
    at = since
    while at <= until:
        yield at
        at += step


def run_through(
    store: Store,
    registry: Registry,
    since: datetime,
    until: datetime,
    step: timedelta = timedelta(hours=1),
    terms: FulfilmentTerms | None = None,
) -> WatchRun:
    """Watch at every ``step`` from ``since`` to ``until`` (a replayed history, hour by
    hour), each moment in its own transaction; the runs added up."""
    total = WatchRun(since)
    for at in steps(since, until, step):
        total.add(run_fulfilment(store, registry, at, terms))
    return total


def history_span(session: Session) -> tuple[datetime, datetime] | None:
    """The first and the last shipping deadline on record (None without orders): a
    replay watches from the horizon before the first to just after the last."""
    from sqlalchemy import func

    from trustfair.store.models import SHIPPING_DUE, OrderShippingRow

    first, last = session.execute(
        select(func.min(OrderShippingRow.at), func.max(OrderShippingRow.at)).where(
            OrderShippingRow.kind == SHIPPING_DUE
        )
    ).one()
    if first is None:
        return None
    return first, last


def run_demo_fulfilment(
    store: Store,
    registry: Registry,
    step: timedelta = timedelta(hours=1),
    terms: FulfilmentTerms | None = None,
) -> WatchRun:
    """Replay the watcher over the whole history on record: from the horizon before the
    first deadline to a step after the last one's grace period, every ``step``."""
    terms = terms or default_terms()
    with store.reading() as session:
        span = history_span(session)
    if span is None:
        return WatchRun(datetime.now().astimezone())
    first, last = span
    until = last + terms.miss_grace + step
    return run_through(store, registry, first - terms.horizon, until, step, terms)
