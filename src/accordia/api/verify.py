"""Verification API: one verdict, a batch of verdicts, and the reverse questions.

A certificate the registry does not hold is a 200 with ``outcome: "not_found"`` (and the
issuer's coverage), not a 404: "we hold no record" is an answer, not an error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from accordia.api.deps import get_session, on_date
from accordia.api.errors import ApiError, ErrorResponse, error
from accordia.services.batch import (
    CONTENT_TYPES,
    MAX_ROWS,
    BatchError,
    TooManyRows,
    count_rows,
    known_markets,
    rows_from_dicts,
    rows_from_file,
    run_batch,
)
from accordia.services.verification import (
    UnknownKey,
    Verifier,
    database_key,
    eligible_cabs,
    recognized_certificates,
)

router = APIRouter(tags=["verification"])

_ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorResponse}}


# --- response models (describe Verdict.to_dict() in the OpenAPI schema) -------------------------


class Text(BaseModel):
    zh: str | None = None
    en: str | None = None


class QueryModel(BaseModel):
    number: str
    issuer: str | None = None
    market: str | None = None
    on: dt.date


class AccreditationRefModel(BaseModel):
    body: str
    number: str


class CertificateSummary(BaseModel):
    number: str
    issuer: str
    issuer_name: Text
    kind: str
    standard: str
    scope: list[str]
    holder: Text
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    status: str | None = None
    accreditation: AccreditationRefModel | None = None
    source: str | None = None


class LinkModel(BaseModel):
    link: Literal["certificate", "accreditation", "arrangement", "market"]
    status: Literal["ok", "failed", "not_applicable"]
    reason: Text
    evidence: list[dict[str, Any]] = Field(
        description="Records used: {record: certificate|accreditation|signatory|...}, ..."
    )


class PathNodeModel(BaseModel):
    node: str
    key: str | None = None
    label: Text
    status: str
    via: str | None = None


class CoverageModel(BaseModel):
    issuer: str
    issuer_name: Text
    submits: bool
    certificate_count: int
    last_submitted_on: dt.date | None = None
    source: str | None = None


class VerdictModel(BaseModel):
    """The verdict: the same JSON as ``accordia verify --json`` (docs/verify.md)."""

    query: QueryModel
    outcome: Literal["found", "not_found", "ambiguous"]
    certificate: CertificateSummary | None = None
    valid: bool | None = None
    recognized: bool | None = None
    failed_link: Literal["certificate", "accreditation", "arrangement", "market"] | None = None
    links: list[LinkModel]
    path: list[PathNodeModel]
    candidates: list[CertificateSummary]
    coverage: CoverageModel | None = None


class VerdictSummaryModel(BaseModel):
    number: str
    issuer: str | None = None
    issuer_name: Text | None = None
    kind: str | None = None
    standard: str | None = None
    scope: list[str]
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    outcome: str
    valid: bool | None = None
    recognized: bool | None = None
    failed_link: str | None = None
    reason: Text | None = None
    links: list[dict[str, str]]


class OrganizationRef(BaseModel):
    key: str
    name: Text


class RecognizedCertificatesModel(BaseModel):
    query: dict[str, str]
    organization: OrganizationRef
    certificate_count: int
    recognized: list[VerdictSummaryModel]
    not_recognized: list[VerdictSummaryModel]


class EligibleCabModel(BaseModel):
    cab: str
    name: Text
    economy: str
    accreditation_body: str
    accreditation: str
    cab_standard: str
    route: list[PathNodeModel]
    links: list[LinkModel]


class EligibleCabsModel(BaseModel):
    query: dict[str, str | None]
    examined: int
    eligible: list[EligibleCabModel]


class BatchRequest(BaseModel):
    rows: list[dict[str, Any]] = Field(
        description="Rows {number, issuer?, market?}; at most 100,000."
    )
    market: str | None = None
    on: dt.date | None = None
    format: Literal["csv", "xlsx", "json", "jsonl"] = "json"


# --- helpers -----------------------------------------------------------------------------------


_MARKETS: dict[str, tuple[float, frozenset[str]]] = {}
_MARKETS_SECONDS = 60.0


def _markets(session: Session) -> frozenset[str]:
    """Known economy codes, per database, re-read at most every minute (a new economy is a
    reference-data change; an unknown code re-reads at once, see :func:`_market`)."""
    key = database_key(session)
    hit = _MARKETS.get(key)
    now = time.monotonic()
    if hit is None or now - hit[0] > _MARKETS_SECONDS:
        hit = (now, frozenset(known_markets(session)))
        _MARKETS[key] = hit
    return hit[1]


def _market(session: Session, market: str | None, field: str = "market") -> str | None:
    if market is None or not market.strip():
        return None
    code = market.strip().upper()
    if code not in _markets(session):
        _MARKETS.pop(database_key(session), None)
    if code not in _markets(session):
        raise ApiError(422, "invalid_request", f"unknown market code {market!r}", field)
    return code


# --- endpoints ---------------------------------------------------------------------------------


@router.get(
    "/verify",
    response_model=VerdictModel,
    summary="Is it valid, and is it recognized in a market on a date?",
    responses=_ERRORS,
)
def verify_endpoint(
    number: str = Query(..., min_length=1, description="Certificate or report number."),
    issuer: str | None = Query(None, description="Issuing CAB: registration number or acronym."),
    market: str | None = Query(None, description="Economy code of the market (CN, GB, NZ …)."),
    on: dt.date | None = Query(
        None, description="The date the question is asked about (YYYY-MM-DD); today when omitted."
    ),
    session: Session = Depends(get_session),
) -> Any:
    """One verdict, link by link. A number the registry does not hold is a 200 with
    ``outcome: "not_found"``; a number of several issuers is ``ambiguous``."""
    # ``on`` is read here rather than through the ``on_date`` dependency (same parameter, same
    # default): a plain sync dependency costs a thread-pool hop per request on this hot path
    day = on or dt.datetime.now(dt.UTC).date()
    code = _market(session, market)
    verdict = Verifier(session).verify(number, issuer=issuer or None, market=code, on=day)
    # Verdict.to_dict() is the documented shape (VerdictModel describes it in the schema and a
    # test checks the two agree); serialising it directly skips a second validation of every
    # nested link and evidence item on the hot path (docs/verify.md, "Speed").
    return Response(orjson.dumps(verdict.to_dict()), media_type="application/json")


def _report_response(
    session: Session,
    rows: Any,
    fmt: str,
    market: str | None,
    on: dt.date,
    cleanup: list[Path],
) -> Any:
    fd, name = tempfile.mkstemp(prefix="accordia-verdicts-", suffix=f".{fmt}")
    out = Path(name)
    cleanup.append(out)

    def _remove() -> None:
        for p in cleanup:
            p.unlink(missing_ok=True)

    try:
        with os.fdopen(fd, "wb") as fh:
            run_batch(session, rows, fh, fmt, market=market, on=on)
    except TooManyRows as exc:
        _remove()
        return error(413, "too_many_rows", str(exc), "file")
    except BatchError as exc:
        _remove()
        return error(422, "invalid_file", str(exc), "file")
    return FileResponse(
        out,
        media_type=CONTENT_TYPES[fmt],
        filename=f"verdicts-{on.isoformat()}.{fmt}",
        background=BackgroundTask(_remove),
    )


_FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report: one row per input row.",
        "content": {ct.split(";")[0]: {} for ct in CONTENT_TYPES.values()},
    },
    413: {"model": ErrorResponse, "description": "More than 100,000 rows."},
    422: {"model": ErrorResponse},
}


@router.post(
    "/verify/batch",
    summary="Verify a supplier list (CSV, XLSX, JSON; up to 100,000 rows)",
    response_class=FileResponse,
    responses=_FILE_RESPONSES,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": BatchRequest.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "market": {"type": "string"},
                            "on": {"type": "string", "format": "date"},
                            "format": {"type": "string", "enum": ["csv", "xlsx", "json", "jsonl"]},
                        },
                    }
                },
            }
        }
    },
)
async def verify_batch(request: Request, session: Session = Depends(get_session)) -> Any:
    """Upload a list (multipart field ``file`` with form fields ``market``, ``on`` and
    ``format`` = csv|xlsx|json|jsonl) or send ``{"rows": [...], "market", "on", "format"}`` as
    JSON. Returns the report file; rows without a number are reported as ``invalid_row``."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            body = BatchRequest.model_validate(json.loads(await request.body()))
        except (ValueError, TypeError) as exc:
            msg = str(exc).splitlines()[0] if str(exc) else "invalid JSON body"
            return error(422, "invalid_request", msg, "body")
        if len(body.rows) > MAX_ROWS:
            return error(413, "too_many_rows", f"more than {MAX_ROWS:,} rows", "rows")
        market = _market(session, body.market)
        on = body.on or dt.datetime.now(dt.UTC).date()
        return _report_response(session, rows_from_dicts(body.rows), body.format, market, on, [])
    if not ctype.startswith("multipart/form-data"):
        return error(
            422, "invalid_request", "send multipart/form-data (file) or application/json", None
        )
    return await _batch_upload(request, session)


