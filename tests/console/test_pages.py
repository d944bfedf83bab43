"""The console's pages: signing in and out, the session and CSRF checks, what a
merchant may see, both languages, evidence marked (and escaped) in the original text,
case steps by plain form and by htmx, appeals, live sessions, policy and rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.cases.test_work import CONTENT_REVIEW
from tests.console.conftest import NOW, PASSWORD, add, form_token, sign_in_with
from tests.enforce.conftest import at, live_segment, marker_registry, write_policy
from tests.enforce.test_appeals import suspended_m1
from tests.enforce.test_points import run
from trustfair.api.app import create_app
from trustfair.console.routes import LOGIN_CSRF_COOKIE
from trustfair.enforce.appeals import file_appeal
from trustfair.pipeline.registry import build_registry
from trustfair.policy.files import load_policy
from trustfair.settings import Settings
from trustfair.store.models import CaseRow, LiveRiskRow, PointsEntryRow, SanctionRow


def appeal_case(store, registry) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """m1's live suspension, under appeal: (sanction id, case id)."""
    sanction_id = suspended_m1(store, registry)
    with store.transaction() as session:
        case_id = file_appeal(session, sanction_id, "user:m1-owner", "说明书写的是辅助", at(days=2))
    return sanction_id, case_id


def case_state(store, case_id: int) -> str:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        return session.get(CaseRow, case_id).state


# -- signing in -------------------------------------------------------------------------


def test_signing_in_sets_the_session_and_lands_on_the_queues(app, store) -> None:
    add(store, "li", "reviewer")
    client = TestClient(app)
    assert client.get("/console/queues", follow_redirects=False).headers["location"] == (
        "/console/login?next=%2Fconsole%2Fqueues"
    )
    response = sign_in_with(client, "li")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/queues"
    assert "tf_session" in response.cookies
    page = client.get("/console/queues")
    assert page.status_code == 200
    assert "li (reviewer)" in page.text


