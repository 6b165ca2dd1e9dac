"""The search page's look-up (exact number and name prefix) until it uses accordia.search."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.domain.identifiers import normalize_number


def search(session: Session, q: str, limit: int = 50) -> dict[str, list[Any]]:
    """Exact certificate number (any formatting) and name prefix over organizations and CABs."""
    q = q.strip()
    if not q:
        return {"certificates": [], "organizations": [], "cabs": []}
    certs = session.execute(
        select(m.Certificate.number, m.Certificate.kind, m.Cab.registration_number)
        .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
        .filter(m.Certificate.number_norm == normalize_number(q))
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
