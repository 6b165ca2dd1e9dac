"""``/cooperation``: the international cooperation ledger and its report over HTTP.

The lead mounts ``router`` under ``/api/v1``. Records are addressed by natural keys and have
the columns of the import files (``docs/cooperation.md``): what ``GET`` lists is what ``POST``
accepts and what ``accordia export`` writes. ``POST`` creates or updates one record through the
importer kind's ``apply()`` in one transaction, audited under the actor of :func:`get_actor`.

Every error answers ``{"error": {"code", "message", "field"}}`` through the application's error
handlers (:mod:`accordia.api.errors`); this router raises :class:`ApiError`.

Writes need an API token with the write scope (``Authorization: Bearer acc_…``; 401 without
one) and are checked record by record by :func:`accordia.services.authz.authorize_write`: the
cooperation ledger is written by regulators only (403 with the rule otherwise).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accordia.api.auth import get_principal, get_writer
from accordia.api.deps import get_engine, get_session
from accordia.api.errors import ApiError
from accordia.db.session import unit_of_work
from accordia.importer.fields import FieldError
from accordia.importer.kind import REGISTRY
from accordia.reports import render_cooperation
from accordia.services import authz
from accordia.services import cooperation as svc
from accordia.settings import get_settings

router = APIRouter(prefix="/cooperation", tags=["cooperation"])


# -- dependencies ----------------------------------------------------------------------------------
def get_actor(actor: authz.Actor = Depends(get_writer)) -> authz.Actor:
    """The actor of a write: the account of a write-scoped API token (401 without one, 403 for
    read-only tokens). What it may write is checked per record in :func:`_write`."""
    return actor


def _paging(limit: int, offset: int) -> None:
    most = get_settings().page_size_max
    if limit > most:
        raise ApiError(422, "invalid_parameter", f"limit: at most {most}", "limit")


# -- response models -------------------------------------------------------------------------------
class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None


class ErrorResponse(BaseModel):
    error: ErrorBody


class HeadlineModel(BaseModel):
    bodies: int
    economies: int
    agreements: int
    cooperation_and_mous: int
    organisations: int
    systems: int
    accreditation_arrangements: int
    agreements_in_force: int
    organisations_engaged: int
    systems_active: int
    accreditation_arrangements_active: int


class TypeRowModel(BaseModel):
    type: str
    signed: int
    in_force: int


class EconomyRowModel(BaseModel):
    code: str
    name_zh: str | None
    name_en: str | None
    bodies: int
    agreements: int


class YearRowModel(BaseModel):
    year: int
    agreements: int
    cooperation_and_mous: int
    cumulative: int


class ChangeModel(BaseModel):
    kind: str
    key: str
    on: dt.date
    name_zh: str | None
    name_en: str | None
    detail: str


class ChangesModel(BaseModel):
    since: dt.date
    before: HeadlineModel
    items: list[ChangeModel]


class ReportResponse(BaseModel):
    """The cooperation report as JSON (the same document as ``accordia report cooperation
    --format json``)."""

    report: Literal["cooperation"]
    lang: Literal["zh", "en"]
    sentence: str
    on: dt.date
    headline: HeadlineModel
    by_type: list[TypeRowModel]
    by_economy: list[EconomyRowModel]
    by_year: list[YearRowModel]
    changes: ChangesModel | None


class CounterpartOut(BaseModel):
    key: str
    kind: str
    economy: str
    acronym: str | None
    name_zh: str | None
    name_en: str | None
    name_other: str | None
    website: str | None
    source: str
    agreements: list[str] | None = None  # detail only: keys of its agreements


class AgreementOut(BaseModel):
    key: str
    type: str
    title_zh: str | None
    title_en: str | None
    signed_on: dt.date
    in_force_on: dt.date | None
    expires_on: dt.date | None
    terminated_on: dt.date | None
    parties: list[str]
    place: str | None
    scope_zh: str | None
    scope_en: str | None
    scope_items: list[str]
    documents: list[str]
    note: str | None
    source: str


class MembershipEventOut(BaseModel):
    membership: str
    kind: str
    effective_on: dt.date
    note: str | None
    source: str


class ExpertPositionOut(BaseModel):
    membership: str
    role: str
    body: str | None
    since: dt.date
    until: dt.date | None
    person_name: str | None = Field(
        None,
        description="The expert's name: shown to signed-in accounts only; null for the public "
        "(personal data is not published by the registry).",
    )
    source: str


class MembershipOut(BaseModel):
    key: str
    level: str
    acronym: str | None
    name_zh: str | None
    name_en: str | None
    name_other: str | None
    website: str | None
    source: str
    status: str | None  # the last status in effect today (or on ``on``)
    events: list[MembershipEventOut]
    positions: list[ExpertPositionOut]


class RecognitionSystemOut(BaseModel):
    key: str
    kind: str
    name_zh: str | None
    name_en: str | None
    name_other: str | None
    scope_zh: str | None
    scope_en: str | None
    signed_on: dt.date
    withdrawn_on: dt.date | None
    arrangement: str | None
    source: str


class CounterpartPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CounterpartOut]


class AgreementPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[AgreementOut]


class MembershipPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[MembershipOut]


class RecognitionSystemPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[RecognitionSystemOut]


class WriteResponse(BaseModel):
    action: Literal["created", "updated", "unchanged", "events"]
    kind: str
    key: str
    operation: str  # the audit trail's operation id
    record: dict[str, Any]


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}
_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    201: {"model": WriteResponse, "description": "Created (or an event appended)"},
    401: {"model": ErrorResponse},
    403: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    409: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}

Limit = Query(50, ge=1, description="Page size (at most the page_size_max setting).")
Offset = Query(0, ge=0, le=10_000_000, description="Records to skip.")


# -- the report ------------------------------------------------------------------------------------
@router.get(
    "/report",
    response_model=ReportResponse,
    responses={
        200: {"content": {"text/html": {}, "text/markdown": {}}},
        422: {"model": ErrorResponse},
    },
)
def get_report(
    on: dt.date | None = Query(None, description="As of this date (default: today)."),
    since: dt.date | None = Query(None, description="Also list changes after this date."),
    lang: Literal["zh", "en"] | None = Query(None, description="Default: the server's locale."),
    fmt: Literal["json", "html", "md"] = Query("json", alias="format"),
    session: Session = Depends(get_session),
) -> Any:
    """Headline figures, tables by type, economy and year, and changes since ``since``."""
    on_date = on or svc.today()
    if since is not None and since > on_date:
        raise ApiError(422, "date_order", f"since {since} is after on {on_date}", "since")
    language = lang or ("zh" if get_settings().default_locale.startswith("zh") else "en")
    figures = svc.cooperation_figures(session, on_date, since)
    rendered = render_cooperation(figures, language, fmt)
    assert isinstance(rendered, str)
    if fmt == "html":
        return HTMLResponse(rendered)
    if fmt == "md":
        return PlainTextResponse(rendered, media_type="text/markdown; charset=utf-8")
    return json.loads(rendered)


# -- reads -----------------------------------------------------------------------------------------
def _found(row: dict[str, Any] | None, what: str, key: str) -> dict[str, Any]:
    if row is None:
        raise ApiError(404, "not_found", f"no {what} {key!r}", "key")
    return row


@router.get("/counterparts", response_model=CounterpartPage, responses=_ERRORS)
def list_counterparts(
    kind: str | None = Query(None, description="government, association, ..."),
    economy: str | None = Query(None, description="Economy code, e.g. NZ."),
    limit: int = Limit,
    offset: int = Offset,
    session: Session = Depends(get_session),
) -> Any:
    """Counterparts by key."""
    _paging(limit, offset)
    return svc.list_counterparts(
        session, kind=kind, economy=economy, limit=limit, offset=offset
    ).__dict__


@router.get("/counterparts/{key}", response_model=CounterpartOut, responses=_ERRORS)
def get_counterpart(key: str = Path(...), session: Session = Depends(get_session)) -> Any:
    """One counterpart, with the keys of its agreements."""
    return _found(svc.get_counterpart(session, key), "counterpart", key)


@router.get("/agreements", response_model=AgreementPage, responses=_ERRORS)
def list_agreements(
    type: str | None = Query(None, description="mou, cooperation_agreement, ..."),
    economy: str | None = Query(None, description="Economy code of a party."),
    counterpart: str | None = Query(None, description="Key of a party."),
    limit: int = Limit,
    offset: int = Offset,
    session: Session = Depends(get_session),
) -> Any:
    """Agreements by key."""
    _paging(limit, offset)
    return svc.list_agreements(
        session, type=type, economy=economy, counterpart=counterpart, limit=limit, offset=offset
    ).__dict__


@router.get("/agreements/{key}", response_model=AgreementOut, responses=_ERRORS)
def get_agreement(key: str = Path(...), session: Session = Depends(get_session)) -> Any:
    return _found(svc.get_agreement(session, key), "agreement", key)


def _withhold_names(items: list[dict[str, Any]], actor: authz.Actor) -> list[dict[str, Any]]:
    """Experts' names are personal data: the public sees the position, not the person."""
    if actor.role != authz.PUBLIC:
        return items
    out = []
    for item in items:
        positions = [{**p, "person_name": None} for p in item.get("positions", [])]
        out.append({**item, "positions": positions})
    return out