def test_after_signing_in_the_console_goes_back_to_the_page_asked_for(app, store) -> None:
    add(store, "li", "reviewer")
    client = TestClient(app)
    login = client.get("/console/policy")  # → the sign-in page, remembering where to go
    assert login.url.path == "/console/login"
    response = client.post(
        "/console/login",
        data={
            "username": "li",
            "password": PASSWORD,
            "csrf_token": form_token(login.text),
            "next": "/console/policy",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console/policy"
    # Only places in the console: not another site.
    evil = client.get("/console/login", params={"next": "//evil.example/x"})
    assert 'name="next" value=""' in evil.text


def test_a_wrong_password_is_refused_and_opens_no_session(app, store) -> None:
    add(store, "li", "reviewer")
    client = TestClient(app)
    response = sign_in_with(client, "li", "not the password")
    assert response.status_code == 401
    assert "Wrong username or password" in response.text or "用户名或密码错误" in response.text
    assert "tf_session" not in response.cookies
    assert client.get("/console/queues", follow_redirects=False).status_code == 303


def test_a_sign_in_form_not_served_to_this_browser_is_refused(app, store) -> None:
    add(store, "li", "reviewer")
    client = TestClient(app)
    response = client.post(
        "/console/login",
        data={"username": "li", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "tf_session" not in response.cookies


def test_too_many_failed_sign_ins_are_refused_for_a_while(app, store) -> None:
    add(store, "li", "reviewer", locale="zh")
    client = TestClient(app)
    for _ in range(5):
        assert sign_in_with(client, "li", "guess guess guess").status_code == 401
    refused = sign_in_with(client, "li")  # even the right password, now
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert re.search(r"Too many failed sign-ins|登录失败次数过多", refused.text)
    assert "tf_session" not in refused.cookies
    elsewhere = TestClient(app, client=("203.0.113.7", 50000))
    assert sign_in_with(elsewhere, "li").status_code == 303  # only that client is refused


@pytest.mark.parametrize(("setting", "secure"), [("auto", False), ("true", True)])
def test_the_console_marks_its_cookies_secure_as_trustfair_cookie_secure_says(
    store, monkeypatch, setting: str, secure: bool
) -> None:  # type: ignore[no-untyped-def]
    add(store, "li", "reviewer")
    monkeypatch.setenv("TRUSTFAIR_COOKIE_SECURE", setting)
    client = TestClient(create_app(store, build_registry(Settings.from_env())))
    page = client.get("/console/login")
    token = form_token(page.text)
    signed = client.post(  # a Secure cookie is not sent back over http: send it here
        "/console/login",
        data={"username": "li", "password": PASSWORD, "csrf_token": token},
        headers={"Cookie": f"{LOGIN_CSRF_COOKIE}={token}"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    for response in (page, signed):  # the form's token, the session
        cookies = response.headers.get_list("set-cookie")
        assert cookies and all(("; secure" in c.lower()) is secure for c in cookies), cookies
    behind_a_proxy = TestClient(client.app, headers={"X-Forwarded-Proto": "https"})
    assert "; secure" in behind_a_proxy.get("/console/login").headers["set-cookie"].lower()


def test_signing_out_needs_the_csrf_token_and_ends_the_session(app, store, sign_in) -> None:
    add(store, "li", "reviewer")
    browser = sign_in("li")
    refused = browser.post("/console/logout", {}, csrf=False)
    assert refused.status_code == 403
    assert browser.get("/console/queues").status_code == 200
    out = browser.post("/console/logout", {})
    assert out.status_code == 303
    assert out.headers["location"] == "/console/login?out=1"
    assert browser.get("/console/queues", follow_redirects=False).status_code == 303


# -- permissions and ownership ----------------------------------------------------------


def test_a_merchant_sees_its_own_records_and_not_another_merchants(
    app, store, registry, sign_in
) -> None:
    _, case_id = appeal_case(store, registry)  # m1's; m2 holds a shared copy
    add(store, "m1-owner", "merchant", ["merchant:m1"])
    add(store, "m9-owner", "merchant", ["merchant:m9"])
    own, other = sign_in("m1-owner"), sign_in("m9-owner")

    assert own.get("/console/entities/merchant/m1").status_code == 200
    assert own.get(f"/console/cases/{case_id}").status_code == 200
    for url in (
        "/console/entities/merchant/m1",
        "/console/entities/merchant/m2",
        f"/console/cases/{case_id}",
        "/console/cases/999999",
    ):
        assert other.get(url).status_code == 404, url
    # Its case list holds its own cases only, and no queue counts of the platform.
    assert f"/console/cases/{case_id}" in own.get("/console/queues").text
    listed = other.get("/console/queues")
    assert f"/console/cases/{case_id}" not in listed.text
    assert "data-queue=" not in listed.text
    # Nor may it work cases or read the policy.
    assert own.post(f"/console/cases/{case_id}/act", {"action": "assign"}).status_code == 403
    assert own.get("/console/policy").status_code == 403
    assert own.get("/console/rules").status_code == 403
    assert case_state(store, case_id) == "open"


def test_a_merchant_cannot_appeal_another_merchants_sanction(app, store, registry, sign_in) -> None:
    sanction_id = suspended_m1(store, registry)
    add(store, "m9-owner", "merchant", ["merchant:m9"])
    other = sign_in("m9-owner")
    response = other.post("/console/appeals", {"sanction_id": sanction_id, "reason": "x"})
    assert response.status_code == 404
    with store.reading() as session:
        assert session.scalars(select(CaseRow)).all() == []


# -- CSRF -------------------------------------------------------------------------------


def test_a_change_without_the_sessions_csrf_token_is_refused(app, store, registry, sign_in) -> None:
    _, case_id = appeal_case(store, registry)
    add(store, "li", "reviewer")
    browser = sign_in("li")
    url = f"/console/cases/{case_id}/act"
    assert browser.post(url, {"action": "assign"}, csrf=False).status_code == 403
    wrong = browser.post(url, {"action": "assign", "csrf_token": "x" * 43}, csrf=False)
    assert wrong.status_code == 403
    assert "CSRF" in wrong.text
    assert case_state(store, case_id) == "open"
    # htmx sends it as a header.
    ok = browser.client.post(
        url,
        data={"action": "assign"},
        headers={"HX-Request": "true", "X-CSRF-Token": browser.csrf},
    )
    assert ok.status_code == 200
    assert case_state(store, case_id) == "in_review"


# -- languages --------------------------------------------------------------------------


def test_pages_are_in_the_users_language_and_the_switch_is_remembered(app, store, sign_in) -> None:
    add(store, "li", "reviewer", locale="en")
    add(store, "wang", "reviewer", locale="zh")
    english, chinese = sign_in("li"), sign_in("wang")

    page = english.get("/console/queues")
    assert '<html lang="en">' in page.text
    assert "Waiting for people" in page.text
    page = chinese.get("/console/queues")
    assert '<html lang="zh-CN">' in page.text
    assert "待处理" in page.text

    switched = english.get("/console/queues", params={"lang": "zh"})
    assert '<html lang="zh-CN">' in switched.text
    assert switched.cookies.get("tf_lang") == "zh"
    assert '<html lang="zh-CN">' in english.get("/console/rules").text
    back = english.get("/console/rules", params={"lang": "en"})
    assert '<html lang="en">' in back.text and "Rule statistics" in back.text


def test_the_sign_in_page_speaks_the_browsers_language(app) -> None:
    client = TestClient(app)
    english = client.get("/console/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in english.text and "Sign in" in english.text
    chinese = client.get("/console/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-CN">' in chinese.text and "登录" in chinese.text


# -- a case -----------------------------------------------------------------------------


def test_a_case_marks_its_evidence_in_the_original_text_and_escapes_the_rest(
    app, store, tmp_path, sign_in
) -> None:
    content_review = marker_registry(load_policy(write_policy(tmp_path, CONTENT_REVIEW)))
    text = '<script>alert("x")</script> 加我 [[diversion]] & 私聊'
    run(store, content_review, live_segment("e1", "ls1", "st1", text))
    with store.reading() as session:
        case_id = session.scalars(select(CaseRow.id)).one()
    add(store, "li", "reviewer")
    page = sign_in("li").get(f"/console/cases/{case_id}")
    assert page.status_code == 200
    html = page.text
    assert '<mark data-labels="diversion" title="diversion">[[diversion]]</mark>' in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; 加我 " in html
    assert "<script>alert" not in html
    assert " &amp; 私聊" in html
    assert 'data-rule="marked.review"' in html
    assert "/console/entities/streamer/st1" in html  # the party, linked
    assert "overdue by" in html  # SLA 60 min, looked at two days later


def test_a_reviewer_works_an_appeal_by_plain_forms_and_sees_its_effect(
    app, store, registry, sign_in
) -> None:
    sanction_id, case_id = appeal_case(store, registry)
    add(store, "li", "reviewer")
    browser = sign_in("li")
    queue = browser.get("/console/queues")
    assert f'href="/console/cases/{case_id}"' in queue.text
    assert 'data-queue="appeals"' in queue.text

    case_url = f"/console/cases/{case_id}"
    page = browser.get(case_url)
    assert '<mark data-labels="medical_claim"' in page.text  # the sanction's evidence
    # Deciding before taking it is refused, with the reason, and changes nothing.
    refused = browser.post(f"{case_url}/act", {"action": "overturn", "note": "x"})
    assert refused.status_code == 409
    assert "take it into review first" in refused.text
    assert browser.post(f"{case_url}/act", {"action": "assign"}).status_code == 303
    assert "li" in browser.get(case_url).text
    done = browser.post(f"{case_url}/act", {"action": "overturn", "note": "词语误判"})
    assert done.status_code == 303
    assert case_state(store, case_id) == "decided"

    entity = browser.get("/console/entities/merchant/m1")
    assert "No sanction in force." in entity.text
    assert 'data-kind="lift"' in entity.text
    assert re.search(r'data-class="serious"><th>[^<]+</th><td class="num">6<', entity.text)
    rules = browser.get("/console/rules")
    assert re.search(r'data-rule="marked.block">.*?precision">0 %', rules.text, re.S)
    with store.reading() as session:
        assert session.get(SanctionRow, sanction_id).state == "lifted"
        assert -12 in session.scalars(select(PointsEntryRow.points)).all()


def test_htmx_steps_swap_the_case_panel_and_show_refusals_inline(
    app, store, registry, sign_in
) -> None:
    _, case_id = appeal_case(store, registry)
    add(store, "li", "reviewer")
    add(store, "wang", "reviewer")
    li, wang = sign_in("li"), sign_in("wang")
    url = f"/console/cases/{case_id}/act"

    def htmx(browser, action: str):  # type: ignore[no-untyped-def]
        return browser.client.post(
            url,
            data={"action": action},
            headers={"HX-Request": "true", "X-CSRF-Token": browser.csrf},
        )

    taken = htmx(li, "assign")
    assert taken.status_code == 200
    assert taken.text.lstrip().startswith('<section id="case"')
    assert "<html" not in taken.text
    assert 'data-state="in_review"' in taken.text and 'id="case-done"' in taken.text
    refused = htmx(wang, "confirm")  # li holds it
    assert refused.status_code == 200
    assert 'id="case-error"' in refused.text and "assigned to user:li" in refused.text
    assert case_state(store, case_id) == "in_review"


def test_a_merchant_appeals_its_sanction_from_its_own_page(app, store, registry, sign_in) -> None:
    sanction_id = suspended_m1(store, registry)
    add(store, "m1-owner", "merchant", ["merchant:m1"], locale="zh")
    merchant = sign_in("m1-owner")
    mine = merchant.get("/console/mine")
    assert f'data-sanction="{sanction_id}"' in mine.text
    assert 'action="/console/appeals"' in mine.text
    empty = merchant.post("/console/appeals", {"sanction_id": sanction_id, "reason": " "})
    assert empty.status_code == 409
    filed = merchant.post("/console/appeals", {"sanction_id": sanction_id, "reason": "误判"})
    assert filed.status_code == 303
    with store.reading() as session:
        case = session.scalars(select(CaseRow)).one()
    assert filed.headers["location"] == f"/console/entities/merchant/m1?appealed={case.id}"
    assert "申诉已提交" in merchant.get(filed.headers["location"]).text
    assert case.summary.startswith("user:m1-owner appeals live_suspension")
    again = merchant.post("/console/appeals", {"sanction_id": sanction_id, "reason": "再次"})
    assert again.status_code == 409
    assert "already under appeal" in again.text


def test_the_queues_list_the_most_urgent_first_and_filter_by_queue_and_state(
    app, store, registry, tmp_path, sign_in
) -> None:
    _, appeal_id = appeal_case(store, registry)  # priority 2, due in two days
    content_review = marker_registry(load_policy(write_policy(tmp_path, CONTENT_REVIEW)))
    run(store, content_review, live_segment("e9", "ls1", "st1", "加我 [[diversion]]"))
    with store.reading() as session:
        content_id = session.scalars(select(CaseRow.id).where(CaseRow.queue == "content")).one()
    add(store, "li", "reviewer")
    browser = sign_in("li")

    def listed(**params: str) -> list[int]:
        page = browser.get("/console/queues", params=params)
        return [int(n) for n in re.findall(r'<tr class="[^"]*" data-case="(\d+)"', page.text)]

    assert listed() == [appeal_id, content_id]
    assert listed(queue="content") == [content_id]
    assert listed(state="closed") == []
    summary = browser.get("/console/queues").text
    assert re.search(r'data-queue="content">.*?class="num overdue">1<', summary, re.S)
    # Both policy versions are seen in decisions; the marker policy is the active one.
    versions = browser.get("/console/policy").text
    assert 'data-version="t"' in versions and 'data-version="test-1"' in versions


# -- live, policy, rules, and the frame ------------------------------------------------


def test_live_sessions_at_risk_are_listed_and_refreshed_by_htmx(app, store, sign_in) -> None:
    with store.transaction() as session:
        session.add(
            LiveRiskRow(
                session_id="ls-hot",
                streamer_id="st7",
                score=80.0,
                updated_at=NOW - timedelta(seconds=120),
                shutdown_at=None,
            )
        )
    add(store, "li", "reviewer")
    browser = sign_in("li")
    page = browser.get("/console/live")
    assert 'hx-get="/console/live/rows"' in page.text and "every 5s" in page.text
    rows = browser.get("/console/live/rows")
    assert "<html" not in rows.text
    assert 'data-session="ls-hot"' in rows.text
    assert re.search(r'class="num score">40\.00<', rows.text)  # one half-life later


def test_policy_versions_and_rule_statistics(app, store, registry, sign_in) -> None:
    appeal_case(store, registry)
    add(store, "ann", "auditor")
    browser = sign_in("ann")
    page = browser.get("/console/policy")
    assert registry.policy.digest in page.text
    assert 'data-version="test-1"' in page.text
    rules = browser.get("/console/rules")
    for rule in registry.policy.rules:
        assert f'data-rule="{rule.id}"' in rules.text
    assert browser.get("/console/live").status_code == 200
    # An auditor reads; it does not work cases.
    assert 'action="/console/cases/' not in browser.get("/console/cases/1").text


def test_console_responses_carry_the_security_headers_and_htmx_is_served(app, store) -> None:
    client = TestClient(app)
    for url in ("/console/login", "/console/static/htmx.min.js", "/console/queues"):
        response = client.get(url, follow_redirects=False)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
    script = client.get("/console/static/htmx.min.js")
    assert script.status_code == 200 and script.text.startswith("var htmx=")
    # The API is left as it was.
    assert "content-security-policy" not in client.get("/v1/health").headers


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_every_page_renders_in_both_languages(app, store, registry, sign_in, locale) -> None:
    _, case_id = appeal_case(store, registry)
    add(store, "root", "admin", locale=locale)
    browser = sign_in("root")
    for url in (
        "/console/queues",
        "/console/queues?state=any",
        f"/console/cases/{case_id}",
        "/console/entities/merchant/m1",
        "/console/live",
        "/console/policy",
        "/console/rules",
        "/console/mine",
    ):
        page = browser.get(url)
        assert page.status_code == 200, url
        assert f'<html lang="{"zh-CN" if locale == "zh" else "en"}">' in page.text


def test_an_id_or_offset_no_store_can_hold_is_refused_not_a_server_error(
    app, store, sign_in
) -> None:  # type: ignore[no-untyped-def]
    add(store, "li", "reviewer")
    browser = sign_in("li")
    huge = "99999999999999999999"
    for url in (f"/console/cases/{huge}", f"/console/queues?offset={huge}"):
        assert browser.get(url).status_code == 422, url
    assert browser.post(f"/console/cases/{huge}/act", {"action": "assign"}).status_code == 422


def test_a_merchant_appeals_a_confirmed_case_from_its_page(app, store, sign_in, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.cases.test_confirm import HELD_FOR_REVIEW
    from tests.enforce.conftest import listing_published, marker_registry, write_policy
    from tests.factories import ingest
    from trustfair.cases import work
    from trustfair.policy.files import load_policy

    held = marker_registry(load_policy(write_policy(tmp_path, HELD_FOR_REVIEW, "held.yaml")))
    ingest(store, held, listing_published("e1", "l1", "m1", "加我 [[diversion:review]]"))
    with store.transaction() as session:
        [case], _ = work.list_cases(session, _staff())
        work.assign(session, case.id, "user:li", NOW)
        work.decide(session, case.id, "user:li", work.CONFIRM, "", NOW, held)
    add(store, "m1-owner", "merchant", ["merchant:m1"])
    merchant = sign_in("m1-owner")
    page = merchant.get(f"/console/cases/{case.id}")
    assert f'action="/console/cases/{case.id}/appeal"' in page.text
    assert "user:li" not in page.text  # the reviewer is "reviewer" to the merchant
    filed = merchant.post(f"/console/cases/{case.id}/appeal", {"reason": "那是客服电话"})
    assert filed.status_code == 303
    assert case_state(store, case.id) == "appealed"


def _staff():  # type: ignore[no-untyped-def]
    from trustfair.access.roles import PERMISSIONS, Principal, Role

    return Principal("user", "li", Role.REVIEWER, PERMISSIONS[Role.REVIEWER])
