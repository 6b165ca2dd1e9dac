"""The public portal: server-rendered pages in Chinese and English over the registry.

``install(app)`` mounts the pages, their static files and a friendly HTML error page for
paths outside ``/api``; :func:`accordia.app.create_app` calls it."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from accordia.web.auth_pages import router as auth_router
from accordia.web.cooperation_pages import router as cooperation_router
from accordia.web.i18n import negotiate
from accordia.web.pages import router
from accordia.web.supervision_pages import router as supervision_router
from accordia.web.templating import render

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# page modules mounted when present (each exposes ``router``)
OPTIONAL_PAGES = ("accordia.web.inspection_pages", "accordia.web.discipline_pages")


def _optional_routers() -> list[Any]:
    out = []
    for name in OPTIONAL_PAGES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        out.append(module.router)
    return out


def install(app: FastAPI) -> None:
    """Mount the pages on ``app``."""
    app.include_router(router)
    app.include_router(auth_router)
    app.include_router(supervision_router)
    app.include_router(cooperation_router)
    for extra in _optional_routers():
        app.include_router(extra)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    api_handler = app.exception_handlers.get(StarletteHTTPException)

    async def _http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith("/api"):
            if api_handler is None:
                raise exc
            result = api_handler(request, exc)
            if inspect.isawaitable(result):
                result = await result
            return result
        lang = negotiate(request)
        what = "page" if exc.status_code == 404 else "error"
        return render(
            request,
            lang,
            "error.html",
            status_code=exc.status_code,
            what=what,
            code=exc.status_code,
        )

    app.add_exception_handler(StarletteHTTPException, _http)
