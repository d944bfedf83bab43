"""Roles, the permissions each grants, and the principals that hold them.

One table says what each role may do; endpoints ask for a permission, never for a
role, so a new role is one line here. Roles that act for a party (merchant, brand)
see only what that party owns: ``Principal.may_see`` is the ownership check every
endpoint that returns a party's records makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from trustfair.events.payload import EntityRef


class Role(StrEnum):
    ADMIN = "admin"
    POLICY_EDITOR = "policy_editor"
    REVIEWER = "reviewer"
    BRAND = "brand"
    MERCHANT = "merchant"
    CUSTOMER_SERVICE = "customer_service"
    AUDITOR = "auditor"
    SERVICE = "service"
    """A marketplace system that sends events and asks for decisions (API keys only)."""


class Permission(StrEnum):
    EVENTS_WRITE = "events:write"
    MODERATE = "moderate"
    RESTRICTIONS_READ = "restrictions:read"
    ENTITIES_READ = "entities:read"
    DECISIONS_READ = "decisions:read"
    CASES_READ = "cases:read"
    CASES_WORK = "cases:work"
    APPEALS_FILE = "appeals:file"
    APPEALS_DECIDE = "appeals:decide"
    POLICY_READ = "policy:read"
    RULES_READ = "rules:read"
    REPORTS_READ = "reports:read"
    WEBHOOKS_READ = "webhooks:read"
    USERS_MANAGE = "users:manage"
    CLAIMS_READ = "claims:read"
    CLAIMS_FILE = "claims:file"
    CLAIMS_DECIDE = "claims:decide"
    DEPOSITS_WRITE = "deposits:write"
    """Record a merchant's deposit payment, and settlements the fund recovers from."""
    FUND_CONTRIBUTE = "fund:contribute"
    LEDGER_READ = "ledger:read"
    GUARANTEES_WRITE = "guarantees:write"
    """Opt a shop or listing into a guarantee (a merchant, for its own shop)."""
    LEDGER_CORRECT = "ledger:correct"
    """Reverse a posting (a correction is a reversing entry, never an edit)."""
    RIGHTS_APPLY = "rights:apply"
    """Apply as a rights holder, upload documents, claim rights (a brand, for itself)."""
    RIGHTS_CERTIFY = "rights:certify"
    """Certify or reject a rights holder or one of its rights."""
    BRAND_READ = "brand:read"
    """Rights holders, rights, banks, brand checks and complaints (a brand: its own)."""
    BANK_WRITE = "bank:write"
    """Add, disable or clear entries of a brand's counterfeit feature bank."""
    IMAGES_WRITE = "images:write"
    """Upload a picture to be described by its local hashes (listings, banks, evidence)."""
    COMPLAINTS_FILE = "complaints:file"
    """File a notice against a listing, and show the authorities' or a court's action."""
    COMPLAINTS_ANSWER = "complaints:answer"
    """Declare non-infringement against a notice (a merchant, for its own listing)."""
    COMPLAINTS_DECIDE = "complaints:decide"
    """Reject a notice without prima facie evidence, or find one malicious."""
    CALLBACKS_READ = "callbacks:read"
    """See the call-back list of hurt users, with their experiences (personal data)."""
    CALLBACKS_WORK = "callbacks:work"
    """Log a call to a listed user and mark their problem resolved."""
    TICKETS_READ = "tickets:read"
    """Users' tickets and voices, their problems and SLAs, and the diagnosis (staff)."""
    COURSES_READ = "courses:read"
    """The rule courses, and enrolments and exam results (a merchant: its own)."""
    COURSES_TAKE = "courses:take"
    """Enrol, take a course's exam and rate the course (a merchant, for itself)."""
    URGES_ACK = "urges:ack"
    """Acknowledge an urge about orders at risk (a merchant, its own)."""


