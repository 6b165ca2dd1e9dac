"""Inspections (issue 7 §4, §7): records, status history, results and their publication.

An inspection is planned either from a revealed "double random" draw — one per drawn target,
with the inspectors the draw assigned and the recusals it published — or ad hoc, from a
complaint case or a scan finding, with inspectors the regulator names (conflicts of interest
refused). Its status is history: every change (``planned`` → ``in_progress`` → ``completed`` |
``cancelled``) is an :class:`~accordia.models.supervision.InspectionEvent` with an effective
date and a recorded time; ``inspection.status`` only caches the latest.

The result is one outcome per item of the inspection's checklist (the published list of
inspection items when it was planned), notes in Chinese and English where given, the
inspectors who sign it (only those assigned, at least two where two were assigned), links to
complaints and findings, and a conclusion derived from the outcomes (:func:`derive_conclusion`).
Completing publishes it (:func:`public_result`), optionally with a follow-up sanction recorded
through :func:`accordia.services.supervision.add_sanction`.

Writes are regulator-only (:func:`accordia.services.authz.authorize_write` with the entity
``inspection``, which no other role owns); the caller commits (one unit of work per request).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.types import utcnow
from accordia.models.supervision import (
    Complaint,
    Draw,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionInspector,
    InspectionItem,
    InspectionOutcome,
    InspectionReference,
    Inspector,
    Sanction,
    ScanRun,
)
from accordia.services import authz
from accordia.services import supervision as sv

STATUSES = ("planned", "in_progress", "completed", "cancelled")
NEXT = {"planned": ("in_progress", "cancelled"), "in_progress": ("completed", "cancelled")}
OUTCOMES = ("conforming", "nonconforming_minor", "nonconforming_major", "not_applicable")
CONCLUSIONS = ("conforming", "minor", "major")
ORIGINS = ("draw", "complaint", "finding")
MAX_NOTE = 4000
ENTITY = "inspection"  # authz kind: no role but the regulator owns it

OUTCOME_WORDS = {
    "conforming": ("符合", "conforming"),
    "nonconforming_minor": ("轻微不符合", "nonconforming (minor)"),
    "nonconforming_major": ("严重不符合", "nonconforming (major)"),
    "not_applicable": ("不适用", "not applicable"),
}
CONCLUSION_WORDS = {
    "conforming": ("符合", "conforming"),
    "minor": ("存在轻微不符合", "minor nonconformities"),
    "major": ("存在严重不符合", "major nonconformities"),
}


class InspectionError(sv.SupervisionError):
    """A refused inspection request: names the record, the field and the rule that refused it."""

    def __init__(
        self, message: str, *, record: str | None = None, field: str | None = None, rule: str = ""
    ) -> None:
        parts = [p for p in (record, f"field {field}" if field else None) if p]
        prefix = ": ".join(parts)
        text = f"{prefix}: {message}" if prefix else message
        super().__init__(f"{text} (rule: {rule})" if rule else text)
        self.record = record
        self.field = field
        self.rule = rule
        self.message = str(self)


class InspectionNotFound(InspectionError):
    """No inspection (or no published result) with that code."""


# --------------------------------------------------------------------------- the conclusion


@dataclass(frozen=True)
class Conclusion:
    value: str  # conforming | minor | major
    counts: dict[str, int]
    explanation: dict[str, str]  # zh, en

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "counts": self.counts, "explanation": self.explanation}


def derive_conclusion(outcomes: Mapping[str, str]) -> Conclusion:
    """The overall conclusion from item outcomes (item code → outcome): any major
    nonconformity makes it ``major``; else any minor one makes it ``minor``; else ``conforming``.
    At least one item must have been checked (not all ``not_applicable``).

    Raises:
        InspectionError: no outcomes, or every item not applicable.
    """
    if not outcomes:
        raise InspectionError("no item outcome is recorded", field="items", rule="items_checked")
    by: dict[str, list[str]] = {o: [] for o in OUTCOMES}
    for code, outcome in sorted(outcomes.items()):
        by[outcome].append(code)
    if not (by["conforming"] or by["nonconforming_minor"] or by["nonconforming_major"]):
        raise InspectionError(
            "every item is 'not_applicable': nothing was checked",
            field="items",
            rule="items_checked",
        )
    if by["nonconforming_major"]:
        value = "major"
    elif by["nonconforming_minor"]:
        value = "minor"
    else:
        value = "conforming"
    counts = {o: len(by[o]) for o in OUTCOMES}
    zh_parts, en_parts = [], []
    for o in ("nonconforming_major", "nonconforming_minor", "conforming", "not_applicable"):
        if not by[o]:
            continue
        zh, en = OUTCOME_WORDS[o]
        listed = o.startswith("nonconforming")
        zh_parts.append(f"{zh} {len(by[o])} 项" + (f"（{'、'.join(by[o])}）" if listed else ""))
        en_parts.append(f"{len(by[o])} {en}" + (f" ({', '.join(by[o])})" if listed else ""))
    rule_zh = "有严重不符合项即为严重不符合；否则有轻微不符合项即为轻微不符合；否则为符合。"
    rule_en = (
        "Any major nonconformity makes the conclusion major; otherwise any minor one makes it "
        "minor; otherwise it is conforming."
    )
    zh_c, en_c = CONCLUSION_WORDS[value]
    return Conclusion(
        value,
        counts,
        {
            "zh": f"结论：{zh_c}。{'；'.join(zh_parts)}。{rule_zh}",
            "en": f"Conclusion: {en_c}. {'; '.join(en_parts)}. {rule_en}",
        },
    )


def normalize_outcome(value: str) -> str | None:
    """``nonconforming-minor``, ``Nonconforming_Minor`` … → ``nonconforming_minor``; None when
    not one of :data:`OUTCOMES`."""
    v = (value or "").strip().lower().replace("-", "_").replace(" ", "_")
    return v if v in OUTCOMES else None


# --------------------------------------------------------------------------- reading outcome files

OUTCOME_COLUMNS = ("item", "outcome", "note_zh", "note_en")


def read_outcomes(path: Path) -> list[dict[str, Any]]:
    """Item outcomes from a CSV (header ``item,outcome[,note_zh][,note_en]``) or JSON file (a list
    of objects with those keys, or ``{"items": [...]}``). Each row keeps its ``line`` (CSV line or
    JSON position) for error messages.

    Raises:
        InspectionError: unreadable file, unknown or missing columns (naming them).
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    name = path.name
    if path.suffix.lower() == ".json" or text.lstrip()[:1] in ("[", "{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InspectionError(
                f"not valid JSON ({exc.msg}, line {exc.lineno})", record=name, rule="json"
            ) from exc
        if isinstance(data, dict):
            data = data.get("items")
        if not isinstance(data, list):
            raise InspectionError(
                "expected a list of item outcomes (or an object with 'items')",
                record=name,
                rule="json",
            )
        rows = []
        for i, obj in enumerate(data, start=1):
            if not isinstance(obj, dict):
                raise InspectionError("not an object", record=f"{name} item {i}", rule="json")
            unknown = sorted(set(obj) - set(OUTCOME_COLUMNS))
            if unknown:
                raise InspectionError(
                    f"unknown key(s) {', '.join(unknown)}; expected {', '.join(OUTCOME_COLUMNS)}",
                    record=f"{name} item {i}",
                    field=unknown[0],
                    rule="columns",
                )
            rows.append({**{k: obj.get(k) for k in OUTCOME_COLUMNS}, "line": i})
        return rows
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in OUTCOME_COLUMNS]
    if unknown:
        raise InspectionError(
            f"unknown column(s) {', '.join(unknown)}; expected {', '.join(OUTCOME_COLUMNS)}",
            record=name,
            field=unknown[0],
            rule="columns",
        )
    missing = [h for h in ("item", "outcome") if h not in header]
    if missing:
        raise InspectionError(
            f"missing column(s) {', '.join(missing)}",
            record=name,
            field=missing[0],
            rule="columns",
        )
    out = []
    for row in reader:
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not any(clean.values()):
            continue
        out.append({**{k: clean.get(k) or None for k in OUTCOME_COLUMNS}, "line": reader.line_num})
    return out