async def _batch_upload(request: Request, session: Session) -> Any:
    form = await request.form(max_part_size=200 * 1024 * 1024)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) and not hasattr(upload, "read"):
        return error(422, "invalid_request", "missing file upload 'file'", "file")
    fmt = str(form.get("format") or "csv").lower()
    if fmt not in CONTENT_TYPES:
        return error(422, "invalid_request", "format must be csv, xlsx, json or jsonl", "format")
    on_raw = str(form.get("on") or "").strip()
    try:
        on = dt.date.fromisoformat(on_raw) if on_raw else dt.datetime.now(dt.UTC).date()
    except ValueError:
        return error(422, "invalid_request", f"{on_raw!r} is not a date (YYYY-MM-DD)", "on")
    market = _market(session, str(form.get("market") or "") or None)
    filename = getattr(upload, "filename", None) or "upload.csv"
    suffix = Path(filename).suffix.lower() or ".csv"
    fd, name = tempfile.mkstemp(prefix="accordia-upload-", suffix=suffix)
    src = Path(name)
    with os.fdopen(fd, "wb") as fh:
        while chunk := await upload.read(1 << 20):  # type: ignore[union-attr]
            fh.write(chunk)
    try:
        count_rows(src)
    except TooManyRows as exc:
        src.unlink(missing_ok=True)
        return error(413, "too_many_rows", str(exc), "file")
    except BatchError as exc:
        src.unlink(missing_ok=True)
        return error(422, "invalid_file", str(exc).replace(src.name, filename), "file")
    return _report_response(session, rows_from_file(src), fmt, market, on, [src])


