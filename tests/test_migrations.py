"""The migrations build exactly the schema the models declare (the `alembic check` of this
project), on the engine under test."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import accordia.models  # noqa: F401
from accordia.db.base import Base
from tests.conftest import TestDatabase


def test_models_and_migrations_agree(db: TestDatabase) -> None:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], diff