@router.get("/memberships", response_model=MembershipPage, responses=_ERRORS)
def list_memberships(
    level: Literal["international", "regional"] | None = Query(None),
    kind: Literal["joined", "observer", "tracked", "left"] | None = Query(
        None, description="Only memberships whose status on `on` is this."
    ),
    on: dt.date | None = Query(None, description="Date of `status` (default: today)."),
    limit: int = Limit,
    offset: int = Offset,
    session: Session = Depends(get_session),
    actor: authz.Actor = Depends(get_principal),
) -> Any:
    """Memberships by key, with their status history and our experts' positions (the experts'
    names only for signed-in callers)."""
    _paging(limit, offset)
    if kind is None:
        page = svc.list_memberships(session, level=level, limit=limit, offset=offset, on=on)
        return {**page.__dict__, "items": _withhold_names(list(page.items), actor)}
    everything = svc.list_memberships(session, level=level, limit=10**9, offset=0, on=on)
    matching = [r for r in everything.items if r["status"] == kind]
    return {
        "total": len(matching),
        "limit": limit,
        "offset": offset,
        "items": _withhold_names(matching[offset : offset + limit], actor),
    }


@router.get("/memberships/{key}", response_model=MembershipOut, responses=_ERRORS)
def get_membership(
    key: str = Path(...),
    on: dt.date | None = Query(None, description="Date of `status` (default: today)."),
    session: Session = Depends(get_session),
    actor: authz.Actor = Depends(get_principal),
) -> Any:
    found = _found(svc.get_membership(session, key, on), "membership", key)
    return _withhold_names([found], actor)[0]


