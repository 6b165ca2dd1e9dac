"""Alembic environment: runs against the URL given in the config or in ACCORDIA_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import accordia.models  # noqa: F401  (registers every table)
from accordia.db.base import Base
from accordia.db.session import engine_for
from accordia.models.search import is_search_ddl_object
from accordia.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _include_object(
    _obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    # The search index's engine-specific structures (FTS5 table, pg_trgm index) are made by
    # install_search_ddl(), not by the models: autogenerate must not try to drop them.
    return not (type_ in ("table", "index") and is_search_ddl_object(name))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    with engine_for(url).connect() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `accordia db upgrade`")
run_migrations_online()
