"""Industry self-discipline over the database: codes of conduct, commitments, credit ratings.

Writes (a code version, a commitment event) are made by the association that owns the code or by
a regulator (:func:`authorize_association_write`), audited like every registry write, and
validated before anything is stored; the caller's unit of work commits. Ratings
(:func:`ratings`) load every fact in a few set-based queries and rate each body with the pure
:func:`accordia.domain.discipline.rate`; they are the regulator's and the associations' working
material (:func:`authorize_rating_read`): an association sees its own members only.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.types import utcnow
from accordia.domain import discipline as dd
from accordia.domain.status import Event
from accordia.models.discipline import (
    COMMITMENT_KINDS,
    ConductCode,
    ConductCodeVersion,
    ConductCommitmentEvent,
)
from accordia.models.supervision import Complaint, Finding, Sanction, ScanRun
from accordia.services import authz

CODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$")
MAX_PROVISIONS = 200


class DisciplineError(ValueError):
    """Bad input, naming the record, the field and the rule it broke."""

    def __init__(self, record: str, field: str, rule: str, message: str) -> None:
        super().__init__(f"{record}: {field}: {message} ({rule})")
        self.record = record
        self.field = field
        self.rule = rule
        self.message = message


class NotFoundError(DisciplineError):
    """An association, code or body that is not in the registry."""


# --------------------------------------------------------------------------- who may do what


def authorize_association_write(
    actor: authz.Actor, association: str, economy: str, what: str
) -> None:
    """Allow a write on ``association``'s codes of conduct, or raise :class:`authz.Forbidden`.

    The regulator may write for every association; an association account (role
    ``association``, bound to acronym + economy) for its own only; every other role, the public
    and read-only tokens are refused — the rules of :func:`authz.authorize_write` applied to
    the self-discipline kinds (``conduct_code``, ``conduct_commitment``)."""
    if not actor.can_write or actor.role == authz.PUBLIC:
        raise authz.Forbidden(
            "read_only", f"{actor.describe()} may not write ({what}): read-only access"
        )
    if actor.role == authz.REGULATOR:
        return
    if actor.role != authz.ASSOCIATION:
        raise authz.Forbidden(
            "wrong_role",
            f"{actor.describe()} may not write {what} records: only an association (for its "
            "own codes) or a regulator may",
        )
    if actor.body != (association.strip(), economy.strip().upper()):
        raise authz.Forbidden(
            "own_association_only",
            f"{actor.describe()} may write {what} records of its own association only, "
            f"not of {association!r} / {economy!r}",
            "association",
        )


def authorize_rating_read(actor: authz.Actor) -> None:
    """Ratings are read by regulators (every body) and associations (their members)."""
    if actor.role not in (authz.REGULATOR, authz.ASSOCIATION):
        raise authz.Forbidden(
            "regulator_or_association_only",
            f"{actor.describe()} may not read credit ratings: only a regulator or an "
            "association may",
        )


# --------------------------------------------------------------------------- lookups


def _economies(session: Session | Connection) -> dict[int, str]:
    return {i: code for i, code in session.execute(select(m.Economy.id, m.Economy.code))}


def find_association(session: Session, acronym: str, economy: str | None) -> m.Association:
    """The association ``acronym`` (in ``economy``; optional when the acronym is unique)."""
    acronym = (acronym or "").strip()
    q = select(m.Association).filter(m.Association.acronym == acronym)
    if economy:
        q = q.join(m.Economy, m.Economy.id == m.Association.economy_id).filter(
            m.Economy.code == economy.strip().upper()
        )
    found = session.execute(q).scalars().all()
    record = f"association {acronym}" + (f" / {economy.upper()}" if economy else "")
    if not found:
        raise NotFoundError(record, "association", "unknown_association", "not in the registry")
    if len(found) > 1:
        raise DisciplineError(
            record,
            "economy",
            "ambiguous_association",
            "several associations have this acronym: name the economy",
        )
    return found[0]


def association_key(session: Session | Connection, a: m.Association) -> dict[str, Any]:
    return {
        "acronym": a.acronym,
        "economy": _economies(session).get(a.economy_id, ""),
        "name": {"zh": a.name_zh, "en": a.name_en},
        "website": a.website,
    }


def _code(session: Session, a: m.Association, code: str) -> ConductCode:
    row = session.execute(
        select(ConductCode).filter_by(association_id=a.id, code=code.strip())
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(
            f"code of conduct {a.acronym} {code}", "code", "unknown_code", "not in the registry"
        )
    return row


def _cab(session: Session, regno: str) -> m.Cab:
    cab = session.execute(
        select(m.Cab).filter_by(registration_number=(regno or "").strip())
    ).scalar_one_or_none()
    if cab is None:
        raise NotFoundError(f"body {regno}", "cab", "unknown_cab", "not in the registry")
    return cab


def _importer_context(session: Session, actor: authz.Actor) -> Any:
    from accordia.importer.context import ImportContext

    return ImportContext(
        session=session,
        actor=actor.name,
        principal=actor,
        operation="discipline-" + secrets.token_hex(6),
    )


# --------------------------------------------------------------------------- documents


def version_doc(v: ConductCodeVersion) -> dict[str, Any]:
    return {
        "version": v.version,
        "title": {"zh": v.title_zh, "en": v.title_en},
        "provisions": list(v.provisions or []),
        "adopted_on": v.adopted_on.isoformat(),
        "effective_on": v.effective_on.isoformat(),
        "source_url": v.source_url,
        "source": v.source,
        "recorded_at": v.recorded_at.isoformat() if v.recorded_at else None,
    }


def in_force(versions: Sequence[ConductCodeVersion], on: dt.date) -> ConductCodeVersion | None:
    """The version in force on ``on``: the latest effective by then (ties: highest number)."""
    effective = [v for v in versions if v.effective_on <= on]
    return max(effective, key=lambda v: (v.effective_on, v.version)) if effective else None


def _versions(session: Session, code_ids: Iterable[int]) -> dict[int, list[ConductCodeVersion]]:
    out: dict[int, list[ConductCodeVersion]] = defaultdict(list)
    ids = list(code_ids)
    if not ids:
        return out
    for v in session.execute(
        select(ConductCodeVersion)
        .filter(ConductCodeVersion.code_id.in_(ids))
        .order_by(ConductCodeVersion.version)
    ).scalars():
        out[v.code_id].append(v)
    return out


def _event_doc(e: ConductCommitmentEvent) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "effective_on": e.effective_on.isoformat(),
        "recorded_at": e.recorded_at.isoformat() if e.recorded_at else None,
        "recorded_by": e.recorded_by,
        "note": e.note,
        "source": e.source,
    }


def _status_of(events: Sequence[ConductCommitmentEvent], on: dt.date) -> tuple[str, dt.date | None]:
    return dd.commitment_status(
        [dd.CommitmentEventFact("", "", e.kind, e.effective_on, e.recorded_at) for e in events],
        on,
    )


def _commitments(session: Session, code_id: int, on: dt.date) -> list[dict[str, Any]]:
    rows = session.execute(
        select(ConductCommitmentEvent, m.Cab)
        .join(m.Cab, m.Cab.id == ConductCommitmentEvent.cab_id)
        .filter(ConductCommitmentEvent.code_id == code_id)
        .order_by(
            m.Cab.registration_number,
            ConductCommitmentEvent.effective_on,
            ConductCommitmentEvent.recorded_at,
            ConductCommitmentEvent.id,
        )
    ).all()
    by_cab: dict[str, tuple[m.Cab, list[ConductCommitmentEvent]]] = {}
    for ev, cab in rows:
        by_cab.setdefault(cab.registration_number, (cab, []))[1].append(ev)
    out = []
    for regno, (cab, events) in by_cab.items():
        status, since = _status_of(events, on)
        out.append(
            {
                "cab": regno,
                "cab_name": {"zh": cab.name_zh, "en": cab.name_en},
                "status": status,
                "since": since.isoformat() if since else None,
                "events": [_event_doc(e) for e in events],
            }
        )
    return out


def _code_summary(
    code: ConductCode, versions: Sequence[ConductCodeVersion], on: dt.date
) -> dict[str, Any]:
    current = in_force(versions, on)
    return {
        "code": code.code,
        "in_force": version_doc(current) if current else None,
        "versions": [version_doc(v) for v in versions],
        "source": code.source,
    }


def list_codes(
    session: Session, on: dt.date, association: str | None = None, economy: str | None = None
) -> list[dict[str, Any]]:
    """Codes of conduct (of one association, or all), each with its version in force on ``on``
    and its whole version history."""
    q = select(ConductCode, m.Association).join(
        m.Association, m.Association.id == ConductCode.association_id
    )
    if association:
        a = find_association(session, association, economy)
        q = q.filter(ConductCode.association_id == a.id)
    rows = session.execute(q.order_by(m.Association.acronym, ConductCode.code)).all()
    versions = _versions(session, [c.id for c, _a in rows])
    return [
        {"association": association_key(session, a), **_code_summary(c, versions[c.id], on)}
        for c, a in rows
    ]


def code_detail(
    session: Session, association: str, economy: str | None, code: str, on: dt.date
) -> dict[str, Any]:
    """One code: versions, the version in force on ``on``, and each body's commitment (status
    on ``on`` and its events)."""
    a = find_association(session, association, economy)
    c = _code(session, a, code)
    versions = _versions(session, [c.id])[c.id]
    return {
        "association": association_key(session, a),
        "on": on.isoformat(),
        **_code_summary(c, versions, on),
        "commitments": _commitments(session, c.id, on),
    }


def associations_overview(session: Session, on: dt.date) -> list[dict[str, Any]]:
    """Every association with its members on ``on`` (count) and its codes."""
    assocs = session.execute(select(m.Association).order_by(m.Association.acronym)).scalars()
    ms = m.AssociationMembership
    members: dict[int, int] = {
        aid: int(n)
        for aid, n in session.execute(
            select(ms.association_id, func.count(func.distinct(ms.cab_id)))
            .filter(ms.since <= on, (ms.until.is_(None)) | (ms.until >= on))
            .group_by(ms.association_id)
        )
    }
    codes: dict[int, list[str]] = defaultdict(list)
    for aid, code in session.execute(
        select(ConductCode.association_id, ConductCode.code).order_by(ConductCode.code)
    ):
        codes[aid].append(code)
    return [
        {
            **association_key(session, a),
            "members": int(members.get(a.id, 0)),
            "codes": codes.get(a.id, []),
        }
        for a in assocs
    ]


def association_detail(
    session: Session, association: str, economy: str | None, on: dt.date
) -> dict[str, Any]:
    """An association on ``on``: its codes (version in force) and its members, each with its
    commitment status per code."""
    a = find_association(session, association, economy)
    codes = (
        session.execute(
            select(ConductCode).filter_by(association_id=a.id).order_by(ConductCode.code)
        )
        .scalars()
        .all()
    )
    versions = _versions(session, [c.id for c in codes])
    ms = m.AssociationMembership
    member_rows = session.execute(
        select(ms, m.Cab)
        .join(m.Cab, m.Cab.id == ms.cab_id)
        .filter(ms.association_id == a.id, ms.since <= on, (ms.until.is_(None)) | (ms.until >= on))
        .order_by(m.Cab.registration_number)
    ).all()
    events: dict[tuple[int, int], list[ConductCommitmentEvent]] = defaultdict(list)
    if codes:
        for e in session.execute(
            select(ConductCommitmentEvent)
            .filter(ConductCommitmentEvent.code_id.in_([c.id for c in codes]))
            .order_by(ConductCommitmentEvent.effective_on, ConductCommitmentEvent.recorded_at)
        ).scalars():
            events[(e.code_id, e.cab_id)].append(e)
    members = []
    seen: set[int] = set()
    for membership, cab in member_rows:
        if cab.id in seen:
            continue
        seen.add(cab.id)
        members.append(
            {
                "cab": cab.registration_number,
                "cab_name": {"zh": cab.name_zh, "en": cab.name_en},
                "since": membership.since.isoformat(),
                "until": membership.until.isoformat() if membership.until else None,
                "commitments": {
                    c.code: _status_of(events.get((c.id, cab.id), []), on)[0] for c in codes
                },
            }
        )
    return {
        "association": association_key(session, a),
        "on": on.isoformat(),
        "codes": [_code_summary(c, versions[c.id], on) for c in codes],
        "members": members,
    }


# --------------------------------------------------------------------------- writes


def _clean_items(items: Sequence[str] | None) -> list[str]:
    return [i.strip() for i in (items or [])]


def add_code_version(
    session: Session,
    actor: authz.Actor,
    *,
    association: str,
    economy: str | None,
    code: str,
    title_zh: str | None,
    title_en: str | None,
    provisions_zh: Sequence[str] | None,
    provisions_en: Sequence[str] | None,
    adopted_on: dt.date,
    effective_on: dt.date,
    source_url: str | None = None,
    source: str = "",
    version: int | None = None,
) -> dict[str, Any]:
    """Publish a code of conduct, or a new version of one (the caller commits).

    Provisions are numbered in order (1, 2, …); when both languages are given they must have
    the same number of items. A new version must take effect after the latest one.

    Raises:
        authz.Forbidden: not the association itself nor a regulator.
        DisciplineError: naming the record, the field and the rule.
    """
    a = find_association(session, association, economy)
    eco = _economies(session).get(a.economy_id, "")
    authorize_association_write(actor, a.acronym, eco, "conduct_code")
    code = (code or "").strip()
    record = f"code of conduct {a.acronym}/{eco} {code or '?'}"
    if not CODE_ID.match(code):
        raise DisciplineError(
            record,
            "code",
            "invalid_code",
            "a code id is 1–48 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    tz, te = (title_zh or "").strip() or None, (title_en or "").strip() or None
    if not tz and not te:
        raise DisciplineError(record, "title", "title_required", "a title in Chinese or English")
    pz, pe = _clean_items(provisions_zh), _clean_items(provisions_en)
    if not pz and not pe:
        raise DisciplineError(
            record, "provisions", "provisions_required", "at least one provision is needed"
        )
    if pz and pe and len(pz) != len(pe):
        raise DisciplineError(
            record,
            "provisions",
            "provisions_mismatch",
            f"{len(pz)} Chinese and {len(pe)} English provisions: give the same numbered items "
            "in both languages (or one language only)",
        )
    n = max(len(pz), len(pe))
    if n > MAX_PROVISIONS:
        raise DisciplineError(
            record, "provisions", "too_many", f"at most {MAX_PROVISIONS} provisions"
        )
    provisions = []
    for i in range(n):
        zh = pz[i] if pz else None
        en = pe[i] if pe else None
        if not zh and not en:
            raise DisciplineError(
                record, f"provisions[{i + 1}]", "empty_provision", "provision is empty"
            )
        provisions.append({"number": i + 1, "zh": zh or None, "en": en or None})
    if adopted_on > effective_on:
        raise DisciplineError(
            record, "adopted_on", "adopted_after_effective", "adopted after it took effect"
        )
    if source_url and not re.match(r"^https?://\S+$", source_url.strip()):
        raise DisciplineError(record, "source_url", "invalid_url", "an http(s) URL is needed")
    from accordia.importer.context import snapshot

    ctx = _importer_context(session, actor)
    row = session.execute(
        select(ConductCode).filter_by(association_id=a.id, code=code)
    ).scalar_one_or_none()
    if row is None:
        row = ConductCode(association_id=a.id, code=code, source=source)
        session.add(row)
        session.flush()
        ctx.audit("create", "conduct_code", f"{a.acronym}|{eco}|{code}", None, snapshot(row))
    existing = _versions(session, [row.id])[row.id]
    if version is None:
        version = max((v.version for v in existing), default=0) + 1
    if version < 1:
        raise DisciplineError(record, "version", "invalid_version", "versions start at 1")
    if any(v.version == version for v in existing):
        raise DisciplineError(
            record, "version", "version_exists", f"version {version} is already recorded"
        )
    later = [v for v in existing if v.effective_on >= effective_on]
    if later:
        raise DisciplineError(
            record,
            "effective_on",
            "not_after_previous",
            f"version {later[-1].version} already takes effect on {later[-1].effective_on}; a "
            "new version must take effect after every recorded one",
        )
    v = ConductCodeVersion(
        code_id=row.id,
        version=version,
        title_zh=tz,
        title_en=te,
        provisions=provisions,
        adopted_on=adopted_on,
        effective_on=effective_on,
        source_url=(source_url or "").strip() or None,
        source=source,
    )
    session.add(v)
    session.flush()
    ctx.audit(
        "create",
        "conduct_code_version",
        f"{a.acronym}|{eco}|{code}|{version}",
        None,
        snapshot(v),
    )
    ctx.flush_audit()
    return {
        "association": association_key(session, a),
        "code": code,
        **version_doc(v),
        "operation": ctx.operation,
    }


def record_commitment(
    session: Session,
    actor: authz.Actor,
    *,
    association: str,
    economy: str | None,
    code: str,
    cab: str,
    kind: str,
    effective_on: dt.date,
    note: str | None = None,
    source: str = "",
) -> dict[str, Any]:
    """Record that a member body committed to a code, withdrew, or was expelled (the caller
    commits). Events are appended in the order they take effect.

    Rules: ``committed`` needs a membership of the association on ``effective_on`` and a
    version of the code in force by then, and the body not already committed;
    ``withdrawn`` / ``expelled`` need a commitment in force on that date.
    """
    a = find_association(session, association, economy)
    eco = _economies(session).get(a.economy_id, "")
    authorize_association_write(actor, a.acronym, eco, "conduct_commitment")
    record = f"commitment of {cab} to {a.acronym}/{eco} {code}"
    if kind not in COMMITMENT_KINDS:
        raise DisciplineError(
            record, "kind", "invalid_kind", f"kind must be one of {', '.join(COMMITMENT_KINDS)}"
        )
    c = _code(session, a, code)
    body = _cab(session, cab)
    events = (
        session.execute(
            select(ConductCommitmentEvent)
            .filter_by(code_id=c.id, cab_id=body.id)
            .order_by(ConductCommitmentEvent.effective_on, ConductCommitmentEvent.recorded_at)
        )
        .scalars()
        .all()
    )
    if events and events[-1].effective_on > effective_on:
        raise DisciplineError(
            record,
            "effective_on",
            "out_of_order",
            f"the last recorded event takes effect on {events[-1].effective_on}; events are "
            "appended in the order they take effect",
        )
    status, _since = _status_of(events, effective_on)
    if kind == "committed":
        ms = m.AssociationMembership
        member = session.execute(
            select(ms.id).filter(
                ms.association_id == a.id,
                ms.cab_id == body.id,
                ms.since <= effective_on,
                (ms.until.is_(None)) | (ms.until >= effective_on),
            )
        ).first()
        if member is None:
            raise DisciplineError(
                record,
                "cab",
                "not_a_member",
                f"{body.registration_number} is not a member of {a.acronym} on {effective_on}",
            )
        if in_force(_versions(session, [c.id])[c.id], effective_on) is None:
            raise DisciplineError(
                record,
                "effective_on",
                "code_not_in_force",
                f"no version of {code} is in force on {effective_on}",
            )
        if status == "committed":
            raise DisciplineError(
                record, "kind", "already_committed", f"already committed on {effective_on}"
            )
    elif status != "committed":
        raise DisciplineError(
            record,
            "kind",
            "not_committed",
            f"cannot be {kind}: not committed on {effective_on} (status {status})",
        )
    ev = ConductCommitmentEvent(
        code_id=c.id,
        cab_id=body.id,
        kind=kind,
        effective_on=effective_on,
        recorded_at=utcnow(),
        recorded_by=actor.name[:64],
        note=(note or "").strip() or None,
        source=source,
    )
    session.add(ev)
    session.flush()
    from accordia.importer.context import snapshot

    ctx = _importer_context(session, actor)
    ctx.audit(
        "event",
        "conduct_commitment_event",
        f"{a.acronym}|{eco}|{code}|{body.registration_number}",
        None,
        snapshot(ev, exclude=("id",)),
    )
    ctx.flush_audit()
    return {
        "association": association_key(session, a),
        "code": c.code,
        "cab": body.registration_number,
        **_event_doc(ev),
        "status": _status_of([*events, ev], effective_on)[0],
        "operation": ctx.operation,
    }


# --------------------------------------------------------------------------- ratings


def scan_run_for(conn: Connection, on: dt.date) -> Any:
    """The scan run a rating on ``on`` uses: the most recently run completed scan (current or
    superseded) whose date is on or before ``on``."""
    return conn.execute(
        select(ScanRun.id, ScanRun.on)
        .filter(ScanRun.status.in_(("done", "superseded")), ScanRun.on <= on)
        .order_by(ScanRun.id.desc())
        .limit(1)
    ).first()


def _inspection_outcomes(conn: Connection, on: dt.date) -> dict[int, list[dict[str, Any]]] | None:
    try:
        module = importlib.import_module("accordia.services.inspections")
        outcomes = module.inspection_outcomes
    except (ImportError, AttributeError):
        return None  # no inspection data in this registry
    result: dict[int, list[dict[str, Any]]] = outcomes(conn, on)
    return result


def load_records(
    conn: Connection, on: dt.date, cab_ids: Iterable[int] | None = None
) -> dict[int, dd.BodyRecord]:
    """Every body's rating facts (CAB id → record), in one query per table."""
    only = set(cab_ids) if cab_ids is not None else None

    def want(cab_id: int) -> bool:
        return only is None or cab_id in only

    cabs = [
        (i, regno)
        for i, regno in conn.execute(select(m.Cab.id, m.Cab.registration_number))
        if want(i)
    ]
    run = scan_run_for(conn, on)
    findings: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    if run is not None:
        for cab_id, rule, severity, n in conn.execute(
            select(Finding.cab_id, Finding.rule, Finding.severity, func.count())
            .filter(Finding.scan_run_id == run.id)
            .group_by(Finding.cab_id, Finding.rule, Finding.severity)
        ):
            if want(cab_id):
                findings[cab_id].append((rule, severity, int(n)))
    sanctions: dict[int, list[dd.SanctionFact]] = defaultdict(list)
    for cab_id, kind, frm, until, decided in conn.execute(
        select(
            Sanction.cab_id,
            Sanction.kind,
            Sanction.effective_from,
            Sanction.effective_until,
            Sanction.decided_on,
        )
    ):
        if want(cab_id):
            sanctions[cab_id].append(dd.SanctionFact(kind, frm, until, decided))
    complaints: dict[int, list[dd.ComplaintFact]] = defaultdict(list)
    for c_cab, received, published, case in conn.execute(
        select(
            Complaint.cab_id,
            Complaint.received_on,
            Complaint.outcome_published_on,
            Complaint.case_number,
        ).filter(Complaint.status == "substantiated", Complaint.cab_id.is_not(None))
    ):
        if c_cab is not None and want(c_cab):
            complaints[c_cab].append(dd.ComplaintFact(published or received, case))
    approvals: dict[int, list[Event]] = defaultdict(list)
    be = m.BodyApprovalEvent
    for pid, kind, eff, rec in conn.execute(
        select(be.parent_id, be.kind, be.effective_on, be.recorded_at)
    ):
        if want(pid):
            approvals[pid].append(Event(kind, eff, rec))
    acc_events: dict[int, list[Event]] = defaultdict(list)
    ae = m.AccreditationEvent
    for pid, kind, eff, rec in conn.execute(
        select(ae.parent_id, ae.kind, ae.effective_on, ae.recorded_at).filter(
            ae.kind.in_(("suspended", "withdrawn"))
        )
    ):
        acc_events[pid].append(Event(kind, eff, rec))
    accs: dict[int, list[dd.AccreditationFact]] = defaultdict(list)
    for acc_id, cab_id, number in conn.execute(
        select(m.Accreditation.id, m.Accreditation.cab_id, m.Accreditation.number)
    ):
        if want(cab_id) and acc_id in acc_events:
            accs[cab_id].append(dd.AccreditationFact(number, tuple(acc_events[acc_id])))
    ecos = _economies(conn)
    labels = {
        aid: f"{acr}/{ecos.get(eid, '')}"
        for aid, acr, eid in conn.execute(
            select(m.Association.id, m.Association.acronym, m.Association.economy_id)
        )
    }
    memberships: dict[int, list[dd.MembershipFact]] = defaultdict(list)
    ms = m.AssociationMembership
    for aid, cab_id, since, until in conn.execute(
        select(ms.association_id, ms.cab_id, ms.since, ms.until)
    ):
        if want(cab_id):
            memberships[cab_id].append(dd.MembershipFact(labels[aid], since, until))
    codes: list[dd.CodeFact] = []
    code_keys: dict[int, tuple[str, str]] = {}
    for cid, aid, code, first in conn.execute(
        select(
            ConductCode.id,
            ConductCode.association_id,
            ConductCode.code,
            func.min(ConductCodeVersion.effective_on),
        )
        .join(ConductCodeVersion, ConductCodeVersion.code_id == ConductCode.id)
        .group_by(ConductCode.id, ConductCode.association_id, ConductCode.code)
    ):
        code_keys[cid] = (labels[aid], code)
        codes.append(dd.CodeFact(labels[aid], code, first))
    commitments: dict[int, list[dd.CommitmentEventFact]] = defaultdict(list)
    ce = ConductCommitmentEvent
    for cid, cab_id, kind, eff, rec in conn.execute(
        select(ce.code_id, ce.cab_id, ce.kind, ce.effective_on, ce.recorded_at)
    ):
        if want(cab_id) and cid in code_keys:
            assoc, code = code_keys[cid]
            commitments[cab_id].append(dd.CommitmentEventFact(assoc, code, kind, eff, rec))
    outcomes = _inspection_outcomes(conn, on)
    inspections: dict[int, tuple[dd.InspectionFact, ...]] = {}
    if outcomes is not None:
        for cab_id, items in outcomes.items():
            inspections[cab_id] = tuple(
                dd.InspectionFact(
                    str(i.get("code", "")),
                    _as_date(i["completed_on"]),
                    str(i["conclusion"]),
                )
                for i in items
            )

    def own_codes(cab_id: int) -> tuple[dd.CodeFact, ...]:
        mine = {f.association for f in memberships.get(cab_id, [])}
        return tuple(c for c in codes if c.association in mine)

    return {
        i: dd.BodyRecord(
            body=regno,
            findings=tuple(sorted(findings.get(i, []))),
            scan_on=run.on if run is not None else None,
            sanctions=tuple(sanctions.get(i, [])),
            complaints=tuple(complaints.get(i, [])),
            approval_events=tuple(approvals.get(i, [])),
            accreditations=tuple(accs.get(i, [])),
            memberships=tuple(memberships.get(i, [])),
            codes=own_codes(i),
            commitments=tuple(commitments.get(i, [])),
            inspections=None if outcomes is None else inspections.get(i, ()),
        )
        for i, regno in cabs
    }


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _member_ids(conn: Connection, actor: authz.Actor, on: dt.date) -> set[int] | None:
    """The bodies an actor may see ratings of: None (all) for a regulator; an association's
    members on ``on``."""
    authorize_rating_read(actor)
    if actor.role == authz.REGULATOR:
        return None
    if actor.body is None:
        return set()
    acronym, economy = actor.body
    ms = m.AssociationMembership
    return {
        cab_id
        for (cab_id,) in conn.execute(
            select(ms.cab_id)
            .join(m.Association, m.Association.id == ms.association_id)
            .join(m.Economy, m.Economy.id == m.Association.economy_id)
            .filter(
                m.Association.acronym == acronym,
                m.Economy.code == economy,
                ms.since <= on,
                (ms.until.is_(None)) | (ms.until >= on),
            )
        )
    }


