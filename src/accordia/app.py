"""The web application: ``create_app(settings)`` mounts the API, its OpenAPI page and the pages."""

from __future__ import annotations

import importlib
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from accordia import __version__, security
from accordia.api import errors
from accordia.db.session import engine_for
from accordia.settings import Settings, get_settings

# Routers mounted under /api/v1 (module, attribute); missing optional modules are skipped.
API_ROUTERS = (
    ("accordia.api.registry", "router"),
    ("accordia.api.verify", "router"),
    ("accordia.api.search", "router"),
    ("accordia.api.calculators", "router"),
    ("accordia.api.cooperation", "router"),
    ("accordia.api.supervision", "router"),
    ("accordia.api.accounts", "router"),
    ("accordia.api.inspections", "router"),
    ("accordia.api.discipline", "router"),
    ("accordia.api.health", "router"),
)


def _optional(module: str, attr: str) -> Any:
    try:
        return getattr(importlib.import_module(module), attr, None)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application for ``settings`` (or the environment's)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Accordia",
        version=__version__,
        description=(
            "Open reference system for certification, accreditation and mutual recognition. "
            "认证、认可与国际互认的开放参考系统。"
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine or engine_for(settings.database_url)
    errors.install(app)
    security.install(app, settings)
    api = APIRouter(prefix="/api/v1")
    for module, attr in API_ROUTERS:
        router = _optional(module, attr)
        if router is not None:
            api.include_router(router)
    app.include_router(api)
    pages = _optional("accordia.web", "install")
    if pages is not None:
        pages(app)
    return app
