"""Sign-in and sign-out pages, and the CSRF protection every page form that POSTs uses.

A signed-in browser holds the ``accordia_session`` cookie (HttpOnly, SameSite=Lax, Secure on
HTTPS): a random secret whose SHA-256 names a row of ``web_session``. Each POST form carries
a ``csrf_token`` field: the session's token when signed in, else the value of the
``accordia_csrf`` cookie (double submit). :func:`csrf_token` gives the value to render and
:func:`check_csrf` checks a submitted form (403 otherwise).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from accordia.db.session import unit_of_work
from accordia.services import accounts
from accordia.services.authz import actor_of
from accordia.settings import get_settings
from accordia.web.i18n import N_, negotiate
from accordia.web.templating import render

router = APIRouter(include_in_schema=False)

SESSION_COOKIE = "accordia_session"
CSRF_COOKIE = "accordia_csrf"
CSRF_FIELD = "csrf_token"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def current_session(request: Request) -> tuple[str, str, object] | None:
    """(session secret, its CSRF token, the actor) of a signed-in browser, else None."""
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not secret:
        return None
    with unit_of_work(request.app.state.engine) as session:
        found = accounts.resolve_session(session, secret)
        if found is None:
            return None
        user, row = found
        return secret, row.csrf_token, actor_of(user, via="session")


def csrf_token(request: Request, response: Response | None = None) -> str:
    """The CSRF token a form rendered for ``request`` must carry. For an anonymous browser,
    set the double-submit cookie on ``response`` when it has none yet."""
    signed_in = current_session(request)
    if signed_in is not None:
        return signed_in[1]
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return str(token)


def _set_csrf_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/"
        )


def check_csrf(request: Request, submitted: str | None) -> None:
    """403 unless ``submitted`` is the token :func:`csrf_token` rendered for this browser."""
    signed_in = current_session(request)
    expected = signed_in[1] if signed_in is not None else request.cookies.get(CSRF_COOKIE, "")
    if not submitted or not expected or not hmac.compare_digest(submitted, expected):
        raise StarletteHTTPException(403, "the form's CSRF token is missing or wrong")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(
    request: Request, status_code: int = 200, error: str | None = None, next_url: str = "/"
) -> Response:
    lang = negotiate(request)
    signed_in = current_session(request)
    response: Response = render(
        request,
        lang,
        "login.html",
        status_code=status_code,
        csrf_token=csrf_token(request),
        actor=signed_in[2] if signed_in else None,
        error=error,
        next_url=next_url,
    )
    _set_csrf_cookie(request, response)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token_field: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    check_csrf(request, csrf_token_field)
    engine = request.app.state.engine
    with unit_of_work(engine) as session:
        user = accounts.authenticate(session, username.strip(), password)
        if user is None:
            secret = None
        else:
            secret, _row = accounts.start_session(session, user, get_settings().session_hours)
    if secret is None:
        return _login_page(
            request,
            status_code=401,
            error=N_("The user name or password is wrong, or the account is disabled."),
            next_url=_safe_next(next),
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=get_settings().session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(
    request: Request,
    csrf_token_field: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
) -> Response:
    check_csrf(request, csrf_token_field)
    with unit_of_work(request.app.state.engine) as session:
        accounts.end_session(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