def ratings(
    engine: Engine, on: dt.date, actor: authz.Actor | None = None, cab: str | None = None
) -> list[dd.Rating]:
    """Credit ratings on ``on`` (of every body ``actor`` may see; all without an actor, for
    internal callers such as the dashboard), worst first.

    Raises:
        authz.Forbidden: the actor is neither a regulator nor an association.
        NotFoundError: ``cab`` is not a body the actor may see.
    """
    with engine.connect() as conn:
        allowed = _member_ids(conn, actor, on) if actor is not None else None
        ids: set[int] | None = allowed
        if cab is not None:
            found = conn.execute(
                select(m.Cab.id).filter(m.Cab.registration_number == cab.strip())
            ).scalar()
            if found is None or (allowed is not None and found not in allowed):
                raise NotFoundError(
                    f"body {cab}",
                    "cab",
                    "unknown_cab",
                    "not in the registry" if found is None else "not a member of your association",
                )
            ids = {found}
        records = load_records(conn, on, ids)
    out = [dd.rate(r, on) for r in records.values()]
    return sorted(out, key=lambda r: (r.score, r.body))


def rating(engine: Engine, cab: str, on: dt.date, actor: authz.Actor | None = None) -> dd.Rating:
    return ratings(engine, on, actor, cab=cab)[0]


