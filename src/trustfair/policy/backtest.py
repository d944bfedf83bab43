"""Back-test a policy: replay the event log under the current policy and under a new
one, each into a scratch store of its own, and say what would have been different.

The live store is only read. Its events (up to the last one present when the
back-test starts) are exported in log order and ingested into two fresh SQLite
files by the same code that ingests live traffic (``ingest_lines`` → append →
detectors → policy → effects), so both replays see exactly what the live pipeline
would. Points, sanctions and every other state the policy consults are built from
the whole history; ``since`` only limits what is *compared*: decisions on events
that occurred from then on, points awarded and sanctions started from then on.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, true

from trustfair.enforce.sanctions import waiting_for_course_at
from trustfair.events.ingest import DEFAULT_BATCH_SIZE, Line, ingest_lines
from trustfair.pipeline.interfaces import Policy
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.policy.schema import SANCTION_KINDS
from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.export import export_records
from trustfair.store.models import DecisionRow, EventRow, PointsEntryRow, SanctionRow

SANCTION_SEVERITY = SANCTION_KINDS
"""Sanction kinds from mildest to harshest; an unknown kind ranks below them all."""

NO_DECISION = "none"
"""The 'verdict' of an event that one policy decided and the other did not."""

ENVELOPE_KEYS = ("event_id", "type", "occurred_at", "source", "payload")

NAME_FIELDS = {
    "merchant": ("shop_name", ("merchant.registered", "merchant.updated")),
    "streamer": ("nickname", ("streamer.registered", "streamer.updated")),
}
"""Where an entity's display name is found in the event log."""


class BacktestError(RuntimeError):
    """The back-test could not be run (a replayed event was refused, say)."""


def severity(kind: str) -> int:
    return SANCTION_SEVERITY.index(kind) + 1 if kind in SANCTION_SEVERITY else 0


def _by_severity(kinds: list[str]) -> list[str]:
    return sorted(kinds, key=lambda k: (severity(k), k))


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


@dataclass(frozen=True)
class EntityOutcome:
    """What one entity ended up with in one replay (within the compared window)."""

    points: int = 0
    """Net points awarded: awards minus reversals."""
    sanctions: tuple[str, ...] = ()
    """Kinds of the sanctions issued and not lifted, mildest first."""
    in_force: tuple[str, ...] = ()
    """Of those, the kinds still running when the replayed log ends."""

    def strictness(self) -> tuple[int, int, int]:
        return (max(map(severity, self.sanctions), default=-1), len(self.sanctions), self.points)

    def to_record(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "sanctions": list(self.sanctions),
            "in_force": list(self.in_force),
        }


def compare_outcomes(current: EntityOutcome, new: EntityOutcome) -> str | None:
    """``more``, ``less`` or ``differently`` sanctioned under the new policy; None if same.

    Strictness is compared as (harshest sanction, number of sanctions, points): the
    new policy is harsher (``more``) if no part is lower and one is higher, milder
    (``less``) the other way round, and ``differently`` when the parts disagree or
    the same strictness comes from other sanctions.
    """
    if current == new:
        return None
    a, b = current.strictness(), new.strictness()
    if a == b:
        return "differently"
    if all(y >= x for x, y in zip(a, b, strict=True)):
        return "more"
    if all(y <= x for x, y in zip(a, b, strict=True)):
        return "less"
    return "differently"


@dataclass
class Replay:
    """One scratch store after the log was replayed into it under one policy."""

    policy_version: str
    store: Store
    rejected: int


