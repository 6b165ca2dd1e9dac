"""Search API: ``GET /api/v1/search`` (the JSON twin of the ``/search`` page).

``refine`` (empty, too short, too long, unsearchable query) and ``no_match`` are normal 200
answers with a message, not errors; only malformed parameters (unknown kind, limit out of
range) are 422 in the API's one error shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from accordia.api.deps import get_session
from accordia.api.errors import ApiError, ErrorResponse
from accordia.services.search_index import FilterError, page_url, search_registry

router = APIRouter(tags=["search"])

Kind = Literal["organization", "cab", "accreditation_body", "certificate"]
StatusName = Literal["valid", "active", "suspended", "withdrawn", "expired", "not_yet"]


class MatchModel(BaseModel):
    field: str = Field(description="Stored field: name_zh, name_en, name_other, acronym, uscc …")
    form: str = Field(description="Normalised form: zh, zh_orig, core, py, en, acronym …")
    text: str = Field(description="The stored form that matched.")
    how: str = Field(description="exact | prefix | substring | contained | fuzzy | all words")
    score: float
    why: str
    notes: list[str] = Field(description="Query-side steps: traditional→simplified, typo …")


class HitModel(BaseModel):
    kind: Kind
    key: str
    url: str = Field(description="The record's page; its JSON twin is the same path under /api/v1.")
    name_zh: str | None = None
    name_en: str | None = None
    acronym: str | None = None
    economy_code: str | None = None
    score: float
    why: str = Field(description="Why the best match matched.")
    matches: list[MatchModel]
    extra: dict[str, Any] | None = None


class FiltersModel(BaseModel):
    kinds: list[Kind] | None = None
    economy: str | None = None
    standard: str | None = Field(None, description="Registry standard code(s) the filter used.")
    status: str | None = None
    status_on: str | None = Field(None, description="Date the status was asked on.")


class SearchResponseModel(BaseModel):
    """``SearchResponse.to_dict()`` (the same JSON as ``accordia search --json``) with each
    hit's page ``url``."""

    query: str
    status: Literal["ok", "no_match", "refine"]
    message: str
    interpretation: Literal["identifier", "name", "none"]
    normalized: str
    hits: list[HitModel]
    backend: str
    elapsed_ms: float
    filters: FiltersModel
    reason: str | None = Field(
        None,
        description="Why there is no answer: empty, too_short, too_long, "
        "no_searchable_characters (refine) or index_empty (no_match).",
    )
    candidates: int


@router.get(
    "/search",
    response_model=SearchResponseModel,
    summary="Find organizations, CABs, accreditation bodies and certificates",
    responses={422: {"model": ErrorResponse}},
)
def search_endpoint(
    session: Annotated[Session, Depends(get_session)],
    q: Annotated[
        str,
        Query(
            max_length=10_000,
            description="A name in any script, pinyin, an acronym or an identifier "
            "(over 200 characters is answered with status refine).",
        ),
    ] = "",
    kind: Annotated[list[Kind] | None, Query(description="Only these kinds (repeatable).")] = None,
    economy: Annotated[
        str | None, Query(max_length=16, pattern=r"^[A-Za-z0-9]+$", description="Economy code.")
    ] = None,
    standard: Annotated[
        str | None,
        Query(
            max_length=80,
            description="Only certificates of this standard (ISO9001, ISO 14001 …) and "
            "organizations holding one.",
        ),
    ] = None,
    status: Annotated[
        StatusName | None,
        Query(
            description="Only certificates with this status on `on` (from their status "
            "history; valid = active) and organizations holding one."
        ),
    ] = None,
    on: Annotated[
        dt.date | None, Query(description="Date the status is asked on (default today).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Most hits returned.")] = 10,
) -> dict[str, Any]:
    """Ranked hits with the reason each matched; ``refine`` / ``no_match`` with a message.
    With ``standard`` / ``status``, each hit's ``extra.filter`` names the certificate that
    meets the filter (and its status on the date)."""
    try:
        resp = search_registry(
            session,
            q,
            kinds=kind or None,
            economy=economy,
            limit=limit,
            standard=standard,
            status=status,
            on=on,
        )
    except FilterError as exc:
        raise ApiError(422, "invalid_parameter", exc.message, field=exc.field) from exc
    doc = resp.to_dict()
    for h in doc["hits"]:
        h["url"] = page_url(h["kind"], h["key"])
    return doc
