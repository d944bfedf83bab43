"""Consumer protection over HTTP: claims, the protection fund, merchants' deposits and
settlements, and the money ledger.

Every call that moves money takes an ``Idempotency-Key`` header (see
``api.idempotency``): a retry with the same key gets the first answer and moves
nothing again. Handlers parse and authorise, then call the ``protect`` use cases.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.access.roles import Permission, Principal, shown_actor
from trustfair.api.auth import ensure_may_see, require
from trustfair.api.idempotency import (
    HEADER,
    Answer,
    KeyProblem,
    Refusal,
    checked_key,
    fingerprint,
    run_once,
)
from trustfair.api.schemas import Limit, Offset, RecordId, Text, errors
from trustfair.events.ingest import Line as EventLine
from trustfair.events.payload import EntityRef
from trustfair.protect import accounts, fund
from trustfair.protect.check import check_ledger
from trustfair.protect.claims import (
    ClaimConflict,
    ClaimRefused,
    ClaimRequest,
    claim_record,
    decide_claim,
    file_claim,
)
from trustfair.protect.coverage import entitlements_in_force
from trustfair.protect.figures import fund_totals
from trustfair.protect.ledger import LedgerError, PurposeConflict, balance, lines_of, reverse
from trustfair.protect.terms import ClaimKind, Guarantee, Protection
from trustfair.read.claims import visible_claims
from trustfair.store.database import Store
from trustfair.store.models import ClaimRow, EventRow, LedgerEntryRow, LedgerTransactionRow

router = APIRouter(prefix="/v1", tags=["protection"])

Ref = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
Fen = Annotated[int, Field(gt=0, le=10**12, description="Integer fen (1/100 yuan).")]
PartyId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
MerchantId = Annotated[
    str,
    Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$", description="A merchant."),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        description="A unique string per money-moving request; retries send the same one.",
    ),
]
MONEY_ERRORS = errors(400, 401, 403, 404, 409, 422)
REVERSIBLE = frozenset({fund.CONTRIBUTION, fund.DEPOSIT})
"""Postings a person may reverse; awards, payouts and recoveries follow their claim or
order and are not corrected by hand."""


class Line(BaseModel):
    account: str
    amount_fen: int = Field(description="> 0 debits the account, < 0 credits it.")


class Posting(BaseModel):
    id: int
    key: str
    kind: str
    ref_type: str
    ref_id: str
    at: datetime
    actor: str
    memo: str
    rule: str | None
    decision_id: int | None
    reverses_id: int | None
    lines: list[Line]


class Claim(BaseModel):
    id: int
    claim_ref: str
    order_id: str
    buyer_id: str
    merchant_id: str
    kind: str
    requested_fen: int
    amount_fen: int | None
    state: str
    rule: str | None
    reason: str
    filed_by: str
    filed_at: str
    decided_by: str | None
    decided_at: str | None
    description: str


class ClaimPage(BaseModel):
    total: int
    claims: list[Claim]


class Contribution(BaseModel):
    contribution_ref: Ref
    amount_fen: Fen
    memo: Text = Field(default="", max_length=1000)


class DepositPayment(BaseModel):
    payment_id: Ref
    amount_fen: Fen


class Settlement(BaseModel):
    settlement_ref: Ref
    amount_fen: Fen = Field(description="What the marketplace is about to settle.")


class MerchantMoney(BaseModel):
    merchant_id: str
    deposit_fen: int
    owed_fen: int = Field(description="Paid to buyers by the fund, not yet recovered.")


class Withholding(MerchantMoney):
    settlement_ref: str
    withheld_fen: int
    pay_merchant_fen: int


class Deposited(MerchantMoney):
    posting: Posting


class ClaimFiling(BaseModel):
    claim_ref: Ref = Field(description="Customer service's own id for the claim.")
    order_id: PartyId
    buyer_id: PartyId
    kind: ClaimKind
    requested_fen: Fen
    description: Text = Field(default="", max_length=2000)


class ClaimDecision(BaseModel):
    outcome: Literal["approve", "reject"]
    reason: Text = Field(min_length=1, max_length=2000)
    amount_fen: Fen | None = Field(
        default=None, description="What to pay, if not what was asked (approve only)."
    )


class Reversal(BaseModel):
    reason: Text = Field(min_length=1, max_length=1000)


class FundFigures(BaseModel):
    fund_fen: int
    contributions_fen: int
    payouts_fen: int
    recoveries_fen: int
    waiting_awards: int
    owed_by_merchants_fen: int


class LedgerCheck(BaseModel):
    ok: bool
    postings: int
    entries: int
    accounts: int
    fund_fen: int
    contributions_fen: int
    payouts_fen: int
    recoveries_fen: int
    breaches: list[dict[str, str]]


# -- the money-moving calls ------------------------------------------------------------


def protection_terms(request: Request) -> Protection:
    """The protection terms of the policy the server runs (the defaults for a policy
    without them)."""
    policy = request.app.state.registry.policy
    spec = getattr(policy, "spec", None)
    return getattr(spec, "protection", None) or Protection()


def _money_call(
    request: Request,
    principal: Principal,
    raw_key: str | None,
    body: BaseModel | None,
    work: Callable[[Session, datetime], Answer],
) -> JSONResponse:
    store: Store = request.app.state.store
    lease = request.app.state.registry.settings.idempotency_lease
    try:
        key = checked_key(raw_key)
        answer, replayed = run_once(
            store,
            principal.actor,
            key,
            fingerprint(
                request.method,
                request.url.path,
                body.model_dump(mode="json") if body is not None else {},
            ),
            lambda session: work(session, datetime.now(UTC)),
            lease=lease,
        )
    except KeyProblem as problem:
        headers = {"Retry-After": str(problem.retry_after)} if problem.retry_after else None
        return JSONResponse({"detail": problem.detail}, problem.status, headers=headers)
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return JSONResponse(answer.body, answer.status, headers=headers)


def refusing(call: Callable[[], Any]) -> Any:
    """Run a use case, turning its refusals into the HTTP answers kept for the key."""
    try:
        return call()
    except LookupError as exc:
        raise Refusal(404, str(exc).strip("'\"")) from None
    except (ClaimConflict, PurposeConflict) as exc:
        raise Refusal(409, str(exc)) from None
    except (ClaimRefused, LedgerError) as exc:
        raise Refusal(422, str(exc)) from None


@router.post(
    "/fund/contributions",
    response_model=Posting,
    status_code=201,
    summary="Put money into the protection fund",
    description="Awards waiting for money are paid from it at once, oldest first.",
    responses=MONEY_ERRORS,
)
def post_contribution(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.FUND_CONTRIBUTE))],
    body: Contribution,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def work(session: Session, now: datetime) -> Answer:
        row = refusing(
            lambda: fund.contribute(
                session, body.contribution_ref, body.amount_fen, now, principal.actor, body.memo
            )
        )
        return Answer(201, _posting(session, row))

    return _money_call(request, principal, idempotency_key, body, work)


@router.post(
    "/merchants/{merchant_id}/deposits",
    response_model=Deposited,
    status_code=201,
    summary="Record a merchant's deposit payment",
    description=(
        "What the merchant owes the fund is recovered from the deposit at once; a "
        "merchant restricted for a shortfall is freed once nothing is owed."
    ),
    responses=MONEY_ERRORS,
)
def post_deposit(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.DEPOSITS_WRITE))],
    merchant_id: MerchantId,
    body: DepositPayment,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    terms = protection_terms(request)

    def work(session: Session, now: datetime) -> Answer:
        row = refusing(
            lambda: fund.take_deposit(
                session,
                merchant_id,
                fund.payment_ref(body.payment_id),
                body.amount_fen,
                now,
                principal.actor,
                terms=terms,
            )
        )
        return Answer(201, {**_money_of(session, merchant_id), "posting": _posting(session, row)})

    return _money_call(request, principal, idempotency_key, body, work)


@router.post(
    "/merchants/{merchant_id}/settlements",
    response_model=Withholding,
    summary="Ask what to keep back from a merchant's settlement",
    description=(
        "The marketplace is about to settle money to the merchant: the fund keeps back "
        "what the merchant owes it (at most the settlement). Pay the merchant "
        "pay_merchant_fen."
    ),
    responses=MONEY_ERRORS,
)
def post_settlement(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.DEPOSITS_WRITE))],
    merchant_id: MerchantId,
    body: Settlement,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    terms = protection_terms(request)

    def work(session: Session, now: datetime) -> Answer:
        withheld = refusing(
            lambda: fund.withhold_from_settlement(
                session,
                merchant_id,
                body.settlement_ref,
                body.amount_fen,
                now,
                principal.actor,
                terms=terms,
            )
        )
        return Answer(
            200,
            {
                **_money_of(session, merchant_id),
                "settlement_ref": body.settlement_ref,
                "withheld_fen": withheld,
                "pay_merchant_fen": body.amount_fen - withheld,
            },
        )

    return _money_call(request, principal, idempotency_key, body, work)


@router.post(
    "/claims",
    response_model=Claim,
    status_code=201,
    summary="File a buyer's claim on the protection fund",
    description=(
        "Adjudicated at once by the policy's terms: approved and paid by the fund "
        "(then recovered from the merchant), rejected with the reason, or sent to "
        "review (state in_review). 422 if the order is unknown, not the buyer's, or the "
        "claim asks more than it may; 409 if the order already has such a claim."
    ),
    responses=MONEY_ERRORS,
)
def post_claim(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CLAIMS_FILE))],
    body: ClaimFiling,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    terms = protection_terms(request)
    claim_request = ClaimRequest(
        body.claim_ref,
        body.order_id,
        body.buyer_id,
        body.kind,
        body.requested_fen,
        body.description,
    )

    def work(session: Session, now: datetime) -> Answer:
        claim = refusing(
            lambda: file_claim(session, claim_request, now, principal.actor, terms=terms)
        )
        return Answer(201, claim_record(claim))

    return _money_call(request, principal, idempotency_key, body, work)


@router.post(
    "/claims/{claim_id}/decision",
    response_model=Claim,
    summary="Decide a claim in review: approve (the fund pays) or reject",
    description=(
        "A confirmed counterfeit on an order under fake-one-pay-N is paid N times the "
        "price, whatever amount is given. 409 unless the claim is in review."
    ),
    responses=MONEY_ERRORS,
)
def post_claim_decision(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CLAIMS_DECIDE))],
    claim_id: RecordId,
    body: ClaimDecision,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    terms = protection_terms(request)
    if body.outcome == "reject" and body.amount_fen is not None:
        raise HTTPException(422, "amount_fen is for an approval only")

    def work(session: Session, now: datetime) -> Answer:
        claim = refusing(
            lambda: decide_claim(
                session,
                claim_id,
                body.outcome == "approve",
                body.reason,
                now,
                principal.actor,
                terms=terms,
                amount_fen=body.amount_fen,
            )
        )
        return Answer(200, claim_record(claim))

    return _money_call(request, principal, idempotency_key, body, work)


@router.post(
    "/ledger/postings/{posting_id}/reversal",
    response_model=Posting,
    status_code=201,
    summary="Correct a contribution or deposit by a reversing posting",
    description=(
        "Ledger rows are never changed: the correction is a posting of the opposite "
        "lines. Only contributions and deposits are reversed by hand (409 otherwise), "
        "and only while the money is still there (422 if the fund or deposit would go "
        "below zero)."
    ),
    responses=MONEY_ERRORS,
)
def post_reversal(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.LEDGER_CORRECT))],
    posting_id: RecordId,
    body: Reversal,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def work(session: Session, now: datetime) -> Answer:
        original = session.get(LedgerTransactionRow, posting_id)
        if original is None:
            raise Refusal(404, f"no posting {posting_id}")
        if original.kind not in REVERSIBLE:
            raise Refusal(409, f"posting {posting_id} is a {original.kind}: not reversed by hand")
        row, created = refusing(
            lambda: reverse(session, original, now, principal.actor, body.reason)
        )
        if not created:
            raise Refusal(409, f"posting {posting_id} was reversed by posting {row.id}")
        return Answer(201, _posting(session, row))

    return _money_call(request, principal, idempotency_key, body, work)


# -- reading -----------------------------------------------------------------------------


@router.get(
    "/claims",
    response_model=ClaimPage,
    summary="Claims, newest first (a merchant sees its own)",
    responses=errors(401, 403),
)
def get_claims(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CLAIMS_READ))],
    state: Annotated[
        Literal["filed", "in_review", "approved", "rejected", "paid"] | None, Query()
    ] = None,
    merchant_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ClaimPage:
    query = visible_claims(principal)
    if state is not None:
        query = query.where(ClaimRow.state == state)
    if merchant_id is not None:
        query = query.where(ClaimRow.merchant_id == merchant_id)
    store: Store = request.app.state.store
    with store.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(ClaimRow.id.desc()).limit(limit).offset(offset))
        return ClaimPage(total=total, claims=[_claim_shown(row, principal) for row in rows])


@router.get(
    "/claims/{claim_id}",
    response_model=Claim,
    summary="One claim",
    responses=errors(401, 403, 404),
)
def get_claim(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CLAIMS_READ))],
    claim_id: RecordId,
) -> Claim:
    store: Store = request.app.state.store
    with store.reading() as session:
        row = session.get(ClaimRow, claim_id)
        missing = f"no claim {claim_id}"
        if row is None:
            raise HTTPException(404, missing)
        ensure_may_see(principal, EntityRef("merchant", row.merchant_id), missing)
        return _claim_shown(row, principal)


@router.get(
    "/merchants/{merchant_id}/money",
    response_model=MerchantMoney,
    summary="A merchant's deposit and what it owes the fund",
    responses=errors(401, 403, 404),
)
def get_merchant_money(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CLAIMS_READ))],
    merchant_id: MerchantId,
) -> MerchantMoney:
    ensure_may_see(principal, EntityRef("merchant", merchant_id), f"no merchant {merchant_id}")
    store: Store = request.app.state.store
    with store.reading() as session:
        return MerchantMoney(**_money_of(session, merchant_id))


@router.get(
    "/fund",
    response_model=FundFigures,
    summary="The protection fund: what it holds, received, paid and recovered",
    responses=errors(401, 403),
)
def get_fund(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.LEDGER_READ))],
) -> FundFigures:
    store: Store = request.app.state.store
    with store.reading() as session:
        totals = fund_totals(session)
        owed = session.scalar(
            select(func.coalesce(func.sum(LedgerEntryRow.amount_fen), 0)).where(
                LedgerEntryRow.account.like("receivable:%")
            )
        )
        return FundFigures(
            fund_fen=balance(session, accounts.FUND),
            contributions_fen=totals.contributions_fen,
            payouts_fen=totals.payouts_fen,
            recoveries_fen=totals.recoveries_fen,
            waiting_awards=len(fund.waiting_awards(session)),
            owed_by_merchants_fen=int(owed or 0),
        )


@router.get(
    "/ledger/postings",
    response_model=list[Posting],
    summary="Ledger postings with their lines, newest first",
    responses=errors(401, 403),
)
def get_postings(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.LEDGER_READ))],
    account: Annotated[str | None, Query(max_length=160)] = None,
    ref_type: Annotated[str | None, Query(max_length=32)] = None,
    ref_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Posting]:
    query = select(LedgerTransactionRow)
    if account is not None:
        query = query.where(
            LedgerTransactionRow.id.in_(
                select(LedgerEntryRow.transaction_id).where(LedgerEntryRow.account == account)
            )
        )
    if ref_type is not None:
        query = query.where(LedgerTransactionRow.ref_type == ref_type)
    if ref_id is not None:
        query = query.where(LedgerTransactionRow.ref_id == ref_id)
    store: Store = request.app.state.store
    with store.reading() as session:
        rows = session.scalars(
            query.order_by(LedgerTransactionRow.id.desc()).limit(limit).offset(offset)
        )
        return [Posting(**_posting(session, row)) for row in rows]


@router.get(
    "/ledger/check",
    response_model=LedgerCheck,
    summary="Prove the ledger's invariants (trustfair ledger check)",
    responses=errors(401, 403),
)
def get_ledger_check(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.LEDGER_READ))],
) -> LedgerCheck:
    store: Store = request.app.state.store
    with store.reading() as session:
        return LedgerCheck(**check_ledger(session).to_record())


def _claim_shown(row: ClaimRow, principal: Principal) -> Claim:
    """A claim as ``principal`` may see it: a merchant is not shown staff's names."""
    record = claim_record(row)
    for field_name in ("filed_by", "decided_by"):
        record[field_name] = shown_actor(record[field_name], principal)  # type: ignore[arg-type]
    return Claim(**record)


