"""One error shape for the whole API: ``{"error": {"code", "message", "field"}}``.

Routers raise :class:`ApiError` (or a domain error registered below); :func:`install` turns
them, request validation errors and HTTP errors into that shape, for every router at once.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from accordia.domain.audit_time import CalculatorInputError
from accordia.services.registry import NotFound

# Domain parameter names → the API's query parameter names.
_PARAM_FOR_FIELD = {"reduction_pct": "reduction"}


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorBody


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message", "field"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": {"code": code, "message": message, "field": field}}
    )


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""

    @app.exception_handler(ApiError)
    async def _api(_r: Request, exc: ApiError) -> JSONResponse:
        return error(exc.status, exc.code, exc.message, exc.field)

    @app.exception_handler(NotFound)
    async def _not_found(_r: Request, exc: NotFound) -> JSONResponse:
        return error(404, "not_found", str(exc))

    @app.exception_handler(CalculatorInputError)
    async def _calculator(_r: Request, exc: CalculatorInputError) -> JSONResponse:
        return error(422, exc.code, exc.message, _PARAM_FOR_FIELD.get(exc.field, exc.field))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        first = errors[0] if errors else {}
        loc = [str(x) for x in first.get("loc", ()) if x not in ("query", "body", "path")]
        field = loc[0] if loc else None
        message = str(first.get("msg", "invalid request"))
        return error(422, "invalid_parameter", f"{field}: {message}" if field else message, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_r: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            404: "not_found",
            405: "method_not_allowed",
            403: "forbidden",
            401: "unauthorized",
            413: "too_large",
            429: "rate_limited",
        }.get(exc.status_code, "http_error")
        return error(exc.status_code, code, str(exc.detail))
