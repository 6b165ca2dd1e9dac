"""``/supervision/inspections…`` and ``/supervision/inspection-results…``: inspections' API.

Regulator only: listing and reading inspection records, planning them (from a revealed draw or
ad hoc), starting, recording results, completing and cancelling. Writes take a write-scoped
token (:func:`accordia.api.auth.get_writer`) and the service refuses every role but the
regulator (``regulator_only``) before anything is read or written; reads use
:func:`accordia.api.auth.require_role`.

Public: the published results (completed inspections), in full or as a list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from accordia.api.auth import get_writer, require_role
from accordia.api.deps import get_engine
from accordia.api.errors import ApiError, ErrorResponse
from accordia.db.session import unit_of_work
from accordia.services import authz
from accordia.services import inspections as ins
from accordia.services import supervision as sv

router = APIRouter(tags=["supervision"])

_E = {"model": ErrorResponse}
_PUBLIC_ERRORS: dict[int | str, dict[str, Any]] = {404: _E, 422: _E}
_REGULATOR_ERRORS: dict[int | str, dict[str, Any]] = {401: _E, 403: _E, 404: _E, 422: _E}


def refused(exc: Exception) -> ApiError:
    """The API error of a refused inspection request."""
    if isinstance(exc, authz.Forbidden):
        return ApiError(403, exc.rule, exc.message, exc.field)
    if isinstance(exc, ins.InspectionNotFound):
        return ApiError(404, "not_found", str(exc), exc.field)
    if isinstance(exc, ins.InspectionError):
        return ApiError(422, exc.rule or "invalid", str(exc), exc.field)
    if isinstance(exc, sv.SupervisionError):
        return ApiError(422, "invalid", str(exc), None)
    raise exc


_REFUSALS = (authz.Forbidden, sv.SupervisionError)


# --------------------------------------------------------------------------- public


@router.get(
    "/supervision/inspection-results",
    summary="Published inspection results",
    responses=_PUBLIC_ERRORS,
)
def results(
    limit: int = Query(100, ge=1, le=500), engine: Engine = Depends(get_engine)
) -> list[dict[str, Any]]:
    """Completed inspections, latest published first: target body, conclusion with its
    explanation, dates, follow-up sanction."""
    with unit_of_work(engine) as session:
        return ins.published_results(session, limit)


@router.get(
    "/supervision/inspection-results/{code}",
    summary="One published inspection result",
    responses=_PUBLIC_ERRORS,
)
def result(code: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    """Items checked with outcomes, notes and legal bases; conclusion and explanation; dates;
    signing inspectors (code, name, role); linked complaint cases and findings."""
    try:
        with unit_of_work(engine) as session:
            return ins.public_result(session, code)
    except _REFUSALS as exc:
        raise refused(exc) from exc


# --------------------------------------------------------------------------- regulator reads


@router.get(
    "/supervision/inspections",
    summary="Inspection records (regulator)",
    responses=_REGULATOR_ERRORS,
)
def inspections(
    status: Literal["planned", "in_progress", "completed", "cancelled"] | None = None,
    cab: str | None = Query(None, max_length=64),
    actor: authz.Actor = Depends(require_role("regulator")),
    engine: Engine = Depends(get_engine),
) -> list[dict[str, Any]]:
    try:
        with unit_of_work(engine) as session:
            return ins.list_inspections(session, actor, status, cab)
    except _REFUSALS as exc:
        raise refused(exc) from exc


@router.get(
    "/supervision/inspections/{code}",
    summary="One inspection record in full (regulator)",
    responses=_REGULATOR_ERRORS,
)
def inspection(
    code: str,
    actor: authz.Actor = Depends(require_role("regulator")),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            return ins.regulator_view(session, actor, code)
    except _REFUSALS as exc:
        raise refused(exc) from exc


# --------------------------------------------------------------------------- regulator writes


class FromDrawIn(BaseModel):
    draw: str = Field(..., max_length=32, description="A revealed draw's code.")
    planned_from: dt.date
    planned_until: dt.date
    on: dt.date | None = Field(None, description="Effective date of 'planned' (default today).")
    source: str = Field("", max_length=2000)


class AdhocIn(BaseModel):
    cab: str = Field(..., max_length=64, description="CAB registration number.")
    inspectors: list[str] = Field(..., min_length=1, max_length=20)
    planned_from: dt.date
    planned_until: dt.date
    complaint: str | None = Field(None, max_length=32, description="Complaint case number.")
    finding: str | None = Field(
        None, max_length=300, description="Finding fingerprint RULE|CAB|SUBJECT."
    )
    on: dt.date | None = None
    source: str = Field("", max_length=2000)


class ChangeIn(BaseModel):
    on: dt.date | None = Field(None, description="Effective date (default today).")
    note: str | None = Field(None, max_length=4000)


class CancelIn(BaseModel):
    on: dt.date | None = None
    reason: str = Field(..., min_length=1, max_length=4000)


class ItemOutcomeIn(BaseModel):
    item: str = Field(..., max_length=48, description="Inspection item code.")
    outcome: str = Field(
        ...,
        max_length=32,
        description="conforming | nonconforming_minor | nonconforming_major | not_applicable",
    )
    note_zh: str | None = Field(None, max_length=ins.MAX_NOTE)
    note_en: str | None = Field(None, max_length=ins.MAX_NOTE)


class ResultIn(BaseModel):
    items: list[ItemOutcomeIn] = Field(..., max_length=200)
    signed_by: list[str] = Field(..., min_length=1, max_length=20)
    summary_zh: str | None = Field(None, max_length=20000)
    summary_en: str | None = Field(None, max_length=20000)
    complaints: list[str] = Field(default_factory=list, max_length=50)
    findings: list[str] = Field(default_factory=list, max_length=50)


class SanctionFollowUp(BaseModel):
    kind: Literal["warning", "rectification", "fine", "suspension", "revocation"]
    effective_on: dt.date
    until: dt.date | None = None
    basis_zh: str = Field(..., min_length=1, max_length=4000)
    basis_en: str = Field(..., min_length=1, max_length=4000)
    amount: float | None = Field(None, ge=0)
    decided_on: dt.date | None = None
    reference: str | None = Field(None, max_length=100)


class CompleteIn(BaseModel):
    on: dt.date | None = None
    note: str | None = Field(None, max_length=4000)
    sanction: SanctionFollowUp | None = None


@router.post(
    "/supervision/inspections/from-draw",
    status_code=201,
    summary="Plan one inspection per target of a revealed draw (regulator)",
    responses=_REGULATOR_ERRORS,
)
def post_from_draw(
    body: FromDrawIn,
    actor: authz.Actor = Depends(get_writer),
    engine: Engine = Depends(get_engine),
) -> list[dict[str, Any]]:
    try:
        with unit_of_work(engine) as session:
            return ins.plan_from_draw(session, actor, **body.model_dump())
    except _REFUSALS as exc:
        raise refused(exc) from exc


@router.post(
    "/supervision/inspections",
    status_code=201,
    summary="Plan an ad-hoc inspection from a complaint or a finding (regulator)",
    responses=_REGULATOR_ERRORS,
)
def post_adhoc(
    body: AdhocIn,
    actor: authz.Actor = Depends(get_writer),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            return ins.plan_adhoc(session, actor, **body.model_dump())
    except _REFUSALS as exc:
        raise refused(exc) from exc


@router.post(
    "/supervision/inspections/{code}/start",
    summary="Start an inspection: planned → in progress (regulator)",
    responses=_REGULATOR_ERRORS,
)
def post_start(
    code: str,
    body: ChangeIn,
    actor: authz.Actor = Depends(get_writer),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            return ins.start(session, actor, code, on=body.on, note=body.note)
    except _REFUSALS as exc:
        raise refused(exc) from exc


@router.post(
    "/supervision/inspections/{code}/result",
    summary="Record item outcomes, signatures and links (regulator)",
    responses=_REGULATOR_ERRORS,
)
def post_result(
    code: str,
    body: ResultIn,
    actor: authz.Actor = Depends(get_writer),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    """Only inspectors assigned to the inspection may sign (at least two where two are
    assigned); items must be on its checklist."""
    try:
        with unit_of_work(engine) as session:
            return ins.record_result(session, actor, code, **body.model_dump())
    except _REFUSALS as exc:
        raise refused(exc) from exc


@router.post(
    "/supervision/inspections/{code}/complete",
    summary="Complete and publish an inspection, optionally with a sanction (regulator)",
    responses=_REGULATOR_ERRORS,
)
def post_complete(
    code: str,
    body: CompleteIn,
    actor: authz.Actor = Depends(get_writer),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            return ins.complete(
                session,
                actor,
                code,
                on=body.on,
                note=body.note,
                sanction=body.sanction.model_dump() if body.sanction else None,
            )
    except _REFUSALS as exc:
        raise refused(exc) from exc


@router.post(
    "/supervision/inspections/{code}/cancel",
    summary="Cancel an inspection (regulator)",
    responses=_REGULATOR_ERRORS,
)
def post_cancel(
    code: str,
    body: CancelIn,
    actor: authz.Actor = Depends(get_writer),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            return ins.cancel(session, actor, code, reason=body.reason, on=body.on)
    except _REFUSALS as exc:
        raise refused(exc) from exc
