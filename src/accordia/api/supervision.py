"""``/supervision/*`` and ``/complaints``: supervision's API.

Public ("one public"): the rules with their legal bases, the list of inspection items, the draws
(the commitment and the directories at once, the seed and the result after the reveal) and their
verification, sanctions, the disclosure feed (with the published inspection results of
:mod:`accordia.api.inspections`), filing a complaint and a case's public status.

Regulator only: recording sanctions and handling complaint cases. Writes take a write-scoped
token (:func:`accordia.api.auth.get_writer`: read-only tokens and the public get ``read_only``)
and the service refuses every role but the regulator with ``regulator_only``, as the other
registry writes do; regulator reads use :func:`accordia.api.auth.require_role`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from accordia.api.auth import get_writer, require_role
from accordia.api.deps import get_engine
from accordia.api.errors import ApiError, ErrorResponse
from accordia.db.session import unit_of_work
from accordia.domain.supervision.rules import RULES
from accordia.services import authz
from accordia.services import supervision as sv
from accordia.services.inspections import published_results

router = APIRouter(tags=["supervision"])

_E = {"model": ErrorResponse}
_PUBLIC_ERRORS: dict[int | str, dict[str, Any]] = {404: _E, 422: _E}
_REGULATOR_ERRORS: dict[int | str, dict[str, Any]] = {401: _E, 403: _E, 404: _E, 422: _E}


@router.get("/supervision/rules", summary="Supervision rules with their legal bases")
def rules() -> list[dict[str, Any]]:
    return [r.as_dict() for r in RULES.values()]


@router.get("/supervision/items", summary="The published list of inspection items")
def items(engine: Engine = Depends(get_engine)) -> list[dict[str, Any]]:
    return sv.list_items(engine)


@router.get("/supervision/draws", summary="Published draws")
def draws(engine: Engine = Depends(get_engine)) -> list[dict[str, Any]]:
    return sv.list_draws(engine)


@router.get(
    "/supervision/draws/{code}", summary="One draw: commitment, directories, seed and result"
)
def draw(code: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    try:
        return sv.public_draw(engine, code)
    except sv.SupervisionError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc


@router.get(
    "/supervision/draws/{code}/verify", summary="Re-run a revealed draw from a seed and compare"
)
def verify(
    code: str,
    seed: str = Query(..., max_length=200, description="The revealed seed."),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        return sv.verify_draw(engine, code, seed)
    except sv.SupervisionError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc


# --------------------------------------------------------------------------- sanctions


class SanctionIn(BaseModel):
    cab: str = Field(..., max_length=64, description="CAB registration number.")
    kind: Literal["warning", "rectification", "fine", "suspension", "revocation"]
    effective_on: dt.date
    until: dt.date | None = Field(None, description="End of a time-limited suspension.")
    basis_zh: str = Field(..., min_length=1, max_length=4000)
    basis_en: str = Field(..., min_length=1, max_length=4000)
    amount: float | None = Field(None, ge=0, description="Fine amount (CNY).")
    decided_on: dt.date | None = None
    reference: str | None = Field(None, max_length=100)
    source: str = Field("", max_length=2000)


def _refused(exc: Exception) -> ApiError:
    if isinstance(exc, authz.Forbidden):
        return ApiError(403, exc.rule, exc.message, exc.field)
    if isinstance(exc, sv.SupervisionError):
        return ApiError(422, "invalid", str(exc), None)
    raise exc


@router.post(
    "/supervision/sanctions",
    status_code=201,
    summary="Record a sanction (regulator)",
    responses=_REGULATOR_ERRORS,
)
def post_sanction(
    body: SanctionIn,
    actor: authz.Actor = Depends(get_writer),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    """A suspension or revocation is also recorded as an event on the CAB's approval
    (``suspended`` / ``withdrawn``; ``restored`` at ``until``), in the same audit operation."""
    try:
        with unit_of_work(engine) as session:
            return sv.add_sanction(session, actor, **body.model_dump())
    except (authz.Forbidden, sv.SupervisionError) as exc:
        raise _refused(exc) from exc


@router.get("/supervision/sanctions", summary="Published sanctions")
def sanctions(
    cab: str | None = Query(None, max_length=64), engine: Engine = Depends(get_engine)
) -> list[dict[str, Any]]:
    with unit_of_work(engine) as session:
        return sv.list_sanctions(session, cab)


@router.get(
    "/supervision/disclosures",
    summary="Disclosure feed: sanctions, draws, inspection results, complaint outcomes",
)
def disclosures(engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    """Everything supervision publishes, as shown on the ``/supervision`` page:
    ``{"sanctions", "draws", "inspection_results", "complaint_outcomes"}``."""
    with unit_of_work(engine) as session:
        return {**sv.disclosures(session), "inspection_results": published_results(session)}


# --------------------------------------------------------------------------- complaints

MAX_BASE64 = (sv.MAX_ATTACHMENT_BYTES + 2) // 3 * 4


class ComplaintIn(BaseModel):
    subject_kind: Literal["certificate", "body"]
    subject: str = Field(
        ..., min_length=1, max_length=200, description="Certificate number or CAB number."
    )
    summary: str = Field(..., min_length=1, max_length=20000)
    anonymous: bool = False
    name: str | None = Field(None, max_length=200, description="Never published.")
    contact: str | None = Field(None, max_length=500, description="Never published.")
    attachment_base64: str | None = Field(
        None, max_length=MAX_BASE64, description="At most 2 MB once decoded."
    )
    attachment_name: str | None = Field(None, max_length=200)
    attachment_type: str | None = Field(None, max_length=100)


@router.post(
    "/complaints", status_code=201, summary="File a complaint (anyone)", responses=_PUBLIC_ERRORS
)
def post_complaint(body: ComplaintIn, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    """Returns the case number and the public case view. Name, contact and attachment are
    never published; with ``anonymous`` they are not stored at all (the attachment is)."""
    data: bytes | None = None
    if body.attachment_base64:
        try:
            data = base64.b64decode(body.attachment_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ApiError(
                422, "invalid", "attachment_base64 is not base64", "attachment_base64"
            ) from exc
    try:
        with unit_of_work(engine) as session:
            return sv.file_complaint(
                session,
                subject_kind=body.subject_kind,
                subject=body.subject,
                summary=body.summary,
                name=body.name,
                contact=body.contact,
                anonymous=body.anonymous,
                attachment=data,
                attachment_name=body.attachment_name,
                attachment_type=body.attachment_type,
            )
    except sv.SupervisionError as exc:
        raise _refused(exc) from exc


@router.get(
    "/complaints/{case}", summary="A complaint case's public status", responses=_PUBLIC_ERRORS
)
def complaint_status(case: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            return sv.get_case(session, case)
    except sv.SupervisionError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc


@router.get(
    "/supervision/complaints", summary="Complaint cases (regulator)", responses=_REGULATOR_ERRORS
)
def complaint_cases(
    status: str | None = Query(None, max_length=16),
    actor: authz.Actor = Depends(require_role("regulator")),
    engine: Engine = Depends(get_engine),
) -> list[dict[str, Any]]:
    with unit_of_work(engine) as session:
        return sv.list_cases(session, actor, status)


@router.get(
    "/supervision/complaints/{case}",
    summary="One complaint case in full (regulator)",
    responses=_REGULATOR_ERRORS,
)
def complaint_case(
    case: str,
    actor: authz.Actor = Depends(require_role("regulator")),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            return sv.regulator_case(session, actor, case)
    except sv.SupervisionError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc


class CaseUpdate(BaseModel):
    assignee: str | None = Field(None, max_length=64)
    status: Literal["open", "in_progress", "substantiated", "rejected"] | None = None
    deadline: dt.date | None = None
    outcome: str | None = Field(None, max_length=20000)
    publish: bool = False


@router.post(
    "/supervision/complaints/{case}",
    summary="Handle a complaint case (regulator)",
    responses=_REGULATOR_ERRORS,
)
def update_complaint(
    case: str,
    body: CaseUpdate,
    actor: authz.Actor = Depends(get_writer),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    """Assign it, set its status or deadline, record and publish its outcome (audited)."""
    try:
        with unit_of_work(engine) as session:
            return sv.update_case(session, actor, case, **body.model_dump())
    except authz.Forbidden as exc:
        raise _refused(exc) from exc
    except sv.SupervisionError as exc:
        if "no complaint case" in str(exc):
            raise ApiError(404, "not_found", str(exc)) from exc
        raise _refused(exc) from exc