@router.get("/recognition-systems", response_model=RecognitionSystemPage, responses=_ERRORS)
def list_recognition_systems(
    kind: Literal["system", "accreditation_arrangement"] | None = Query(None),
    limit: int = Limit,
    offset: int = Offset,
    session: Session = Depends(get_session),
) -> Any:
    """Multilateral recognition systems and accreditation arrangements signed."""
    _paging(limit, offset)
    return svc.list_recognition_systems(session, kind=kind, limit=limit, offset=offset).__dict__


@router.get("/recognition-systems/{key}", response_model=RecognitionSystemOut, responses=_ERRORS)
def get_recognition_system(key: str = Path(...), session: Session = Depends(get_session)) -> Any:
    return _found(svc.get_recognition_system(session, key), "recognition system", key)


# -- writes ----------------------------------------------------------------------------------------
def _example(collection: str) -> dict[str, Any]:
    kind = REGISTRY[svc.KINDS[collection]]
    value: dict[str, Any] = {}
    for f in kind.fields:
        if f.example:
            value[f.name] = f.example.split(";") if f.type == "list" else f.example
    return {"example": {"summary": kind.doc, "value": value}}


def _row_body(collection: str) -> Any:
    kind = REGISTRY[svc.KINDS[collection]]
    columns = ", ".join(kind.field_names)
    return Body(
        ...,
        description=f"One `{kind.name}` import row as a JSON object (columns: {columns}); "
        "lists as JSON arrays or `;`-separated text, dates as YYYY-MM-DD.",
        openapi_examples=_example(collection),
    )


