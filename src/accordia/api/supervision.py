"""``/supervision/*``: the public, read-only side of supervision ("one public").

Published: the rules with their legal bases, the list of inspection items, the draws (the
commitment and the directories at once, the seed and the result after the reveal) and their
verification. Findings and risk scores are the regulator's working material and are not
published here; regulator-only write endpoints wait for ``accordia.api.auth.require_role``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Engine

from accordia.api.deps import get_engine
from accordia.api.errors import ApiError
from accordia.domain.supervision.rules import RULES
from accordia.services import supervision as sv

router = APIRouter(prefix="/supervision", tags=["supervision"])


@router.get("/rules", summary="Supervision rules with their legal bases")
def rules() -> list[dict[str, Any]]:
    return [r.as_dict() for r in RULES.values()]


@router.get("/items", summary="The published list of inspection items")
def items(engine: Engine = Depends(get_engine)) -> list[dict[str, Any]]:
    return sv.list_items(engine)


@router.get("/draws", summary="Published draws")
def draws(engine: Engine = Depends(get_engine)) -> list[dict[str, Any]]:
    return sv.list_draws(engine)


@router.get("/draws/{code}", summary="One draw: commitment, directories, seed and result")
def draw(code: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    try:
        return sv.public_draw(engine, code)
    except sv.SupervisionError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc


@router.get("/draws/{code}/verify", summary="Re-run a revealed draw from a seed and compare")
def verify(
    code: str,
    seed: str = Query(..., max_length=200, description="The revealed seed."),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    try:
        return sv.verify_draw(engine, code, seed)
    except sv.SupervisionError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
