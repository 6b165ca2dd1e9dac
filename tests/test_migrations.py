"""The migrations build exactly the schema the models declare (the `alembic check` of this
project), on the engine under test."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import accordia.models  # noqa: F401
from accordia.db.base import Base
from accordia.models.search import is_search_ddl_object
from tests.conftest import TestDatabase


def _include_object(
    _obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    # The search index's FTS5 table / pg_trgm index are made by install_search_ddl(), as in
    # the Alembic env's include_object; everything else is compared.
    return not (type_ in ("table", "index") and is_search_ddl_object(name))


def test_models_and_migrations_agree(db: TestDatabase) -> None:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _include_object}
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], diff
