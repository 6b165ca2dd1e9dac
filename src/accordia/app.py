"""The web application: ``create_app(settings)`` mounts the API, its OpenAPI page and the pages."""

from __future__ import annotations

import importlib
from typing import Any

from fastapi import FastAPI
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

# routers matched first: liveness probes and verification carry most of the traffic
HOT_ROUTERS = ("accordia.api.health", "accordia.api.verify")


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
    # each API module straight under the app (no intermediate router: FastAPI matches included
    # routers level by level, so every level of nesting costs a pass over the routes on every
    # request); the most requested routes first (issue 9, docs/performance.md)
    for module, attr in sorted(API_ROUTERS, key=lambda r: r[0] not in HOT_ROUTERS):
        router = _optional(module, attr)
        if router is not None:
            app.include_router(router, prefix="/api/v1")
    pages = _optional("accordia.web", "install")
    if pages is not None:
        pages(app)
    return app
