"""``trustfair ledger check``: proves the money ledger's invariants from the stored
rows alone, and names every breach it finds.

1. every posting balances (its lines sum to zero), has two lines or more, and no zero
   line; every account is of a known kind;
2. the kept balances equal the sums of the entries;
3. no account is where it may never be (an overdrawn fund, deposit, payable …);
4. each claim, and each order's compensation under each guarantee, is awarded and paid
   at most once — counted by what the posting is about (its kind, reference and
   guarantee), not by its key, and an award or payout whose key is not the one its
   reference gives is named — and every payout pays its award's buyer exactly what
   the award owed;
5. claims agree with the ledger: a paid claim has its payout, an approved one its
   award for the amount approved, an undecided or rejected one none;
6. every posting has the shape of its kind (a payout takes from the fund and clears a
   buyer's payable, a recovery puts into the fund exactly what it clears of one
   merchant's receivable, and so on): money cannot move between accounts by a
   posting that only balances;
7. the fund holds contributions − payouts + recoveries, and nothing else moves it; the
   deposits' money equals the deposits held;
8. a reversal is the exact negation of the posting it reverses, which is not itself
   a reversal;
9. the payout queue holds exactly the awards not yet paid;
10. early settlement's clearing account holds what the merchants' advances and advances
    owed back add up to.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.merchant.advances import (
    ADVANCE,
    ADVANCE_RECOVERY,
    ADVANCE_REFUNDED,
    ADVANCE_SETTLED,
)
from trustfair.protect.accounts import (
    ADVANCE_CLEARING,
    DEPOSIT_CASH,
    FUND,
    FUND_CONTRIBUTIONS,
    kind_of,
    normal_balance,
    overdrawn,
)
from trustfair.protect.fund import AWARD, CONTRIBUTION, DEPOSIT, PAYOUT, RECOVERY, REVERSAL
from trustfair.protect.terms import Guarantee
from trustfair.store.models import (
    ClaimRow,
    LedgerBalanceRow,
    LedgerEntryRow,
    LedgerTransactionRow,
    PayoutQueueRow,
)

GUARANTEES = frozenset(g.value for g in Guarantee)
MAX_NAMED = 20
"""Breaches of one invariant named one by one; the rest are counted."""


@dataclass
class Breach:
    invariant: str
    detail: str


@dataclass
class LedgerReport:
    postings: int = 0
    entries: int = 0
    accounts: int = 0
    fund_fen: int = 0
    contributions_fen: int = 0
    payouts_fen: int = 0
    recoveries_fen: int = 0
    breaches: list[Breach] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches

    def to_record(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "postings": self.postings,
            "entries": self.entries,
            "accounts": self.accounts,
            "fund_fen": self.fund_fen,
            "contributions_fen": self.contributions_fen,
            "payouts_fen": self.payouts_fen,
            "recoveries_fen": self.recoveries_fen,
            "breaches": [{"invariant": b.invariant, "detail": b.detail} for b in self.breaches],
        }


class _Findings:
    def __init__(self) -> None:
        self.breaches: list[Breach] = []
        self._count: Counter[str] = Counter()

    def add(self, invariant: str, detail: str) -> None:
        self._count[invariant] += 1
        if self._count[invariant] <= MAX_NAMED:
            self.breaches.append(Breach(invariant, detail))

    def close(self) -> list[Breach]:
        for invariant, count in sorted(self._count.items()):
            if count > MAX_NAMED:
                self.breaches.append(
                    Breach(invariant, f"… and {count - MAX_NAMED} more of this kind")
                )
        return self.breaches


def check_ledger(session: Session) -> LedgerReport:
    """Every invariant, over the whole ledger; the report lists what breaks them."""
    found = _Findings()
    postings = {row.id: row for row in session.scalars(select(LedgerTransactionRow))}
    lines: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for transaction_id, account, amount in session.execute(
        select(
            LedgerEntryRow.transaction_id, LedgerEntryRow.account, LedgerEntryRow.amount_fen
        ).order_by(LedgerEntryRow.id)
    ):
        lines[transaction_id].append((account, amount))
    report = LedgerReport(postings=len(postings), entries=sum(len(v) for v in lines.values()))

    sums = _balanced(postings, lines, found)
    report.accounts = len(sums)
    _balances_agree(session, sums, found)
    for account, total in sorted(sums.items()):
        if _known(account) and overdrawn(account, total):
            found.add(
                "no_forbidden_negative",
                f"{account} stands at {normal_balance(account, total)} fen; it may not go below 0",
            )
    reversed_ids = _reversals(postings, lines, found)
    standing = _at_most_once(postings, lines, reversed_ids, found)
    _queue_agrees(session, standing, found)
    _claims_agree(session, postings, lines, reversed_ids, found)
    _shapes(postings, lines, found)
    _fund_adds_up(postings, lines, sums, report, found)
    _advances_add_up(sums, found)
    report.breaches = found.close()
    return report


def _advances_add_up(sums: dict[str, int], found: _Findings) -> None:
    """The platform's money out in early settlement is what the merchants hold in
    advances plus what they owe back of refunded ones."""
    out = normal_balance(ADVANCE_CLEARING, sums.get(ADVANCE_CLEARING, 0))
    held = sum(
        total for account, total in sums.items() if account.partition(":")[0] in _ADVANCE_KINDS
    )
    if out != held:
        found.add(
            "advances_add_up",
            f"{ADVANCE_CLEARING} stands at {out} fen; the merchants' advances and advances "
            f"owed back add up to {held} fen",
        )


_ADVANCE_KINDS = frozenset({"advance", "advance_owed"})


def _known(account: str) -> bool:
    try:
        kind_of(account)
    except ValueError:
        return False
    return True


def _balanced(
    postings: dict[int, LedgerTransactionRow],
    lines: dict[int, list[tuple[str, int]]],
    found: _Findings,
) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for transaction_id in sorted(set(postings) | set(lines)):
        posting = postings.get(transaction_id)
        its_lines = lines.get(transaction_id, [])
        name = f"posting {transaction_id} ({posting.key if posting else 'missing'})"
        if posting is None:
            found.add("every_posting_balanced", f"{name}: entries with no posting")
        total = sum(amount for _, amount in its_lines)
        if total != 0:
            found.add("every_posting_balanced", f"{name}: debits and credits differ by {total} fen")
        if len(its_lines) < 2:
            found.add("every_posting_balanced", f"{name}: {len(its_lines)} line(s), not 2 or more")
        for account, amount in its_lines:
            if amount == 0:
                found.add("every_posting_balanced", f"{name}: a zero line on {account}")
            if not _known(account):
                found.add("known_accounts", f"{name}: account {account!r} is of no known kind")
            sums[account] += amount
    return sums


def _balances_agree(session: Session, sums: dict[str, int], found: _Findings) -> None:
    kept = {
        account: amount
        for account, amount in session.execute(
            select(LedgerBalanceRow.account, LedgerBalanceRow.balance_fen)
        )
    }
    for account in sorted(set(kept) | set(sums)):
        if kept.get(account, 0) != sums.get(account, 0):
            found.add(
                "balances_equal_entries",
                f"{account}: kept balance {kept.get(account, 0)} fen, entries sum to "
                f"{sums.get(account, 0)} fen",
            )


def _reversals(
    postings: dict[int, LedgerTransactionRow],
    lines: dict[int, list[tuple[str, int]]],
    found: _Findings,
) -> set[int]:
    """The ids of postings that stand reversed; breaches of the reversal rules."""
    reversed_ids: set[int] = set()
    for posting in postings.values():
        if posting.reverses_id is None:
            continue
        original = postings.get(posting.reverses_id)
        name = f"reversal {posting.id} of posting {posting.reverses_id}"
        if original is None:
            found.add("reversals_exact", f"{name}: the original is missing")
            continue
        if original.reverses_id is not None:
            found.add("reversals_exact", f"{name}: the original is itself a reversal")
        negated = Counter((a, -v) for a, v in lines.get(original.id, []))
        if Counter(lines.get(posting.id, [])) != negated:
            found.add("reversals_exact", f"{name}: its lines are not the original's, negated")
        reversed_ids.add(original.id)
    return reversed_ids


def _subject(posting: LedgerTransactionRow) -> tuple[str, str, str] | None:
    """(ref_type, ref_id, guarantee) an award or payout is about, read from its columns
    and checked against its key; None when the key is not the one they give."""
    suffix = f":{posting.kind}"
    if posting.ref_type == "claim":
        return (
            ("claim", posting.ref_id, "")
            if posting.key == f"claim:{posting.ref_id}{suffix}"
            else None
        )
    prefix = f"order:{posting.ref_id}:"
    if (
        posting.ref_type == "order"
        and posting.key.startswith(prefix)
        and posting.key.endswith(suffix)
    ):
        guarantee = posting.key[len(prefix) : -len(suffix)]
        return ("order", posting.ref_id, guarantee) if guarantee in GUARANTEES else None
    return None


def _at_most_once(
    postings: dict[int, LedgerTransactionRow],
    lines: dict[int, list[tuple[str, int]]],
    reversed_ids: set[int],
    found: _Findings,
) -> None:
    standing: dict[tuple[str, tuple[str, str, str]], list[LedgerTransactionRow]] = defaultdict(list)
    for posting in sorted(postings.values(), key=lambda p: p.id):
        if posting.kind not in (AWARD, PAYOUT) or posting.id in reversed_ids:
            continue
        subject = _subject(posting)
        if subject is None:
            found.add(
                "paid_at_most_once",
                f"{posting.kind} {posting.id} ({posting.key}): not the key its reference "
                f"{posting.ref_type} {posting.ref_id} gives",
            )
            continue
        standing[(posting.kind, subject)].append(posting)
    for (kind, subject), rows in sorted(standing.items()):
        if len(rows) > 1:
            found.add(
                "paid_at_most_once",
                f"{':'.join(filter(None, subject))}: {len(rows)} standing {kind}s "
                f"(postings {[r.id for r in rows]})",
            )
        if kind != PAYOUT:
            continue
        awards = standing.get((AWARD, subject), [])
        if not awards:
            found.add("paid_at_most_once", f"{rows[0].key}: a payout with no standing award")
            continue
        owed = _payable_lines(lines[awards[0].id])
        paid = {account: -amount for account, amount in _payable_lines(lines[rows[0].id]).items()}
        if owed != paid:
            found.add(
                "paid_at_most_once",
                f"{rows[0].key}: the award owed {_shown(owed)}, the payout paid {_shown(paid)}",
            )
    return standing


def _queue_agrees(
    session: Session,
    standing: dict[tuple[str, tuple[str, str, str]], list[LedgerTransactionRow]],
    found: _Findings,
) -> None:
    """The payout queue holds exactly the standing awards that have no payout: none is
    forgotten (a buyer never paid) and none paid is still waiting."""
    unpaid = {
        rows[0].id
        for (kind, subject), rows in standing.items()
        if kind == AWARD and (PAYOUT, subject) not in standing
    }
    queued = set(session.scalars(select(PayoutQueueRow.award_id)))
    for award_id in sorted(unpaid - queued):
        found.add("payout_queue", f"award {award_id} is unpaid and not in the payout queue")
    for award_id in sorted(queued - unpaid):
        found.add("payout_queue", f"award {award_id} is in the payout queue, yet paid or void")


def _payable_lines(its_lines: list[tuple[str, int]]) -> dict[str, int]:
    """What a posting owes buyers, by payable account (credits as positive)."""
    owed: dict[str, int] = defaultdict(int)
    for account, amount in its_lines:
        if account.startswith("payable:"):
            owed[account] -= amount
    return dict(owed)


def _shown(owed: dict[str, int]) -> str:
    return ", ".join(f"{account} {amount} fen" for account, amount in sorted(owed.items()))


def _claims_agree(
    session: Session,
    postings: dict[int, LedgerTransactionRow],
    lines: dict[int, list[tuple[str, int]]],
    reversed_ids: set[int],
    found: _Findings,
) -> None:
    by_claim: dict[tuple[str, str], list[LedgerTransactionRow]] = defaultdict(list)
    for posting in postings.values():
        if posting.ref_type == "claim" and posting.id not in reversed_ids:
            by_claim[(posting.kind, posting.ref_id)].append(posting)
    for claim in session.scalars(select(ClaimRow).order_by(ClaimRow.id)):
        awards = by_claim.get((AWARD, str(claim.id)), [])
        payouts = by_claim.get((PAYOUT, str(claim.id)), [])
        name = f"claim {claim.id} ({claim.claim_ref}, {claim.state})"
        if len(awards) > 1 or len(payouts) > 1:
            found.add("claims_agree", f"{name}: {len(awards)} awards, {len(payouts)} payouts")
        if claim.state in ("approved", "paid"):
            awarded = sum(sum(_payable_lines(lines[a.id]).values()) for a in awards)
            if not awards:
                found.add("claims_agree", f"{name}: no award in the ledger")
            elif awarded != claim.amount_fen:
                found.add(
                    "claims_agree",
                    f"{name}: approved {claim.amount_fen} fen, awarded {awarded} fen",
                )
        elif awards:
            found.add("claims_agree", f"{name}: has an award (posting {awards[0].id})")
        if (claim.state == "paid") != bool(payouts):
            found.add(
                "claims_agree",
                f"{name}: " + ("no payout in the ledger" if not payouts else "paid in the ledger"),
            )


SHAPES: dict[str, tuple[frozenset[tuple[str, int]], ...]] = {
    CONTRIBUTION: (frozenset({("fund", 1), ("fund_contributions", -1)}),),
    DEPOSIT: (frozenset({("deposit_cash", 1), ("deposit", -1)}),),
    AWARD: (
        frozenset({("receivable", 1), ("payable", -1)}),
        frozenset({("compensation_expense", 1), ("payable", -1)}),
    ),
    PAYOUT: (frozenset({("payable", 1), ("fund", -1)}),),
    RECOVERY: (
        frozenset({("fund", 1), ("receivable", -1)}),
        frozenset({("fund", 1), ("receivable", -1), ("deposit", 1), ("deposit_cash", -1)}),
    ),
    # Early settlement (merchant/advances.py).
    ADVANCE: (frozenset({("advance", 1), ("advance_clearing", -1)}),),
    ADVANCE_SETTLED: (frozenset({("advance_clearing", 1), ("advance", -1)}),),
    ADVANCE_REFUNDED: (frozenset({("advance_owed", 1), ("advance", -1)}),),
    ADVANCE_RECOVERY: (
        frozenset({("advance_clearing", 1), ("advance_owed", -1)}),
        frozenset(
            {("advance_clearing", 1), ("advance_owed", -1), ("deposit", 1), ("deposit_cash", -1)}
        ),
    ),
}
"""Each kind's lines, as (account kind, sign) — every line one amount, one owner."""