P = Permission
_READ_ALL = {P.ENTITIES_READ, P.RESTRICTIONS_READ, P.DECISIONS_READ, P.CASES_READ}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.POLICY_EDITOR: frozenset(
        {*_READ_ALL, P.POLICY_READ, P.RULES_READ, P.REPORTS_READ, P.COURSES_READ}
    ),
    Role.REVIEWER: frozenset(
        {
            *_READ_ALL,
            P.CASES_WORK,
            P.APPEALS_DECIDE,
            P.MODERATE,
            P.POLICY_READ,
            P.RULES_READ,
            P.CLAIMS_READ,
            P.CLAIMS_DECIDE,
            P.RIGHTS_CERTIFY,
            P.BRAND_READ,
            P.BANK_WRITE,
            P.COMPLAINTS_DECIDE,
            P.CALLBACKS_READ,
            P.TICKETS_READ,
            P.COURSES_READ,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            *_READ_ALL,
            P.POLICY_READ,
            P.RULES_READ,
            P.REPORTS_READ,
            P.WEBHOOKS_READ,
            P.CLAIMS_READ,
            P.LEDGER_READ,
            P.BRAND_READ,
            P.CALLBACKS_READ,
            P.TICKETS_READ,
            P.COURSES_READ,
        }
    ),
    Role.CUSTOMER_SERVICE: frozenset(
        {
            *_READ_ALL,
            P.MODERATE,
            P.APPEALS_FILE,
            P.CLAIMS_READ,
            P.CLAIMS_FILE,
            P.CALLBACKS_READ,
            P.CALLBACKS_WORK,
            P.TICKETS_READ,
            P.COURSES_READ,
        }
    ),
    # A party's own records only (see Principal.may_see).
    Role.MERCHANT: frozenset(
        {
            *_READ_ALL,
            P.APPEALS_FILE,
            P.CLAIMS_READ,
            P.GUARANTEES_WRITE,
            P.BRAND_READ,
            P.COMPLAINTS_ANSWER,
            P.COURSES_READ,
            P.COURSES_TAKE,
            P.URGES_ACK,
        }
    ),
    Role.BRAND: frozenset(
        {
            P.CASES_READ,
            P.RIGHTS_APPLY,
            P.BRAND_READ,
            P.BANK_WRITE,
            P.IMAGES_WRITE,
            P.COMPLAINTS_FILE,
        }
    ),
    Role.SERVICE: frozenset(
        {
            P.EVENTS_WRITE,
            P.MODERATE,
            P.RESTRICTIONS_READ,
            P.CLAIMS_FILE,
            P.DEPOSITS_WRITE,
            P.IMAGES_WRITE,
        }
    ),
}

PARTY_ROLES = frozenset({Role.MERCHANT, Role.BRAND})
"""Roles that see only what the principal owns."""

USER_ROLES = frozenset(Role) - {Role.SERVICE}
"""Roles a person can have (a service signs in with a key, never a password)."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user (console session) or a service (API key)."""

    kind: str
    """``user`` or ``key``."""
    name: str
    role: Role
    permissions: frozenset[Permission]
    owns: frozenset[EntityRef] = field(default_factory=frozenset)
    """The parties a merchant or brand principal acts for (merchants, streamers, brands)."""
    session_id: int | None = None
    csrf_token: str | None = None

    @property
    def actor(self) -> str:
        """How the principal is named in audit timelines."""
        return f"{self.kind}:{self.name}"

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def sees_everything(self) -> bool:
        return self.role not in PARTY_ROLES

    def may_see(self, party: EntityRef | None) -> bool:
        """Whether the records of ``party`` may be shown to this principal."""
        if self.sees_everything:
            return True
        return party is not None and party in self.owns


def parse_owned(texts: list[str]) -> frozenset[EntityRef]:
    """``merchant:m1`` → EntityRef("merchant", "m1"); ValueError naming a bad one."""
    owned = set()
    for text in texts:
        kind, _, ident = text.partition(":")
        if kind not in ("merchant", "streamer", "brand") or not ident.strip():
            raise ValueError(f"{text!r}: an owned party is merchant:ID, streamer:ID or brand:ID")
        owned.add(EntityRef(kind, ident.strip()))
    return frozenset(owned)


# -- what a party is shown of the platform's own work -----------------------------------


def shown_actor(actor: str | None, principal: Principal) -> str | None:
    """Who took a step, as ``principal`` may see it: staff see names; a party sees its
    own steps as they are and the platform's as "reviewer", "service" or "system"."""
    if actor is None or principal.sees_everything or actor == principal.actor:
        return actor
    kind = actor.partition(":")[0]
    return {"user": "reviewer", "key": "service"}.get(kind, "system")


def shown_reasons(reasons: list[dict] | None, principal: Principal) -> list[dict]:
    """A decision's reasons as ``principal`` may see them: a party is not shown the
    shadow rules (trial rules, and what they would have done)."""
    if principal.sees_everything:
        return list(reasons or [])
    return [r for r in reasons or [] if not r.get("shadow")]