def _posting(session: Session, row: LedgerTransactionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "key": row.key,
        "kind": row.kind,
        "ref_type": row.ref_type,
        "ref_id": row.ref_id,
        "at": row.at.isoformat(),
        "actor": row.actor,
        "memo": row.memo,
        "rule": row.rule,
        "decision_id": row.decision_id,
        "reverses_id": row.reverses_id,
        "lines": [
            {"account": account, "amount_fen": amount}
            for account, amount in lines_of(session, row.id)
        ],
    }


def _money_of(session: Session, merchant_id: str) -> dict[str, Any]:
    return {
        "merchant_id": merchant_id,
        "deposit_fen": balance(session, accounts.deposit(merchant_id)),
        "owed_fen": balance(session, accounts.receivable(merchant_id)),
    }


# -- guarantees a merchant offers --------------------------------------------------------


class GuaranteeChoice(BaseModel):
    guarantee: Guarantee
    offered: bool = Field(description="true opts in, false opts out.")
    listing_id: PartyId | None = Field(
        default=None, description="One listing; without it, the whole shop."
    )
    n: int | None = Field(
        default=None, ge=1, le=10, description="fake_one_pay_n only: N times the price."
    )
    request_id: Ref = Field(
        description="The caller's id for this change: sending it again changes nothing."
    )