def _shapes(
    postings: dict[int, LedgerTransactionRow],
    lines: dict[int, list[tuple[str, int]]],
    found: _Findings,
) -> None:
    for posting in sorted(postings.values(), key=lambda p: p.id):
        if posting.kind == REVERSAL:
            continue  # the negation of a posting that has its kind's shape
        its_lines = lines.get(posting.id, [])
        name = f"posting {posting.id} ({posting.key})"
        shapes = SHAPES.get(posting.kind)
        if shapes is None:
            found.add("posting_shapes", f"{name}: no posting kind {posting.kind!r}")
            continue
        if not all(_known(account) for account, _ in its_lines):
            continue  # named already
        shape = frozenset(
            (account.partition(":")[0], (amount > 0) - (amount < 0))
            for account, amount in its_lines
        )
        amounts = {abs(amount) for _, amount in its_lines}
        owners = {account.partition(":")[2] for account, _ in its_lines} - {""}
        problem = None
        if shape not in shapes or len(shape) != len(its_lines):
            problem = "its lines are not those of a " + posting.kind
        elif len(amounts) != 1:
            problem = f"its lines move different amounts {sorted(amounts)}"
        elif len(owners) > 1 and posting.kind != AWARD and posting.kind != PAYOUT:
            problem = f"it moves the money of several parties {sorted(owners)}"
        if problem:
            found.add("posting_shapes", f"{name}: {problem}")