def _write(
    collection: str,
    body: dict[str, Any],
    actor: authz.Actor,
    engine: Engine,
    response: Response,
    detail: Callable[[Session, str], dict[str, Any] | None],
    detail_key: Callable[[svc.WriteResult], str] = lambda r: r.key,
) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            result = svc.write_row(session, svc.KINDS[collection], body, actor)
            record = detail(session, detail_key(result)) or {}
    except authz.Forbidden as exc:
        raise ApiError(403, exc.rule, exc.message, exc.field) from exc
    except FieldError as exc:
        raise ApiError(422, exc.rule, f"{exc.field}: {exc.message}", exc.field) from exc
    except IntegrityError as exc:
        raise ApiError(
            409, "conflict", f"the write conflicts with the registry: {exc.orig}", None
        ) from exc
    response.status_code = 201 if result.action in ("created", "events") else 200
    return {**result.__dict__, "record": json.loads(json.dumps(record, default=str))}


def _with_path_key(body: dict[str, Any], column: str, key: str) -> dict[str, Any]:
    given = body.get(column)
    if given not in (None, "", key):
        raise ApiError(
            422, "key_mismatch", f"{column}: {given!r} differs from the path's {key!r}", column
        )
    return {**body, column: key}


@router.post("/counterparts", response_model=WriteResponse, responses=_WRITE_ERRORS)
def post_counterpart(
    response: Response,
    body: dict[str, Any] = _row_body("counterparts"),
    actor: authz.Actor = Depends(get_actor),
    engine: Engine = Depends(get_engine),
) -> Any:
    """Create or update a counterpart (by ``key``). 201 when created."""
    return _write("counterparts", body, actor, engine, response, svc.get_counterpart)


@router.post("/agreements", response_model=WriteResponse, responses=_WRITE_ERRORS)
def post_agreement(
    response: Response,
    body: dict[str, Any] = _row_body("agreements"),
    actor: authz.Actor = Depends(get_actor),
    engine: Engine = Depends(get_engine),
) -> Any:
    """Create or update an agreement (by ``key``); ``parties``, ``scope_items`` and
    ``documents`` replace the lists held. 201 when created."""
    return _write("agreements", body, actor, engine, response, svc.get_agreement)


@router.post("/memberships", response_model=WriteResponse, responses=_WRITE_ERRORS)
def post_membership(
    response: Response,
    body: dict[str, Any] = _row_body("memberships"),
    actor: authz.Actor = Depends(get_actor),
    engine: Engine = Depends(get_engine),
) -> Any:
    """Create or update a membership (by ``key``). Its status is set by posting events."""
    return _write("memberships", body, actor, engine, response, svc.get_membership)


@router.post("/memberships/{key}/events", response_model=WriteResponse, responses=_WRITE_ERRORS)
def post_membership_event(
    response: Response,
    key: str = Path(...),
    body: dict[str, Any] = _row_body("membership_events"),
    actor: authz.Actor = Depends(get_actor),
    engine: Engine = Depends(get_engine),
) -> Any:
    """Append a status event (joined, observer, tracked, left); 201 when appended, 200 when
    the same event was already recorded."""
    row = _with_path_key(body, "membership", key)
    return _write(
        "membership_events", row, actor, engine, response, svc.get_membership, lambda _r: key
    )


@router.post("/memberships/{key}/positions", response_model=WriteResponse, responses=_WRITE_ERRORS)
def post_expert_position(
    response: Response,
    key: str = Path(...),
    body: dict[str, Any] = _row_body("expert_positions"),
    actor: authz.Actor = Depends(get_actor),
    engine: Engine = Depends(get_engine),
) -> Any:
    """Create or update an expert position (by membership, role, body, since)."""
    row = _with_path_key(body, "membership", key)
    return _write(
        "expert_positions", row, actor, engine, response, svc.get_membership, lambda _r: key
    )


@router.post("/recognition-systems", response_model=WriteResponse, responses=_WRITE_ERRORS)
def post_recognition_system(
    response: Response,
    body: dict[str, Any] = _row_body("recognition_systems"),
    actor: authz.Actor = Depends(get_actor),
    engine: Engine = Depends(get_engine),
) -> Any:
    """Create or update a system or accreditation arrangement signed (by ``key``)."""
    return _write("recognition_systems", body, actor, engine, response, svc.get_recognition_system)
