"""``GET /calculators/audit-time`` (IAF MD 5) and ``GET /calculators/sampling`` (IAF MD 1).

The lead mounts ``router`` under ``/api/v1``. Bad input, whether rejected by FastAPI's query
validation or by the calculator, answers HTTP 422 with ``{"error": {"code", "message", "field"}}``
through the application's error handlers (:mod:`accordia.api.errors`).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from accordia.domain.audit_time import audit_time
from accordia.domain.sampling import sample_size

router = APIRouter(prefix="/calculators", tags=["calculators"])


class BilingualText(BaseModel):
    zh: str | None
    en: str | None


class CitationModel(BaseModel):
    id: str
    reference: str
    text: BilingualText
    source: str
    confidence: str | None
    note: str | None


class BandModel(BaseModel):
    table: str
    personnel_min: int
    personnel_max: int
    values: dict[str, float]
    source: str
    note: str | None


class AuditTimeResponse(BaseModel):
    standard: str
    management_system: str
    table: str
    personnel: int
    complexity: str | None
    complexity_column: str
    audit: str
    band: BandModel
    table_days: float
    reduction_pct: float
    max_reduction_pct: float
    reduced_days_unrounded: float
    initial_days: float
    share: str
    share_fraction: float
    audit_days_unrounded: float
    audit_days: float
    audit_hours: float
    on_site_min_share: float
    on_site_min_days: float
    on_site_min_hours: float
    hours_per_audit_day: int
    citations: list[CitationModel]
    notes: list[BilingualText]
    explanation: BilingualText


class SamplingResponse(BaseModel):
    sites: int
    audit: str
    sampling_appropriate: bool
    sampling_applied: bool
    method: str
    formula: str
    factor: float
    sample_size: int
    random_min: int | None
    central_function_audited: bool
    total_audited_locations: int
    citations: list[CitationModel]
    notes: list[BilingualText]
    explanation: BilingualText


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None


class ErrorResponse(BaseModel):
    error: ErrorBody


_ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorResponse}}
AuditParam = Literal["initial", "surveillance", "recertification"]


@router.get("/audit-time", response_model=AuditTimeResponse, responses=_ERRORS)
def get_audit_time(
    standard: str = Query(..., description="ISO9001, ISO14001 or ISO45001"),
    personnel: int = Query(..., description="Effective number of personnel"),
    complexity: Literal["high", "medium", "low", "limited"] | None = Query(
        None, description="EMS: high|medium|low|limited; OH&SMS: high|medium|low; none for QMS"
    ),
    audit: AuditParam = Query("initial"),
    reduction: float = Query(0.0, description="Reduction in %, at most 30"),
) -> dict[str, Any]:
    """IAF MD 5 audit time, citing the table row and rules used."""
    return audit_time(standard, personnel, complexity, audit, reduction).as_dict()


@router.get("/sampling", response_model=SamplingResponse, responses=_ERRORS)
def get_sampling(
    sites: int = Query(..., description="Number of sites x, not counting the central function"),
    audit: AuditParam = Query("initial"),
    no_sampling: bool = Query(False, description="Sampling not appropriate (IAF MD 1 §6.2)"),
) -> dict[str, Any]:
    """IAF MD 1 minimum multi-site sample, citing the rule used."""
    return sample_size(sites, audit, sampling_appropriate=not no_sampling).as_dict()
