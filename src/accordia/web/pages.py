"""The server-rendered pages. Each page calls the same service as its JSON twin under
``/api/v1`` and links it (``<link rel="alternate">`` and a visible link)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, Response

from accordia import models as m
from accordia.api.deps import get_session
from accordia.domain.verification import Query as VerifyQuery
from accordia.domain.verification import verify as judge
from accordia.services import batch as batch_svc
from accordia.services import registry as svc
from accordia.services.verification import Verifier, chain_for
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


# Markets for which the organization page shows where each certificate is recognized: the
# organization's own economy, a few large markets that have acceptance rules in the registry,
# and one market the reader adds (``?market=``). Judging every market would be slow and unreadable.
RECOGNITION_MARKETS = ("CN", "US", "GB", "DE", "JP", "NZ")


def _recognition(
    session: Session, key: str, economy: str | None, extra: str | None, day: dt.date
) -> tuple[list[str], dict[tuple[str, str], dict[str, Any]]]:
    """The markets judged, and per certificate (issuer, number): its validity on ``day`` and,
    per market, whether the whole chain holds (with the first failing link and its reason)."""
    chain = chain_for(session)
    with_rules = {a.market for a in chain.acceptances}
    markets: list[str] = []
    for code in (economy, *RECOGNITION_MARKETS):
        if code and code in with_rules and code not in markets:
            markets.append(code)
    if extra and extra not in markets:
        markets.append(extra)
    verifier = Verifier(session)
    rows = session.execute(
        select(m.Certificate, m.Cab)
        .join(m.Cab, m.Certificate.cab_id == m.Cab.id)
        .join(m.Organization, m.Certificate.organization_id == m.Organization.id)
        .filter(m.Organization.key == key)
        .order_by(m.Certificate.issued_on)
        .limit(500)
    ).all()
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for cert, cab in rows:
        facts = verifier.facts(cert, cab)
        per_market = []
        valid = False
        for code in markets:
            query = VerifyQuery(
                number=cert.number, on=day, issuer=cab.registration_number, market=code
            )
            v = judge(facts, day, code, query=query).to_dict()
            valid = bool(v["valid"])
            failed = next((x for x in v["links"] if x["status"] == "failed"), None)
            per_market.append(
                {
                    "market": code,
                    "recognized": bool(v["valid"] and v["recognized"]),
                    "failed_link": v["failed_link"],
                    "reason": failed["reason"] if failed else None,
                }
            )
        out[(cab.registration_number, cert.number)] = {"valid": valid, "markets": per_market}
    return markets, out


@router.get("/organizations/{key}")
def organization_page(
    request: Request,
    key: str,
    session: SessionDep,
    on: Annotated[str, Query(max_length=10)] = "",
    market: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    lang = negotiate(request)
    day = _parse_date(on) or _today()
    try:
        doc = svc.organization_detail(session, key, day)
    except svc.NotFound:
        return not_found_page(request, "organization")
    extra = market.strip().upper() or None
    errors: list[str] = []
    if extra and extra not in batch_svc.known_markets(session):
        errors.append(N_("Unknown market code. Use a two-letter economy code such as GB or NZ."))
        extra = None
    markets, recognition = _recognition(session, doc["key"], doc.get("economy"), extra, day)
    return render(
        request,
        lang,
        "organization.html",
        status_code=400 if errors else 200,
        o=doc,
        on=day.isoformat(),
        markets=markets,
        default_markets=[x for x in markets if x != extra],
        extra_market=extra or "",
        recognition=recognition,
        errors=errors,
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


_SEARCH_MESSAGES = {
    "empty": N_("Type a name, an acronym or an identifier."),
    "too_short": N_("Type at least two characters."),
    "too_long": N_("The query is longer than 200 characters; type a shorter part."),
    "no_searchable_characters": N_("The query has no letters, digits or Chinese characters."),
    "index_empty": N_("The search index is empty; run accordia search --reindex."),
    "no_match": N_("No match."),
    "no_record": N_("No record has this identifier."),
}
_SEARCH_KINDS = {
    "organization": N_("Organization"),
    "cab": N_("Certification body"),
    "accreditation_body": N_("Accreditation body"),
    "certificate": N_("Certificate"),
}
_SEARCH_FORMS = {
    "zh": N_("Chinese name"),
    "zh_orig": N_("Chinese name as written"),
    "core": N_("distinctive part of the Chinese name"),
    "py": N_("pinyin of the Chinese name"),
    "py_core": N_("pinyin of the distinctive part"),
    "py_initials": N_("pinyin initials"),
    "en": N_("English name"),
    "initials": N_("initials of the English name"),
    "acronym": N_("acronym"),
    "other": N_("other name"),
    "uscc": N_("Unified Social Credit Code"),
    "lei": N_("LEI"),
    "number": N_("registration or certificate number"),
}
_SEARCH_HOW = {
    "exact": N_("exact"),
    "prefix": N_("beginning"),
    "substring": N_("part"),
    "contained": N_("contained in the query"),
    "fuzzy": N_("similar spelling"),
    "all words": N_("all words found"),
    "mixed": N_("Chinese and Latin parts"),
}
_SEARCH_NOTES = {
    "traditional→simplified": N_("traditional→simplified"),
    "distinctive part": N_("distinctive part"),
    "tones removed": N_("tones removed"),
    "words split": N_("words split"),
    "typo corrected": N_("typo corrected"),
}


def _search_hit(hit: Any) -> dict[str, Any]:
    """A hit for the page: its link and the parts of "why it matched" as catalogue msgids."""
    from accordia.services.search_index import page_url

    best = hit.matches[0] if hit.matches else None
    flt = (hit.extra or {}).get("filter")
    notes = []
    for note in best.notes if best else ():
        key = "typo corrected" if note.startswith("typo corrected") else note
        if key in _SEARCH_NOTES:
            notes.append((_SEARCH_NOTES[key], note.partition(": ")[2]))
    return {
        "kind": _SEARCH_KINDS.get(hit.kind, hit.kind),
        "url": page_url(hit.kind, hit.key),
        "names": {"zh": hit.name_zh, "en": hit.name_en or hit.acronym or hit.key},
        "key": hit.key,
        "economy": hit.economy_code,
        "score": hit.score,
        "form": _SEARCH_FORMS.get(best.form, best.form) if best else "",
        "how": _SEARCH_HOW.get(best.how, best.how) if best else "",
        "notes": notes,
        "why": hit.why,
        "extra": hit.extra or {},
        "filter": flt,
        "filter_status": _SEARCH_STATUSES.get(flt.get("status_on", ""), "") if flt else "",
    }


_SEARCH_STATUSES = {
    "valid": N_("valid"),
    "active": N_("active"),
    "suspended": N_("suspended"),
    "withdrawn": N_("withdrawn"),
    "expired": N_("expired"),
    "not_yet": N_("not yet in force"),
}
_SEARCH_FILTER_ERRORS = {
    "unknown_standard": N_("No standard in the registry is called “%(value)s”."),
    "choice": N_("“%(value)s” is not a status."),
    "requires_status": N_("Choose a status to ask about a date."),
    "bad_date": N_("“%(value)s” is not a date (YYYY-MM-DD)."),
    "bad_economy": N_("“%(value)s” is not an economy code."),
    "bad_kind": N_("“%(value)s” is not a kind of record."),
}


@router.get("/search")
def search_page(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=10_000)] = "",
    kind: Annotated[str, Query(max_length=32)] = "",
    economy: Annotated[str, Query(max_length=16)] = "",
    standard: Annotated[str, Query(max_length=80)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    on: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The search form and its hits; filters: kind, economy, standard, status on a date."""
    from accordia.search import KINDS
    from accordia.services.search_index import FilterError, search_registry

    lang = negotiate(request)
    form = {"kind": kind, "economy": economy, "standard": standard, "status": status, "on": on}
    error: tuple[str, str] | None = None
    on_date: dt.date | None = None
    if kind and kind not in KINDS:
        error = ("bad_kind", kind)
    elif economy and not economy.strip().isalnum():
        error = ("bad_economy", economy)
    elif on:
        try:
            on_date = dt.date.fromisoformat(on.strip())
        except ValueError:
            error = ("bad_date", on)
    resp = None
    if q and error is None:
        try:
            resp = search_registry(
                session,
                q,
                kinds=[kind] if kind else None,
                economy=economy.strip() or None,
                standard=standard.strip() or None,
                status=status.strip() or None,
                on=on_date,
            )
        except FilterError as exc:
            value = {"standard": standard, "status": status, "on": on}.get(exc.field, "")
            error = (exc.rule, value)
    message = None
    message_args: dict[str, str] = {}
    hits: list[dict[str, Any]] = []
    if error is not None:
        message = _SEARCH_FILTER_ERRORS.get(error[0], _SEARCH_FILTER_ERRORS["choice"])
        message_args = {"value": error[1][:80]}
    elif resp is not None:
        if resp.status == "ok":
            hits = [_search_hit(h) for h in resp.hits]
        elif resp.reason in _SEARCH_MESSAGES:
            message = _SEARCH_MESSAGES[resp.reason]
        elif resp.interpretation == "identifier":
            message = _SEARCH_MESSAGES["no_record"]
        else:
            message = _SEARCH_MESSAGES["no_match"]
    params = {"q": q[:200], **{k: v for k, v in form.items() if v}}
    twin = "/api/v1/search?" + urlencode(params)
    return render(
        request,
        lang,
        "search.html",
        q=q[:200],
        hits=hits,
        message=message,
        message_args=message_args,
        twin=twin,
        form=form,
        kinds=list(_SEARCH_KINDS.items()),
        statuses=list(_SEARCH_STATUSES.items()),
        filtered=bool(error is None and resp is not None and (standard or status)),
    )