def commitments_of(session: Session, cab: str, on: dt.date) -> list[dict[str, Any]]:
    """A body's commitments to codes of conduct: status on ``on`` and events, per code."""
    body = _cab(session, cab)
    rows = session.execute(
        select(ConductCommitmentEvent, ConductCode, m.Association)
        .join(ConductCode, ConductCode.id == ConductCommitmentEvent.code_id)
        .join(m.Association, m.Association.id == ConductCode.association_id)
        .filter(ConductCommitmentEvent.cab_id == body.id)
        .order_by(
            m.Association.acronym,
            ConductCode.code,
            ConductCommitmentEvent.effective_on,
            ConductCommitmentEvent.recorded_at,
        )
    ).all()
    grouped: dict[int, tuple[ConductCode, m.Association, list[ConductCommitmentEvent]]] = {}
    for ev, code, assoc in rows:
        grouped.setdefault(code.id, (code, assoc, []))[2].append(ev)
    out = []
    for code, assoc, events in grouped.values():
        status, since = _status_of(events, on)
        out.append(
            {
                "association": association_key(session, assoc),
                "code": code.code,
                "status": status,
                "since": since.isoformat() if since else None,
                "events": [_event_doc(e) for e in events],
            }
        )
    return out


__all__ = [
    "DisciplineError",
    "NotFoundError",
    "add_code_version",
    "association_detail",
    "associations_overview",
    "authorize_association_write",
    "authorize_rating_read",
    "code_detail",
    "commitments_of",
    "list_codes",
    "load_records",
    "rating",
    "ratings",
    "record_commitment",
]
