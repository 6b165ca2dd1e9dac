"""Operations endpoints: liveness, readiness, and the benchmark's row-fetch baseline.

* ``GET /api/v1/health`` — liveness: the process answers; no database access.
* ``GET /api/v1/health/ready`` — readiness: one ``SELECT 1`` on the database; 503 when it fails.
* ``GET /api/v1/bench/certificate-row?number=`` — only when ``ACCORDIA_BENCH_ENDPOINTS`` is on
  (404 otherwise): fetches the certificate rows by normalised number and nothing else, the work
  no verification can avoid. ``bench/http_load.py`` loads it next to ``/api/v1/verify`` in the
  same run (docs/performance.md).

Both health paths are exempt from rate limits (``security.UNLIMITED_PREFIXES``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from accordia import __version__
from accordia import models as m
from accordia.api.deps import get_session
from accordia.api.errors import ApiError, ErrorResponse
from accordia.domain.identifiers import normalize_number

router = APIRouter()

# The whole certificate row, by the indexed normalised number (Core, no ORM identity map).
_ROW = select(*m.Certificate.__table__.columns).where(
    m.Certificate.__table__.c.number_norm == bindparam("norm")
)


@router.get("/health", tags=["meta"], summary="Liveness: the server process answers")
def liveness() -> dict[str, str]:
    """Answers without touching the database: use it to tell whether the process is alive."""
    return {"status": "ok", "version": __version__}


@router.get(
    "/health/ready",
    tags=["meta"],
    summary="Readiness: the database answers",
    responses={503: {"model": ErrorResponse, "description": "The database does not answer."}},
)
def readiness(request: Request, session: Session = Depends(get_session)) -> Any:
    """One ``SELECT 1`` on the database: 200 when it answers, 503 when it does not."""
    try:
        session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return JSONResponse(
            status_code=503,
            content={
                "error": {
                    "code": "database_unavailable",
                    "message": f"the database does not answer: {message}",
                    "field": None,
                }
            },
        )
    engine = request.app.state.engine
    return {"status": "ready", "version": __version__, "database": engine.dialect.name}


def _bench_enabled(request: Request) -> None:
    """The benchmark endpoints exist only when ``ACCORDIA_BENCH_ENDPOINTS`` is on."""
    if not request.app.state.settings.bench_endpoints:
        raise ApiError(404, "not_found", "Not Found")


@router.get(
    "/bench/certificate-row",
    tags=["meta"],
    summary="Benchmark baseline: the certificate's row by number (ACCORDIA_BENCH_ENDPOINTS)",
    include_in_schema=False,
    dependencies=[Depends(_bench_enabled)],
)
def certificate_row(
    number: str = Query(..., min_length=1, description="Certificate or report number."),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Only the row fetch every verification needs: the certificate rows whose normalised
    number matches (several issuers may use one number), returned as stored."""
    rows = session.execute(_ROW, {"norm": normalize_number(number)}).mappings().all()
    return {"number": number, "rows": [dict(r) for r in rows]}
