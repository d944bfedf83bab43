"""Claims in the console: the review queue, a claim's page with its ledger postings,
and a reviewer's decision, made once however often its form is sent."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.console.conftest import NOW, add
from tests.factories import T0, event, ingest
from trustfair.console.i18n import translator
from trustfair.console.routes import AmountRefused, fen_of_yuan
from trustfair.protect.claims import ClaimRequest, file_claim
from trustfair.protect.fund import contribute
from trustfair.protect.terms import ClaimKind, Protection
from trustfair.store.models import ClaimRow, LedgerTransactionRow


def paid(order_id: str, merchant_id: str = "m1", amount_fen: int = 9_900) -> dict:
    return event(
        f"paid-{order_id}",
        "order.paid",
        {
            "order_id": order_id,
            "buyer_id": "b1",
            "merchant_id": merchant_id,
            "listing_id": f"l-{merchant_id}",
            "unit_price_fen": amount_fen,
            "amount_fen": amount_fen,
        },
        T0,
    )


def counterfeit_claim(store, registry, order_id: str = "o1", merchant_id: str = "m1") -> int:  # type: ignore[no-untyped-def]
    """A counterfeit claim on a new order of ``merchant_id``, waiting for a reviewer."""
    ingest(store, registry, paid(order_id, merchant_id))
    with store.transaction() as session:
        claim = file_claim(
            session,
            ClaimRequest(f"cs-{order_id}", order_id, "b1", ClaimKind.COUNTERFEIT, 9_900, "假货"),
            NOW,
            "user:cs",
            terms=Protection(),
        )
        assert claim.state == "in_review"
        return claim.id


def fund(store, fen: int = 100_000) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        contribute(session, "c1", fen, NOW, "user:admin")


def request_token(html: str) -> str:
    found = re.search(r'name="request_token" value="([^"]+)"', html)
    assert found, "no decision form on the page"
    return found[1]


def postings_of(store, claim_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        return list(
            session.scalars(
                select(LedgerTransactionRow.kind)
                .where(
                    LedgerTransactionRow.ref_type == "claim",
                    LedgerTransactionRow.ref_id == str(claim_id),
                )
                .order_by(LedgerTransactionRow.id)
            )
        )


def claim_row(store, claim_id: int) -> ClaimRow:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        row = session.get(ClaimRow, claim_id)
        session.expunge(row)
        return row


@pytest.fixture
def reviewer(store, sign_in):  # type: ignore[no-untyped-def]
    add(store, "li", "reviewer")
    return sign_in("li")


def test_the_queue_lists_claims_in_review_newest_first_in_yuan_and_china_time(
    store, registry, reviewer
) -> None:
    first = counterfeit_claim(store, registry, "o1")
    second = counterfeit_claim(store, registry, "o2")
    page = reviewer.get("/console/claims")
    assert page.status_code == 200
    assert [int(i) for i in re.findall(r'data-claim="(\d+)"', page.text)] == [second, first]
    row = re.search(rf'<tr[^>]*data-claim="{first}".*?</tr>', page.text, re.S)[0]  # type: ignore[index]
    for shown in ("cs-o1", "o1", "b1", "m1", "counterfeit", "99.00", "in review"):
        assert shown in row
    assert "claims.reviewed_kind" in row and "a reviewer decides counterfeit claims" in row
    assert "2026-03-03 20:30" in row  # NOW, 12:30 UTC, read in China time
    # The navigation and the queues page lead here.
    queues = reviewer.get("/console/queues")
    assert 'href="/console/claims"' in queues.text
    assert "2 claims waiting for a reviewer" in queues.text
    # Other states by the filter; none is paid yet.
    assert "data-claim=" not in reviewer.get("/console/claims?state=paid").text
    assert len(re.findall("data-claim=", reviewer.get("/console/claims?state=any").text)) == 2
    assert "理赔" in reviewer.get("/console/claims?lang=zh").text


def test_a_reviewer_approves_a_counterfeit_claim_and_a_double_submit_pays_once(
    store, registry, reviewer
) -> None:
    claim_id = counterfeit_claim(store, registry)
    fund(store)
    page = reviewer.get(f"/console/claims/{claim_id}")
    assert page.status_code == 200 and "No money has moved for this claim." in page.text
    form = {"outcome": "approve", "reason": "鉴定为假货", "request_token": request_token(page.text)}
    first = reviewer.post(f"/console/claims/{claim_id}/decision", form)
    assert first.status_code == 303, first.text
    assert first.headers["location"] == f"/console/claims/{claim_id}?done=1"
    # The same form again (a double click, a resend): the first answer, no second payment.
    again = reviewer.post(f"/console/claims/{claim_id}/decision", form)
    assert again.status_code == 303, again.text
    assert postings_of(store, claim_id) == ["award", "payout"]
    decided = claim_row(store, claim_id)
    assert (decided.state, decided.amount_fen, decided.decided_by) == ("paid", 9_900, "user:li")
    shown = reviewer.get(first.headers["location"])
    assert 'id="claim-done"' in shown.text and "the claim is now paid" in shown.text
    assert len(re.findall(r'data-kind="award"', shown.text)) == 1
    assert len(re.findall(r'data-kind="payout"', shown.text)) == 1
    assert "99.00" in shown.text and "-99.00" in shown.text
    assert 'name="request_token"' not in shown.text  # decided: no form any more
    # A new form for a decided claim is refused by the use case, not paid again.
    late = reviewer.post(
        f"/console/claims/{claim_id}/decision", {**form, "request_token": "another-token"}
    )
    assert late.status_code == 409 and "only a claim in review is decided" in late.text
    assert postings_of(store, claim_id) == ["award", "payout"]


def test_a_rejection_needs_a_reason(store, registry, reviewer) -> None:
    claim_id = counterfeit_claim(store, registry)
    token = request_token(reviewer.get(f"/console/claims/{claim_id}").text)
    no_reason = reviewer.post(
        f"/console/claims/{claim_id}/decision",
        {"outcome": "reject", "reason": "  ", "request_token": token},
    )
    assert no_reason.status_code == 422
    assert "A decision needs a reason." in no_reason.text
    assert claim_row(store, claim_id).state == "in_review"
    rejected = reviewer.post(
        f"/console/claims/{claim_id}/decision",
        {"outcome": "reject", "reason": "正品，有授权书", "request_token": token},
    )
    assert rejected.status_code == 303
    row = claim_row(store, claim_id)
    assert (row.state, row.reason) == ("rejected", "正品，有授权书")
    assert postings_of(store, claim_id) == []
    assert "the claim is now rejected" in reviewer.get(rejected.headers["location"]).text


def test_an_amount_is_whole_fen_or_refused_naming_the_problem(store, registry, reviewer) -> None:
    claim_id = counterfeit_claim(store, registry)
    fund(store)
    page = reviewer.get(f"/console/claims/{claim_id}")
    form = {"outcome": "approve", "reason": "部分赔付", "request_token": request_token(page.text)}
    refused = reviewer.post(f"/console/claims/{claim_id}/decision", {**form, "amount": "12.345"})
    assert refused.status_code == 422
    assert "12.345" in refused.text and "more than 2 decimals" in refused.text
    assert claim_row(store, claim_id).state == "in_review" and postings_of(store, claim_id) == []
    too_much = reviewer.post(
        f"/console/claims/{claim_id}/decision",
        {**form, "amount": "100", "request_token": request_token(refused.text)},
    )
    assert too_much.status_code == 422 and "may be paid 1 to 9900 fen" in too_much.text
    paid_part = reviewer.post(
        f"/console/claims/{claim_id}/decision",
        {**form, "amount": "12.3", "request_token": request_token(too_much.text)},
    )
    assert paid_part.status_code == 303
    assert claim_row(store, claim_id).amount_fen == 1_230


def test_yuan_are_read_into_fen_exactly() -> None:
    t = translator("en")
    assert fen_of_yuan("", t) is None
    assert [fen_of_yuan(text, t) for text in ("12", "0.1", "0.07", " 12.34 ", "0.29")] == [
        1_200,
        10,
        7,
        1_234,
        29,
    ]
    for wrong, says in [
        ("12.345", "more than 2 decimals"),
        ("1e3", "not an amount"),
        ("-1", "not an amount"),
        ("12,5", "not an amount"),
        ("0.00", "more than 0"),
        ("99999999999", "too large"),
    ]:
        with pytest.raises(AmountRefused, match=says):
            fen_of_yuan(wrong, t)


def test_a_merchant_sees_its_own_claims_only_and_no_decision_form(store, registry, sign_in) -> None:
    own = counterfeit_claim(store, registry, "o1", "m1")
    other = counterfeit_claim(store, registry, "o2", "m2")
    add(store, "shop-m1", "merchant", ["merchant:m1"])
    merchant = sign_in("shop-m1")
    listed = merchant.get("/console/claims")
    assert listed.status_code == 200
    assert re.findall(r'data-claim="(\d+)"', listed.text) == [str(own)]
    page = merchant.get(f"/console/claims/{own}")
    assert page.status_code == 200 and "cs-o1" in page.text
    assert 'name="request_token"' not in page.text
    assert merchant.get(f"/console/claims/{other}").status_code == 404
    refused = merchant.post(
        f"/console/claims/{own}/decision",
        {"outcome": "approve", "reason": "x", "request_token": "t"},
    )
    assert refused.status_code == 403
    assert claim_row(store, own).state == "in_review"


def test_a_claim_that_does_not_exist_is_404(reviewer) -> None:
    assert reviewer.get("/console/claims/999").status_code == 404
    answer = reviewer.post(
        "/console/claims/999/decision", {"outcome": "reject", "reason": "x", "request_token": "t"}
    )
    assert answer.status_code == 404
