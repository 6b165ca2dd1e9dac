"""The server-rendered pages. Each page calls the same service as its JSON twin under
``/api/v1`` and links it (``<link rel="alternate">`` and a visible link)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

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
    try:
        doc = svc.certificate_detail(session, cab, number, day)
    except svc.NotFound:
        return not_found_page(request, "certificate")
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
    try:
        doc = svc.organization_detail(session, key, day)
    except svc.NotFound:
        return not_found_page(request, "organization")
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
    try:
        doc = svc.cab_detail(session, regno, day)
    except svc.NotFound:
        return not_found_page(request, "cab")
    return render(
        request,
        lang,
        "cab.html",
        c=doc,
        on=day.isoformat(),
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
    try:
        doc = svc.accreditation_body_detail(session, economy, acronym, day)
    except svc.NotFound:
        return not_found_page(request, "accreditation_body")
    return render(
        request,
        lang,
        "body.html",
        b=doc,
        on=day.isoformat(),
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
    try:
        doc = svc.arrangement_detail(session, key, day)
    except svc.NotFound:
        return not_found_page(request, "arrangement")
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
