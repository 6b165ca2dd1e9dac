"""Who is calling: the principal of a request, from ``Authorization: Bearer <token>`` or the
page session cookie; anonymous callers are the ``public`` role.

Dependencies: :func:`get_principal` (anyone, possibly anonymous), :func:`require_principal`
(401 without valid credentials), :func:`require_role` and :func:`get_writer` (a principal that
may write at all; *what* it may write is decided per record by
:func:`accordia.services.authz.authorize_write`).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from accordia.api.errors import ApiError
from accordia.db.session import unit_of_work
from accordia.services import accounts
from accordia.services.authz import PUBLIC_ACTOR, Actor, actor_of

SESSION_COOKIE = "accordia_session"

bearer = HTTPBearer(
    auto_error=False,
    description="An API token `acc_<id>_<secret>` (`accordia tokens create` or "
    "`POST /api/v1/tokens`).",
)


def _resolve(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Actor):
        return cached
    engine = request.app.state.engine
    actor = PUBLIC_ACTOR
    if credentials is not None:
        with unit_of_work(engine) as session:
            found = accounts.resolve_token(session, credentials.credentials)
            if found is not None:
                user, token = found
                actor = actor_of(user, via="token", can_write=token.scope == "write")
        if found is None:
            request.state.auth_failed = True
            raise ApiError(
                401,
                "invalid_token",
                "the bearer token is unknown, expired or revoked",
                "Authorization",
            )
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            with unit_of_work(engine) as session:
                found_session = accounts.resolve_session(session, cookie)
                if found_session is not None:
                    actor = actor_of(found_session[0], via="session")
                    request.state.csrf_token = found_session[1].csrf_token
    request.state.principal = actor
    return actor


def get_principal(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> Actor:
    """The caller: an account's actor, or the anonymous public actor. 401 for a bad token."""
    return _resolve(request, credentials)


def require_principal(actor: Actor = Depends(get_principal)) -> Actor:
    """A signed-in caller, or 401."""
    if actor is PUBLIC_ACTOR:
        raise ApiError(
            401,
            "unauthorized",
            "this needs credentials: 'Authorization: Bearer <token>'",
            "Authorization",
        )
    return actor


def require_role(*roles: str) -> Callable[..., Actor]:
    """A dependency admitting signed-in callers of ``roles`` only (403 otherwise)."""

    def _dep(actor: Actor = Depends(require_principal)) -> Actor:
        if actor.role not in roles:
            raise ApiError(
                403,
                "forbidden",
                f"{actor.describe()} may not do this: it needs the role {' or '.join(roles)}",
                None,
            )
        return actor

    return _dep


def get_writer(request: Request, actor: Actor = Depends(require_principal)) -> Actor:
    """A caller that may write at all: a write-scoped token (pages: a session whose form carried
    its CSRF token). 403 for read-only tokens and the public role."""
    if actor.via == "session":
        # The API takes page sessions for reads only: a cookie is sent by the browser on its own,
        # so cookie-authenticated writes would be open to cross-site request forgery.
        raise ApiError(
            403,
            "token_required",
            "API writes need 'Authorization: Bearer <token>'; a page session cannot write here",
            "Authorization",
        )
    if not actor.can_write:
        raise ApiError(
            403, "read_only", f"{actor.describe()} has read-only access", "Authorization"
        )
    return actor