# --------------------------------------------------------------------------- helpers


def _no_nul(record: str | None = None, **fields: Any) -> None:
    """Refuse text with NUL characters (PostgreSQL cannot store them), naming the field."""
    for name, value in fields.items():
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if isinstance(v, Mapping):
                _no_nul(record, **{f"{name}.{k}": x for k, x in v.items()})
            elif isinstance(v, str) and "\x00" in v:
                raise InspectionError(
                    "contains a NUL character", record=record, field=name, rule="text"
                )


def _context(session: Session, actor: authz.Actor) -> Any:
    from accordia.importer.context import ImportContext

    return ImportContext(
        session=session,
        actor=actor.name,
        principal=actor,
        operation="inspection-" + secrets.token_hex(6),
    )


def _get(session: Session, code: str) -> Inspection:
    _no_nul(code=code)
    row = session.execute(
        select(Inspection).filter(Inspection.code == code.strip())
    ).scalar_one_or_none()
    if row is None:
        raise InspectionNotFound(f"no inspection {code!r}", record=code, rule="exists")
    return row


def _next_code(session: Session, year: int) -> str:
    prefix = f"INSP-{year}-"
    have = session.execute(
        select(Inspection.code).filter(Inspection.code.like(prefix + "%"))
    ).scalars()
    n = max((int(c[len(prefix) :]) for c in have if c[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{n + 1:04d}"


def _events(session: Session, inspection_id: int) -> list[InspectionEvent]:
    return list(
        session.execute(
            select(InspectionEvent)
            .filter(InspectionEvent.parent_id == inspection_id)
            .order_by(InspectionEvent.effective_on, InspectionEvent.recorded_at, InspectionEvent.id)
        ).scalars()
    )


def _add_event(
    session: Session,
    ctx: Any,
    row: Inspection,
    kind: str,
    on: dt.date,
    actor: authz.Actor,
    note: str | None = None,
    source: str = "",
) -> None:
    """Move ``row`` to status ``kind`` on ``on`` (checked against the allowed transitions and
    the date of the last change)."""
    history = _events(session, row.id)
    allowed = NEXT.get(row.status, ()) if history else ("planned",)
    if kind not in allowed:
        raise InspectionError(
            f"cannot go from {row.status} to {kind}"
            + (
                f"; from {row.status} it can go to {' or '.join(allowed)}"
                if allowed
                else f"; {row.status} is final"
            ),
            record=row.code,
            field="status",
            rule="status_transition",
        )
    if history and on < history[-1].effective_on:
        last = history[-1]
        raise InspectionError(
            f"the date {on} is before the last change ({last.kind} on {last.effective_on})",
            record=row.code,
            field="effective_on",
            rule="dates_in_order",
        )
    session.add(
        InspectionEvent(
            parent_id=row.id,
            kind=kind,
            effective_on=on,
            recorded_at=utcnow(),
            source=source,
            note=(note or None),
            actor=actor.name[:64],
        )
    )
    before = row.status
    row.status = kind
    session.flush()
    ctx.audit(
        "update" if history else "create",
        "inspection_event",
        f"{row.code}|{kind}|{on.isoformat()}",
        {"status": before} if history else None,
        {"status": kind, "effective_on": on.isoformat(), "note": note},
    )


def _checklist(session: Session) -> list[str]:
    """The codes of the published list of inspection items, as ``accordia supervise items``
    shows it: the stored items, the built-in rules' items added (in this transaction) when
    missing, as :func:`accordia.services.supervision.ensure_items` does."""
    from accordia.domain.supervision.rules import RULES

    have = set(session.execute(select(InspectionItem.code)).scalars())
    for spec in RULES.values():
        if spec.id not in have:
            session.add(
                InspectionItem(
                    code=spec.id,
                    title_zh=spec.title.zh,
                    title_en=spec.title.en,
                    basis_zh=spec.basis.zh,
                    basis_en=spec.basis.en,
                    rule=spec.id,
                )
            )
    session.flush()
    return list(session.execute(select(InspectionItem.code).order_by(InspectionItem.id)).scalars())


def _inspectors_by_code(session: Session, codes: Iterable[str]) -> dict[str, Inspector]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    return {
        i.code: i
        for i in session.execute(select(Inspector).filter(Inspector.code.in_(wanted))).scalars()
    }


def _check_window(planned_from: dt.date, planned_until: dt.date, record: str) -> None:
    if planned_until < planned_from:
        raise InspectionError(
            f"the planned window ends ({planned_until}) before it starts ({planned_from})",
            record=record,
            field="planned_until",
            rule="window_order",
        )


def _complaint(session: Session, case_number: str, record: str) -> Complaint:
    c = session.execute(
        select(Complaint).filter(Complaint.case_number == case_number.strip())
    ).scalar_one_or_none()
    if c is None:
        raise InspectionError(
            f"no complaint case {case_number!r}", record=record, field="complaint", rule="exists"
        )
    return c


def _finding(session: Session, fingerprint: str, record: str) -> tuple[str, str, str, int]:
    """(fingerprint, rule, subject, cab id) of a finding of the current scan run."""
    fp = fingerprint.strip()
    run = session.execute(
        select(ScanRun.id).filter(ScanRun.status == "done").order_by(ScanRun.id.desc()).limit(1)
    ).scalar_one_or_none()
    row = None
    if run is not None:
        row = session.execute(
            select(Finding.fingerprint, Finding.rule, Finding.subject, Finding.cab_id).filter(
                Finding.scan_run_id == run, Finding.fingerprint == fp
            )
        ).first()
    if row is None:
        raise InspectionError(
            f"no finding {fp!r} in the current scan run (a fingerprint is RULE|CAB|SUBJECT, "
            "as `accordia supervise findings --json` shows rule, cab and subject)",
            record=record,
            field="finding",
            rule="exists",
        )
    return row[0], row[1], row[2], row[3]


def _link(
    session: Session,
    row: Inspection,
    complaints: Sequence[str] = (),
    findings: Sequence[str] = (),
    origin: bool = False,
) -> None:
    have = session.execute(
        select(InspectionReference.complaint_id, InspectionReference.finding_fingerprint).filter(
            InspectionReference.inspection_id == row.id
        )
    ).all()
    have_c = {c for c, _f in have if c is not None}
    have_f = {f for _c, f in have if f is not None}
    for case in complaints:
        c = _complaint(session, case, row.code)
        if c.id not in have_c:
            session.add(
                InspectionReference(
                    inspection_id=row.id, kind="complaint", complaint_id=c.id, origin=origin
                )
            )
            have_c.add(c.id)
    for fp in findings:
        fp_, rule, subject, _cab = _finding(session, fp, row.code)
        if fp_ not in have_f:
            session.add(
                InspectionReference(
                    inspection_id=row.id,
                    kind="finding",
                    finding_fingerprint=fp_,
                    finding_rule=rule,
                    finding_subject=subject,
                    origin=origin,
                )
            )
            have_f.add(fp_)
    session.flush()


# --------------------------------------------------------------------------- planning


def plan_from_draw(
    session: Session,
    actor: authz.Actor,
    draw: str,
    *,
    planned_from: dt.date,
    planned_until: dt.date,
    on: dt.date | None = None,
    source: str = "",
) -> list[dict[str, Any]]:
    """One planned inspection per target of the revealed draw ``draw``, with the inspectors
    the draw assigned and the ones it recused (regulator only; the caller commits).

    Raises:
        authz.Forbidden: not a regulator with write access.
        InspectionError: unknown or unrevealed draw, already planned, bad window, an inspector
            of the draw missing from the directory.
    """
    authz.authorize_write(actor, ENTITY, {"draw": draw})
    _no_nul(draw, draw=draw, source=source)
    _check_window(planned_from, planned_until, draw)
    d = session.execute(select(Draw).filter(Draw.code == draw.strip())).scalar_one_or_none()
    if d is None:
        raise InspectionError(f"no draw {draw!r}", record=draw, field="draw", rule="exists")
    if d.seed is None or d.result is None:
        raise InspectionError(
            "the draw is committed but not revealed: reveal it first "
            "(`accordia supervise draw --reveal SEED`)",
            record=draw,
            field="draw",
            rule="draw_revealed",
        )
    planned = session.execute(
        select(func.count()).select_from(Inspection).filter(Inspection.draw_id == d.id)
    ).scalar_one()
    if planned:
        raise InspectionError(
            f"{planned} inspection(s) are already planned from this draw",
            record=draw,
            field="draw",
            rule="planned_once",
        )
    drawn = d.result.get("drawn", [])
    regnos = [a["target"] for a in drawn]
    cabs = dict(
        session.execute(
            select(m.Cab.registration_number, m.Cab.id).filter(
                m.Cab.registration_number.in_(regnos)
            )
        ).all()
    )
    people = _inspectors_by_code(
        session, [c for a in drawn for c in (*a.get("inspectors", ()), *a.get("recused", ()))]
    )
    day = on or utcnow().date()
    checklist = _checklist(session)
    ctx = _context(session, actor)
    out = []
    for a in drawn:
        target = a["target"]
        if target not in cabs:
            raise InspectionError(
                f"drawn target {target!r} is not a CAB of this registry",
                record=draw,
                field="target",
                rule="exists",
            )
        missing = [c for c in (*a.get("inspectors", ()), *a.get("recused", ())) if c not in people]
        if missing:
            raise InspectionError(
                f"inspector(s) {', '.join(missing)} of the draw are not in the directory",
                record=f"{draw} {target}",
                field="inspectors",
                rule="exists",
            )
        row = Inspection(
            code=_next_code(session, planned_from.year),
            cab_id=cabs[target],
            origin="draw",
            draw_id=d.id,
            planned_from=planned_from,
            planned_until=planned_until,
            checklist=checklist,
            status="planned",
            source=source,
        )
        session.add(row)
        session.flush()
        for code in a.get("inspectors", ()):
            session.add(
                InspectionInspector(
                    inspection_id=row.id, inspector_id=people[code].id, role="inspector"
                )
            )
        for code in a.get("recused", ()):
            session.add(
                InspectionInspector(
                    inspection_id=row.id, inspector_id=people[code].id, role="recused"
                )
            )
        session.flush()
        ctx.audit("create", "inspection", row.code, None, _snapshot(row, target))
        _add_event(session, ctx, row, "planned", day, actor, f"drawn in {d.code}", source)
        out.append(_summary(session, row))
    ctx.flush_audit()
    return out


def plan_adhoc(
    session: Session,
    actor: authz.Actor,
    *,
    cab: str,
    inspectors: Sequence[str],
    planned_from: dt.date,
    planned_until: dt.date,
    complaint: str | None = None,
    finding: str | None = None,
    on: dt.date | None = None,
    source: str = "",
) -> dict[str, Any]:
    """An ad-hoc inspection of ``cab`` from a complaint case or a finding (exactly one), with
    the inspectors named; an inspector whose past employers include the CAB is refused
    (conflict of interest), as the draw would recuse them.

    Raises:
        authz.Forbidden: not a regulator with write access.
        InspectionError: unknown CAB, complaint, finding or inspector; the reference concerns
            another body; a conflict of interest; no inspector; bad window.
    """
    authz.authorize_write(actor, ENTITY, {"cab": cab})
    _no_nul(
        cab=cab, inspectors=list(inspectors), complaint=complaint, finding=finding, source=source
    )
    record = f"ad-hoc inspection of {cab}"
    if bool(complaint) == bool(finding):
        raise InspectionError(
            "an ad-hoc inspection comes from exactly one complaint case or one finding",
            record=record,
            field="complaint" if not complaint else "finding",
            rule="adhoc_reference",
        )
    _check_window(planned_from, planned_until, record)
    body = session.execute(
        select(m.Cab).filter(m.Cab.registration_number == cab.strip())
    ).scalar_one_or_none()
    if body is None:
        raise InspectionError(f"no CAB {cab!r}", record=record, field="cab", rule="exists")
    if complaint:
        c = _complaint(session, complaint, record)
        if c.cab_id is not None and c.cab_id != body.id:
            raise InspectionError(
                f"complaint {c.case_number} concerns another body",
                record=record,
                field="complaint",
                rule="same_body",
            )
    if finding:
        _fp, _rule, _subject, f_cab = _finding(session, finding, record)
        if f_cab != body.id:
            raise InspectionError(
                "the finding concerns another body",
                record=record,
                field="finding",
                rule="same_body",
            )
    codes = [c.strip() for c in inspectors if c.strip()]
    if not codes:
        raise InspectionError(
            "name at least one inspector", record=record, field="inspectors", rule="inspectors"
        )
    people = _inspectors_by_code(session, codes)
    for code in codes:
        person = people.get(code)
        if person is None:
            raise InspectionError(
                f"inspector {code!r} is not in the directory",
                record=record,
                field="inspectors",
                rule="exists",
            )
        if not person.active:
            raise InspectionError(
                f"inspector {code} is not active",
                record=record,
                field="inspectors",
                rule="inspector_active",
            )
        if body.registration_number in (person.past_employers or []):
            raise InspectionError(
                f"inspector {code} once worked for {body.registration_number}: conflict of "
                "interest, recused",
                record=record,
                field="inspectors",
                rule="conflict_of_interest",
            )
    row = Inspection(
        code=_next_code(session, planned_from.year),
        cab_id=body.id,
        origin="complaint" if complaint else "finding",
        draw_id=None,
        planned_from=planned_from,
        planned_until=planned_until,
        checklist=_checklist(session),
        status="planned",
        source=source,
    )
    session.add(row)
    session.flush()
    for code in dict.fromkeys(codes):
        session.add(
            InspectionInspector(
                inspection_id=row.id, inspector_id=people[code].id, role="inspector"
            )
        )
    _link(
        session,
        row,
        [complaint] if complaint else [],
        [finding] if finding else [],
        origin=True,
    )
    ctx = _context(session, actor)
    ctx.audit("create", "inspection", row.code, None, _snapshot(row, body.registration_number))
    ref = f"complaint {complaint}" if complaint else f"finding {finding}"
    _add_event(session, ctx, row, "planned", on or utcnow().date(), actor, ref, source)
    ctx.flush_audit()
    return regulator_view(session, actor, row.code)


# --------------------------------------------------------------------------- status changes


def start(
    session: Session,
    actor: authz.Actor,
    code: str,
    *,
    on: dt.date | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """planned → in_progress on ``on`` (default today)."""
    authz.authorize_write(actor, ENTITY, {"code": code})
    row = _get(session, code)
    _no_nul(row.code, note=note)
    ctx = _context(session, actor)
    _add_event(session, ctx, row, "in_progress", on or utcnow().date(), actor, note)
    ctx.flush_audit()
    return regulator_view(session, actor, row.code)


def cancel(
    session: Session,
    actor: authz.Actor,
    code: str,
    *,
    reason: str,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """planned or in_progress → cancelled, with a reason. A cancelled inspection is not
    published."""
    authz.authorize_write(actor, ENTITY, {"code": code})
    row = _get(session, code)
    _no_nul(row.code, reason=reason)
    if not (reason or "").strip():
        raise InspectionError(
            "a cancellation needs a reason", record=row.code, field="reason", rule="required"
        )
    ctx = _context(session, actor)
    _add_event(session, ctx, row, "cancelled", on or utcnow().date(), actor, reason.strip())
    ctx.flush_audit()
    return regulator_view(session, actor, row.code)


def _assigned(session: Session, row: Inspection) -> tuple[list[Inspector], list[Inspector]]:
    """(assigned, recused) inspectors of an inspection, by code."""
    rows = session.execute(
        select(Inspector, InspectionInspector.role)
        .join(InspectionInspector, InspectionInspector.inspector_id == Inspector.id)
        .filter(InspectionInspector.inspection_id == row.id)
        .order_by(Inspector.code)
    ).all()
    return [i for i, r in rows if r == "inspector"], [i for i, r in rows if r == "recused"]


def _check_signers(session: Session, row: Inspection, signed_by: Sequence[str]) -> list[str]:
    assigned, recused = _assigned(session, row)
    a_codes = [i.code for i in assigned]
    r_codes = {i.code for i in recused}
    signers = list(dict.fromkeys(c.strip() for c in signed_by if c.strip()))
    if not a_codes:
        raise InspectionError(
            "no inspector is assigned to this inspection (the draw was short of inspectors); "
            "cancel it and plan an ad-hoc inspection",
            record=row.code,
            field="signed_by",
            rule="assigned_inspectors_only",
        )
    for code in signers:
        if code in r_codes:
            raise InspectionError(
                f"inspector {code} was recused from this inspection (conflict of interest) and "
                "cannot sign its result",
                record=row.code,
                field="signed_by",
                rule="assigned_inspectors_only",
            )
        if code not in a_codes:
            raise InspectionError(
                f"inspector {code} is not assigned to this inspection and cannot sign its "
                f"result; assigned: {', '.join(a_codes) or 'none'}",
                record=row.code,
                field="signed_by",
                rule="assigned_inspectors_only",
            )
    needed = min(2, len(a_codes))
    if len(signers) < needed:
        raise InspectionError(
            f"the result needs the signatures of at least {needed} assigned inspector(s) "
            f"(of {', '.join(a_codes)}); got {len(signers)}",
            record=row.code,
            field="signed_by",
            rule="two_inspectors",
        )
    return signers


def record_result(
    session: Session,
    actor: authz.Actor,
    code: str,
    *,
    items: Sequence[Mapping[str, Any]],
    signed_by: Sequence[str],
    summary_zh: str | None = None,
    summary_en: str | None = None,
    complaints: Sequence[str] = (),
    findings: Sequence[str] = (),
) -> dict[str, Any]:
    """Record (or correct, while in progress) item outcomes — ``{"item", "outcome", "note_zh",
    "note_en"[, "line"]}`` — signed by assigned inspectors, with an optional summary and links
    to complaint cases and findings. Items not given keep their earlier outcome.

    Raises:
        authz.Forbidden: not a regulator with write access.
        InspectionError: not in progress; an item not on the checklist, repeated, or with an
            unknown outcome (naming the item, the field and the rule); a signer not assigned.
    """
    authz.authorize_write(actor, ENTITY, {"code": code})
    row = _get(session, code)
    _no_nul(
        row.code,
        items=list(items),
        signed_by=list(signed_by),
        summary_zh=summary_zh,
        summary_en=summary_en,
        complaints=list(complaints),
        findings=list(findings),
    )
    if row.status != "in_progress":
        raise InspectionError(
            f"results are recorded while the inspection is in progress; it is {row.status}",
            record=row.code,
            field="status",
            rule="in_progress",
        )
    checklist = set(row.checklist or [])
    parsed: dict[str, tuple[str, str | None, str | None]] = {}
    for n, it in enumerate(items, start=1):
        where = f"line {it['line']}" if it.get("line") is not None else f"item #{n}"
        item = str(it.get("item") or "").strip()
        rec = f"{row.code} {where}" + (f" (item {item!r})" if item else "")
        if not item:
            raise InspectionError(
                "the item code is missing", record=rec, field="item", rule="required"
            )
        if item not in checklist:
            raise InspectionError(
                f"{item!r} is not on this inspection's checklist "
                "(`accordia supervise items` lists the published items)",
                record=rec,
                field="item",
                rule="checklist",
            )
        if item in parsed:
            raise InspectionError(
                "this item is given twice", record=rec, field="item", rule="item_once"
            )
        raw = str(it.get("outcome") or "")
        outcome = normalize_outcome(raw)
        if outcome is None:
            raise InspectionError(
                f"{raw!r} is not one of {', '.join(OUTCOMES)}",
                record=rec,
                field="outcome",
                rule="outcome_vocabulary",
            )
        notes = []
        for lang in ("zh", "en"):
            text = str(it.get(f"note_{lang}") or "").strip()
            if len(text) > MAX_NOTE:
                raise InspectionError(
                    f"longer than {MAX_NOTE} characters",
                    record=rec,
                    field=f"note_{lang}",
                    rule="max_length",
                )
            notes.append(text or None)
        parsed[item] = (outcome, notes[0], notes[1])
    signers = _check_signers(session, row, signed_by)
    items_by_code = {
        i.code: i
        for i in session.execute(
            select(InspectionItem).filter(InspectionItem.code.in_(sorted(parsed)))
        ).scalars()
    }
    existing = {
        o.item_id: o
        for o in session.execute(
            select(InspectionOutcome).filter(InspectionOutcome.inspection_id == row.id)
        ).scalars()
    }
    ctx = _context(session, actor)
    now = utcnow()
    for item, (outcome, note_zh, note_en) in sorted(parsed.items()):
        item_id = items_by_code[item].id
        old = existing.get(item_id)
        after = {"outcome": outcome, "note_zh": note_zh, "note_en": note_en}
        if old is None:
            session.add(
                InspectionOutcome(
                    inspection_id=row.id,
                    item_id=item_id,
                    outcome=outcome,
                    note_zh=note_zh,
                    note_en=note_en,
                    recorded_at=now,
                )
            )
            ctx.audit("create", "inspection_outcome", f"{row.code}|{item}", None, after)
        else:
            before = {"outcome": old.outcome, "note_zh": old.note_zh, "note_en": old.note_en}
            if before != after:
                old.outcome, old.note_zh, old.note_en, old.recorded_at = (
                    outcome,
                    note_zh,
                    note_en,
                    now,
                )
                ctx.audit("update", "inspection_outcome", f"{row.code}|{item}", before, after)
    before_row = {"signed_by": row.signed_by, "summary_zh": row.summary_zh}
    row.signed_by = signers
    if summary_zh is not None:
        row.summary_zh = summary_zh.strip() or None
    if summary_en is not None:
        row.summary_en = summary_en.strip() or None
    row.result_recorded_at = now
    session.flush()
    _link(session, row, complaints, findings)
    ctx.audit(
        "update",
        "inspection",
        row.code,
        before_row,
        {"signed_by": signers, "summary_zh": row.summary_zh, "summary_en": row.summary_en},
    )
    ctx.flush_audit()
    return regulator_view(session, actor, row.code)


def _outcomes(session: Session, row: Inspection) -> dict[str, str]:
    return dict(
        session.execute(
            select(InspectionItem.code, InspectionOutcome.outcome)
            .join(InspectionOutcome, InspectionOutcome.item_id == InspectionItem.id)
            .filter(InspectionOutcome.inspection_id == row.id)
        ).all()
    )


def complete(
    session: Session,
    actor: authz.Actor,
    code: str,
    *,
    on: dt.date | None = None,
    note: str | None = None,
    sanction: Mapping[str, Any] | None = None,
    published_on: dt.date | None = None,
) -> dict[str, Any]:
    """in_progress → completed on ``on``: every checklist item has an outcome and the result is
    signed; the conclusion is derived and stored; the result is published (``published_on``,
    default today). ``sanction`` (``kind``, ``effective_on``, ``basis_zh``, ``basis_en`` and
    optionally ``until``, ``amount``, ``decided_on``, ``reference``) records a follow-up sanction
    on the body through :func:`accordia.services.supervision.add_sanction`; it needs a
    nonconforming conclusion.

    Raises:
        authz.Forbidden: not a regulator with write access.
        InspectionError: not in progress, items without an outcome, unsigned, a sanction after a
            conforming result; SupervisionError from the sanction.
    """
    authz.authorize_write(actor, ENTITY, {"code": code})
    row = _get(session, code)
    _no_nul(row.code, note=note, sanction=dict(sanction or {}))
    if row.status != "in_progress":
        raise InspectionError(
            f"only an inspection in progress can be completed; it is {row.status}",
            record=row.code,
            field="status",
            rule="status_transition",
        )
    outcomes = _outcomes(session, row)
    missing = [c for c in row.checklist or [] if c not in outcomes]
    if missing:
        raise InspectionError(
            f"item(s) without an outcome: {', '.join(missing)}",
            record=row.code,
            field="items",
            rule="every_item_checked",
        )
    if not row.signed_by:
        raise InspectionError(
            "the result is not signed by its inspectors",
            record=row.code,
            field="signed_by",
            rule="two_inspectors",
        )
    _check_signers(session, row, row.signed_by)
    conclusion = derive_conclusion({c: outcomes[c] for c in row.checklist or []})
    if sanction and conclusion.value == "conforming":
        raise InspectionError(
            "a follow-up sanction needs a nonconforming conclusion; this result is conforming",
            record=row.code,
            field="sanction",
            rule="sanction_needs_nonconformity",
        )
    day = on or utcnow().date()
    ctx = _context(session, actor)
    _add_event(session, ctx, row, "completed", day, actor, note)
    row.conclusion = conclusion.value
    row.published_on = published_on or utcnow().date()
    regno = session.execute(
        select(m.Cab.registration_number).filter(m.Cab.id == row.cab_id)
    ).scalar_one()
    if sanction:
        s = dict(sanction)
        if not s.get("reference"):
            s["reference"] = row.code
        added = sv.add_sanction(session, actor, cab=regno, source=row.source or "", **s)
        row.sanction_id = int(added["id"])
    session.flush()
    ctx.audit(
        "update",
        "inspection",
        row.code,
        {"conclusion": None, "published_on": None},
        {
            "conclusion": conclusion.value,
            "published_on": row.published_on.isoformat(),
            "sanction_id": row.sanction_id,
        },
    )
    ctx.flush_audit()
    return regulator_view(session, actor, row.code)


# --------------------------------------------------------------------------- views


def _snapshot(row: Inspection, regno: str) -> dict[str, Any]:
    return {
        "code": row.code,
        "cab": regno,
        "origin": row.origin,
        "planned_from": row.planned_from.isoformat(),
        "planned_until": row.planned_until.isoformat(),
        "checklist": list(row.checklist or []),
        "source": row.source,
    }


def _history(session: Session, row: Inspection) -> list[dict[str, Any]]:
    return [
        {
            "status": e.kind,
            "effective_on": e.effective_on.isoformat(),
            "recorded_at": e.recorded_at.isoformat(),
        }
        for e in _events(session, row.id)
    ]


def status_on(session: Session, code: str, on: dt.date) -> str | None:
    """The status of inspection ``code`` on ``on`` (None before it was planned)."""
    row = _get(session, code)
    status = None
    for e in _events(session, row.id):
        if e.effective_on <= on:
            status = e.kind
    return status


def _cab(session: Session, cab_id: int) -> dict[str, Any]:
    c = session.execute(
        select(m.Cab.registration_number, m.Cab.name_zh, m.Cab.name_en, m.Cab.kind).filter(
            m.Cab.id == cab_id
        )
    ).one()
    return {"cab": c[0], "name": {"zh": c[1], "en": c[2]}, "kind": c[3]}


def _items(session: Session, row: Inspection) -> list[dict[str, Any]]:
    found = {
        i.code: (i, o)
        for i, o in session.execute(
            select(InspectionItem, InspectionOutcome)
            .outerjoin(
                InspectionOutcome,
                (InspectionOutcome.item_id == InspectionItem.id)
                & (InspectionOutcome.inspection_id == row.id),
            )
            .filter(InspectionItem.code.in_(list(row.checklist or [])))
        ).all()
    }
    out = []
    for code in row.checklist or []:
        if code not in found:
            continue
        item, o = found[code]
        out.append(
            {
                "code": item.code,
                "title": {"zh": item.title_zh, "en": item.title_en},
                "basis": {"zh": item.basis_zh, "en": item.basis_en},
                "outcome": o.outcome if o else None,
                "note": {"zh": o.note_zh, "en": o.note_en} if o else {"zh": None, "en": None},
            }
        )
    return out


def _references(session: Session, row: Inspection) -> dict[str, Any]:
    rows = session.execute(
        select(InspectionReference, Complaint.case_number)
        .outerjoin(Complaint, Complaint.id == InspectionReference.complaint_id)
        .filter(InspectionReference.inspection_id == row.id)
        .order_by(InspectionReference.id)
    ).all()
    return {
        "complaints": [case for r, case in rows if r.kind == "complaint"],
        "findings": [
            {"rule": r.finding_rule, "subject": r.finding_subject}
            for r, _case in rows
            if r.kind == "finding"
        ],
        "origin_reference": next(
            (
                case if r.kind == "complaint" else r.finding_fingerprint
                for r, case in rows
                if r.origin
            ),
            None,
        ),
    }


def _draw_code(session: Session, row: Inspection) -> str | None:
    if row.draw_id is None:
        return None
    return session.execute(select(Draw.code).filter(Draw.id == row.draw_id)).scalar_one()


def _person(i: Inspector) -> dict[str, Any]:
    """What is published of an inspector: code, name and role — never region, specialties,
    past employers or anything else of the directory entry."""
    return {"code": i.code, "name": {"zh": i.name_zh, "en": i.name_en}, "role": "inspector"}


def _sanction(session: Session, row: Inspection) -> dict[str, Any] | None:
    if row.sanction_id is None:
        return None
    s = session.get(Sanction, row.sanction_id)
    assert s is not None
    regno = session.execute(
        select(m.Cab.registration_number).filter(m.Cab.id == s.cab_id)
    ).scalar_one()
    return sv.sanction_dict(s, regno)


def _summary(
    session: Session,
    row: Inspection,
    target: dict[str, Any] | None = None,
    draw_code: str | None = None,
) -> dict[str, Any]:
    return {
        "code": row.code,
        "target": target or _cab(session, row.cab_id),
        "origin": row.origin,
        "draw": draw_code if target is not None else _draw_code(session, row),
        "planned": {"from": row.planned_from.isoformat(), "until": row.planned_until.isoformat()},
        "status": row.status,
        "conclusion": row.conclusion,
        "published_on": row.published_on.isoformat() if row.published_on else None,
    }


def regulator_view(session: Session, actor: authz.Actor, code: str) -> dict[str, Any]:
    """The whole record (regulator only): assigned and recused inspectors, checklist with
    outcomes so far, history, references, the derived conclusion once complete."""
    authz.require_regulator(actor, "inspection records")
    row = _get(session, code)
    assigned, recused = _assigned(session, row)
    items = _items(session, row)
    outcomes = {i["code"]: i["outcome"] for i in items if i["outcome"]}
    preview: dict[str, Any] | None = None
    if outcomes:
        try:
            preview = derive_conclusion(outcomes).as_dict()
        except InspectionError:
            preview = None
    return {
        **_summary(session, row),
        "history": _history(session, row),
        "inspectors": [
            {
                "code": i.code,
                "name": {"zh": i.name_zh, "en": i.name_en},
                "signed": i.code in (row.signed_by or []),
            }
            for i in assigned
        ],
        "recused": [i.code for i in recused],
        "signed_by": list(row.signed_by or []),
        "items": items,
        "missing": [i["code"] for i in items if not i["outcome"]],
        "conclusion_preview": preview,
        "summary": {"zh": row.summary_zh, "en": row.summary_en},
        **_references(session, row),
        "sanction": _sanction(session, row),
        "source": row.source,
    }


def list_inspections(
    session: Session, actor: authz.Actor, status: str | None = None, cab: str | None = None
) -> list[dict[str, Any]]:
    """Every inspection (regulator only), latest planned first."""
    authz.require_regulator(actor, "inspection records")
    _no_nul(cab=cab)
    if status is not None and status not in STATUSES:
        raise InspectionError(
            f"{status!r} is not one of {', '.join(STATUSES)}", field="status", rule="vocabulary"
        )
    q = (
        select(
            Inspection,
            m.Cab.registration_number,
            m.Cab.name_zh,
            m.Cab.name_en,
            m.Cab.kind,
            Draw.code,
        )
        .join(m.Cab, m.Cab.id == Inspection.cab_id)
        .outerjoin(Draw, Draw.id == Inspection.draw_id)
        .order_by(Inspection.planned_from.desc(), Inspection.code.desc())
    )
    if status:
        q = q.filter(Inspection.status == status)
    if cab:
        q = q.filter(m.Cab.registration_number == cab.strip())
    return [
        _summary(session, r, {"cab": regno, "name": {"zh": zh, "en": en}, "kind": kind}, draw_code)
        for r, regno, zh, en, kind, draw_code in session.execute(q).all()
    ]


def _published(session: Session, code: str) -> Inspection:
    row = _get(session, code)
    if row.status != "completed" or row.published_on is None:
        raise InspectionNotFound(
            f"no published inspection result {code!r}", record=code, rule="published"
        )
    return row


def public_result(session: Session, code: str) -> dict[str, Any]:
    """A published result: target body, items with outcomes, notes and legal bases, the
    conclusion and its explanation, dates, signing inspectors (code, name, role only), linked
    complaint case numbers and findings (rule, subject), the follow-up sanction. Never complaint
    contents or complainant data, never inspectors' other directory data.

    Raises:
        InspectionNotFound: unknown, or not completed and published.
    """
    row = _published(session, code)
    assigned, _recused = _assigned(session, row)
    signers = [_person(i) for i in assigned if i.code in (row.signed_by or [])]
    items = _items(session, row)
    conclusion = derive_conclusion({i["code"]: i["outcome"] for i in items if i["outcome"]})
    refs = _references(session, row)
    history = _history(session, row)
    completed_on = next(h["effective_on"] for h in reversed(history) if h["status"] == "completed")
    return {
        **_summary(session, row),
        "completed_on": completed_on,
        "history": history,
        "inspectors": signers,
        "items": items,
        "conclusion": conclusion.value,
        "explanation": conclusion.explanation,
        "counts": conclusion.counts,
        "summary": {"zh": row.summary_zh, "en": row.summary_en},
        "complaints": refs["complaints"],
        "findings": refs["findings"],
        "sanction": _sanction(session, row),
        "source": row.source,
        "url": f"/supervision/inspection-results/{row.code}",
    }


def published_results(session: Session, limit: int | None = None) -> list[dict[str, Any]]:
    """Published results, latest first: the short form the disclosure page and feed list.
    A fixed number of queries whatever the number of results (no query per result)."""
    q = (
        select(
            Inspection,
            InspectionEvent.effective_on,
            m.Cab.registration_number,
            m.Cab.name_zh,
            m.Cab.name_en,
            m.Cab.kind,
            Draw.code,
        )
        .join(
            InspectionEvent,
            (InspectionEvent.parent_id == Inspection.id) & (InspectionEvent.kind == "completed"),
        )
        .join(m.Cab, m.Cab.id == Inspection.cab_id)
        .outerjoin(Draw, Draw.id == Inspection.draw_id)
        .filter(Inspection.status == "completed", Inspection.published_on.is_not(None))
        .order_by(Inspection.published_on.desc(), Inspection.code.desc())
    )
    if limit:
        q = q.limit(limit)
    rows = session.execute(q).all()
    ids = [r[0].id for r in rows]
    outcomes: dict[int, dict[str, str]] = {}
    sanctions: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for insp_id, code, outcome in session.execute(
            select(InspectionOutcome.inspection_id, InspectionItem.code, InspectionOutcome.outcome)
            .join(InspectionItem, InspectionItem.id == InspectionOutcome.item_id)
            .filter(InspectionOutcome.inspection_id.in_(chunk))
        ):
            outcomes.setdefault(insp_id, {})[code] = outcome
        for insp_id, sanction, regno in session.execute(
            select(Inspection.id, Sanction, m.Cab.registration_number)
            .join(Sanction, Sanction.id == Inspection.sanction_id)
            .join(m.Cab, m.Cab.id == Sanction.cab_id)
            .filter(Inspection.id.in_(chunk))
        ):
            sanctions[insp_id] = sv.sanction_dict(sanction, regno)
    out = []
    for row, completed_on, regno, name_zh, name_en, kind, draw_code in rows:
        checklist = set(row.checklist or [])
        conclusion = derive_conclusion(
            {c: o for c, o in outcomes.get(row.id, {}).items() if c in checklist}
        )
        target = {"cab": regno, "name": {"zh": name_zh, "en": name_en}, "kind": kind}
        out.append(
            {
                **_summary(session, row, target, draw_code),
                "completed_on": completed_on.isoformat(),
                "explanation": conclusion.explanation,
                "counts": conclusion.counts,
                "sanction": sanctions.get(row.id),
                "source": row.source,
                "url": f"/supervision/inspection-results/{row.code}",
                "json": f"/api/v1/supervision/inspection-results/{row.code}",
            }
        )
    return out


# --------------------------------------------------------------------------- for credit ratings


def inspection_outcomes(conn: Connection, on: dt.date) -> dict[int, list[dict[str, Any]]]:
    """CAB id → the inspections completed on or before ``on`` (by the effective date of their
    ``completed`` event): ``{"code", "completed_on", "conclusion"}``, earliest first. For the
    association credit rating (issue 7 §6)."""
    e = InspectionEvent
    rows = conn.execute(
        select(Inspection.cab_id, Inspection.code, e.effective_on, Inspection.conclusion)
        .join(e, e.parent_id == Inspection.id)
        .filter(e.kind == "completed", e.effective_on <= on, Inspection.conclusion.is_not(None))
        .order_by(Inspection.cab_id, e.effective_on, Inspection.code)
    ).all()
    out: dict[int, list[dict[str, Any]]] = {}
    for cab_id, code, completed_on, conclusion in rows:
        out.setdefault(cab_id, []).append(
            {"code": code, "completed_on": completed_on, "conclusion": conclusion}
        )
    return out


__all__ = [
    "CONCLUSIONS",
    "OUTCOMES",
    "STATUSES",
    "Conclusion",
    "InspectionError",
    "InspectionNotFound",
    "cancel",
    "complete",
    "derive_conclusion",
    "inspection_outcomes",
    "list_inspections",
    "normalize_outcome",
    "plan_adhoc",
    "plan_from_draw",
    "public_result",
    "published_results",
    "read_outcomes",
    "record_result",
    "regulator_view",
    "start",
    "status_on",
]