@router.get("/batch")
def batch_page(request: Request) -> Response:
    lang = negotiate(request)
    return _batch_form(request, lang)


def _batch_form(
    request: Request,
    lang: str,
    *,
    errors: list[str] | None = None,
    detail: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        lang,
        "batch.html",
        status_code=status_code,
        twin="/api/v1/docs",
        action="/batch",
        errors=errors or [],
        detail=detail,
        form=form or {},
        csrf_token=csrf_token(request),
    )


# --- CSRF hook ----------------------------------------------------------------------------------
# The accounts work adds CSRF protection. Until then these two functions are the only places to
# change: ``csrf_token`` gives the token the batch form carries (hidden field ``csrf_token``,
# rendered only when not None) and ``csrf_rejects`` says whether a posted form must be refused.


def csrf_token(request: Request) -> str | None:
    """The CSRF token to embed in forms that POST (none yet)."""
    return None


def csrf_rejects(request: Request, form: Any) -> bool:
    """Whether a posted form fails the CSRF check (no check yet)."""
    return False


MAX_UPLOAD = 200 * 1024 * 1024


@router.post("/batch")
async def batch_upload_page(request: Request, session: SessionDep) -> Response:
    """The batch form's target: the report as a download, or the form again with a friendly
    error in the chosen language (the API at ``/api/v1/verify/batch`` answers JSON errors)."""
    lang = negotiate(request)
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return _batch_form(request, lang, errors=[N_("Choose a file to upload.")], status_code=400)
    form_data = await request.form(max_part_size=MAX_UPLOAD)
    if csrf_rejects(request, form_data):
        return _batch_form(
            request,
            lang,
            errors=[N_("The form has expired. Reload the page and send the list again.")],
            status_code=403,
        )
    upload = form_data.get("file")
    fmt = str(form_data.get("format") or "csv").lower()
    on_raw = str(form_data.get("on") or "").strip()
    market_raw = str(form_data.get("market") or "").strip().upper()
    form = {"format": fmt, "on": on_raw, "market": market_raw}
    errors: list[str] = []
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.append(N_("Choose a file to upload."))
    if fmt not in ("csv", "xlsx", "json"):
        errors.append(N_("The report format must be CSV, XLSX or JSON."))
    day = _parse_date(on_raw)
    if on_raw and day is None:
        errors.append(N_("The date must be written as YYYY-MM-DD."))
    if market_raw and market_raw not in batch_svc.known_markets(session):
        errors.append(N_("Unknown market code. Use a two-letter economy code such as GB or NZ."))
    if errors or not isinstance(upload, UploadFile):
        return _batch_form(request, lang, errors=errors, form=form, status_code=400)
    filename = upload.filename or "upload.csv"
    fd, name = tempfile.mkstemp(prefix="accordia-upload-", suffix=Path(filename).suffix.lower())
    src = Path(name)
    with os.fdopen(fd, "wb") as fh:
        while chunk := await upload.read(1 << 20):
            fh.write(chunk)
    result = await run_in_threadpool(
        _run_batch, session, src, filename, fmt, market_raw or None, day or _today()
    )
    if isinstance(result, Response):
        return result
    message, detail, status = result
    return _batch_form(
        request, lang, errors=[message], detail=detail, form=form, status_code=status
    )


