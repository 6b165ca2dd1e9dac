"""``/me``, ``/tokens`` and ``/audit``: the caller's account, its API tokens, and the audit trail
(regulators only). Nothing here is public: every route needs credentials."""

from __future__ import annotations

import hmac
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, Field

from accordia.api.auth import require_principal, require_role
from accordia.api.deps import get_engine
from accordia.api.errors import ApiError, ErrorResponse
from accordia.db.session import unit_of_work
from accordia.services import accounts
from accordia.services.authz import REGULATOR, Actor
from accordia.settings import get_settings

router = APIRouter(tags=["accounts"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse},
    403: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}


class MeOut(BaseModel):
    name: str
    role: str
    cab: str | None
    body: list[str] | None
    can_write: bool
    via: str


class TokenOut(BaseModel):
    id: str
    user: str | None
    name: str
    scope: Literal["read", "write"]
    created_at: str | None
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret: shown once, never again.")


class TokenIn(BaseModel):
    name: str = Field("", max_length=100, description="What the token is for.")
    scope: Literal["read", "write"] = "read"
    days: int | None = Field(
        None, ge=1, le=3660, description="Lifetime in days (default: the token_days setting)."
    )


class TokenList(BaseModel):
    items: list[TokenOut]


class AuditEntryOut(BaseModel):
    at: str
    actor: str
    action: str
    entity: str
    key: str
    operation: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[AuditEntryOut]


def _account_error(exc: accounts.AccountError) -> ApiError:
    status = 404 if exc.code == "not_found" else 422
    return ApiError(status, exc.code, exc.message, exc.field)


@router.get("/me", response_model=MeOut, responses=_ERRORS, summary="Who am I")
def me(actor: Actor = Depends(require_principal)) -> Any:
    """The caller's role and binding (what the registry lets it write)."""
    return {
        "name": actor.name,
        "role": actor.role,
        "cab": actor.cab,
        "body": list(actor.body) if actor.body else None,
        "can_write": actor.can_write,
        "via": actor.via,
    }


@router.get("/tokens", response_model=TokenList, responses=_ERRORS, summary="My API tokens")
def list_tokens(
    user: str | None = Query(None, max_length=64, description="Regulators: another account."),
    actor: Actor = Depends(require_principal),
    engine: Any = Depends(get_engine),
) -> Any:
    if user is not None and user != actor.name and actor.role != REGULATOR:
        raise ApiError(403, "forbidden", "only a regulator may list another account's tokens")
    with unit_of_work(engine) as session:
        return {"items": accounts.list_tokens(session, user or actor.name)}


@router.post(
    "/tokens",
    response_model=NewTokenOut,
    status_code=201,
    responses=_ERRORS,
    summary="Create an API token",
)
def create_token(
    request: Request,
    body: TokenIn = Body(default_factory=TokenIn),
    x_csrf_token: str | None = Header(None, description="Page sessions: the session's token."),
    actor: Actor = Depends(require_principal),
    engine: Any = Depends(get_engine),
) -> Any:
    """A new token of the caller's account. The secret is in the answer, and only there. A
    read-only token creates read-only tokens; a page session must send ``X-CSRF-Token``."""
    if actor.via == "session":
        expected = getattr(request.state, "csrf_token", "") or ""
        if not x_csrf_token or not hmac.compare_digest(x_csrf_token, expected):
            raise ApiError(403, "csrf", "X-CSRF-Token is missing or wrong", "X-CSRF-Token")
    if body.scope == "write" and not actor.can_write:
        raise ApiError(403, "read_only", "read-only credentials create read-only tokens", "scope")
    days = body.days or get_settings().token_days
    try:
        with unit_of_work(engine) as session:
            user = accounts.get_user(session, actor.name)
            issued = accounts.issue_token(
                session, user, name=body.name, scope=body.scope, days=days, actor=actor.name
            )
            view = accounts.token_view(issued.token, user.username)
    except accounts.AccountError as exc:
        raise _account_error(exc) from exc
    return {**view, "token": issued.secret}


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    summary="Revoke an API token",
)
def revoke_token(
    token_id: str = Path(..., max_length=16, description="The token's id (not its secret)."),
    actor: Actor = Depends(require_principal),
    engine: Any = Depends(get_engine),
) -> Response:
    """Revoke one of the caller's tokens (regulators: anyone's). Revoking twice is harmless."""
    owner = None if actor.role == REGULATOR else actor.name
    try:
        with unit_of_work(engine) as session:
            accounts.revoke_token(session, token_id, actor.name, owner=owner)
    except accounts.AccountError as exc:
        raise _account_error(exc) from exc
    return Response(status_code=204)


@router.get("/audit", response_model=AuditPage, responses=_ERRORS, summary="The audit trail")
def read_audit(
    entity: str | None = Query(None, max_length=48, description="Record kind, e.g. certificate."),
    key: str | None = Query(None, max_length=300, description="Natural key as recorded."),
    actor_name: str | None = Query(None, alias="actor", max_length=120, description="Actor."),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
    _reader: Actor = Depends(require_role(REGULATOR)),
    engine: Any = Depends(get_engine),
) -> Any:
    """Who wrote what and when, newest first, per record (``entity`` + ``key``) or per actor.
    Regulators only."""
    with unit_of_work(engine) as session:
        total, items = accounts.read_audit(
            session, entity=entity, key=key, actor=actor_name, limit=limit, offset=offset
        )
    return {"total": total, "limit": limit, "offset": offset, "items": items}