class Entitlement(BaseModel):
    guarantee: str
    listing_id: str | None
    terms: dict[str, Any]
    starts_at: datetime
    ends_at: datetime | None


class GuaranteeChange(BaseModel):
    event_id: str
    stored: bool = Field(description="false when this request_id was sent before.")
    in_force: list[Entitlement]


@router.post(
    "/merchants/{merchant_id}/guarantees",
    response_model=GuaranteeChange,
    summary="Opt a shop or a listing into a guarantee, or out of it",
    description=(
        "Written to the event log as guarantee.opted_in / guarantee.opted_out, like the "
        "marketplace's own events, so coverage can be rebuilt from the log. Orders paid "
        "from now on are covered; orders paid before keep the cover they had."
    ),
    responses=errors(401, 403, 404, 422),
)
async def post_guarantee(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.GUARANTEES_WRITE))],
    merchant_id: MerchantId,
    body: GuaranteeChoice,
) -> GuaranteeChange:
    ensure_may_see(principal, EntityRef("merchant", merchant_id), f"no merchant {merchant_id}")
    if body.n is not None and (body.guarantee != Guarantee.FAKE_ONE_PAY_N or not body.offered):
        raise HTTPException(422, "n is for opting into fake_one_pay_n only")
    payload: dict[str, Any] = {"merchant_id": merchant_id, "guarantee": body.guarantee.value}
    if body.listing_id is not None:
        payload["listing_id"] = body.listing_id
    if body.n is not None:
        payload["n"] = body.n
    event_id = f"guarantee:{merchant_id}:{body.request_id}"
    envelope = {
        "event_id": event_id,
        "type": "guarantee.opted_in" if body.offered else "guarantee.opted_out",
        "occurred_at": datetime.now(UTC).isoformat(),
        "source": f"api:{principal.actor}",
        "payload": payload,
    }
    raw = json.dumps(envelope, ensure_ascii=False).encode()
    state = request.app.state
    result = await asyncio.wrap_future(
        state.committer.submit([EventLine(1, raw, len(raw))], f"api:{principal.actor}")
    )
    if result.rejections:
        raise HTTPException(422, result.rejections[0].reason)
    with state.store.reading() as session:
        if not result.stored_seqs:
            sent = session.scalars(select(EventRow).where(EventRow.event_id == event_id)).one()
            if (sent.type, sent.payload) != (envelope["type"], payload):
                raise HTTPException(
                    422,
                    f"request_id {body.request_id!r} was sent before with another change "
                    f"({sent.type} {sent.payload}); use a new request_id",
                )
        in_force = entitlements_in_force(session, merchant_id, datetime.now(UTC))
    return GuaranteeChange(
        event_id=event_id,
        stored=bool(result.stored_seqs),
        in_force=[Entitlement(**row) for row in in_force],
    )


@router.get(
    "/merchants/{merchant_id}/guarantees",
    response_model=list[Entitlement],
    summary="The guarantees a merchant offers now, shop-wide and per listing",
    responses=errors(401, 403, 404),
)
def get_guarantees(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.CLAIMS_READ))],
    merchant_id: MerchantId,
) -> list[Entitlement]:
    ensure_may_see(principal, EntityRef("merchant", merchant_id), f"no merchant {merchant_id}")
    store: Store = request.app.state.store
    with store.reading() as session:
        rows = entitlements_in_force(session, merchant_id, datetime.now(UTC))
    return [Entitlement(**row) for row in rows]
