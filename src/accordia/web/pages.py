"""The server-rendered pages. Each page calls the same service as its JSON twin under
``/api/v1`` and links it (``<link rel="alternate">`` and a visible link)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from accordia import models as m
from accordia.api.deps import get_session
from accordia.services import registry as svc
from accordia.services.verification import Verifier
from accordia.web import queries
from accordia.web.i18n import N_, negotiate
from accordia.web.templating import render

router = APIRouter(include_in_schema=False)

SessionDep = Annotated[Session, Depends(get_session)]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _parse_date(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _q(value: str) -> str:
    return quote(value, safe="")


def not_found_page(request: Request, what: str) -> Response:
    lang = negotiate(request)
    return render(request, lang, "error.html", status_code=404, what=what, code=404)


def _economy_id(session: Session, code: str) -> int | None:
    return session.execute(select(m.Economy.id).filter_by(code=code.upper())).scalar()


@router.get("/")
def home(request: Request) -> Response:
    lang = negotiate(request)
    return render(
        request,
        lang,
        "home.html",
        today=_today().isoformat(),
        twin="/api/v1/openapi.json",
        form={},
    )


@router.get("/verify")
def verify_page(
    request: Request,
    session: SessionDep,
    number: Annotated[str, Query(max_length=120)] = "",
    issuer: Annotated[str, Query(max_length=64)] = "",
    market: Annotated[str, Query(max_length=8)] = "",
    on: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    lang = negotiate(request)
    form = {"number": number, "issuer": issuer, "market": market.upper(), "on": on}
    errors: list[str] = []
    day = _parse_date(on)
    if on and day is None:
        errors.append(N_("The date must be written as YYYY-MM-DD."))
    if not number.strip():
        errors.append(N_("Enter a certificate or report number."))
    if errors:
        return render(
            request,
            lang,
            "home.html",
            status_code=400 if number or on else 200,
            today=_today().isoformat(),
            twin="/api/v1/openapi.json",
            form=form,
            errors=errors,
        )
    day = day or _today()
    verdict = Verifier(session).verify(
        number.strip(), issuer=issuer.strip() or None, market=market.strip() or None, on=day
    )
    params = {k: v for k, v in {**form, "on": day.isoformat()}.items() if v}
    return render(
        request,
        lang,
        "verify.html",
        v=verdict.to_dict(),
        form={**form, "on": day.isoformat()},
        twin="/api/v1/verify?" + urlencode(params),
        today=_today().isoformat(),
    )


@router.get("/certificates/{cab}/{number:path}")
def certificate_page(
    request: Request,
    cab: str,
    number: str,
    session: SessionDep,
    on: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    lang = negotiate(request)
    day = _parse_date(on) or _today()
    c = session.execute(
        select(m.Certificate)
        .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
        .filter(m.Cab.registration_number == cab, m.Certificate.number == number)
    ).scalar()
    if c is None:
        return not_found_page(request, "certificate")
    doc = svc.certificate_doc(session, c, day)
    return render(
        request,
        lang,
        "certificate.html",
        c=doc,
        twin=f"/api/v1/certificates/{_q(cab)}/{quote(number)}",
        verify_url="/verify?" + urlencode({"number": number, "issuer": cab}),
    )


@router.get("/organizations/{key}")
def organization_page(
    request: Request,
    key: str,
    session: SessionDep,
    on: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    lang = negotiate(request)
    day = _parse_date(on) or _today()
    o = session.execute(select(m.Organization).filter_by(key=key)).scalar()
    if o is None:
        return not_found_page(request, "organization")
    doc = svc.organization_doc(session, o, svc.economy_codes(session))
    certs = session.execute(
        select(m.Certificate)
        .filter_by(organization_id=o.id)
        .order_by(m.Certificate.issued_on)
        .limit(500)
    ).scalars()
    doc["certificates"] = [svc.certificate_doc(session, c, day) for c in certs]
    return render(
        request,
        lang,
        "organization.html",
        o=doc,
        on=day.isoformat(),
        twin=f"/api/v1/organizations/{_q(key)}",
    )


@router.get("/cabs/{regno}")
def cab_page(
    request: Request,
    regno: str,
    session: SessionDep,
    on: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    lang = negotiate(request)
    day = _parse_date(on) or _today()
    c = session.execute(select(m.Cab).filter_by(registration_number=regno)).scalar()
    if c is None:
        return not_found_page(request, "cab")
    ecos = svc.economy_codes(session)
    doc = svc.cab_doc(session, c, ecos, day)
    accs = session.execute(
        select(m.Accreditation, m.AccreditationBody)
        .join(m.AccreditationBody, m.Accreditation.accreditation_body_id == m.AccreditationBody.id)
        .filter(m.Accreditation.cab_id == c.id)
    ).all()
    doc["accreditations"] = [svc.accreditation_doc(session, a, ab, c, ecos, day) for a, ab in accs]
    return render(
        request,
        lang,
        "cab.html",
        c=doc,
        on=day.isoformat(),
        certificates=queries.cab_certificates(session, c),
        twin=f"/api/v1/cabs/{_q(regno)}",
    )


@router.get("/accreditation-bodies/{economy}/{acronym}")
def body_page(
    request: Request,
    economy: str,
    acronym: str,
    session: SessionDep,
    on: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    lang = negotiate(request)
    day = _parse_date(on) or _today()
    eid = _economy_id(session, economy)
    ab = (
        session.execute(
            select(m.AccreditationBody).filter_by(acronym=acronym, economy_id=eid)
        ).scalar()
        if eid
        else None
    )
    if ab is None:
        return not_found_page(request, "accreditation_body")
    doc = svc.body_doc(ab, svc.economy_codes(session))
    return render(
        request,
        lang,
        "body.html",
        b=doc,
        on=day.isoformat(),
        arrangements=queries.ab_signatory_scopes(session, ab, day),
        cabs=queries.ab_accredited_cabs(session, ab),
        twin=f"/api/v1/accreditation-bodies/{_q(economy)}/{_q(acronym)}",
    )


@router.get("/arrangements/{key}")
def arrangement_page(
    request: Request,
    key: str,
    session: SessionDep,
    on: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    lang = negotiate(request)
    day = _parse_date(on) or _today()
    a = session.execute(select(m.Arrangement).filter_by(key=key)).scalar()
    if a is None:
        return not_found_page(request, "arrangement")
    doc = svc.arrangement_doc(session, a)
    doc["signatories"] = svc.signatories_doc(session, a, day)
    by_scope: dict[str, list[dict[str, Any]]] = {}
    for sig in doc["signatories"]:
        for sc in sig["scopes"]:
            by_scope.setdefault(sc["scope"], []).append({**sig, "scope": sc})
    return render(
        request,
        lang,
        "arrangement.html",
        a=doc,
        on=day.isoformat(),
        by_scope=sorted(by_scope.items()),
        twin=f"/api/v1/arrangements/{_q(key)}",
    )


@router.get("/search")
def search_page(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    lang = negotiate(request)
    results = queries.search(session, q)
    twin = "/api/v1/organizations?" + urlencode({"name_prefix": q}) if q else "/api/v1/cabs"
    return render(request, lang, "search.html", q=q, results=results, twin=twin)


@router.get("/batch")
def batch_page(request: Request) -> Response:
    lang = negotiate(request)
    return render(request, lang, "batch.html", twin="/api/v1/docs", action="/api/v1/verify/batch")
