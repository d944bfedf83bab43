"""Two small policy files for tests of the back-test, the exports and the report.

Both punish text the engine blocks outright with points for its violation, warn a
merchant at 4 points and ban at 18, open a case on a burst of reports on a live
session and send the marketplace a ``live.shutdown`` command. The lenient one awards
2 points and only holds the rest of flagged text for review; the strict one awards 6
and blocks, and punishes, everything flagged.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.factories import T0, jsonl, listing_published, merchant_registered, report_on_live
from trustfair.policy.files import FilePolicy, load_policy
from trustfair.store.database import Store

LABELS = (
    "extreme_claim",
    "exaggeration",
    "diversion",
    "staged_drama",
    "medical_claim",
    "price_fraud",
    "counterfeit_hint",
    "spam_porn",
)

POLICY = """\
version: "{version}"
description: a test policy
violations:
{violations}
nodes:
  general:
    - points: 4
      sanctions: [{{kind: warning}}]
    - points: 18
      sanctions: [{{kind: ban}}]
appeals:
  within_days: 7
  how: appeal in the merchant console
rules:
  - id: text.block
    priority: 50
    when:
      signal: {{detector: text, severity: block, min_score: 0.8}}
    verdict: block
    actions:
      - kind: points
  - id: text.review
    when:
      signal: {{detector: text}}
    verdict: {review_verdict}
    actions: {review_actions}
  - id: live.report_burst
    when:
      signal:
        detector: live_reports
        labels: [live_report_burst]
        evidence_at_least: {{reports: 5}}
    verdict: review
    actions:
      - kind: open_case
        params: {{kind: live_report_burst, queue: live, priority: 1, sla_minutes: 60}}
      - kind: send_command
        params: {{topic: live.shutdown}}
"""


def policy_text(version: str, points: int, punish_review: bool) -> str:
    violations = "\n".join(
        f"  {label}:\n    class: general\n    points: {points}" for label in LABELS
    )
    return POLICY.format(
        version=version,
        violations=violations,
        review_verdict="block" if punish_review else "review",
        review_actions="[{kind: points}]" if punish_review else "[]",
    )


def write_policies(directory: Path) -> tuple[Path, Path]:
    """(lenient.yaml, strict.yaml) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    lenient, strict = directory / "lenient.yaml", directory / "strict.yaml"
    lenient.write_text(policy_text("lenient-1", 2, punish_review=False), encoding="utf-8")
    strict.write_text(policy_text("strict-1", 6, punish_review=True), encoding="utf-8")
    return lenient, strict


def policies(directory: Path) -> tuple[FilePolicy, FilePolicy]:
    lenient, strict = write_policies(directory)
    return load_policy(lenient), load_policy(strict)


DAY = timedelta(days=1)


def marketplace() -> bytes:
    """Three merchants: m1 breaks rules early and late, m2 once with a sob story (a
    review, not a block), m3 never. Plus a burst of reports on a live session."""
    return jsonl(
        merchant_registered("m1", "甲记服饰", T0 - DAY),
        merchant_registered("m2", "乙家小店", T0 - DAY),
        merchant_registered("m3", "丙丙优选", T0 - DAY),
        listing_published("l1", "m1", "全网最低价 纯棉T恤", T0),
        listing_published("l2", "m1", "加我微信 abc12345 私下交易更便宜", T0 + DAY),
        listing_published("l3", "m3", "纯棉T恤 舒适透气", T0 + DAY),
        listing_published("l4", "m2", "老板破产了，含泪甩卖，家里孩子等着交学费", T0 + 6 * DAY),
        listing_published("l5", "m1", "史上最好用的面膜", T0 + 7 * DAY),
        *(report_on_live(f"rep{i}", "s1", T0 + 8 * DAY + timedelta(minutes=i)) for i in range(5)),
    )


APPEAL_NOTE = "a real closing-down sale"


def overturn_and_shut_down(store: Store) -> None:
    """m2 appeals its warning and a reviewer overturns it (the real appeal code:
    points reversed, sanction lifted); live session s1's risk row records the
    shutdown, as the live-risk effect will (it is not on main yet)."""
    from sqlalchemy import select

    from trustfair.enforce.appeals import OVERTURN, decide_appeal, file_appeal
    from trustfair.store.models import LiveRiskRow, SanctionRow

    at = T0 + 9 * DAY
    with store.transaction() as session:
        warning = session.scalars(select(SanctionRow).where(SanctionRow.entity_id == "m2")).one()
        case_id = file_appeal(session, warning.id, "merchant:m2", "we really are closing", at)
        decide_appeal(session, case_id, "reviewer:ann", OVERTURN, APPEAL_NOTE, at)
        session.add(
            LiveRiskRow(session_id="s1", streamer_id="t1", score=9.5, updated_at=at, shutdown_at=at)
        )
