"""Small read queries only the pages need (kept here until the services grow them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.domain.status import status_on
from accordia.services import registry as svc


def ab_signatory_scopes(
    session: Session, ab: m.AccreditationBody, on: dt.date
) -> list[dict[str, Any]]:
    """The signatory scopes of one accreditation body across every arrangement, each with its
    status on ``on``, its events and its timeline; grouped by arrangement."""
    rows = session.execute(
        select(m.Arrangement, m.SignatoryScope)
        .join(m.Signatory, m.Signatory.arrangement_id == m.Arrangement.id)
        .join(m.SignatoryScope, m.SignatoryScope.signatory_id == m.Signatory.id)
        .filter(m.Signatory.accreditation_body_id == ab.id)
        .order_by(m.Arrangement.key, m.SignatoryScope.scope)
    ).all()
    grouped: dict[str, dict[str, Any]] = {}
    for arr, sc in rows:
        evs = session.execute(select(m.SignatoryEvent).filter_by(parent_id=sc.id)).scalars().all()
        entry = grouped.setdefault(
            arr.key,
            {
                "arrangement": arr.key,
                "name": svc.bilingual(arr.name_zh, arr.name_en),
                "kind": arr.kind,
                "scopes": [],
            },
        )
        entry["scopes"].append(
            {
                "scope": sc.scope,
                "status_on": status_on(evs, on).value,
                "events": svc.events_doc(evs),
                "timeline": svc.timeline_doc(evs, None),
            }
        )
    return list(grouped.values())


def ab_accredited_cabs(session: Session, ab: m.AccreditationBody, limit: int = 200) -> list[Any]:
    """CABs holding an accreditation from ``ab`` (registration number, names, number)."""
    return list(
        session.execute(
            select(m.Cab.registration_number, m.Cab.name_zh, m.Cab.name_en, m.Accreditation.number)
            .join(m.Accreditation, m.Accreditation.cab_id == m.Cab.id)
            .filter(m.Accreditation.accreditation_body_id == ab.id)
            .order_by(m.Cab.registration_number)
            .limit(limit)
        ).all()
    )


def cab_certificates(session: Session, cab: m.Cab, limit: int = 100) -> list[Any]:
    """The most recent certificates of a CAB (number, kind, standard, holder key and names)."""
    return list(
        session.execute(
            select(
                m.Certificate.number,
                m.Certificate.kind,
                m.Certificate.standard,
                m.Certificate.issued_on,
                m.Organization.key,
                m.Organization.name_zh,
                m.Organization.name_en,
            )
            .join(m.Organization, m.Certificate.organization_id == m.Organization.id)
            .filter(m.Certificate.cab_id == cab.id)
            .order_by(m.Certificate.issued_on.desc(), m.Certificate.number)
            .limit(limit)
        ).all()
    )


def search(session: Session, q: str, limit: int = 50) -> dict[str, list[Any]]:
    """Exact certificate number (any formatting) and name prefix over organizations and CABs."""
    q = q.strip()
    if not q:
        return {"certificates": [], "organizations": [], "cabs": []}
    certs = session.execute(
        select(m.Certificate.number, m.Certificate.kind, m.Cab.registration_number)
        .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
        .filter(m.Certificate.number_norm == svc.normalize_number(q))
        .limit(limit)
    ).all()
    orgs = session.execute(
        select(m.Organization.key, m.Organization.name_zh, m.Organization.name_en)
        .filter(
            m.Organization.name_zh.startswith(q, autoescape=True)
            | m.Organization.name_en.startswith(q, autoescape=True)
            | (m.Organization.key == q)
        )
        .order_by(m.Organization.key)
        .limit(limit)
    ).all()
    cabs = session.execute(
        select(m.Cab.registration_number, m.Cab.name_zh, m.Cab.name_en)
        .filter(
            m.Cab.name_zh.startswith(q, autoescape=True)
            | m.Cab.name_en.startswith(q, autoescape=True)
            | (m.Cab.registration_number == q)
            | (m.Cab.acronym == q)
        )
        .order_by(m.Cab.registration_number)
        .limit(limit)
    ).all()
    return {"certificates": list(certs), "organizations": list(orgs), "cabs": list(cabs)}
