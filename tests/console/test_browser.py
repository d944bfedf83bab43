"""End to end in a real browser: Debian's headless chromium, driven by Playwright,
against a real `trustfair serve` process on the default policy and the real text
engine.

A merchant's listing calls its goods 高仿 A货: the engine blocks it, and 12 serious
points suspend the merchant's live streams and freeze its settlement. The merchant
signs in and appeals; a reviewer signs in, finds the appeal in the queue, sees the
evidence marked in the listing's text, takes the case and overturns it; the
merchant's page then shows the sanctions lifted and the points reversed.

`make test` installs chromium first (`make chromium`); where it is missing these tests
are skipped, unless TRUSTFAIR_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.factories import api_key, event
from tests.served import served
from trustfair.access.accounts import add_user
from trustfair.events.payload import EntityRef
from trustfair.read.entities import standing
from trustfair.store.database import Store

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery"
LISTING = "正品高仿A货，1:1复刻大牌包包，和专柜一模一样 <b>限时</b>"


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium"
        if os.environ.get("TRUSTFAIR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"TRUSTFAIR_REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            # Chromium's sandbox cannot run as root (tests in a container, CI).
            args=["--no-sandbox"] if os.geteuid() == 0 else [],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def marketplace(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A served store in which merchant m1 was just sanctioned; its URL and the store's."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    now = datetime.now(UTC)
    store = Store.open(url)
    try:
        with store.transaction() as session:
            add_user(session, "li", PASSWORD, "reviewer", now, locale="en")
            add_user(session, "shop-m1", PASSWORD, "merchant", now, ["merchant:m1"], "zh")
        key = api_key(store)
    finally:
        store.close()
    listing = {
        "listing_id": "l1",
        "merchant_id": "m1",
        "title": "大牌包包",
        "description": LISTING,
        "category": "bags",
        "price_fen": 9900,
    }
    with served({"TRUSTFAIR_DATABASE_URL": url, "TRUSTFAIR_POLICY": ""}) as base:
        answer = httpx.post(
            f"{base}/v1/events",
            json=[event("e1", "listing.published", listing, now - timedelta(minutes=2))],
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
        yield base, url


def in_force(url: str) -> tuple[dict[str, int], set[str]]:
    """m1's points this period and the kinds of sanction in force on it, from the store."""
    from trustfair.policy.files import active_policy
    from trustfair.settings import Settings

    store = Store.open(url, migrate=False)
    try:
        with store.reading() as session:
            found = standing(
                session,
                EntityRef("merchant", "m1"),
                datetime.now(UTC),
                active_policy(Settings()).spec,
            )
    finally:
        store.close()
    return found.points, {s["kind"] for s in found.sanctions}


def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/console/")
    page.wait_for_url("**/console/login**")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")


