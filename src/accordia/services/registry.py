"""Read services over the registry: one place that turns rows into the documents the API and
the pages show (a page and its JSON twin call the same function)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.domain.status import Status, scope_on, status_on, timeline


class NotFound(LookupError):
    """No record with that natural key."""


def bilingual(zh: str | None, en: str | None) -> dict[str, str | None]:
    return {"zh": zh, "en": en}


def economy_codes(session: Session) -> dict[int, str]:
    return dict(session.execute(select(m.Economy.id, m.Economy.code)).all())


def page(session: Session, q: Select[Any], limit: int, offset: int) -> tuple[list[Any], bool]:
    rows = list(session.execute(q.limit(limit + 1).offset(offset)).scalars())
    return rows[:limit], len(rows) > limit


def events_doc(events: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "kind": e.kind,
            "effective_on": e.effective_on.isoformat(),
            "recorded_at": e.recorded_at.isoformat(),
            "scope": e.scope or [],
            "note": e.note,
            "source": e.source,
        }
        for e in sorted(events, key=lambda e: (e.effective_on, e.recorded_at))
    ]


def timeline_doc(events: Sequence[Any], valid_until: dt.date | None) -> list[dict[str, Any]]:
    return [
        {
            "status": p.status.value,
            "start": p.start.isoformat(),
            "end": p.end.isoformat() if p.end else None,
        }
        for p in timeline(events, valid_until=valid_until)
    ]


# -- documents per kind ---------------------------------------------------------------------
def economy_doc(e: m.Economy) -> dict[str, Any]:
    return {
        "code": e.code,
        "kind": e.kind,
        "name": bilingual(e.name_zh, e.name_en),
        "alpha3": e.alpha3,
        "source": e.source,
    }


def organization_doc(session: Session, o: m.Organization, ecos: dict[int, str]) -> dict[str, Any]:
    ids = session.execute(
        select(m.OrganizationIdentifier.scheme, m.OrganizationIdentifier.value)
        .filter_by(organization_id=o.id)
        .order_by(m.OrganizationIdentifier.scheme)
    ).all()
    return {
        "key": o.key,
        "name": bilingual(o.name_zh, o.name_en),
        "name_other": o.name_other,
        "economy": ecos.get(o.economy_id) if o.economy_id else None,
        "identifiers": [{"scheme": s, "value": v} for s, v in ids],
        "address": bilingual(o.address_zh, o.address_en),
        "source": o.source,
    }


def body_doc(b: Any, ecos: dict[int, str]) -> dict[str, Any]:
    return {
        "acronym": b.acronym,
        "economy": ecos[b.economy_id],
        "name": bilingual(b.name_zh, b.name_en),
        "website": b.website,
        "source": b.source,
    }


def cab_doc(session: Session, c: m.Cab, ecos: dict[int, str], on: dt.date) -> dict[str, Any]:
    approvals = (
        session.execute(select(m.BodyApprovalEvent).filter_by(parent_id=c.id)).scalars().all()
    )
    return {
        "registration_number": c.registration_number,
        "kind": c.kind,
        "acronym": c.acronym,
        "name": bilingual(c.name_zh, c.name_en),
        "economy": ecos[c.economy_id],
        "website": c.website,
        "auditor_count": c.auditor_count,
        "approval_status": status_on(approvals, on).value if approvals else None,
        "approval_events": events_doc(approvals),
        "source": c.source,
    }


def accreditation_doc(
    session: Session,
    a: m.Accreditation,
    ab: m.AccreditationBody,
    cab: m.Cab,
    ecos: dict[int, str],
    on: dt.date,
) -> dict[str, Any]:
    events = session.execute(select(m.AccreditationEvent).filter_by(parent_id=a.id)).scalars().all()
    granted = (
        session.execute(
            select(m.AccreditationScopeItem.item)
            .filter_by(accreditation_id=a.id)
            .order_by(m.AccreditationScopeItem.item)
        )
        .scalars()
        .all()
    )
    return {
        "accreditation_body": {"acronym": ab.acronym, "economy": ecos[ab.economy_id]},
        "number": a.number,
        "cab": {
            "registration_number": cab.registration_number,
            "name": bilingual(cab.name_zh, cab.name_en),
        },
        "cab_standard": a.cab_standard,
        "valid_until": _iso(a.valid_until),
        "scope_granted": list(granted),
        "on": on.isoformat(),
        "scope_on": sorted(scope_on(granted, events, on)),
        "status_on": status_on(events, on, valid_until=a.valid_until).value,
        "events": events_doc(events),
        "timeline": timeline_doc(events, a.valid_until),
        "source": a.source,
    }


def certificate_doc(session: Session, c: m.Certificate, on: dt.date) -> dict[str, Any]:
    cab = session.get(m.Cab, c.cab_id)
    org = session.get(m.Organization, c.organization_id)
    assert cab is not None and org is not None
    events = session.execute(select(m.CertificateEvent).filter_by(parent_id=c.id)).scalars().all()
    items = (
        session.execute(
            select(m.CertificateScopeItem.item)
            .filter_by(certificate_id=c.id)
            .order_by(m.CertificateScopeItem.item)
        )
        .scalars()
        .all()
    )
    sites = (
        session.execute(
            select(m.Site.key)
            .join(m.CertificateSite, m.CertificateSite.site_id == m.Site.id)
            .filter(m.CertificateSite.certificate_id == c.id)
            .order_by(m.Site.key)
        )
        .scalars()
        .all()
    )
    acc = None
    if c.accreditation_id:
        a = session.get(m.Accreditation, c.accreditation_id)
        assert a is not None
        ab = session.get(m.AccreditationBody, a.accreditation_body_id)
        assert ab is not None
        acc = {"accreditation_body": ab.acronym, "number": a.number}
    st: Status = status_on(events, on, valid_until=c.expires_on)
    return {
        "number": c.number,
        "kind": c.kind,
        "issuer": {
            "registration_number": cab.registration_number,
            "name": bilingual(cab.name_zh, cab.name_en),
        },
        "holder": {"key": org.key, "name": bilingual(org.name_zh, org.name_en)},
        "standard": c.standard,
        "accreditation": acc,
        "scope": list(items),
        "scope_text": bilingual(c.scope_zh, c.scope_en),
        "sites": list(sites),
        "original_issue_on": _iso(c.original_issue_on),
        "issued_on": _iso(c.issued_on),
        "expires_on": _iso(c.expires_on),
        "personnel": c.personnel,
        "site_count": c.site_count,
        "on": on.isoformat(),
        "status_on": st.value,
        "events": events_doc(events),
        "timeline": timeline_doc(events, c.expires_on),
        "source": c.source,
    }


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def arrangement_doc(session: Session, a: m.Arrangement) -> dict[str, Any]:
    successor = session.get(m.Arrangement, a.successor_id) if a.successor_id else None
    ecos = economy_codes(session)
    parties = (
        session.execute(select(m.ArrangementParty.economy_id).filter_by(arrangement_id=a.id))
        .scalars()
        .all()
    )
    return {
        "key": a.key,
        "kind": a.kind,
        "name": bilingual(a.name_zh, a.name_en),
        "acronym": a.acronym,
        "operator": a.operator,
        "established_on": _iso(a.established_on),
        "successor": successor.key if successor else None,
        "succeeded_on": _iso(a.succeeded_on),
        "parties": sorted(ecos[p] for p in parties),
        "source": a.source,
    }


def signatories_doc(session: Session, a: m.Arrangement, on: dt.date) -> list[dict[str, Any]]:
    """Signatories of ``a`` with each scope's status on ``on`` and its history."""
    ecos = economy_codes(session)
    out: list[dict[str, Any]] = []
    for sig in session.execute(select(m.Signatory).filter_by(arrangement_id=a.id)).scalars():
        if sig.accreditation_body_id:
            ab = session.get(m.AccreditationBody, sig.accreditation_body_id)
            assert ab is not None
            who = {
                "accreditation_body": ab.acronym,
                "economy": ecos[ab.economy_id],
                "name": bilingual(ab.name_zh, ab.name_en),
            }
        else:
            cab = session.get(m.Cab, sig.cab_id)
            assert cab is not None
            who = {
                "cab": cab.registration_number,
                "economy": ecos[cab.economy_id],
                "name": bilingual(cab.name_zh, cab.name_en),
            }
        scopes = []
        for sc in session.execute(
            select(m.SignatoryScope).filter_by(signatory_id=sig.id)
        ).scalars():
            evs = (
                session.execute(select(m.SignatoryEvent).filter_by(parent_id=sc.id)).scalars().all()
            )
            scopes.append(
                {
                    "scope": sc.scope,
                    "status_on": status_on(evs, on).value,
                    "events": events_doc(evs),
                    "timeline": timeline_doc(evs, None),
                }
            )
        out.append({**who, "scopes": sorted(scopes, key=lambda s: s["scope"])})
    return sorted(out, key=lambda s: s.get("accreditation_body") or s.get("cab") or "")