@dataclass
class BacktestReport:
    current_version: str
    new_version: str
    events_replayed: int
    period: tuple[datetime | None, datetime | None]
    since: datetime | None
    verdicts: dict[str, dict[str, int]]
    compared_events: int
    transitions: list[dict[str, Any]]
    rules: dict[str, dict[str, int]]
    points_awarded: dict[str, int]
    sanctions_by_kind: dict[str, dict[str, int]]
    entities: dict[str, dict[str, Any]]
    new_policy_file: str | None = None
    scratch: dict[str, str] = field(default_factory=dict)

    @property
    def changed_decisions(self) -> int:
        return sum(t["count"] for t in self.transitions)

    def to_record(self) -> dict[str, Any]:
        return {
            "policies": {
                "current": {"version": self.current_version},
                "new": {"version": self.new_version, "file": self.new_policy_file},
            },
            "events_replayed": self.events_replayed,
            "period": {"from": _time(self.period[0]), "to": _time(self.period[1])},
            "compared_from": _time(self.since),
            "decisions": {
                "compared_events": self.compared_events,
                "by_verdict": self.verdicts,
                "changed": self.changed_decisions,
                "transitions": self.transitions,
                "rules_fired": self.rules,
            },
            "points_awarded": self.points_awarded,
            "sanctions_by_kind": self.sanctions_by_kind,
            "entities": self.entities,
            **({"scratch": self.scratch} if self.scratch else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_record(), ensure_ascii=False, indent=2)


# -- replaying ----------------------------------------------------------------------


def last_seq(live: Store) -> int:
    with live.reading() as session:
        return session.scalar(select(func.coalesce(func.max(EventRow.seq), 0))) or 0


def log_lines(live: Store, up_to_seq: int) -> Iterator[Line]:
    """The live log up to ``up_to_seq``, in log order, as the lines ingestion reads.

    They are the records of ``trustfair export events``: what ingestion takes back.
    """
    for number, record in enumerate(export_records(live, "event_log"), start=1):
        if record["seq"] > up_to_seq:
            break
        raw = json.dumps(
            {key: record[key] for key in ENVELOPE_KEYS}, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
        yield Line(number, raw, len(raw))


def replay(
    live: Store,
    registry: Registry,
    scratch_path: Path,
    *,
    up_to_seq: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_event: Callable[[], Any] | None = None,
) -> Replay:
    """A fresh SQLite store at ``scratch_path`` holding the live log replayed under
    ``registry`` (its policy, detectors and effects)."""
    scratch = Store.open(f"sqlite:///{scratch_path}")
    lines = log_lines(live, up_to_seq)
    if on_event is not None:
        lines = _counting(lines, on_event)
    rejected: list[str] = []
    result = ingest_lines(
        scratch,
        registry,
        lines,
        source_name=f"backtest of policy {registry.policy.version}",
        on_reject=lambda r: rejected.append(f"line {r.line}: {r.reason}"),
        batch_size=batch_size,
    )
    if rejected:
        raise BacktestError(
            f"{len(rejected)} stored event(s) no longer validate and cannot be replayed;"
            f" first: {rejected[0]}"
        )
    return Replay(registry.policy.version, scratch, result.rejected)


def _counting(lines: Iterator[Line], tick: Callable[[], Any]) -> Iterator[Line]:
    for line in lines:
        tick()
        yield line


# -- comparing ----------------------------------------------------------------------


def _verdicts_by_event(store: Store, since: datetime | None) -> dict[str, tuple[int, str]]:
    """event_id → (seq in the replay, verdict) of every decision compared."""
    # The pipeline's decisions only: a reviewer's confirmation is not the policy's to
    # replay (it would be a second verdict for one event).
    query = (
        select(EventRow.event_id, EventRow.seq, DecisionRow.verdict)
        .join(EventRow, EventRow.seq == DecisionRow.event_seq)
        .where(DecisionRow.confirmed_by.is_(None))
    )
    if since is not None:
        query = query.where(DecisionRow.decided_at >= since)
    with store.reading() as session:
        rows = session.execute(query.execution_options(yield_per=10_000))
        return {event_id: (seq, verdict) for event_id, seq, verdict in rows}


def _rule_hits(store: Store, since: datetime | None) -> Counter[str]:
    """How often each rule fired in the decisions compared; a shadow rule, which
    records what it would have done and does nothing, is counted as ``rule (shadow)``."""
    query = select(DecisionRow.reasons).where(DecisionRow.confirmed_by.is_(None))
    if since is not None:
        query = query.where(DecisionRow.decided_at >= since)
    hits: Counter[str] = Counter()
    with store.reading() as session:
        for reasons in session.scalars(query.execution_options(yield_per=10_000)):
            for hit in reasons:
                hits[f"{hit['rule']} (shadow)" if hit.get("shadow") else hit["rule"]] += 1
    return hits


def _entity_outcomes(
    store: Store, since: datetime | None, end: datetime | None
) -> dict[tuple[str, str], EntityOutcome]:
    points_query = select(
        PointsEntryRow.entity_type, PointsEntryRow.entity_id, func.sum(PointsEntryRow.points)
    ).group_by(PointsEntryRow.entity_type, PointsEntryRow.entity_id)
    # In force at the end as every reader decides it (a sanction waiting for a course
    # runs past its days); with no end, every sanction not lifted runs.
    running_now = (
        or_(SanctionRow.ends_at.is_(None), SanctionRow.ends_at > end, waiting_for_course_at(end))
        if end is not None
        else true()
    )
    sanctions_query = select(
        SanctionRow.entity_type, SanctionRow.entity_id, SanctionRow.kind, running_now
    ).where(SanctionRow.state != "lifted")
    if since is not None:
        points_query = points_query.where(PointsEntryRow.at >= since)
        sanctions_query = sanctions_query.where(SanctionRow.starts_at >= since)
    points: dict[tuple[str, str], int] = {}
    kinds: dict[tuple[str, str], list[str]] = {}
    running: dict[tuple[str, str], list[str]] = {}
    with store.reading() as session:
        for entity_type, entity_id, total in session.execute(points_query):
            points[(entity_type, entity_id)] = int(total or 0)
        for entity_type, entity_id, kind, in_force in session.execute(sanctions_query):
            key = (entity_type, entity_id)
            kinds.setdefault(key, []).append(kind)
            if in_force:
                running.setdefault(key, []).append(kind)
    return {
        key: EntityOutcome(
            points=points.get(key, 0),
            sanctions=tuple(_by_severity(kinds.get(key, []))),
            in_force=tuple(_by_severity(running.get(key, []))),
        )
        for key in points.keys() | kinds.keys()
    }


def _sanctions_by_kind(store: Store, since: datetime | None) -> Counter[str]:
    query = select(SanctionRow.kind, func.count()).where(SanctionRow.state != "lifted")
    if since is not None:
        query = query.where(SanctionRow.starts_at >= since)
    with store.reading() as session:
        rows = session.execute(query.group_by(SanctionRow.kind))
        return Counter({kind: int(count) for kind, count in rows})


def _points_awarded(store: Store, since: datetime | None) -> int:
    query = select(func.coalesce(func.sum(PointsEntryRow.points), 0))
    if since is not None:
        query = query.where(PointsEntryRow.at >= since)
    with store.reading() as session:
        return int(session.scalar(query) or 0)


def entity_names(live: Store, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Display names (shop name, nickname) of entities, as last sent in the live log."""
    names: dict[tuple[str, str], str] = {}
    with live.reading() as session:
        for entity_type, (name_field, types) in NAME_FIELDS.items():
            ids = [entity_id for kind, entity_id in keys if kind == entity_type]
            for start in range(0, len(ids), 500):
                rows = session.execute(
                    select(EventRow.subject_id, EventRow.payload)
                    .where(
                        EventRow.type.in_(types),
                        EventRow.subject_type == entity_type,
                        EventRow.subject_id.in_(ids[start : start + 500]),
                    )
                    .order_by(EventRow.seq)
                )
                for entity_id, payload in rows:
                    if payload.get(name_field):
                        names[(entity_type, entity_id)] = payload[name_field]
    return names


def compare(
    live: Store,
    current: Replay,
    new: Replay,
    *,
    up_to_seq: int,
    since: datetime | None,
    top: int,
) -> BacktestReport:
    with live.reading() as session:
        events_replayed, first, last = session.execute(
            select(func.count(), func.min(EventRow.occurred_at), func.max(EventRow.occurred_at))
            .select_from(EventRow)
            .where(EventRow.seq <= up_to_seq)
        ).one()
        compared_query = select(func.count()).where(EventRow.seq <= up_to_seq)
        if since is not None:
            compared_query = compared_query.where(EventRow.occurred_at >= since)
        compared_events = session.scalar(compared_query) or 0

    before, after = _verdicts_by_event(current.store, since), _verdicts_by_event(new.store, since)
    verdict_counts = {
        "current": Counter(verdict for _, verdict in before.values()),
        "new": Counter(verdict for _, verdict in after.values()),
    }
    verdicts = {
        verdict: {side: verdict_counts[side][verdict] for side in ("current", "new")}
        for verdict in sorted(verdict_counts["current"].keys() | verdict_counts["new"].keys())
    }
    changes: dict[tuple[str, str], list[str]] = {}
    # Both scratch stores took the log in the same order into fresh tables, so an
    # event has the same seq in each: examples come in log order.
    in_log_order = sorted(
        before.keys() | after.keys(), key=lambda e: (before.get(e) or after[e])[0]
    )
    for event_id in in_log_order:
        was = before[event_id][1] if event_id in before else NO_DECISION
        now = after[event_id][1] if event_id in after else NO_DECISION
        if was != now:
            changes.setdefault((was, now), []).append(event_id)
    transitions = [
        {"from": was, "to": now, "count": len(ids), "examples": ids[:top]}
        for (was, now), ids in sorted(changes.items(), key=lambda item: (-len(item[1]), item[0]))
    ]

    rules_before, rules_after = _rule_hits(current.store, since), _rule_hits(new.store, since)
    rules = {
        rule: {"current": rules_before[rule], "new": rules_after[rule]}
        for rule in sorted(rules_before.keys() | rules_after.keys())
    }

    kinds_before, kinds_after = (
        _sanctions_by_kind(current.store, since),
        _sanctions_by_kind(new.store, since),
    )
    sanctions_by_kind = {
        kind: {"current": kinds_before[kind], "new": kinds_after[kind]}
        for kind in _by_severity(list(kinds_before.keys() | kinds_after.keys()))
    }

    outcomes_before = _entity_outcomes(current.store, since, last)
    outcomes_after = _entity_outcomes(new.store, since, last)
    groups: dict[str, list[tuple[tuple[str, str], EntityOutcome, EntityOutcome]]] = {
        "more": [],
        "less": [],
        "differently": [],
    }
    for key in sorted(outcomes_before.keys() | outcomes_after.keys()):
        was = outcomes_before.get(key, EntityOutcome())
        now = outcomes_after.get(key, EntityOutcome())
        change = compare_outcomes(was, now)
        if change is not None:
            groups[change].append((key, was, now))
    for found in groups.values():
        # The biggest differences first, so the first N names are the ones that matter.
        found.sort(
            key=lambda item: (
                -abs(severity_gap(item[1], item[2])),
                -abs(item[2].points - item[1].points),
                item[0],
            )
        )
    shown = [key for found in groups.values() for key, _, _ in found[:top]]
    names = entity_names(live, shown)
    entities = {
        change: {
            "count": len(found),
            "by_type": dict(sorted(Counter(key[0] for key, _, _ in found).items())),
            "first": [
                {
                    "type": key[0],
                    "id": key[1],
                    "name": names.get(key),
                    "current": was.to_record(),
                    "new": now.to_record(),
                }
                for key, was, now in found[:top]
            ],
        }
        for change, found in groups.items()
    }
    return BacktestReport(
        current_version=current.policy_version,
        new_version=new.policy_version,
        events_replayed=int(events_replayed),
        period=(first, last),
        since=since,
        verdicts=verdicts,
        compared_events=int(compared_events),
        transitions=transitions,
        rules=rules,
        points_awarded={
            "current": _points_awarded(current.store, since),
            "new": _points_awarded(new.store, since),
        },
        sanctions_by_kind=sanctions_by_kind,
        entities=entities,
    )


def severity_gap(was: EntityOutcome, now: EntityOutcome) -> int:
    return max(map(severity, now.sanctions), default=0) - max(
        map(severity, was.sanctions), default=0
    )


# -- the whole back-test -------------------------------------------------------------


RegistryFactory = Callable[[Policy], Registry]


def current_live_policy(settings: Settings) -> Policy:
    """The policy the live pipeline runs: the file TRUSTFAIR_POLICY names (the bundled
    default if none), as ``build_registry`` picks it."""
    return build_registry(settings).policy


def backtest(
    live: Store,
    new_policy: Policy,
    *,
    current_policy: Policy | None = None,
    settings: Settings | None = None,
    since: datetime | None = None,
    top: int = 10,
    batch_size: int = DEFAULT_BATCH_SIZE,
    make_registry: RegistryFactory | None = None,
    scratch_dir: Path | None = None,
    on_event: Callable[[str], Any] | None = None,
) -> BacktestReport:
    """Replay ``live``'s log under the current policy and under ``new_policy``, each in
    a scratch store, and compare them (see the module docstring).

    ``current_policy`` defaults to the policy the live pipeline runs
    (``build_registry(settings)``'s). ``make_registry`` builds the pipeline for a
    policy (default: every registered detector and effect). The scratch stores go in
    ``scratch_dir`` when given (and are kept there), else in a temporary directory
    removed afterwards. ``on_event(side)`` is called once per event replayed.
    """
    settings = settings or Settings.from_env()
    if since is not None and since.tzinfo is None:
        raise ValueError("since must be an aware datetime")
    if make_registry is None:

        def make_registry(policy: Policy) -> Registry:
            return build_registry(settings, policy=policy)

    if current_policy is None:
        current_policy = current_live_policy(settings)
    current_registry, new_registry = make_registry(current_policy), make_registry(new_policy)
    up_to_seq = last_seq(live)

    with tempfile.TemporaryDirectory(prefix="trustfair-backtest-") as temporary:
        directory = Path(scratch_dir or temporary)
        directory.mkdir(parents=True, exist_ok=True)
        replays = []
        for side, registry in (("current", current_registry), ("new", new_registry)):
            path = directory / f"{side}.db"
            if path.exists():
                raise BacktestError(f"{path} exists; a back-test needs a fresh scratch store")
            tick = (lambda side=side: on_event(side)) if on_event else None
            replays.append(
                replay(
                    live,
                    registry,
                    path,
                    up_to_seq=up_to_seq,
                    batch_size=batch_size,
                    on_event=tick,
                )
            )
        try:
            report = compare(
                live, replays[0], replays[1], up_to_seq=up_to_seq, since=since, top=top
            )
        finally:
            for item in replays:
                item.store.close()
        if scratch_dir is not None:
            report.scratch = {
                "current": str(directory / "current.db"),
                "new": str(directory / "new.db"),
            }
    return report


def utc(value: datetime) -> datetime:
    """``value`` as an aware UTC time; a naive one is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