def test_a_merchant_appeals_and_a_reviewer_overturns_the_sanction_in_the_browser(
    chromium, marketplace, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    base, url = marketplace
    points, kinds = in_force(url)
    assert points["serious"] == 12 and kinds == {"live_suspension", "settlement_freeze"}, (
        "the engine no longer blocks the listing: pick a text it does",
        points,
        kinds,
    )
    problems: list[str] = []
    merchant_context = chromium.new_context(locale="zh-CN")  # type: ignore[attr-defined]
    reviewer_context = chromium.new_context(locale="en-US")  # type: ignore[attr-defined]
    merchant, reviewer = merchant_context.new_page(), reviewer_context.new_page()
    for page in (merchant, reviewer):
        page.set_default_timeout(15_000)
        # A script or style the Content-Security-Policy refused, or a script error.
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        # The merchant signs in (in Chinese, its language) and appeals the suspension.
        sign_in(merchant, base, "shop-m1")
        merchant.wait_for_url("**/console/mine")
        expect(merchant.locator("html")).to_have_attribute("lang", "zh-CN")
        suspension = merchant.locator('article.sanction[data-kind="live_suspension"]')
        expect(suspension).to_contain_text("Trademark Law Art. 57")
        suspension.locator("textarea[name=reason]").fill("这是品牌授权的复刻款，并非假货")
        suspension.locator("button[type=submit]").click()
        merchant.wait_for_url("**/console/entities/merchant/m1?appealed=*")
        expect(merchant.locator("#appeal-filed")).to_contain_text("申诉已提交")
        case_id = int(re.search(r"appealed=(\d+)", merchant.url)[1])  # type: ignore[index]

        # The reviewer signs in, finds the appeal in the queue and opens it.
        sign_in(reviewer, base, "li")
        reviewer.wait_for_url("**/console/queues")
        expect(reviewer.locator('tr[data-queue="appeals"]')).to_contain_text("appeal")
        reviewer.locator(f'tr[data-case="{case_id}"] a').click()
        reviewer.wait_for_url(f"**/console/cases/{case_id}")
        case_url = reviewer.url
        expect(reviewer.locator("#case-state")).to_have_text("open")
        # The evidence, marked in the listing's own text; its markup shown, not run.
        description = reviewer.locator('figure[data-field="description"] blockquote')
        marks = description.locator('mark[data-labels="counterfeit_hint"]')
        expect(marks).to_have_text(["高仿A货", "1:1复刻大牌", "和专柜一模一样"])
        expect(description).to_contain_text("<b>限时</b>")
        expect(reviewer.locator('li[data-rule="text.block"]')).to_be_visible()

        # Take it, then overturn it: htmx swaps the case panel in place.
        reviewer.locator("button.action-assign").click()
        expect(reviewer.locator("#case-state")).to_have_text("in review")
        expect(reviewer.locator("#case-assignee")).to_have_text("user:li")
        expect(reviewer.locator("#case-done")).to_be_visible()  # only a swap says so
        reviewer.locator("textarea[name=note]").fill("Authorised wording; no counterfeit.")
        reviewer.locator("button.action-overturn").click()
        expect(reviewer.locator("#case-state")).to_have_text("decided · overturned")
        assert reviewer.url == case_url  # no page load: the panel was swapped
        expect(reviewer.locator('tr[data-action="decide"]')).to_contain_text("overturn")

        # The entity page: nothing in force, the points reversed, the lifts listed.
        reviewer.locator("#case-party a").click()
        reviewer.wait_for_url("**/console/entities/merchant/m1")
        expect(reviewer.locator(".standing")).to_contain_text("No sanction in force.")
        expect(reviewer.locator('tr[data-class="serious"] td')).to_have_text("0")
        expect(reviewer.locator('tr[data-kind="lift"]')).to_have_count(2)
        expect(reviewer.locator('tr[data-kind="points"]', has_text="-12")).to_have_count(1)

        # And the merchant sees the same on its own page.
        merchant.goto(f"{base}/console/mine")
        expect(merchant.locator(".standing")).to_contain_text("没有生效中的处罚。")
        reviewer.goto(f"{base}/console/rules")
        expect(reviewer.locator('tr[data-rule="text.block"] .precision')).to_have_text("0 %")
    except Exception:
        merchant.screenshot(path=str(tmp_path / "merchant.png"), full_page=True)
        reviewer.screenshot(path=str(tmp_path / "reviewer.png"), full_page=True)
        raise
    finally:
        merchant_context.close()
        reviewer_context.close()
    assert problems == []
    assert in_force(url) == ({"general": 0, "serious": 0}, set())


def test_a_reviewer_approves_a_claim_and_the_form_sent_again_pays_nothing_more(
    chromium, marketplace, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    base, url = marketplace
    store = Store.open(url, migrate=False)
    try:
        service, admin = api_key(store), api_key(store, "admin")
    finally:
        store.close()
    now = datetime.now(UTC)
    paid = {
        "order_id": "o1",
        "buyer_id": "b1",
        "merchant_id": "m1",
        "listing_id": "l1",
        "unit_price_fen": 9_900,
        "amount_fen": 9_900,
    }
    for path, body, key, headers in [
        ("/v1/events", [event("p1", "order.paid", paid, now - timedelta(days=1))], service, {}),
        (
            "/v1/fund/contributions",
            {"contribution_ref": "c1", "amount_fen": 100_000},
            admin,
            {"Idempotency-Key": "k-c1"},
        ),
        (
            "/v1/claims",
            {
                "claim_ref": "cs-1",
                "order_id": "o1",
                "buyer_id": "b1",
                "kind": "counterfeit",
                "requested_fen": 9_900,
            },
            service,
            {"Idempotency-Key": "k-cs-1"},
        ),
    ]:
        answer = httpx.post(
            f"{base}{path}",
            json=body,
            headers={"Authorization": f"Bearer {key}", **headers},
            timeout=30,
        )
        assert answer.status_code in (200, 201), answer.text
    claim_id = answer.json()["id"]
    assert answer.json()["state"] == "in_review"

    problems: list[str] = []
    context = chromium.new_context(locale="en-US")  # type: ignore[attr-defined]
    reviewer = context.new_page()
    reviewer.set_default_timeout(15_000)
    reviewer.on("console", lambda m: m.type == "error" and problems.append(m.text))
    reviewer.on("pageerror", lambda e: problems.append(str(e)))
    try:
        sign_in(reviewer, base, "li")
        reviewer.wait_for_url("**/console/queues")
        reviewer.locator("#claims-in-review a").click()
        reviewer.wait_for_url("**/console/claims")
        row = reviewer.locator(f'tr[data-claim="{claim_id}"]')
        expect(row).to_contain_text("99.00")
        row.locator("a").click()
        reviewer.wait_for_url(f"**/console/claims/{claim_id}")
        expect(reviewer.locator("#claim-state")).to_have_text("in review")
        reviewer.locator("textarea[name=reason]").fill("Confirmed counterfeit by the brand.")
        form = {
            name: reviewer.locator(f"#claim-decision input[name={name}]").input_value()
            for name in ("csrf_token", "request_token", "amount")
        }
        reviewer.locator("button.action-approve").click()
        reviewer.wait_for_url(f"**/console/claims/{claim_id}?done=1")
        expect(reviewer.locator("#claim-state")).to_have_text("paid")
        # The same form sent again (a double click, a resend), in the same session: the
        # first answer, and no second payment.
        again = context.request.post(
            f"{base}/console/claims/{claim_id}/decision",
            form={**form, "outcome": "approve", "reason": "Confirmed counterfeit by the brand."},
            max_redirects=0,
        )
        assert again.status == 303 and again.headers["location"].endswith("?done=1")
        reviewer.reload()
        expect(reviewer.locator('tr[data-kind="award"]')).to_have_count(1)
        expect(reviewer.locator('tr[data-kind="payout"]')).to_have_count(1)
    except Exception:
        reviewer.screenshot(path=str(tmp_path / "claim.png"), full_page=True)
        raise
    finally:
        context.close()
    assert problems == []
    fund = httpx.get(f"{base}/v1/fund", headers={"Authorization": f"Bearer {admin}"}, timeout=30)
    assert fund.json()["payouts_fen"] == 9_900, fund.text


@pytest.fixture
def brand_market(tmp_path: Path) -> Iterator[str]:
    """A served store in which brand b1 has a certified holder with a trademark valid
    now (so it may edit its bank), and a brand user who acts for it; the URL."""
    from trustfair.store.models import RightRow, RightsHolderRow

    url = f"sqlite:///{tmp_path / 'brand.db'}"
    now = datetime.now(UTC)
    store = Store.open(url)
    try:
        with store.transaction() as session:
            add_user(session, "chanel", PASSWORD, "brand", now, ["brand:b1"], "en")
            session.add(
                RightsHolderRow(
                    id="rh-b1",
                    brand_id="b1",
                    company_name="香奈尔时尚集团",
                    registration_number="HK-1",
                    country="HK",
                    state="certified",
                    standing=100,
                    applied_by="test",
                    applied_at=now - timedelta(days=30),
                    reason="",
                )
            )
            session.flush()
            session.add(
                RightRow(
                    holder_id="rh-b1",
                    brand_id="b1",
                    kind="trademark",
                    number="TM-b1",
                    nice_class=18,
                    territory="CN",
                    valid_from=now - timedelta(days=365),
                    valid_until=now + timedelta(days=3650),
                    state="certified",
                    applied_at=now - timedelta(days=30),
                    reason="",
                )
            )
    finally:
        store.close()
    with served({"TRUSTFAIR_DATABASE_URL": url, "TRUSTFAIR_POLICY": ""}) as base:
        yield base


def test_a_brand_adds_an_entry_to_its_bank_and_disables_it_in_the_browser(
    chromium, brand_market, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    base = brand_market
    problems: list[str] = []
    context = chromium.new_context(locale="en-US")  # type: ignore[attr-defined]
    brand = context.new_page()
    brand.set_default_timeout(15_000)
    brand.on("console", lambda m: m.type == "error" and problems.append(m.text))
    brand.on("pageerror", lambda e: problems.append(str(e)))
    try:
        # A brand lands on its own brand's page, with its certified rights.
        sign_in(brand, base, "chanel")
        brand.wait_for_url("**/console/brands/b1")
        expect(brand.locator('article[data-holder="rh-b1"]')).to_contain_text("certified")
        expect(brand.locator("#bank")).to_contain_text("The bank has no entry yet.")
        # It adds a slang entry by the form, and sees it listed.
        form = brand.locator("#bank-add")
        form.locator("select[name=kind]").select_option("slang")
        form.locator("input[name=value]").fill("香家A货")
        form.locator("input[name=note]").fill("seen in live streams")
        form.locator("button[type=submit]").click()
        brand.wait_for_url("**/console/brands/b1?added=*")
        expect(brand.locator("#bank-added")).to_be_visible()
        row = brand.locator('table[data-kind="slang"] tr[data-entry]')
        expect(row).to_have_count(1)
        expect(row).to_contain_text("香家A货")
        expect(row).to_have_attribute("data-enabled", "yes")
        # A bad entry is refused on the page, saying why.
        form = brand.locator("#bank-add")
        form.locator("select[name=kind]").select_option("price_floor")
        form.locator("input[name=amount]").fill("12.345")
        form.locator("button[type=submit]").click()
        expect(brand.locator("#bank-error")).to_contain_text("more than 2 decimals")
        # And disables the entry with its button.
        brand.goto(f"{base}/console/brands/b1")
        brand.locator('table[data-kind="slang"] tr[data-entry] button').click()
        brand.wait_for_url("**/console/brands/b1?switched=*")
        expect(brand.locator('table[data-kind="slang"] tr[data-entry]')).to_have_attribute(
            "data-enabled", "no"
        )
    except Exception:
        brand.screenshot(path=str(tmp_path / "brand.png"), full_page=True)
        raise
    finally:
        context.close()
    # The refused entry's page came with its 422, which chromium logs as an error.
    refused = "the server responded with a status of 422"
    assert [p for p in problems if refused not in p] == []
    assert len(problems) == 1