@router.get(
    "/recognized-certificates",
    response_model=RecognizedCertificatesModel,
    summary="Which certificates of an organization are recognized in a market on a date",
    responses={**_ERRORS, 404: {"model": ErrorResponse}},
)
def recognized_endpoint(
    organization: str = Query(..., min_length=1, description="Organization key."),
    market: str = Query(..., min_length=1, description="Economy code of the market."),
    on: dt.date = Depends(on_date),
    session: Session = Depends(get_session),
) -> Any:
    code = _market(session, market)
    assert code is not None
    try:
        result = recognized_certificates(session, organization, market=code, on=on)
    except UnknownKey as exc:
        return error(404, "not_found", str(exc), "organization")
    return result.to_dict()


@router.get(
    "/eligible-cabs",
    response_model=EligibleCabsModel,
    summary="Which CABs can issue certificates for a standard/sector recognized in a market",
    responses=_ERRORS,
)
def eligible_endpoint(
    standard: str = Query(..., min_length=1, description="Certified standard, e.g. ISO 9001."),
    sector: str | None = Query(None, description="IAF sector (19 or IAF:19), or e.g. HS:85."),
    market: str = Query(..., min_length=1, description="Economy code of the market."),
    on: dt.date = Depends(on_date),
    session: Session = Depends(get_session),
) -> Any:
    code = _market(session, market)
    assert code is not None
    return eligible_cabs(session, standard, sector=sector, market=code, on=on).to_dict()