def _fund_adds_up(
    postings: dict[int, LedgerTransactionRow],
    lines: dict[int, list[tuple[str, int]]],
    sums: dict[str, int],
    report: LedgerReport,
    found: _Findings,
) -> None:
    moved: dict[str, int] = defaultdict(int)
    for posting in postings.values():
        kind = posting.kind
        if kind == REVERSAL and posting.reverses_id in postings:
            kind = postings[posting.reverses_id].kind
        for account, amount in lines.get(posting.id, []):
            if account != FUND:
                continue
            if kind not in (CONTRIBUTION, PAYOUT, RECOVERY):
                found.add(
                    "fund_adds_up",
                    f"posting {posting.id} ({posting.key}): a {kind} may not move the fund",
                )
            moved[kind] += amount
    report.contributions_fen = moved[CONTRIBUTION]
    report.payouts_fen = -moved[PAYOUT]
    report.recoveries_fen = moved[RECOVERY]
    report.fund_fen = sums.get(FUND, 0)
    held = sum(-total for account, total in sums.items() if account.startswith("deposit:"))
    cash = sums.get(DEPOSIT_CASH, 0)
    if held != cash:
        found.add(
            "fund_adds_up",
            f"the deposits' money ({DEPOSIT_CASH}) is {cash} fen; the deposits held are {held} fen",
        )
    expected = report.contributions_fen - report.payouts_fen + report.recoveries_fen
    if report.fund_fen != expected:
        found.add(
            "fund_adds_up",
            f"the fund holds {report.fund_fen} fen; contributions {report.contributions_fen} − "
            f"payouts {report.payouts_fen} + recoveries {report.recoveries_fen} = {expected}",
        )
    contributed = normal_balance(FUND_CONTRIBUTIONS, sums.get(FUND_CONTRIBUTIONS, 0))
    if contributed != report.contributions_fen:
        found.add(
            "fund_adds_up",
            f"{FUND_CONTRIBUTIONS} stands at {contributed} fen; the fund received "
            f"{report.contributions_fen} fen of contributions",
        )
