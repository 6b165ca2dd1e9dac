"""Industry self-discipline and the regulator's dashboard: codes of conduct, commitments, credit
ratings (issue 7 §6) and ``/supervision/dashboard`` (issue 7 §2).

Public: associations' codes of conduct with their versions, and who committed to them (status on
a date, with the events). Writes — a code version, a commitment event — need a write-scoped
token of the association that owns the code, or of a regulator
(:func:`accordia.services.discipline.authorize_association_write`; others get 403 and nothing
changes). Ratings: regulators (every body) and associations (their own members). The
dashboard: regulators only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from accordia.api.auth import get_writer, require_role
from accordia.api.deps import get_engine, on_date
from accordia.api.errors import ApiError, ErrorResponse
from accordia.db.session import unit_of_work
from accordia.domain.discipline import weights_table
from accordia.services import authz
from accordia.services import dashboard as dash
from accordia.services import discipline as ds

router = APIRouter(tags=["discipline"])

_E = {"model": ErrorResponse}
_PUBLIC: dict[int | str, dict[str, Any]] = {404: _E, 422: _E}
_GUARDED: dict[int | str, dict[str, Any]] = {401: _E, 403: _E, 404: _E, 422: _E}


def _refused(exc: Exception) -> ApiError:
    if isinstance(exc, authz.Forbidden):
        return ApiError(403, exc.rule, exc.message, exc.field)
    if isinstance(exc, ds.NotFoundError):
        return ApiError(404, "not_found", str(exc), exc.field)
    if isinstance(exc, ds.DisciplineError):
        return ApiError(422, exc.rule, str(exc), exc.field)
    raise exc


@router.get("/discipline/associations", summary="Associations: members on a date, codes")
def associations(
    on: dt.date = Depends(on_date), engine: Engine = Depends(get_engine)
) -> list[dict[str, Any]]:
    with unit_of_work(engine) as session:
        return ds.associations_overview(session, on)


@router.get(
    "/discipline/associations/{economy}/{acronym}",
    summary="One association: its codes in force and its members' commitments on a date",
    responses=_PUBLIC,
)
def association(
    economy: str,
    acronym: str,
    on: dt.date = Depends(on_date),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            return ds.association_detail(session, acronym, economy, on)
    except ds.DisciplineError as exc:
        raise _refused(exc) from exc


@router.get("/discipline/codes", summary="Codes of conduct with their versions", responses=_PUBLIC)
def codes(
    association: str | None = Query(None, max_length=32, description="Association acronym."),
    economy: str | None = Query(None, max_length=16),
    on: dt.date = Depends(on_date),
    engine: Engine = Depends(get_engine),
) -> list[dict[str, Any]]:
    try:
        with unit_of_work(engine) as session:
            return ds.list_codes(session, on, association, economy)
    except ds.DisciplineError as exc:
        raise _refused(exc) from exc


@router.get(
    "/discipline/codes/{economy}/{acronym}/{code}",
    summary="One code of conduct: versions, the one in force, commitments on a date",
    responses=_PUBLIC,
)
def code(
    economy: str,
    acronym: str,
    code: str,
    on: dt.date = Depends(on_date),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            return ds.code_detail(session, acronym, economy, code, on)
    except ds.DisciplineError as exc:
        raise _refused(exc) from exc


class CodeVersionIn(BaseModel):
    code: str = Field(..., min_length=1, max_length=48, description="The code id.")
    title_zh: str | None = Field(None, max_length=500)
    title_en: str | None = Field(None, max_length=500)
    provisions_zh: list[str] = Field(default_factory=list, max_length=200)
    provisions_en: list[str] = Field(default_factory=list, max_length=200)
    adopted_on: dt.date
    effective_on: dt.date
    source_url: str | None = Field(None, max_length=500)
    source: str = Field("", max_length=2000)
    version: int | None = Field(None, ge=1, description="Default: the next number.")


@router.post(
    "/discipline/codes/{economy}/{acronym}",
    status_code=201,
    summary="Publish a code of conduct or a new version (the association or a regulator)",
    responses=_GUARDED,
)
def post_code(
    economy: str,
    acronym: str,
    body: CodeVersionIn,
    actor: authz.Actor = Depends(get_writer),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    """Provisions are numbered items, given in the same order in both languages."""
    try:
        with unit_of_work(engine) as session:
            return ds.add_code_version(
                session, actor, association=acronym, economy=economy, **body.model_dump()
            )
    except (authz.Forbidden, ds.DisciplineError) as exc:
        raise _refused(exc) from exc


class CommitmentIn(BaseModel):
    cab: str = Field(..., min_length=1, max_length=64, description="CAB registration number.")
    kind: Literal["committed", "withdrawn", "expelled"] = "committed"
    effective_on: dt.date
    note: str | None = Field(None, max_length=4000)
    source: str = Field("", max_length=2000)


@router.post(
    "/discipline/codes/{economy}/{acronym}/{code}/commitments",
    status_code=201,
    summary="Record a member's commitment, withdrawal or expulsion (the association or a "
    "regulator)",
    responses=_GUARDED,
)
def post_commitment(
    economy: str,
    acronym: str,
    code: str,
    body: CommitmentIn,
    actor: authz.Actor = Depends(get_writer),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        with unit_of_work(engine) as session:
            return ds.record_commitment(
                session, actor, association=acronym, economy=economy, code=code, **body.model_dump()
            )
    except (authz.Forbidden, ds.DisciplineError) as exc:
        raise _refused(exc) from exc


@router.get(
    "/discipline/cabs/{registration_number}/commitments",
    summary="A body's commitments to codes of conduct",
    responses=_PUBLIC,
)
def cab_commitments(
    registration_number: str,
    on: dt.date = Depends(on_date),
    engine: Engine = Depends(get_engine),
) -> list[dict[str, Any]]:
    try:
        with unit_of_work(engine) as session:
            return ds.commitments_of(session, registration_number, on)
    except ds.DisciplineError as exc:
        raise _refused(exc) from exc


@router.get("/discipline/method", summary="The credit rating's weights and grades")
def method() -> list[dict[str, Any]]:
    return weights_table()


@router.get(
    "/discipline/ratings",
    summary="Credit ratings on a date, explained (regulator: all; association: its members)",
    responses=_GUARDED,
)
def list_ratings(
    on: dt.date = Depends(on_date),
    grade: Literal["A", "B", "C", "D"] | None = Query(None),
    actor: authz.Actor = Depends(require_role(authz.REGULATOR, authz.ASSOCIATION)),
    engine: Engine = Depends(get_engine),
) -> list[dict[str, Any]]:
    try:
        rows = ds.ratings(engine, on, actor)
    except authz.Forbidden as exc:
        raise _refused(exc) from exc
    return [r.as_dict() for r in rows if grade is None or r.grade == grade]


@router.get(
    "/discipline/ratings/{registration_number}",
    summary="One body's credit rating on a date, factor by factor",
    responses=_GUARDED,
)
def one_rating(
    registration_number: str,
    on: dt.date = Depends(on_date),
    actor: authz.Actor = Depends(require_role(authz.REGULATOR, authz.ASSOCIATION)),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        return ds.rating(engine, registration_number, on, actor).as_dict()
    except (authz.Forbidden, ds.DisciplineError) as exc:
        raise _refused(exc) from exc


@router.get(
    "/supervision/dashboard",
    summary="The regulator's dashboard: risk ranking with grades, trends (regulator)",
    responses=_GUARDED,
)
def dashboard(
    on: dt.date = Depends(on_date),
    top: int = Query(dash.RANKED, ge=1, le=1000, description="Bodies in the ranking."),
    _actor: authz.Actor = Depends(require_role(authz.REGULATOR)),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    return dash.dashboard(engine, on, top=top)
