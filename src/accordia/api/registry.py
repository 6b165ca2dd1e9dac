"""Read-only JSON over every registry record kind: lists with filters and paging, detail by
natural key. Every question about status is asked ``on`` a date (default today)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.api.deps import get_session, on_date, paging
from accordia.api.errors import ErrorResponse
from accordia.domain.identifiers import normalize_number
from accordia.services import registry as svc
from accordia.services.registry import NotFound

router = APIRouter(tags=["registry"], responses={404: {"model": ErrorResponse}})

SessionDep = Annotated[Session, Depends(get_session)]
OnDep = Annotated[dt.date, Depends(on_date)]
PageDep = Annotated[tuple[int, int], Depends(paging)]


class Page(BaseModel):
    """A page of records: ``next_offset`` is null on the last page."""

    items: list[dict[str, Any]]
    limit: int
    offset: int
    next_offset: int | None


def _page(items: list[dict[str, Any]], more: bool, p: tuple[int, int]) -> Page:
    limit, offset = p
    return Page(
        items=items, limit=limit, offset=offset, next_offset=offset + limit if more else None
    )


def _economy_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    eid = session.execute(select(m.Economy.id).filter_by(code=code.upper())).scalar()
    if eid is None:
        raise NotFound(f"no economy {code!r}")
    return eid


@router.get("/economies", response_model=Page, summary="List economies and groupings")
def list_economies(
    session: SessionDep,
    p: PageDep,
    kind: str | None = Query(None, description="country or grouping"),
) -> Page:
    q = select(m.Economy).order_by(m.Economy.code)
    if kind:
        q = q.filter(m.Economy.kind == kind)
    rows, more = svc.page(session, q, *p)
    return _page([svc.economy_doc(e) for e in rows], more, p)


@router.get("/economies/{code}", summary="One economy")
def get_economy(code: str, session: SessionDep) -> dict[str, Any]:
    e = session.execute(select(m.Economy).filter_by(code=code.upper())).scalar()
    if e is None:
        raise NotFound(f"no economy {code!r}")
    return svc.economy_doc(e)


@router.get("/standards", response_model=Page, summary="List standards")
def list_standards(session: SessionDep, p: PageDep, kind: str | None = None) -> Page:
    q = select(m.Standard).order_by(m.Standard.code)
    if kind:
        q = q.filter(m.Standard.kind == kind)
    rows, more = svc.page(session, q, *p)
    return _page(
        [
            {
                "code": s.code,
                "kind": s.kind,
                "edition": s.edition,
                "title": svc.bilingual(s.title_zh, s.title_en),
                "source": s.source,
            }
            for s in rows
        ],
        more,
        p,
    )


@router.get("/scope-codes", response_model=Page, summary="List scope codes (IAF, MLA, ILAC, HS)")
def list_scope_codes(session: SessionDep, p: PageDep, scheme: str | None = None) -> Page:
    q = select(m.ScopeCode).order_by(m.ScopeCode.scheme, m.ScopeCode.id)
    if scheme:
        q = q.filter(m.ScopeCode.scheme == scheme.upper())
    rows, more = svc.page(session, q, *p)
    return _page(
        [
            {
                "scheme": s.scheme,
                "code": s.code,
                "item": f"{s.scheme}:{s.code}",
                "parent_code": s.parent_code,
                "name": svc.bilingual(s.name_zh, s.name_en),
                "cab_standard": s.cab_standard,
                "normative_standard": s.normative_standard,
                "level": s.level,
                "source": s.source,
            }
            for s in rows
        ],
        more,
        p,
    )


@router.get("/organizations", response_model=Page, summary="List organizations")
def list_organizations(
    session: SessionDep,
    p: PageDep,
    economy: str | None = None,
    name_prefix: str | None = Query(
        None, max_length=200, description="Chinese or English name prefix"
    ),
) -> Page:
    q = select(m.Organization).order_by(m.Organization.key)
    eid = _economy_id(session, economy)
    if eid:
        q = q.filter(m.Organization.economy_id == eid)
    if name_prefix:
        q = q.filter(
            m.Organization.name_zh.startswith(name_prefix, autoescape=True)
            | m.Organization.name_en.startswith(name_prefix, autoescape=True)
        )
    rows, more = svc.page(session, q, *p)
    ecos = svc.economy_codes(session)
    return _page([svc.organization_doc(session, o, ecos) for o in rows], more, p)


@router.get("/organizations/{key}", summary="One organization with its certificates")
def get_organization(key: str, session: SessionDep, on: OnDep) -> dict[str, Any]:
    return svc.organization_detail(session, key, on)


def _acronym_routes(path: str, model: type[Any], label: str, *, detail: bool = True) -> None:
    """List and (unless ``detail`` is False, when the kind has a richer detail route of its
    own) detail routes for bodies addressed by economy + acronym."""

    @router.get(f"/{path}", response_model=Page, summary=f"List {label}s", name=f"list_{path}")
    def _list(session: SessionDep, p: PageDep, economy: str | None = None) -> Page:
        q = select(model).order_by(model.acronym, model.id)
        eid = _economy_id(session, economy)
        if eid:
            q = q.filter(model.economy_id == eid)
        rows, more = svc.page(session, q, *p)
        ecos = svc.economy_codes(session)
        return _page([svc.body_doc(b, ecos) for b in rows], more, p)

    if not detail:
        return

    @router.get(f"/{path}/{{economy}}/{{acronym}}", summary=f"One {label}", name=f"get_{path}")
    def _get(economy: str, acronym: str, session: SessionDep) -> dict[str, Any]:
        eid = _economy_id(session, economy)
        b = session.execute(select(model).filter_by(acronym=acronym, economy_id=eid)).scalar()
        if b is None:
            raise NotFound(f"no {label} {acronym!r} in {economy!r}")
        return svc.body_doc(b, svc.economy_codes(session))


@router.get(
    "/accreditation-bodies/{economy}/{acronym}",
    summary="One accreditation body with its signatory scopes and accredited CABs",
)
def get_accreditation_body(
    economy: str, acronym: str, session: SessionDep, on: OnDep
) -> dict[str, Any]:
    return svc.accreditation_body_detail(session, economy, acronym, on)


_acronym_routes("accreditation-bodies", m.AccreditationBody, "accreditation body", detail=False)
_acronym_routes("regulators", m.Regulator, "regulator")
_acronym_routes("associations", m.Association, "association")


@router.get("/cabs", response_model=Page, summary="List conformity assessment bodies")
def list_cabs(
    session: SessionDep, p: PageDep, on: OnDep, kind: str | None = None, economy: str | None = None
) -> Page:
    q = select(m.Cab).order_by(m.Cab.registration_number)
    if kind:
        q = q.filter(m.Cab.kind == kind)
    eid = _economy_id(session, economy)
    if eid:
        q = q.filter(m.Cab.economy_id == eid)
    rows, more = svc.page(session, q, *p)
    ecos = svc.economy_codes(session)
    return _page([svc.cab_doc(session, c, ecos, on) for c in rows], more, p)


@router.get("/cabs/{registration_number}", summary="One CAB with its accreditations")
def get_cab(registration_number: str, session: SessionDep, on: OnDep) -> dict[str, Any]:
    return svc.cab_detail(session, registration_number, on)


@router.get("/accreditations", response_model=Page, summary="List accreditations")
def list_accreditations(
    session: SessionDep,
    p: PageDep,
    on: OnDep,
    accreditation_body: str | None = None,
    cab: str | None = None,
) -> Page:
    q = (
        select(m.Accreditation)
        .join(m.AccreditationBody, m.Accreditation.accreditation_body_id == m.AccreditationBody.id)
        .join(m.Cab, m.Accreditation.cab_id == m.Cab.id)
        .order_by(m.AccreditationBody.acronym, m.Accreditation.number)
    )
    if accreditation_body:
        q = q.filter(m.AccreditationBody.acronym == accreditation_body)
    if cab:
        q = q.filter(m.Cab.registration_number == cab)
    rows, more = svc.page(session, q, *p)
    ecos = svc.economy_codes(session)
    items = []
    for a in rows:
        ab = session.get(m.AccreditationBody, a.accreditation_body_id)
        c = session.get(m.Cab, a.cab_id)
        assert ab is not None and c is not None
        items.append(svc.accreditation_doc(session, a, ab, c, ecos, on))
    return _page(items, more, p)


@router.get("/accreditations/{economy}/{acronym}/{number:path}", summary="One accreditation")
def get_accreditation(
    economy: str, acronym: str, number: str, session: SessionDep, on: OnDep
) -> dict[str, Any]:
    eid = _economy_id(session, economy)
    ab = session.execute(
        select(m.AccreditationBody).filter_by(acronym=acronym, economy_id=eid)
    ).scalar()
    a = (
        ab
        and session.execute(
            select(m.Accreditation).filter_by(accreditation_body_id=ab.id, number=number)
        ).scalar()
    )
    if not ab or not a:
        raise NotFound(f"no accreditation {number!r} of {acronym!r}")
    c = session.get(m.Cab, a.cab_id)
    assert c is not None
    return svc.accreditation_doc(session, a, ab, c, svc.economy_codes(session), on)


@router.get(
    "/certificates", response_model=Page, summary="List certificates and other attestations"
)
def list_certificates(
    session: SessionDep,
    p: PageDep,
    on: OnDep,
    cab: str | None = None,
    organization: str | None = None,
    standard: str | None = None,
    kind: str | None = None,
    number: str | None = Query(None, max_length=120, description="Number, any formatting"),
) -> Page:
    q = select(m.Certificate).order_by(m.Certificate.id)
    if number:
        q = q.filter(m.Certificate.number_norm == normalize_number(number))
    if cab:
        q = q.join(m.Cab, m.Certificate.cab_id == m.Cab.id).filter(m.Cab.registration_number == cab)
    if organization:
        q = q.join(m.Organization, m.Certificate.organization_id == m.Organization.id).filter(
            m.Organization.key == organization
        )
    if standard:
        q = q.filter(m.Certificate.standard == standard)
    if kind:
        q = q.filter(m.Certificate.kind == kind)
    rows, more = svc.page(session, q, *p)
    return _page([svc.certificate_doc(session, c, on) for c in rows], more, p)


@router.get("/certificates/{cab}/{number:path}", summary="One certificate with its history")
def get_certificate(cab: str, number: str, session: SessionDep, on: OnDep) -> dict[str, Any]:
    return svc.certificate_detail(session, cab, number, on)


@router.get("/arrangements", response_model=Page, summary="List arrangements")
def list_arrangements(session: SessionDep, p: PageDep, kind: str | None = None) -> Page:
    q = select(m.Arrangement).order_by(m.Arrangement.key)
    if kind:
        q = q.filter(m.Arrangement.kind == kind)
    rows, more = svc.page(session, q, *p)
    return _page([svc.arrangement_doc(session, a) for a in rows], more, p)


@router.get("/arrangements/{key}", summary="One arrangement with its signatories by scope")
def get_arrangement(key: str, session: SessionDep, on: OnDep) -> dict[str, Any]:
    return svc.arrangement_detail(session, key, on)


@router.get("/market-acceptances", response_model=Page, summary="List market acceptance rules")
def list_market_acceptances(session: SessionDep, p: PageDep, market: str | None = None) -> Page:
    q = select(m.MarketAcceptance).order_by(m.MarketAcceptance.id)
    eid = _economy_id(session, market)
    if eid:
        q = q.filter(m.MarketAcceptance.economy_id == eid)
    rows, more = svc.page(session, q, *p)
    ecos = svc.economy_codes(session)
    keys = dict(session.execute(select(m.Arrangement.id, m.Arrangement.key)).all())
    return _page(
        [
            {
                "market": ecos[r.economy_id],
                "arrangement": keys[r.arrangement_id],
                "attestation_kind": r.attestation_kind or None,
                "scope": r.scope or None,
                "valid_from": svc._iso(r.valid_from),
                "valid_until": svc._iso(r.valid_until),
                "note": svc.bilingual(r.note_zh, r.note_en),
                "source": r.source,
            }
            for r in rows
        ],
        more,
        p,
    )
