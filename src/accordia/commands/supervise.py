"""``accordia supervise``: the regulator's workbench — rules, scan, findings, risk, the draw.

The CLI acts as the local administrator (regulator role). Usage errors exit with 64.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

EX_USAGE = 64

supervise = typer.Typer(
    name="supervise",
    help="Supervision: rules, scan, findings, risk, 'double random' draws, sanctions, complaints, "
    "inspections.",
    no_args_is_help=True,
)


def _engine() -> Any:
    from accordia.db.session import default_engine

    return default_engine()


def _out(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EX_USAGE)


@supervise.command("rules")
def rules_cmd(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """The built-in rules: id, severity, title, legal basis, parameters."""
    from accordia.domain.supervision.rules import RULES

    if as_json:
        _out([r.as_dict() for r in RULES.values()])
        return
    for r in RULES.values():
        typer.echo(f"{r.id:26} {r.severity.value:8} {r.title.en}")
        typer.echo(f"{'':26} {'':8} {r.title.zh}")
        typer.echo(f"{'':26} {'':8} basis: {r.basis.en}")
        if r.parameters:
            typer.echo(f"{'':26} {'':8} parameters: {dict(r.parameters)}")


@supervise.command("scan")
def scan_cmd(
    on: dt.datetime | None = typer.Option(
        None, "--on", formats=["%Y-%m-%d"], help="Scan as of this date (default today)."
    ),
    batch: int = typer.Option(5000, help="Certificates per batch."),
    exhaustive: bool = typer.Option(
        False,
        "--exhaustive",
        help="Judge every certificate in Python (no SQL pre-filters): the same findings, slower.",
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Run every rule over every certificate and body; store the findings (a new run
    supersedes the previous one). SQL pre-filters pick the certificates that could break a
    rule; the rules themselves judge them (docs/supervision-scan.md)."""
    from accordia.services.supervision import scan

    day = on.date() if on else dt.datetime.now(dt.UTC).date()
    if batch < 1:
        _fail("--batch must be at least 1")
    summary = scan(_engine(), day, batch=batch, full=exhaustive)
    if as_json:
        _out(summary.as_dict())
        return
    typer.echo(
        f"scan run {summary.run_id} on {day}: {summary.certificates} certificates, "
        f"{summary.findings} findings in {summary.seconds:.2f} s "
        f"({summary.candidates} judged in Python)"
    )
    for rule, n in sorted(summary.by_rule.items()):
        typer.echo(f"  {rule:26} {n}")


