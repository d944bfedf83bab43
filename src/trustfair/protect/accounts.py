"""The money ledger's chart of accounts.

An account is named ``kind`` or ``kind:owner`` (``deposit:m1``). Each kind has a
normal side: a debit raises an asset or expense, a credit raises a liability, equity
or income. Balances are kept as debits − credits; ``normal_balance`` turns them the
way people read them. Kinds that may never be overdrawn say so here, and both the
posting code and ``ledger check`` hold them to it.

How money moves (each line a posting; Dr = debit, Cr = credit):

- platform tops up the fund:            Dr fund / Cr fund_contributions
- merchant pays a deposit:              Dr deposit_cash / Cr deposit:M
- claim or merchant-borne compensation: Dr receivable:M / Cr payable:B      (award)
- platform-borne compensation:          Dr compensation_expense / Cr payable:B
- the fund pays the buyer first:        Dr payable:B / Cr fund              (payout)
- recovered from the deposit:           Dr deposit:M / Cr deposit_cash,
                                        Dr fund / Cr receivable:M          (recovery)
- recovered from a settlement:          Dr fund / Cr receivable:M          (recovery)

So the fund holds contributions − payouts + recoveries, which ``ledger check`` proves.

Early settlement (``merchant/advances.py``): a merchant whose trust score clears the bar
is paid an order's amount when it ships rather than when the buyer confirms it. The
platform pays ahead of the escrow, out of ``advance_clearing``:

- paid on shipment:                     Dr advance:M / Cr advance_clearing    (advance)
- the order confirmed (the escrow's
  settlement of it repays the platform, so
  the merchant is paid nothing more):     Dr advance_clearing / Cr advance:M    (advance_settled)
- the order refunded before confirmation
  (the escrow went back to the buyer, the
  merchant must give the advance back):   Dr advance_owed:M / Cr advance:M      (advance_refunded)
- given back from the deposit:          Dr deposit:M / Cr deposit_cash,
                                        Dr advance_clearing / Cr advance_owed:M  (advance_recovery)
- kept back from a later advance:       Dr advance_clearing / Cr advance_owed:M  (advance_recovery)
- recovered when the deposit is topped
  up (after the fund's own debts):       as given back from the deposit          (advance_recovery)

The ledger is what collects ``advance_owed:M``: the ``settlement.advance_owed_back``
command only tells the marketplace what one order still leaves owed (``collect``
false); nothing outside the ledger collects it, so it is never collected twice.

So ``advance_clearing`` holds what the merchants' advances and advances owed back add up
to: the platform's money out until the escrow or the merchant repays it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


@dataclass(frozen=True)
class AccountKind:
    name: str
    side: Side
    may_go_negative: bool
    owner_type: str | None
    """``merchant`` or ``buyer`` for per-party accounts; None for the platform's."""
    meaning: str


KINDS: dict[str, AccountKind] = {
    kind.name: kind
    for kind in (
        AccountKind("fund", Side.DEBIT, False, None, "the protection fund's money"),
        AccountKind(
            "fund_contributions", Side.CREDIT, False, None, "what the platform put in the fund"
        ),
        AccountKind("deposit_cash", Side.DEBIT, False, None, "the money of merchants' deposits"),
        AccountKind("deposit", Side.CREDIT, False, "merchant", "a merchant's deposit, held"),
        AccountKind(
            "receivable", Side.DEBIT, False, "merchant", "what a merchant owes the fund back"
        ),
        AccountKind("payable", Side.CREDIT, False, "buyer", "what is owed to a buyer"),
        AccountKind(
            "compensation_expense", Side.DEBIT, False, None, "compensation the platform bears"
        ),
        AccountKind(
            "advance",
            Side.DEBIT,
            False,
            "merchant",
            "paid to a merchant on shipment ahead of its orders' confirmation",
        ),
        AccountKind(
            "advance_owed",
            Side.DEBIT,
            False,
            "merchant",
            "advances of orders refunded before confirmation, which the merchant owes back",
        ),
        AccountKind(
            "advance_clearing",
            Side.CREDIT,
            False,
            None,
            "the platform's money out in advances, until the escrow or the merchant repays it",
        ),
    )
}

FUND = "fund"
FUND_CONTRIBUTIONS = "fund_contributions"
DEPOSIT_CASH = "deposit_cash"
COMPENSATION_EXPENSE = "compensation_expense"
ADVANCE_CLEARING = "advance_clearing"


def deposit(merchant_id: str) -> str:
    return f"deposit:{merchant_id}"


def receivable(merchant_id: str) -> str:
    return f"receivable:{merchant_id}"


def payable(buyer_id: str) -> str:
    return f"payable:{buyer_id}"


def advance(merchant_id: str) -> str:
    return f"advance:{merchant_id}"


def advance_owed(merchant_id: str) -> str:
    return f"advance_owed:{merchant_id}"


def kind_of(account: str) -> AccountKind:
    """The kind of ``account``; an unknown kind is a programming error, named."""
    name, _, owner = account.partition(":")
    kind = KINDS.get(name)
    if kind is None:
        raise ValueError(f"no account kind {name!r} (account {account!r}); known: {sorted(KINDS)}")
    if bool(owner) != (kind.owner_type is not None):
        raise ValueError(f"account {account!r}: a {name} account {_owner_rule(kind)}")
    return kind


def _owner_rule(kind: AccountKind) -> str:
    return f"names its {kind.owner_type}" if kind.owner_type else "has no owner"


def normal_balance(account: str, debits_minus_credits: int) -> int:
    """The balance as read on the account's normal side (a deposit of 500 is +500)."""
    return debits_minus_credits if kind_of(account).side is Side.DEBIT else -debits_minus_credits


def overdrawn(account: str, debits_minus_credits: int) -> bool:
    """Whether the balance is one the account may never have."""
    kind = kind_of(account)
    return not kind.may_go_negative and normal_balance(account, debits_minus_credits) < 0
