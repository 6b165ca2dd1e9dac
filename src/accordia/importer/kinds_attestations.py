"""Record kinds: accreditations, certificates (and other attestations), and their events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.base import table_of
from accordia.db.bulk import allocate_ids, insert_rows
from accordia.db.types import utcnow
from accordia.domain.identifiers import normalize_number
from accordia.domain.status import EventKind, Status, scope_on, status_on
from accordia.importer.context import ImportContext, RowError
from accordia.importer.fields import Field
from accordia.importer.kind import (
    Kind,
    Row,
    check_order,
    check_scope_items,
    register,
    require_together,
)
from accordia.importer.kinds_bodies import EVENT_KINDS
from accordia.importer.kinds_reference import SOURCE
from accordia.models.certificate import AttestationKind

STATUS_CHOICES = ("active", "suspended", "withdrawn", "expired")
# The event that moves a record from its derived status to the status a row states.
_TO_EVENT = {
    Status.SUSPENDED: EventKind.SUSPENDED,
    Status.WITHDRAWN: EventKind.WITHDRAWN,
    Status.EXPIRED: EventKind.EXPIRED,
}

AB_FIELDS = (
    Field("accreditation_body", max_len=32, help="Accreditation body acronym.", example="CNAS"),
    Field(
        "accreditation_body_economy", max_len=16, help="Accreditation body economy.", example="CN"
    ),
)
STATUS_FIELDS = (
    Field(
        "status",
        choices=STATUS_CHOICES,
        help="Status as the publisher states it; a change becomes a new event.",
    ),
    Field(
        "changed_on",
        type="date",
        help="Date a changed status or scope in this row took effect (required for changes).",
    ),
)


def _events(session: Session, model: type[Any], parent_id: int) -> list[Any]:
    return list(session.execute(select(model).filter_by(parent_id=parent_id)).scalars())


def _reconcile(
    ctx: ImportContext,
    row: Row,
    model: type[Any],
    parent_id: int,
    entity: str,
    record_key: str,
    granted: list[str] | None,
    valid_until: dt.date | None,
) -> None:
    """Turn a stated status / scope that differs from the derived one into new events."""
    events = _events(ctx.session, model, parent_id)
    as_of = row["changed_on"] or ctx_today()
    # The scope column holds the scope as granted; a row whose scope differs from the grant
    # states the scope in force on changed_on, and the difference becomes scope events.
    if granted is not None and row.get("scope") is not None and set(row["scope"]) != set(granted):
        current = scope_on(granted, events, as_of)
        wanted = set(row["scope"])
        added, removed = sorted(wanted - current), sorted(current - wanted)
        if (added or removed) and not row["changed_on"]:
            raise RowError(
                "changed_on",
                "required",
                f"scope differs from the registry ({'+' + ','.join(added) if added else ''}"
                f"{' -' + ','.join(removed) if removed else ''}); give the date it changed",
            )
        if added:
            ctx.add_event(
                model,
                parent_id,
                entity,
                record_key,
                kind=EventKind.SCOPE_EXTENDED,
                effective_on=as_of,
                scope=added,
                source=row["source"] or "",
            )
        if removed:
            ctx.add_event(
                model,
                parent_id,
                entity,
                record_key,
                kind=EventKind.SCOPE_REDUCED,
                effective_on=as_of,
                scope=removed,
                source=row["source"] or "",
            )
    if not row["status"]:
        return
    wanted_status = Status(row["status"])
    derived = status_on(events, as_of, valid_until=valid_until)
    if derived == wanted_status:
        return
    if not row["changed_on"]:
        raise RowError(
            "changed_on",
            "required",
            f"status {wanted_status.value!r} differs from the registry's "
            f"{derived.value!r}; give the date it changed",
        )
    if wanted_status is Status.ACTIVE:
        kind = EventKind.RESTORED if derived in (Status.SUSPENDED,) else EventKind.RENEWED
    else:
        kind = _TO_EVENT[wanted_status]
    ctx.add_event(
        model,
        parent_id,
        entity,
        record_key,
        kind=kind,
        effective_on=as_of,
        source=row["source"] or "",
    )


def ctx_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _scope_items(session: Session, model: type[Any], fk: str, parent_id: int) -> list[str]:
    return sorted(session.execute(select(model.item).filter_by(**{fk: parent_id})).scalars().all())


# -- accreditation --------------------------------------------------------------------------------
def _apply_accreditation(ctx: ImportContext, row: Row) -> None:
    ab = ctx.accreditation_body(
        row["accreditation_body"], row["accreditation_body_economy"], "accreditation_body"
    )
    cab = ctx.cab(row["cab"])
    ctx.standard(row["cab_standard"], "cab_standard")
    scope = check_scope_items(ctx, row["scope"], "scope")
    row["scope"] = scope
    record_key = f"{row['accreditation_body']} / {row['number']}"
    acc, action = ctx.upsert(
        m.Accreditation,
        {"accreditation_body_id": ab, "number": row["number"]},
        {
            "cab_id": cab,
            "cab_standard": row["cab_standard"],
            "valid_until": row["valid_until"],
            "source": row["source"] or "",
        },
        "accreditation",
        record_key,
    )
    if action == "created":
        for item in scope:
            ctx.session.add(m.AccreditationScopeItem(accreditation_id=acc.id, item=item))
        ctx.add_event(
            m.AccreditationEvent,
            acc.id,
            "accreditation_event",
            record_key,
            kind=EventKind.GRANTED,
            effective_on=row["granted_on"],
            source=row["source"] or "",
        )
        granted = scope
    else:
        granted = _scope_items(ctx.session, m.AccreditationScopeItem, "accreditation_id", acc.id)
    _reconcile(
        ctx,
        row,
        m.AccreditationEvent,
        acc.id,
        "accreditation_event",
        record_key,
        granted,
        row["valid_until"],
    )


def _export_accreditation(session: Session) -> Iterator[Row]:
    ecos = dict(session.execute(select(m.Economy.id, m.Economy.code)).all())
    q = (
        select(m.Accreditation, m.AccreditationBody, m.Cab.registration_number)
        .join(m.AccreditationBody, m.Accreditation.accreditation_body_id == m.AccreditationBody.id)
        .join(m.Cab, m.Accreditation.cab_id == m.Cab.id)
        .order_by(m.AccreditationBody.acronym, m.Accreditation.number)
    )
    for acc, ab, regno in session.execute(q):
        granted_on = (
            session.execute(
                select(m.AccreditationEvent.effective_on)
                .filter_by(parent_id=acc.id, kind=EventKind.GRANTED)
                .order_by(m.AccreditationEvent.effective_on)
            )
            .scalars()
            .first()
        )
        yield {
            "accreditation_body": ab.acronym,
            "accreditation_body_economy": ecos[ab.economy_id],
            "number": acc.number,
            "cab": regno,
            "cab_standard": acc.cab_standard,
            "scope": _scope_items(session, m.AccreditationScopeItem, "accreditation_id", acc.id),
            "granted_on": granted_on,
            "valid_until": acc.valid_until,
            "status": None,
            "changed_on": None,
            "source": acc.source,
        }


register(
    Kind(
        name="accreditation",
        plural="accreditations",
        doc="An accreditation of a CAB by an accreditation body, with its scope as granted.",
        fields=(
            replace(AB_FIELDS[0], required=True),
            replace(AB_FIELDS[1], required=True),
            Field(
                "number",
                required=True,
                max_len=64,
                help="Accreditation number.",
                example="CNAS C001-M",
            ),
            Field("cab", required=True, max_len=64, help="CAB registration number."),
            Field(
                "cab_standard",
                required=True,
                max_len=80,
                help="Standard accredited to.",
                example="ISO/IEC 17021-1",
            ),
            Field(
                "scope",
                type="list",
                max_len=100,
                help="Scope items as granted: STD:…, IAF:…, HS:…, ILAC:…",
                example="STD:ISO 9001;IAF:19",
            ),
            Field("granted_on", type="date", required=True, help="Date first granted."),
            Field("valid_until", type="date", help="Last day of validity, if limited."),
            *STATUS_FIELDS,
            SOURCE,
        ),
        key=("accreditation_body", "accreditation_body_economy", "number"),
        apply=_apply_accreditation,
        export=_export_accreditation,
        checks=(check_order("granted_on", "valid_until"),),
    )
)


def _event_kind(
    name: str,
    plural: str,
    doc: str,
    parent_fields: tuple[Field, ...],
    resolve: Any,
    model: type[Any],
    export_query: Any,
    apply_many: Any = None,
) -> None:
    def _apply(ctx: ImportContext, row: Row) -> None:
        parent_id, record_key = resolve(ctx, row)
        scope = check_scope_items(ctx, row["scope"], "scope") if row["scope"] else None
        if row["kind"] in (EventKind.SCOPE_EXTENDED, EventKind.SCOPE_REDUCED) and not scope:
            raise RowError("scope", "required", f"a {row['kind']} event needs the scope items")
        ctx.add_event(
            model,
            parent_id,
            name,
            record_key,
            kind=row["kind"],
            effective_on=row["effective_on"],
            scope=scope,
            note=row["note"],
            source=row["source"] or "",
        )

    register(
        Kind(
            name=name,
            plural=plural,
            doc=doc,
            fields=(
                *parent_fields,
                Field("kind", required=True, choices=EVENT_KINDS, help="Event kind."),
                Field("effective_on", type="date", required=True, help="Date it took effect."),
                Field(
                    "scope",
                    type="list",
                    max_len=100,
                    help="For scope changes: the items added or removed.",
                ),
                Field("note", max_len=2000, help="Free text (reason, decision reference)."),
                SOURCE,
            ),
            key=(*(f.name for f in parent_fields), "kind", "effective_on"),
            apply=_apply,
            export=export_query,
            apply_many=apply_many(_apply) if apply_many else None,
        )
    )


def _resolve_accreditation(ctx: ImportContext, row: Row) -> tuple[int, str]:
    ab = ctx.accreditation_body(
        row["accreditation_body"], row["accreditation_body_economy"], "accreditation_body"
    )
    return ctx.accreditation(ab, row["accreditation"]), (
        f"{row['accreditation_body']} / {row['accreditation']}"
    )


def _export_accreditation_events(session: Session) -> Iterator[Row]:
    ecos = dict(session.execute(select(m.Economy.id, m.Economy.code)).all())
    q = (
        select(m.AccreditationEvent, m.Accreditation.number, m.AccreditationBody)
        .join(m.Accreditation, m.AccreditationEvent.parent_id == m.Accreditation.id)
        .join(m.AccreditationBody, m.Accreditation.accreditation_body_id == m.AccreditationBody.id)
        .order_by(
            m.AccreditationBody.acronym,
            m.Accreditation.number,
            m.AccreditationEvent.effective_on,
            m.AccreditationEvent.id,
        )
    )
    for ev, number, ab in session.execute(q):
        yield {
            "accreditation_body": ab.acronym,
            "accreditation_body_economy": ecos[ab.economy_id],
            "accreditation": number,
            "kind": ev.kind,
            "effective_on": ev.effective_on,
            "scope": ev.scope or [],
            "note": ev.note,
            "source": ev.source,
        }


_event_kind(
    "accreditation_event",
    "accreditation_events",
    "A change of an accreditation's status or scope.",
    (
        Field("accreditation_body", required=True, max_len=32, help="Accreditation body acronym."),
        Field("accreditation_body_economy", required=True, max_len=16, help="Its economy."),
        Field("accreditation", required=True, max_len=64, help="Accreditation number."),
    ),
    _resolve_accreditation,
    m.AccreditationEvent,
    _export_accreditation_events,
)


# -- certificate ----------------------------------------------------------------------------------
def _apply_certificate(ctx: ImportContext, row: Row) -> None:
    cab = ctx.cab(row["cab"])
    org = ctx.organization(row["organization"])
    ctx.standard(row["standard"], "standard")
    acc = None
    if row["accreditation"]:
        if not row["accreditation_body"] or not row["accreditation_body_economy"]:
            raise RowError(
                "accreditation_body",
                "required",
                "is required (with its economy) when accreditation is given",
            )
        ab = ctx.accreditation_body(
            row["accreditation_body"], row["accreditation_body_economy"], "accreditation_body"
        )
        acc = ctx.accreditation(ab, row["accreditation"])
    scope = check_scope_items(ctx, row["scope"], "scope")
    row["scope"] = scope
    record_key = f"{row['cab']} / {row['number']}"
    cert, action = ctx.upsert(
        m.Certificate,
        {"cab_id": cab, "number": row["number"]},
        {
            "number_norm": normalize_number(row["number"]),
            "kind": row["kind"],
            "organization_id": org,
            "standard": row["standard"],
            "accreditation_id": acc,
            "scope_zh": row["scope_zh"],
            "scope_en": row["scope_en"],
            "original_issue_on": row["original_issue_on"],
            "issued_on": row["issued_on"],
            "expires_on": row["expires_on"],
            "personnel": row["personnel"],
            "site_count": row["site_count"],
            "source": row["source"] or "",
        },
        "certificate",
        record_key,
    )
    existing_items = (
        set(_scope_items(ctx.session, m.CertificateScopeItem, "certificate_id", cert.id))
        if action != "created"
        else set()
    )
    for item in scope:
        if item not in existing_items:
            ctx.session.add(m.CertificateScopeItem(certificate_id=cert.id, item=item))
    for site_key in row["sites"]:
        site = ctx.site(org, site_key)
        if (
            action == "created"
            or not ctx.session.execute(
                select(m.CertificateSite.id).filter_by(certificate_id=cert.id, site_id=site)
            ).first()
        ):
            ctx.session.add(m.CertificateSite(certificate_id=cert.id, site_id=site))
    if action == "created" or _is_new_cycle(ctx, cert.id, row["issued_on"]):
        ctx.add_event(
            m.CertificateEvent,
            cert.id,
            "certificate_event",
            record_key,
            kind=EventKind.GRANTED if action == "created" else EventKind.RENEWED,
            effective_on=row["issued_on"],
            source=row["source"] or "",
        )
    _reconcile(
        ctx,
        row,
        m.CertificateEvent,
        cert.id,
        "certificate_event",
        record_key,
        None,
        row["expires_on"],
    )


def _iso_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def _apply_certificates(ctx: ImportContext, rows: list[Row]) -> None:
    """Set-based path: new certificates without sites or stated status are inserted with a few
    statements per chunk; every other row (updates, sites, status changes, duplicates within
    the chunk) goes through :func:`_apply_certificate`."""
    cabs = {r["cab"]: ctx.cab(r["cab"]) for r in rows}
    existing = ctx.ids_by_key(
        m.Certificate, ("cab_id", "number"), ((cabs[r["cab"]], r["number"]) for r in rows)
    )
    orgs = ctx.ids_by_key(m.Organization, ("key",), ((r["organization"],) for r in rows))
    bulk: list[Row] = []
    seen: set[tuple[int, str]] = set()
    for r in rows:
        key = (cabs[r["cab"]], r["number"])
        if (
            key in existing
            or key in seen
            or r["sites"]
            or r["status"]
            or (
                r["accreditation"]
                and (not r["accreditation_body"] or not r["accreditation_body_economy"])
            )
            or (r["organization"],) not in orgs
        ):
            _apply_certificate(ctx, r)  # the per-row path reports its own errors
            continue
        seen.add(key)
        bulk.append(r)
    if not bulk:
        return
    values = []
    for r in bulk:
        ctx.standard(r["standard"], "standard")
        acc = None
        if r["accreditation"]:
            ab = ctx.accreditation_body(
                r["accreditation_body"], r["accreditation_body_economy"], "accreditation_body"
            )
            acc = ctx.accreditation(ab, r["accreditation"])
        r["scope"] = check_scope_items(ctx, r["scope"], "scope")
        values.append(
            {
                "cab_id": cabs[r["cab"]],
                "number": r["number"],
                "number_norm": normalize_number(r["number"]),
                "kind": r["kind"],
                "organization_id": orgs[(r["organization"],)],
                "standard": r["standard"],
                "accreditation_id": acc,
                "scope_zh": r["scope_zh"],
                "scope_en": r["scope_en"],
                "original_issue_on": r["original_issue_on"],
                "issued_on": r["issued_on"],
                "expires_on": r["expires_on"],
                "personnel": r["personnel"],
                "site_count": r["site_count"],
                "source": r["source"] or "",
            }
        )
    now = utcnow()
    conn = ctx.session.connection()
    cert_table = table_of(m.Certificate)
    ids = allocate_ids(conn, cert_table, len(values))
    if ids is None:
        ids = list(
            conn.execute(
                insert(cert_table)
                .values(recorded_at=now)
                .returning(cert_table.c.id, sort_by_parameter_order=True),
                values,
            ).scalars()
        )
    else:
        insert_rows(
            conn,
            cert_table,
            [{"id": i, **v, "recorded_at": now} for i, v in zip(ids, values, strict=True)],
        )
    items = [
        {"certificate_id": i, "item": it}
        for i, r in zip(ids, bulk, strict=True)
        for it in r["scope"]
    ]
    insert_rows(conn, table_of(m.CertificateScopeItem), items)
    events = [
        {
            "parent_id": i,
            "kind": EventKind.GRANTED.value,
            "effective_on": r["issued_on"],
            "recorded_at": now,
            "source": r["source"] or "",
            "note": None,
            "scope": None,
        }
        for i, r in zip(ids, bulk, strict=True)
    ]
    insert_rows(conn, table_of(m.CertificateEvent), events)
    for v, ev, r in zip(values, events, bulk, strict=True):
        record_key = f"{r['cab']} / {r['number']}"
        ctx.audit("create", "certificate", record_key, None, _iso_values(v))
        ctx.audit(
            "event",
            "certificate_event",
            record_key,
            None,
            _iso_values({k: x for k, x in ev.items() if k != "recorded_at"}),
        )
    ctx.stats.created += len(bulk)
    ctx.stats.events += len(bulk)


def _is_new_cycle(ctx: ImportContext, cert_id: int, issued_on: dt.date) -> bool:
    """A re-imported certificate with a later issue date starts a new cycle (a renewal)."""
    latest = (
        ctx.session.execute(
            select(m.CertificateEvent.effective_on)
            .filter(
                m.CertificateEvent.parent_id == cert_id,
                m.CertificateEvent.kind.in_([EventKind.GRANTED, EventKind.RENEWED]),
            )
            .order_by(m.CertificateEvent.effective_on.desc())
        )
        .scalars()
        .first()
    )
    return latest is None or issued_on > latest


def _export_certificate(session: Session) -> Iterator[Row]:
    ecos = dict(session.execute(select(m.Economy.id, m.Economy.code)).all())
    abs_ = {a.id: a for a in session.execute(select(m.AccreditationBody)).scalars()}
    accs = {
        a_id: (ab_id, number)
        for a_id, ab_id, number in session.execute(
            select(
                m.Accreditation.id, m.Accreditation.accreditation_body_id, m.Accreditation.number
            )
        )
    }
    q = (
        select(m.Certificate, m.Cab.registration_number, m.Organization.key)
        .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
        .join(m.Organization, m.Certificate.organization_id == m.Organization.id)
        .order_by(m.Cab.registration_number, m.Certificate.number)
    )
    for part in session.execute(q).yield_per(2000).partitions():
        ids = [cert.id for cert, _r, _o in part]
        sites: dict[int, list[str]] = {}
        for cid, key in session.execute(
            select(m.CertificateSite.certificate_id, m.Site.key)
            .join(m.Site, m.CertificateSite.site_id == m.Site.id)
            .where(m.CertificateSite.certificate_id.in_(ids))
            .order_by(m.Site.key)
        ):
            sites.setdefault(cid, []).append(key)
        items: dict[int, list[str]] = {}
        for cid, item in session.execute(
            select(m.CertificateScopeItem.certificate_id, m.CertificateScopeItem.item)
            .where(m.CertificateScopeItem.certificate_id.in_(ids))
            .order_by(m.CertificateScopeItem.item)
        ):
            items.setdefault(cid, []).append(item)
        first_issue: dict[int, dt.date] = dict(
            session.execute(
                select(m.CertificateEvent.parent_id, func.min(m.CertificateEvent.effective_on))
                .where(
                    m.CertificateEvent.parent_id.in_(ids),
                    m.CertificateEvent.kind == EventKind.GRANTED,
                )
                .group_by(m.CertificateEvent.parent_id)
            ).all()
        )
        for cert, regno, org_key in part:
            ab = number = None
            if cert.accreditation_id:
                ab_id, number = accs[cert.accreditation_id]
                ab = abs_[ab_id]
            yield {
                "cab": regno,
                "number": cert.number,
                "kind": cert.kind,
                "organization": org_key,
                "standard": cert.standard,
                "accreditation_body": ab.acronym if ab else None,
                "accreditation_body_economy": ecos[ab.economy_id] if ab else None,
                "accreditation": number,
                "scope": items.get(cert.id, []),
                "sites": sites.get(cert.id, []),
                "scope_zh": cert.scope_zh,
                "scope_en": cert.scope_en,
                "original_issue_on": cert.original_issue_on,
                "issued_on": first_issue.get(cert.id) or cert.issued_on,
                "expires_on": cert.expires_on,
                "personnel": cert.personnel,
                "site_count": cert.site_count,
                "status": None,
                "changed_on": None,
                "source": cert.source,
            }


register(
    Kind(
        name="certificate",
        plural="certificates",
        doc="A certificate or other attestation (test report, inspection report, verification "
        "statement), by issuing CAB + number.",
        fields=(
            Field("cab", required=True, max_len=64, help="Issuing CAB's registration number."),
            Field(
                "number",
                required=True,
                max_len=80,
                help="Certificate / report number.",
                example="00123Q45678R0M",
            ),
            Field(
                "kind",
                required=True,
                choices=tuple(k.value for k in AttestationKind),
                help="Kind of attestation.",
            ),
            Field("organization", required=True, max_len=120, help="Holder's organization key."),
            Field(
                "standard",
                required=True,
                max_len=80,
                help="Standard certified or tested against.",
                example="ISO 9001",
            ),
            *AB_FIELDS,
            Field(
                "accreditation", max_len=64, help="Number of the accreditation it was issued under."
            ),
            Field(
                "scope",
                type="list",
                max_len=100,
                help="Technical scope: IAF:…, HS:…, CCC:…",
                example="IAF:19;HS:8516",
            ),
            Field("sites", type="list", max_len=64, help="Site keys of the holder covered."),
            Field("scope_zh", max_len=4000, help="Scope statement in Chinese."),
            Field("scope_en", max_len=4000, help="Scope statement in English."),
            Field("original_issue_on", type="date", help="Date of first certification."),
            Field("issued_on", type="date", required=True, help="Issue date of this cycle."),
            Field("expires_on", type="date", help="Last day of validity."),
            Field("personnel", type="int", help="Effective personnel (IAF MD 5)."),
            Field("site_count", type="int", help="Number of sites (IAF MD 1)."),
            *STATUS_FIELDS,
            SOURCE,
        ),
        key=("cab", "number"),
        apply=_apply_certificate,
        apply_many=_apply_certificates,
        export=_export_certificate,
        aliases=("attestations", "certs"),
        checks=(
            check_order("issued_on", "expires_on"),
            check_order("original_issue_on", "issued_on"),
            require_together("accreditation_body", "accreditation_body_economy"),
        ),
    )
)


def _resolve_certificate(ctx: ImportContext, row: Row) -> tuple[int, str]:
    cab = ctx.cab(row["cab"])
    return ctx.certificate(cab, row["certificate"]), f"{row['cab']} / {row['certificate']}"


def _export_certificate_events(session: Session) -> Iterator[Row]:
    q = (
        select(m.CertificateEvent, m.Certificate.number, m.Cab.registration_number)
        .join(m.Certificate, m.CertificateEvent.parent_id == m.Certificate.id)
        .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
        .order_by(
            m.Cab.registration_number,
            m.Certificate.number,
            m.CertificateEvent.effective_on,
            m.CertificateEvent.id,
        )
    )
    for ev, number, regno in session.execute(q).yield_per(5000):
        yield {
            "cab": regno,
            "certificate": number,
            "kind": ev.kind,
            "effective_on": ev.effective_on,
            "scope": ev.scope or [],
            "note": ev.note,
            "source": ev.source,
        }


def _certificate_events_many(per_row: Any) -> Any:
    """Set-based path for certificate events: one look-up of the certificates and of their
    recorded events per chunk, one insert for the new events. Scope-change events and events
    of certificates not found go through ``per_row`` (which reports errors)."""

    def _apply_many(ctx: ImportContext, rows: list[Row]) -> None:
        cabs = {r["cab"]: ctx.cab(r["cab"]) for r in rows}
        certs = ctx.ids_by_key(
            m.Certificate, ("cab_id", "number"), ((cabs[r["cab"]], r["certificate"]) for r in rows)
        )
        have: set[tuple[int, str, dt.date]] = set()
        ids = list(set(certs.values()))
        for i in range(0, len(ids), 1000):
            for pid, kind, on, scope in ctx.session.execute(
                select(
                    m.CertificateEvent.parent_id,
                    m.CertificateEvent.kind,
                    m.CertificateEvent.effective_on,
                    m.CertificateEvent.scope,
                ).where(m.CertificateEvent.parent_id.in_(ids[i : i + 1000]))
            ):
                if not scope:
                    have.add((pid, kind, on))
        now = utcnow()
        new: list[dict[str, Any]] = []
        for r in rows:
            pid = certs.get((cabs[r["cab"]], r["certificate"]))
            if pid is None or r["scope"]:
                per_row(ctx, r)
                continue
            key = (pid, r["kind"], r["effective_on"])
            if key in have:
                ctx.stats.unchanged += 1
                continue
            have.add(key)
            ev = {
                "parent_id": pid,
                "kind": r["kind"],
                "effective_on": r["effective_on"],
                "recorded_at": now,
                "source": r["source"] or "",
                "note": r["note"],
                "scope": None,
            }
            new.append(ev)
            ctx.audit(
                "event",
                "certificate_event",
                f"{r['cab']} / {r['certificate']}",
                None,
                _iso_values({k: x for k, x in ev.items() if k != "recorded_at"}),
            )
        if new:
            insert_rows(ctx.session.connection(), table_of(m.CertificateEvent), new)
            ctx.stats.events += len(new)

    return _apply_many


_event_kind(
    "certificate_event",
    "certificate_events",
    "A change of an attestation's status: surveillance, suspension, restoration, withdrawal...",
    (
        Field("cab", required=True, max_len=64, help="Issuing CAB's registration number."),
        Field("certificate", required=True, max_len=80, help="Certificate number."),
    ),
    _resolve_certificate,
    m.CertificateEvent,
    _export_certificate_events,
    _certificate_events_many,
)


# -- GHG figures ----------------------------------------------------------------------------------
def _apply_ghg(ctx: ImportContext, row: Row) -> None:
    cert_id, record_key = _resolve_certificate(ctx, row)
    ctx.upsert(
        m.GhgFigure,
        {"certificate_id": cert_id},
        {
            "tco2e": row["tco2e"],
            "period_start": row["period_start"],
            "period_end": row["period_end"],
            "boundary_zh": row["boundary_zh"],
            "boundary_en": row["boundary_en"],
            "source": row["source"] or "",
        },
        "ghg_figure",
        record_key,
    )


def _export_ghg(session: Session) -> Iterator[Row]:
    q = (
        select(m.GhgFigure, m.Certificate.number, m.Cab.registration_number)
        .join(m.Certificate, m.GhgFigure.certificate_id == m.Certificate.id)
        .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
        .order_by(m.Cab.registration_number, m.Certificate.number)
    )
    for g, number, regno in session.execute(q):
        yield {
            "cab": regno,
            "certificate": number,
            "tco2e": g.tco2e,
            "period_start": g.period_start,
            "period_end": g.period_end,
            "boundary_zh": g.boundary_zh,
            "boundary_en": g.boundary_en,
            "source": g.source,
        }


register(
    Kind(
        name="ghg_figure",
        plural="ghg_figures",
        doc="Verified greenhouse-gas emissions stated by a verification statement.",
        fields=(
            Field("cab", required=True, max_len=64, help="Verifier's registration number."),
            Field("certificate", required=True, max_len=80, help="Verification statement number."),
            Field(
                "tco2e",
                type="decimal",
                required=True,
                max_len=30,
                help="Verified emissions, tonnes CO2-equivalent.",
            ),
            Field("period_start", type="date", required=True, help="First day of the period."),
            Field("period_end", type="date", required=True, help="Last day of the period."),
            Field("boundary_zh", max_len=2000, help="Organizational boundary, Chinese."),
            Field("boundary_en", max_len=2000, help="Organizational boundary, English."),
            SOURCE,
        ),
        key=("cab", "certificate"),
        apply=_apply_ghg,
        export=_export_ghg,
        checks=(check_order("period_start", "period_end"),),
    )
)