def _run_batch(
    session: Session, src: Path, filename: str, fmt: str, market: str | None, day: dt.date
) -> Response | tuple[str, str, int]:
    """The report file for an uploaded list, or (message, technical detail, HTTP status)."""
    out: Path | None = None

    def _remove() -> None:
        src.unlink(missing_ok=True)
        if out is not None:
            out.unlink(missing_ok=True)

    try:
        batch_svc.count_rows(src)
        fd, name = tempfile.mkstemp(prefix="accordia-verdicts-", suffix=f".{fmt}")
        out = Path(name)
        with os.fdopen(fd, "wb") as fh:
            batch_svc.run_batch(
                session, batch_svc.rows_from_file(src), fh, fmt, market=market, on=day
            )
    except batch_svc.TooManyRows as exc:
        _remove()
        msg = N_("The list is too long for one batch. Split it into smaller lists.")
        return msg, str(exc), 413
    except batch_svc.BatchError as exc:
        _remove()
        msg = N_(
            "The file could not be read as a supplier list. Send a CSV or XLSX file with a "
            "number column."
        )
        return msg, str(exc).replace(src.name, filename), 422
    return FileResponse(
        out,
        media_type=batch_svc.CONTENT_TYPES[fmt],
        filename=f"verdicts-{day.isoformat()}.{fmt}",
        background=BackgroundTask(_remove),
    )
