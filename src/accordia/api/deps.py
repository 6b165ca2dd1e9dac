"""Request-scoped dependencies: the database session and the 'on' date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from fastapi import Query, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accordia.db.session import session_factory


def get_engine(request: Request) -> Engine:
    """The application's database engine (``create_app(engine=...)`` or the settings')."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """A read session per request (commits happen in write services' own unit of work)."""
    session = session_factory(request.app.state.engine)()
    try:
        yield session
    finally:
        session.close()


def on_date(
    on: dt.date | None = Query(
        None, description="The date the question is asked about (YYYY-MM-DD); today when omitted."
    ),
) -> dt.date:
    return on or dt.datetime.now(dt.UTC).date()


def paging(
    limit: int = Query(50, ge=1, le=500, description="Page size."),
    offset: int = Query(0, ge=0, le=10_000_000, description="Rows to skip."),
) -> tuple[int, int]:
    return limit, offset