# -- detail documents: one function per page and its JSON twin ---------------------------------
def _economy_id(session: Session, code: str) -> int | None:
    return session.execute(select(m.Economy.id).filter_by(code=code.upper())).scalar()


def certificate_detail(session: Session, cab: str, number: str, on: dt.date) -> dict[str, Any]:
    """One attestation by issuer registration number + number, with its history."""
    c = session.execute(
        select(m.Certificate)
        .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
        .filter(m.Cab.registration_number == cab, m.Certificate.number == number)
    ).scalar()
    if c is None:
        raise NotFound(f"no certificate {number!r} issued by {cab!r}")
    return certificate_doc(session, c, on)


def organization_detail(session: Session, key: str, on: dt.date) -> dict[str, Any]:
    """One organization with its certificates (status on ``on``)."""
    o = session.execute(select(m.Organization).filter_by(key=key)).scalar()
    if o is None:
        raise NotFound(f"no organization {key!r}")
    doc = organization_doc(session, o, economy_codes(session))
    certs = session.execute(
        select(m.Certificate)
        .filter_by(organization_id=o.id)
        .order_by(m.Certificate.issued_on)
        .limit(500)
    ).scalars()
    doc["certificates"] = [certificate_doc(session, c, on) for c in certs]
    return doc


def cab_detail(session: Session, registration_number: str, on: dt.date) -> dict[str, Any]:
    """One CAB with its accreditations (scope and status on ``on``) and recent certificates."""
    c = session.execute(select(m.Cab).filter_by(registration_number=registration_number)).scalar()
    if c is None:
        raise NotFound(f"no CAB {registration_number!r}")
    ecos = economy_codes(session)
    doc = cab_doc(session, c, ecos, on)
    accs = session.execute(
        select(m.Accreditation, m.AccreditationBody)
        .join(m.AccreditationBody, m.Accreditation.accreditation_body_id == m.AccreditationBody.id)
        .filter(m.Accreditation.cab_id == c.id)
    ).all()
    doc["accreditations"] = [accreditation_doc(session, a, ab, c, ecos, on) for a, ab in accs]
    recent = session.execute(
        select(m.Certificate, m.Organization)
        .join(m.Organization, m.Certificate.organization_id == m.Organization.id)
        .filter(m.Certificate.cab_id == c.id)
        .order_by(m.Certificate.issued_on.desc(), m.Certificate.number)
        .limit(100)
    ).all()
    doc["recent_certificates"] = [
        {
            "number": cert.number,
            "kind": cert.kind,
            "standard": cert.standard,
            "issued_on": _iso(cert.issued_on),
            "holder": {"key": org.key, "name": bilingual(org.name_zh, org.name_en)},
        }
        for cert, org in recent
    ]
    return doc