@supervise.command("findings")
def findings_cmd(
    rule: str | None = typer.Option(None, help="Only this rule id."),
    cab: str | None = typer.Option(None, help="Only this CAB (registration number)."),
    limit: int = typer.Option(200, help="At most this many (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
    lang: str = typer.Option("en", help="Language of the messages: zh or en."),
) -> None:
    """Findings of the latest scan run, with their evidence (--json)."""
    from accordia.domain.supervision.rules import RULES
    from accordia.services.supervision import findings

    if rule and rule not in RULES:
        _fail(f"unknown rule {rule!r}; see `accordia supervise rules`")
    rows = findings(_engine(), rule=rule, cab=cab, limit=limit or None)
    if as_json:
        _out(rows)
        return
    key = "zh" if lang.startswith("zh") else "en"
    for f in rows:
        typer.echo(f"{f['rule']:26} {f['severity']:8} {f['cab']:16} {f['subject']}")
        typer.echo(f"{'':26} {f['message'][key]}")
    typer.echo(f"{len(rows)} finding(s)")


@supervise.command("risk")
def risk_cmd(
    on: dt.datetime | None = typer.Option(None, "--on", formats=["%Y-%m-%d"]),
    top: int = typer.Option(20, help="Show the riskiest N bodies (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Risk score per body (findings by severity, complaints, sanctions), explained."""
    from accordia.services.supervision import risk_scores

    day = on.date() if on else dt.datetime.now(dt.UTC).date()
    scores = risk_scores(_engine(), day)
    if top:
        scores = scores[:top]
    if as_json:
        _out([s.as_dict() for s in scores])
        return
    for s in scores:
        typer.echo(f"{s.body:16} {s.score:4} {s.band:6} weight {s.weight:g}")
        for c in s.components:
            typer.echo(f"{'':16} +{c.points:<3} {c.explanation.en}")


@supervise.command("items")
def items_cmd(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """The published list of inspection items ("one list")."""
    from accordia.services.supervision import ensure_items

    items = ensure_items(_engine())
    if as_json:
        _out(items)
        return
    for i in items:
        typer.echo(f"{i['code']:26} {i['title']['en']} / {i['title']['zh']}")


@supervise.command("inspector-add")
def inspector_add(
    code: str = typer.Argument(..., help="Inspector code (public identifier)."),
    specialty: list[str] = typer.Option(..., help="CAB kind inspected (ms_cb, product_cb ...)."),
    region: str = typer.Option("", help="Region."),
    past_employer: list[str] = typer.Option([], help="CAB registration number worked for."),
    name_en: str | None = typer.Option(None),
    name_zh: str | None = typer.Option(None),
) -> None:
    """Add an inspector to the directory."""
    from accordia.services.supervision import add_inspector

    add_inspector(_engine(), code, specialty, region, past_employer, name_zh, name_en)
    typer.echo(f"inspector {code} added")


@supervise.command("inspectors")
def inspectors_cmd(
    on: dt.datetime | None = typer.Option(None, "--on", formats=["%Y-%m-%d"]),
) -> None:
    """The two directories as a draw would snapshot them (targets with weights, inspectors)."""
    from accordia.domain.supervision.draw import directory
    from accordia.services.supervision import directories

    day = on.date() if on else dt.datetime.now(dt.UTC).date()
    _out(directory(*directories(_engine(), day)))


@supervise.command("draw")
def draw_cmd(
    ratio: float | None = typer.Option(None, help="Share of targets to draw (0–1)."),
    seed_commit: bool = typer.Option(
        False, "--seed-commit", help="Step 1: snapshot the directories, publish SHA-256(seed)."
    ),
    per_target: int = typer.Option(2, help="Inspectors per target (at least 2 by practice)."),
    seed: str | None = typer.Option(
        None, help="With --seed-commit: use this seed instead of a fresh secret one."
    ),
    reveal: str | None = typer.Option(None, "--reveal", help="Step 2: reveal SEED and draw."),
    draw_id: str | None = typer.Option(None, "--draw", help="The draw to reveal (default: last)."),
    verify: str | None = typer.Option(None, "--verify", help="Step 3: re-run DRAW_ID."),
    on: dt.datetime | None = typer.Option(None, "--on", formats=["%Y-%m-%d"]),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """'Double random, one public': commit, reveal, verify.

    \b
    accordia supervise draw --ratio 0.1 --seed-commit     # prints the draw id, commitment, seed
    accordia supervise draw --reveal SEED [--draw ID]     # performs and publishes the draw
    accordia supervise draw --verify ID --seed SEED       # anyone: re-run and compare
    """
    from accordia.services import supervision as sv

    engine = _engine()
    modes = sum(bool(x) for x in (seed_commit, reveal, verify))
    if modes != 1:
        _fail("give exactly one of --seed-commit, --reveal SEED, --verify DRAW_ID")
    try:
        if seed_commit:
            if ratio is None:
                _fail("--seed-commit needs --ratio")
            assert ratio is not None
            if not 0 < ratio <= 1:
                _fail("--ratio must be in (0, 1]")
            if per_target < 1:
                _fail("--per-target must be at least 1")
            day = on.date() if on else dt.datetime.now(dt.UTC).date()
            c = sv.commit_draw(engine, ratio, day, per_target, seed)
            data = {
                "draw": c.code,
                "commitment": c.commitment,
                "targets": c.targets,
                "inspectors": c.inspectors,
                "seed": c.seed,
            }
            if as_json:
                _out(data)
            else:
                typer.echo(f"draw {c.code}: {c.targets} targets, {c.inspectors} inspectors")
                typer.echo(f"publish the commitment  SHA-256(seed) = {c.commitment}")
                typer.echo(f"keep secret until the reveal: seed = {c.seed}")
            return
        if reveal:
            code = draw_id or _last_unrevealed(engine)
            data = sv.reveal_draw(engine, code, reveal)
            if as_json:
                _out(data)
            else:
                _print_result(data)
            return
        assert verify is not None
        if not seed:
            _fail("--verify needs --seed SEED")
        assert seed is not None
        v = sv.verify_draw(engine, verify, seed)
        if as_json:
            _out(v)
        else:
            typer.echo(
                f"draw {verify}: commitment {'matches' if v['commitment_ok'] else 'DIFFERS'}, "
                f"result {'reproduced' if v['result_ok'] else 'DIFFERS'}"
            )
        if not v["ok"]:
            raise typer.Exit(1)
    except sv.SupervisionError as exc:
        _fail(str(exc))


def _last_unrevealed(engine: Any) -> str:
    from accordia.services.supervision import list_draws

    pending = [d["code"] for d in list_draws(engine) if not d["revealed"]]
    if not pending:
        _fail("no committed draw waiting for its reveal")
    return pending[-1]


def _print_result(data: dict[str, Any]) -> None:
    result = data["result"]
    typer.echo(
        f"draw {data['code']}: {len(result['drawn'])} of {result['population']} targets "
        f"(ratio {result['ratio']}); result SHA-256 {data['result_digest']}"
    )
    for a in result["drawn"]:
        short = " (SHORT of inspectors)" if a["short"] else ""
        rec = f"; recused {', '.join(a['recused'])}" if a["recused"] else ""
        typer.echo(f"  {a['target']:16} {', '.join(a['inspectors'])}{short}{rec}")


# --------------------------------------------------------------------------- sanctions, complaints

sanction_app = typer.Typer(help="Sanctions on bodies (regulator only).", no_args_is_help=True)
complaint_app = typer.Typer(help="Complaint cases (regulator only).", no_args_is_help=True)
supervise.add_typer(sanction_app, name="sanction")
supervise.add_typer(complaint_app, name="complaint")

ActorOpt = typer.Option(None, "--actor", help="Act as this account (default: ACCORDIA_ACTOR).")
DATE = ["%Y-%m-%d"]


@contextmanager
def _acting(actor: str | None) -> Iterator[tuple[Any, Any]]:
    """A session and the resolved actor; refusals and usage errors end the command."""
    from accordia.db.session import unit_of_work
    from accordia.services import authz
    from accordia.services import supervision as sv
    from accordia.settings import get_settings

    try:
        with unit_of_work(_engine()) as session:
            who = authz.resolve_actor(session, actor or get_settings().actor)
            yield session, who
    except authz.UnknownActor as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    except authz.Forbidden as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    except sv.SupervisionError as exc:
        _fail(str(exc))


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


@sanction_app.command("add")
def sanction_add(
    cab: str = typer.Option(..., "--cab", help="CAB registration number."),
    kind: str = typer.Option(
        ..., "--kind", help="warning | rectification | fine | suspension | revocation."
    ),
    effective_on: dt.datetime = typer.Option(
        ..., "--effective-on", formats=DATE, help="Date the sanction takes effect."
    ),
    until: dt.datetime | None = typer.Option(
        None, "--until", formats=DATE, help="End of a time-limited suspension (restored then)."
    ),
    basis_zh: str = typer.Option(..., "--basis-zh", help="Legal basis, Chinese."),
    basis_en: str = typer.Option(..., "--basis-en", help="Legal basis, English."),
    amount: float | None = typer.Option(None, "--amount", help="Fine amount (CNY)."),
    decided_on: dt.datetime | None = typer.Option(
        None, "--decided-on", formats=DATE, help="Decision date (default: --effective-on)."
    ),
    reference: str | None = typer.Option(None, "--reference", help="Decision number."),
    source: str = typer.Option("", "--source", help="Where the decision is published."),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Record a sanction; a suspension or revocation also changes the CAB's approval."""
    from accordia.services import supervision as sv

    with _acting(actor) as (session, who):
        data = sv.add_sanction(
            session,
            who,
            cab=cab,
            kind=kind,
            effective_on=effective_on.date(),
            until=_day(until),
            basis_zh=basis_zh,
            basis_en=basis_en,
            amount=amount,
            decided_on=_day(decided_on),
            reference=reference,
            source=source,
        )
    if as_json:
        _out(data)
        return
    typer.echo(
        f"sanction {data['id']}: {data['kind']} on {data['cab']} from {data['effective_from']}"
    )
    for ev in data["approval_events"]:
        typer.echo(f"  approval event: {ev['kind']} on {ev['effective_on']}")


@sanction_app.command("list")
def sanction_list(
    cab: str | None = typer.Option(None, "--cab", help="Only this CAB."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Sanctions, latest first."""
    from accordia.db.session import unit_of_work
    from accordia.services import supervision as sv

    with unit_of_work(_engine()) as session:
        rows = sv.list_sanctions(session, cab)
    if as_json:
        _out(rows)
        return
    for r in rows:
        until = f" until {r['effective_until']}" if r["effective_until"] else ""
        typer.echo(f"{r['id']:>5} {r['cab']:16} {r['kind']:13} {r['effective_from']}{until}")


@complaint_app.command("list")
def complaint_list(
    status: str | None = typer.Option(None, "--status", help="Only cases of this status."),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Complaint cases, latest first."""
    from accordia.services import supervision as sv

    with _acting(actor) as (session, who):
        rows = sv.list_cases(session, who, status)
    if as_json:
        _out(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['case_number']:24} {r['status']:13} {r['subject'] or '':24} "
            f"deadline {r['deadline']} {r['assignee'] or '-'}"
        )


@complaint_app.command("show")
def complaint_show(
    case: str = typer.Argument(..., help="Case number."),
    actor: str | None = ActorOpt,
) -> None:
    """One case in full, complainant data included (JSON)."""
    from accordia.services import supervision as sv

    with _acting(actor) as (session, who):
        _out(sv.regulator_case(session, who, case))


@complaint_app.command("update")
def complaint_update(
    case: str = typer.Argument(..., help="Case number."),
    assign: str | None = typer.Option(None, "--assign", help="Assignee (a regulator's name)."),
    status: str | None = typer.Option(
        None, "--status", help="open | in_progress | substantiated | rejected."
    ),
    deadline: dt.datetime | None = typer.Option(None, "--deadline", formats=DATE),
    outcome: str | None = typer.Option(None, "--outcome", help="The outcome text."),
    publish: bool = typer.Option(False, "--publish", help="Publish the outcome."),
    actor: str | None = ActorOpt,
) -> None:
    """Assign a case, set its status or deadline, record and publish its outcome."""
    from accordia.services import supervision as sv

    with _acting(actor) as (session, who):
        data = sv.update_case(
            session,
            who,
            case,
            assignee=assign,
            status=status,
            deadline=_day(deadline),
            outcome=outcome,
            publish=publish,
        )
    _out(data)


# --------------------------------------------------------------------------- inspections

inspection_app = typer.Typer(
    help="Inspections: plan (from a draw or ad hoc), start, record results, complete, cancel "
    "(regulator only).",
    no_args_is_help=True,
)
supervise.add_typer(inspection_app, name="inspection")


def _print_inspection(data: dict[str, Any], lang: str = "en") -> None:
    key = "zh" if lang.startswith("zh") else "en"
    t = data["target"]
    origin = data.get("draw") or data.get("origin_reference") or data["origin"]
    typer.echo(f"{data['code']}  {t['cab']}  {data['status']}  (from {data['origin']}: {origin})")
    typer.echo(f"  planned {data['planned']['from']} – {data['planned']['until']}")
    for h in data.get("history", []):
        typer.echo(f"  {h['effective_on']}  {h['status']:12} recorded {h['recorded_at']}")
    people = ", ".join(
        i["code"] + (" (signed)" if i.get("signed") else "") for i in data.get("inspectors", [])
    )
    typer.echo(f"  inspectors: {people or '-'}")
    if data.get("recused"):
        typer.echo(f"  recused: {', '.join(data['recused'])}")
    for i in data.get("items", []):
        note = i["note"].get(key) or i["note"].get("en" if key == "zh" else "zh") or ""
        typer.echo(f"  {i['code']:26} {i['outcome'] or '—':20} {note}")
    preview = data.get("conclusion_preview")
    if preview:
        typer.echo(f"  {preview['explanation'][key]}")
    if data.get("sanction"):
        s = data["sanction"]
        typer.echo(f"  sanction {s['id']}: {s['kind']} from {s['effective_from']}")


@inspection_app.command("list")
def inspection_list(
    status: str | None = typer.Option(
        None, "--status", help="planned | in_progress | completed | cancelled."
    ),
    cab: str | None = typer.Option(None, "--cab", help="Only this CAB."),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Inspection records, latest planned first."""
    from accordia.services import inspections as ins

    with _acting(actor) as (session, who):
        rows = ins.list_inspections(session, who, status, cab)
    if as_json:
        _out(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['code']:16} {r['target']['cab']:18} {r['status']:12} "
            f"{r['planned']['from']} – {r['planned']['until']} {r['conclusion'] or ''}"
        )
    typer.echo(f"{len(rows)} inspection(s)")


@inspection_app.command("show")
def inspection_show(
    code: str = typer.Argument(..., help="Inspection code (INSP-YYYY-NNNN)."),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
    lang: str = typer.Option("en", help="Language of notes and explanation: zh or en."),
) -> None:
    """One inspection in full: history, inspectors, items and outcomes, conclusion."""
    from accordia.services import inspections as ins

    with _acting(actor) as (session, who):
        data = ins.regulator_view(session, who, code)
    if as_json:
        _out(data)
    else:
        _print_inspection(data, lang)


@inspection_app.command("plan")
def inspection_plan(
    draw: str | None = typer.Option(
        None, "--draw", help="Plan one inspection per target of this revealed draw."
    ),
    cab: str | None = typer.Option(None, "--cab", help="Ad hoc: the CAB to inspect."),
    inspector: list[str] = typer.Option(
        [], "--inspector", help="Ad hoc: an inspector code (repeat; conflicts are refused)."
    ),
    complaint: str | None = typer.Option(
        None, "--complaint", help="Ad hoc: the complaint case it comes from."
    ),
    finding: str | None = typer.Option(
        None, "--finding", help="Ad hoc: the finding it comes from (RULE|CAB|SUBJECT)."
    ),
    planned_from: dt.datetime = typer.Option(
        ..., "--from", formats=DATE, help="First day of the planned window."
    ),
    planned_until: dt.datetime = typer.Option(
        ..., "--until", formats=DATE, help="Last day of the planned window."
    ),
    on: dt.datetime | None = typer.Option(
        None, "--on", formats=DATE, help="Effective date of 'planned' (default today)."
    ),
    source: str = typer.Option("", "--source", help="Where the plan is documented."),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Plan inspections: from a revealed draw (--draw), or ad hoc (--cab, --inspector …, and
    --complaint or --finding)."""
    from accordia.services import inspections as ins

    if bool(draw) == bool(cab):
        _fail("give either --draw DRAW or --cab REGNO (ad hoc)")
    with _acting(actor) as (session, who):
        if draw:
            rows = ins.plan_from_draw(
                session,
                who,
                draw,
                planned_from=planned_from.date(),
                planned_until=planned_until.date(),
                on=_day(on),
                source=source,
            )
        else:
            assert cab is not None
            rows = [
                ins.plan_adhoc(
                    session,
                    who,
                    cab=cab,
                    inspectors=inspector,
                    planned_from=planned_from.date(),
                    planned_until=planned_until.date(),
                    complaint=complaint,
                    finding=finding,
                    on=_day(on),
                    source=source,
                )
            ]
    if as_json:
        _out(rows)
        return
    for r in rows:
        typer.echo(f"planned {r['code']}: {r['target']['cab']} ({r['origin']})")


@inspection_app.command("start")
def inspection_start(
    code: str = typer.Argument(..., help="Inspection code."),
    on: dt.datetime | None = typer.Option(None, "--on", formats=DATE, help="Default today."),
    note: str | None = typer.Option(None, "--note"),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """planned → in progress."""
    from accordia.services import inspections as ins

    with _acting(actor) as (session, who):
        data = ins.start(session, who, code, on=_day(on), note=note)
    if as_json:
        _out(data)
    else:
        typer.echo(f"{data['code']}: {data['status']}")


@inspection_app.command("record")
def inspection_record(
    code: str = typer.Argument(..., help="Inspection code."),
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="CSV (item,outcome,note_zh,note_en) or JSON list of item outcomes.",
    ),
    signed_by: list[str] = typer.Option(
        ..., "--signed-by", help="An assigned inspector signing the result (repeat)."
    ),
    summary_zh: str | None = typer.Option(None, "--summary-zh"),
    summary_en: str | None = typer.Option(None, "--summary-en"),
    complaint: list[str] = typer.Option([], "--complaint", help="Link a complaint case."),
    finding: list[str] = typer.Option([], "--finding", help="Link a finding RULE|CAB|SUBJECT."),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Record item outcomes (conforming | nonconforming_minor | nonconforming_major |
    not_applicable) from a file; only inspectors assigned to the inspection may sign."""
    from accordia.services import inspections as ins

    try:
        items = ins.read_outcomes(file)
    except ins.InspectionError as exc:
        _fail(str(exc))
    with _acting(actor) as (session, who):
        data = ins.record_result(
            session,
            who,
            code,
            items=items,
            signed_by=signed_by,
            summary_zh=summary_zh,
            summary_en=summary_en,
            complaints=complaint,
            findings=finding,
        )
    if as_json:
        _out(data)
    else:
        _print_inspection(data)


@inspection_app.command("complete")
def inspection_complete(
    code: str = typer.Argument(..., help="Inspection code."),
    on: dt.datetime | None = typer.Option(None, "--on", formats=DATE, help="Default today."),
    note: str | None = typer.Option(None, "--note"),
    sanction: str | None = typer.Option(
        None,
        "--sanction",
        help="Follow-up sanction: warning | rectification | fine | suspension | revocation.",
    ),
    effective_on: dt.datetime | None = typer.Option(
        None, "--effective-on", formats=DATE, help="Sanction: effective date (default --on)."
    ),
    until: dt.datetime | None = typer.Option(None, "--until", formats=DATE),
    basis_zh: str | None = typer.Option(None, "--basis-zh", help="Sanction: legal basis, zh."),
    basis_en: str | None = typer.Option(None, "--basis-en", help="Sanction: legal basis, en."),
    amount: float | None = typer.Option(None, "--amount", help="Fine amount (CNY)."),
    reference: str | None = typer.Option(
        None, "--reference", help="Sanction decision number (default: the inspection code)."
    ),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """in progress → completed: derive the conclusion and publish the result; optionally
    record a follow-up sanction."""
    from accordia.services import inspections as ins

    follow_up: dict[str, Any] | None = None
    day = _day(on) or dt.datetime.now(dt.UTC).date()
    if sanction:
        if not (basis_zh and basis_en):
            _fail("--sanction needs --basis-zh and --basis-en")
        follow_up = {
            "kind": sanction,
            "effective_on": _day(effective_on) or day,
            "until": _day(until),
            "basis_zh": basis_zh,
            "basis_en": basis_en,
            "amount": amount,
            "reference": reference,
        }
    elif any(x is not None for x in (effective_on, until, basis_zh, basis_en, amount)):
        _fail("--effective-on, --until, --basis-zh/--basis-en and --amount need --sanction")
    with _acting(actor) as (session, who):
        data = ins.complete(session, who, code, on=day, note=note, sanction=follow_up)
    if as_json:
        _out(data)
    else:
        _print_inspection(data)


@inspection_app.command("cancel")
def inspection_cancel(
    code: str = typer.Argument(..., help="Inspection code."),
    reason: str = typer.Option(..., "--reason", help="Why it is cancelled."),
    on: dt.datetime | None = typer.Option(None, "--on", formats=DATE, help="Default today."),
    actor: str | None = ActorOpt,
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """planned or in progress → cancelled (not published)."""
    from accordia.services import inspections as ins

    with _acting(actor) as (session, who):
        data = ins.cancel(session, who, code, reason=reason, on=_day(on))
    if as_json:
        _out(data)
    else:
        typer.echo(f"{data['code']}: {data['status']}")


def register(app: typer.Typer) -> None:
    app.add_typer(supervise, name="supervise")