def accreditation_body_detail(
    session: Session, economy: str, acronym: str, on: dt.date
) -> dict[str, Any]:
    """One accreditation body, its signatory scopes across arrangements (status on ``on`` and
    history) and the CABs it accredits."""
    eid = _economy_id(session, economy)
    ab = (
        session.execute(
            select(m.AccreditationBody).filter_by(acronym=acronym, economy_id=eid)
        ).scalar()
        if eid
        else None
    )
    if ab is None:
        raise NotFound(f"no accreditation body {acronym!r} in {economy!r}")
    doc = body_doc(ab, economy_codes(session))
    rows = session.execute(
        select(m.Arrangement, m.SignatoryScope)
        .join(m.Signatory, m.Signatory.arrangement_id == m.Arrangement.id)
        .join(m.SignatoryScope, m.SignatoryScope.signatory_id == m.Signatory.id)
        .filter(m.Signatory.accreditation_body_id == ab.id)
        .order_by(m.Arrangement.key, m.SignatoryScope.scope)
    ).all()
    events: dict[int, list[m.SignatoryEvent]] = {}
    if rows:
        for ev in session.execute(
            select(m.SignatoryEvent).filter(
                m.SignatoryEvent.parent_id.in_([sc.id for _a, sc in rows])
            )
        ).scalars():
            events.setdefault(ev.parent_id, []).append(ev)
    grouped: dict[str, dict[str, Any]] = {}
    for arr, sc in rows:
        evs = events.get(sc.id, [])
        entry = grouped.setdefault(
            arr.key,
            {
                "arrangement": arr.key,
                "name": bilingual(arr.name_zh, arr.name_en),
                "kind": arr.kind,
                "scopes": [],
            },
        )
        entry["scopes"].append(
            {
                "scope": sc.scope,
                "status_on": status_on(evs, on).value,
                "events": events_doc(evs),
                "timeline": timeline_doc(evs, None),
            }
        )
    doc["on"] = on.isoformat()
    doc["signatory_scopes"] = list(grouped.values())
    doc["accredited_cabs"] = [
        {"registration_number": regno, "name": bilingual(zh, en), "accreditation_number": num}
        for regno, zh, en, num in session.execute(
            select(m.Cab.registration_number, m.Cab.name_zh, m.Cab.name_en, m.Accreditation.number)
            .join(m.Accreditation, m.Accreditation.cab_id == m.Cab.id)
            .filter(m.Accreditation.accreditation_body_id == ab.id)
            .order_by(m.Cab.registration_number)
            .limit(200)
        )
    ]
    return doc


def arrangement_detail(session: Session, key: str, on: dt.date) -> dict[str, Any]:
    """One arrangement with its signatories and each scope's status on ``on``."""
    a = session.execute(select(m.Arrangement).filter_by(key=key)).scalar()
    if a is None:
        raise NotFound(f"no arrangement {key!r}")
    doc = arrangement_doc(session, a)
    doc["signatories"] = signatories_doc(session, a, on)
    return doc
